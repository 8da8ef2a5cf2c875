// A training run's life cycle: its settings checked, its data, models and
// checkpoint read, the run claimed, then the training loop (training-loop.ts)
// with what each step and epoch keeps on disk: metrics.jsonl's intervals,
// the epoch grids and scores, the checkpoints. The objective supplies the losses.
import { mkdirSync } from 'node:fs';
import { basename } from 'node:path';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { EngineInfo } from '../engine/engine.js';
import { DataError, TrainingDiverged } from '../errors.js';
import { loadImageSet, type ImageSet } from '../data/image-set.js';
import { checkClassLabels } from '../models/class-condition.js';
import { IMAGE_SIZE } from '../models/gan-models.js';
import type { Objective } from '../objectives/objective.js';
import { checkpointName, restoreTrainingState, resumableCheckpoint, saveCheckpoint, type TrainingPosition } from '../run/checkpoints.js';
import { readEpochScores, truncateEpochScores, type EpochScore } from '../run/eval-curve.js';
import { readMetrics, truncateMetrics, type MetricsLine } from '../run/metrics-log.js';
import type { TrainConfig } from '../run/run-config.js';
import { runPaths } from '../run/run-directory.js';
import { hasRunRecord, readRunConfig, writeRunRecord } from '../run/run-record.js';
import { claimRun, readStateOrNothing, type RunClaim } from '../run/run-state.js';
import { dStepSchedule } from './d-step-schedule.js';
import { plainUpdate, type DiscriminatorUpdate } from './discriminator-update.js';
import { epochScorer, type EpochScorer } from './epoch-scores.js';
import { gridLatents, keepsEpoch, samplingGenerator, writeEpochGrid } from './epoch-end.js';
import { disposeGan, optimizerRecord } from './gan-parts.js';
import { IntervalLog } from './interval-log.js';
import { makePrivate } from './private-update.js';
import { checkNewRunDirectory, resumedConfig, type ResumeChanges } from './resume-policy.js';
import { checkTrainConfig, requireObjective } from './train-config.js';
import { trainingLoop, type LoopPlan, type TrainingState } from './training-loop.js';
import { startFresh, startFromCheckpoint } from './training-start.js';

/** What the progress display shows after each step. */
export interface StepReport {
  epoch: number;
  epochs: number;
  stepInEpoch: number;
  stepsPerEpoch: number;
  /** D steps done and planned over the whole run. */
  done: number;
  total: number;
  dLoss: number;
  gLoss: number;
  dReal: number;
  dFake: number;
  /** The objective's other logged values of the last D step (Wasserstein estimate, penalty, ...). */
  logs: Record<string, number>;
}

export interface TrainHooks {
  onStart?(total: number, done: number): void;
  onStep?(report: StepReport): void;
  /** At the end of each epoch, with metrics.jsonl's line that ends there (the means of its last interval). */
  onEpoch?(epoch: number, epochs: number, line: MetricsLine): void;
  onMessage?(line: string): void;
  /** After each scoring of --eval-every. */
  onScore?(score: EpochScore): void;
  /** Polled after every step; true stops the run after writing a checkpoint (Ctrl-C). */
  stopRequested?(): boolean;
}

export interface TrainOutcome {
  /**
   * budget-spent: a DP run stopped before its next step would pass --dp-epsilon;
   * already-finished: a resumed run that had trained all its epochs, left untouched.
   */
  status: 'completed' | 'stopped' | 'budget-spent' | 'already-finished';
  runDir: string;
  checkpoint: string;
  position: TrainingPosition;
}

function checkImages(images: ImageSet, config: TrainConfig): void {
  const { batch } = config;
  if (images.height * images.width !== IMAGE_SIZE) {
    throw new DataError(`${images.source} holds ${images.height}×${images.width} images; the fixed models need 28×28.`);
  }
  if (config.conditional) checkClassLabels(images);
  if (images.count < batch) {
    throw new DataError(`${images.source} has ${images.count} images, fewer than one batch of ${batch}.`);
  }
}

/** The objective of each epoch: the pretraining f-divergence first, when asked for (checkTrainConfig has checked the pair). */
function objectiveSchedule(config: TrainConfig): (epoch: number) => Objective {
  const main = requireObjective(config.objective, config);
  if (!config.pretrain) return () => main;
  const pretrain = requireObjective(`fgan:${config.pretrain.divergence}`, config);
  const until = config.pretrain.epochs;
  return (epoch) => (epoch < until ? pretrain : main);
}

export interface TrainOptions {
  engine?: EngineInfo;
  hooks?: TrainHooks;
}

/** Trains a new GAN into `runDir`. */
export async function train(config: TrainConfig, runDir: string, options: TrainOptions = {}): Promise<TrainOutcome> {
  checkTrainConfig(config);
  checkNewRunDirectory(runDir);
  // Checked again under the claim's lock: another process may have started a run here since.
  return trainFrom(config, runDir, undefined, options, () => checkNewRunDirectory(runDir));
}

/**
 * Continues the run in `runDir` from its newest checkpoint that reads back whole
 * (saying why it passed over a damaged newer one), or from step 0 when it was
 * stopped before its first. `changes` are the settings the user gave.
 */
export async function resumeTraining(runDir: string, changes: ResumeChanges = {}, options: TrainOptions = {}): Promise<TrainOutcome> {
  if (!hasRunRecord(runDir)) throw new DataError(`${runDir} holds no run to resume; start one with gankit train --out ${runDir}.`);
  const config = resumedConfig(readRunConfig(runDir), changes);
  // An objective this gankit does not know makes the saved config.json damaged, not the command line wrong.
  requireObjective(config.objective, config);
  checkTrainConfig(config);
  const { directory, skipped } = resumableCheckpoint(runDir);
  for (const reason of skipped) options.hooks?.onMessage?.(`${reason} ${directory ? `Resuming from ${basename(directory)} instead.` : ''}`);
  if (!directory) options.hooks?.onMessage?.(`${runDir} has no complete checkpoint: training starts again from step 0 with its saved settings.`);
  // A finished run with nothing left to train (a quickstart run twice) is left untouched. Any other state, a damaged
  // record included, goes through the claim: a live process training it is refused there, and the record is set right.
  if (directory && readStateOrNothing(runDir)?.state === 'finished') {
    const { position } = restoreTrainingState(directory);
    if (position.epoch >= config.epochs) return { status: 'already-finished', runDir, checkpoint: directory, position };
  }
  return trainFrom(config, runDir, directory, options);
}

/**
 * The run's life cycle: everything is read and checked first, so that a refused
 * run leaves the directory as it was; then the run is claimed, trained from
 * `checkpointDir` (or new weights when undefined), and its end recorded in run.json.
 * `precondition` is checked under the claim's lock.
 */
async function trainFrom(
  config: TrainConfig,
  runDir: string,
  checkpointDir: string | undefined,
  options: TrainOptions,
  precondition?: () => void,
): Promise<TrainOutcome> {
  const run = await prepareRun(config, runDir, checkpointDir);
  let claim: RunClaim;
  try {
    mkdirSync(runPaths(runDir).samples, { recursive: true });
    claim = claimRun(runDir, precondition);
  } catch (error) {
    disposeGan(run.state.gan);
    throw error;
  }
  try {
    const outcome = await trainClaimed(run, runDir, checkpointDir, options, claim.beat);
    claim.finish(outcome.status === 'stopped' ? 'stopped' : 'finished', outcome.status === 'budget-spent' ? 'the target ε is spent' : undefined);
    return outcome;
  } catch (error) {
    claim.fail(error);
    throw error;
  }
}

/** A run read and checked, nothing on disk changed yet. */
interface PreparedRun {
  /** The settings with a DP run's σ and δ resolved: config.json records these. */
  config: TrainConfig;
  images: ImageSet;
  plan: LoopPlan;
  state: TrainingState;
  scoreEpoch: EpochScorer | undefined;
}

/** D's update, plain or made private, and the settings with a DP run's σ and δ resolved (config.json records them). */
function discriminatorUpdate(
  config: TrainConfig,
  discriminator: tfl.LayersModel,
  examples: number,
  plannedSteps: number,
): { update: DiscriminatorUpdate; resolved: TrainConfig } {
  if (!config.dp) return { update: plainUpdate(config.batch), resolved: config };
  const made = makePrivate(config.dp, discriminator, examples, config.batch, plannedSteps);
  return { update: made.update, resolved: { ...config, dp: made.resolved } };
}

async function prepareRun(config: TrainConfig, runDir: string, checkpointDir: string | undefined): Promise<PreparedRun> {
  const objectiveAt = objectiveSchedule(config);
  const objective = objectiveAt(config.epochs);
  const images = loadImageSet(config.data, { split: 'train', limit: config.limit ?? undefined });
  checkImages(images, config);
  const plan: LoopPlan = { images, batch: config.batch, epochs: config.epochs, stepsPerEpoch: Math.floor(images.count / config.batch), objectiveAt };
  const start = checkpointDir ? await startFromCheckpoint(checkpointDir, config, objective, images) : startFresh(config, objective, images.count);
  try {
    const { update, resolved } = discriminatorUpdate(config, start.gan.discriminator, images.count, config.epochs * plan.stepsPerEpoch);
    const scoreEpoch = resolved.evalEvery === null ? undefined : await epochScorer(runDir, resolved);
    // The logs a resume cuts back must read whole before the run is touched.
    readMetrics(runPaths(runDir).metrics);
    readEpochScores(runDir);
    if (start.position.objectiveState) objectiveAt(start.position.epoch).restoreState?.(start.position.objectiveState);
    const schedule = dStepSchedule(resolved, start.position.dStepSchedule);
    return { config: resolved, images, plan, state: { ...start, schedule, update }, scoreEpoch };
  } catch (error) {
    disposeGan(start.gan);
    throw error;
  }
}

/** Trains a claimed run: its record, its logs cut back to the checkpoint, the loop, and what each step and epoch keeps on disk. */
async function trainClaimed(
  run: PreparedRun,
  runDir: string,
  checkpointDir: string | undefined,
  options: TrainOptions,
  beat: () => void,
): Promise<TrainOutcome> {
  const { config, plan, state, scoreEpoch } = run;
  const { gan, position, update } = state;
  const hooks = options.hooks ?? {};
  if (checkpointDir) {
    // What the update records matches the checkpoint resumed from (a crash may have left it ahead).
    update.writeRecord(runDir, position.dSteps);
    hooks.onMessage?.(`Resuming ${runDir} at epoch ${position.epoch + 1}, step ${position.stepInEpoch}.`);
  } else {
    const data = { source: run.images.source, images: run.images.count, stepsPerEpoch: plan.stepsPerEpoch };
    writeRunRecord(runDir, config, { objective: plan.objectiveAt(config.epochs), optimizer: optimizerRecord(config), data, engine: options.engine });
  }
  // A resumed run logs again what it logged past its checkpoint (all of it, when it restarts from step 0).
  truncateMetrics(runPaths(runDir).metrics, position.dSteps);
  truncateEpochScores(runDir, position.epoch);
  // The models, optimizers and grid latents live as long as the run: a process that trains again starts flat.
  const gridZ = gridLatents(config.seed, config.conditional);
  try {
    const log = new IntervalLog(runPaths(runDir).metrics, gan, update, position, plan.stepsPerEpoch);
    let lastCheckpoint = checkpointDir ?? '';
    const checkpoint = async (keep = false) => {
      lastCheckpoint = await saveRunCheckpoint(runDir, state, keep);
    };
    const total = config.epochs * plan.stepsPerEpoch;
    const done = () => position.epoch * plan.stepsPerEpoch + position.stepInEpoch;
    if (!checkpointDir) await checkpoint();
    hooks.onStart?.(total, done());
    const end = await trainingLoop(state, plan, {
      afterStep(step) {
        log.record(step);
        beat();
        if (position.dSteps % config.logEvery === 0) log.write();
        const { epoch, stepInEpoch } = position;
        const { dLoss, logs } = step;
        const report = { dLoss, gLoss: log.lastGLoss, dReal: logs.dReal, dFake: logs.dFake, logs: { ...logs, ...log.updateLogs } };
        hooks.onStep?.({ epoch: epoch + 1, epochs: config.epochs, stepInEpoch, stepsPerEpoch: plan.stepsPerEpoch, done: done(), total, ...report });
      },
      async endOfEpoch() {
        log.write();
        if (log.lastLine) hooks.onEpoch?.(position.epoch, config.epochs, log.lastLine);
        const sampler = samplingGenerator(gan);
        await writeEpochGrid(runDir, sampler.generator, gridZ, position.epoch);
        // Scored before the checkpoint that ends the epoch: a run stopped while scoring resumes before it and
        // scores again (the curve drops what lies past the checkpoint). Scored whether or not a hook listens.
        if (scoreEpoch && position.epoch % config.evalEvery! === 0) {
          const score = await scoreEpoch(sampler.generator, sampler.kind, position.epoch, checkpointName(position.dSteps));
          hooks.onScore?.(score);
        }
        await checkpoint(keepsEpoch(config, position.epoch));
      },
      async beforeEarlyEnd() {
        log.write();
        await checkpoint();
      },
      stopRequested: () => hooks.stopRequested?.() ?? false,
    });
    if (end.status === 'diverged') {
      throw new TrainingDiverged(
        `The ${end.network} loss became NaN or infinite at epoch ${position.epoch + 1}, step ${position.stepInEpoch + 1}; ` +
          (lastCheckpoint ? `the last good checkpoint is kept in ${lastCheckpoint}` : 'no checkpoint was written yet') +
          '. Try a lower learning rate.',
      );
    }
    if (end.status === 'budget-spent') hooks.onMessage?.(end.reason);
    if (end.status === 'completed' && config.gEma !== null && position.gSteps <= config.gEmaStart) {
      hooks.onMessage?.(
        `G's moving average never started: --g-ema-start ${config.gEmaStart} is not before the run's last G step (${position.gSteps}), so it is a copy of G. Give a smaller start.`,
      );
    }
    return { status: end.status, runDir, checkpoint: lastCheckpoint, position };
  } finally {
    gridZ.dispose();
    disposeGan(gan);
  }
}

/** Saves the state as the run's newest checkpoint (kept past pruning when `keep`), the update's record first; returns its directory. */
async function saveRunCheckpoint(runDir: string, state: TrainingState, keep: boolean): Promise<string> {
  const { gan, position } = state;
  position.rng = state.rng.state();
  position.dropoutRng = gan.dropoutRng.state();
  position.dStepSchedule = state.schedule.state();
  position.objectiveState = gan.objective.saveState?.();
  // Before the checkpoint: a crash between the two leaves privacy.json counting steps the run will take again (ε over-stated, never under).
  state.update.writeRecord(runDir, position.dSteps);
  return saveCheckpoint(runDir, {
    generator: gan.generator,
    discriminator: gan.discriminator,
    generatorEma: gan.generatorEma?.model ?? null,
    generatorOptimizer: gan.generatorOptimizer,
    discriminatorOptimizer: gan.discriminatorOptimizer,
    position,
    order: state.order,
    keep,
  });
}
