// The training loop: D steps on shuffled real batches against fresh fakes,
// a G step after every `dSteps` D steps (or WGAN's warm-up schedule), metrics,
// sample grids, checkpoints. The objective supplies the losses.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, mkdirSync, statSync } from 'node:fs';
import { basename } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { deriveRng, Rng } from '../engine/rng.js';
import { takeValues } from '../engine/tensor-values.js';
import type { EngineInfo } from '../engine/engine.js';
import { DataError, TrainingDiverged, UsageError } from '../errors.js';
import { gatherImages, loadImageSet, type ImageSet } from '../data/image-set.js';
import { IMAGE_SIZE, LATENT_SIZE } from '../models/gan-models.js';
import { mlpForward } from '../models/mlp-forward.js';
import type { Objective } from '../objectives/objective.js';
import { writeGridPng } from '../data/sample-grid.js';
import {
  checkpointName,
  loadCheckpointModels,
  restoreOptimizers,
  restoreTrainingState,
  resumableCheckpoint,
  saveCheckpoint,
  type TrainingPosition,
} from '../run/checkpoints.js';
import { epochGrid, hasRunRecord, readRunConfig, runPaths, writeRunRecord } from '../run/run-directory.js';
import { claimRun, type RunClaim } from '../run/run-state.js';
import { assembleGan, disposeGan, newGan, optimizerRecord } from './gan-parts.js';
import { plainUpdate, type DiscriminatorUpdate } from './discriminator-update.js';
import { makePrivate } from './private-update.js';
import { dStepSchedule } from './d-step-schedule.js';
import { fakeAccuracy, generatorStep, type GanParts } from './gan-step.js';
import { appendMetrics, IntervalMeans, readMetrics, truncateMetrics } from '../run/metrics-log.js';
import { epochScorer, readEpochScores, truncateEpochScores, type EpochScore, type EpochScorer } from './epoch-scores.js';
import type { GeneratorKind } from '../run/trained-run.js';
import type { DpConfig } from '../privacy/dp-config.js';
import { requireObjective, type TrainConfig } from './train-config.js';

const GRID_SIDE = 10;

const withDropout = (rate: number) => (rate > 0 ? `, Dropout(${rate}) after each hidden layer in training` : '');

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
  onMessage?(line: string): void;
  /** After each scoring of --eval-every. */
  onScore?(score: EpochScore): void;
  /** Polled after every step; true stops the run after writing a checkpoint (Ctrl-C). */
  stopRequested?(): boolean;
}

export interface TrainOutcome {
  /** budget-spent: a DP run stopped before its next step would pass --dp-epsilon. */
  status: 'completed' | 'stopped' | 'budget-spent';
  runDir: string;
  checkpoint: string;
  position: TrainingPosition;
}

function checkImages(images: ImageSet, batch: number): void {
  if (images.height * images.width !== IMAGE_SIZE) {
    throw new DataError(`${images.source} holds ${images.height}×${images.width} images; the fixed models need 28×28.`);
  }
  if (images.count < batch) {
    throw new DataError(`${images.source} has ${images.count} images, fewer than one batch of ${batch}.`);
  }
}

/** Copies the images at `indices` into one [n, 784] tensor. */
function gatherBatch(images: ImageSet, indices: Uint32Array): tf.Tensor2D {
  return tf.tensor2d(gatherImages(images, indices), [indices.length, IMAGE_SIZE]);
}

function latents(rng: Rng, count: number): tf.Tensor2D {
  return tf.tensor2d(rng.normals(count * LATENT_SIZE), [count, LATENT_SIZE]);
}

/** The objective of each epoch: the pretraining f-divergence first, when asked for. */
function objectiveSchedule(config: TrainConfig): (epoch: number) => Objective {
  const main = requireObjective(config.objective, config);
  if (!config.pretrain) return () => main;
  const pretrain = requireObjective(`fgan:${config.pretrain.divergence}`, config);
  if (main.discriminator !== pretrain.discriminator) {
    throw new DataError(`--pretrain needs an objective whose D has one output; ${main.name} uses an autoencoder.`);
  }
  const until = config.pretrain.epochs;
  return (epoch) => (epoch < until ? pretrain : main);
}

/** The generator that samples: G's moving average when the run keeps one. */
function samplingGenerator(gan: GanParts): { generator: tfl.LayersModel; kind: GeneratorKind } {
  return gan.generatorEma ? { generator: gan.generatorEma.model, kind: 'ema' } : { generator: gan.generator, kind: 'raw' };
}

/** Whether the checkpoint after `epoch` (from 1) is kept for sampling later: every scored one, and every --keep-every-th. */
function keepsEpoch(config: TrainConfig, epoch: number): boolean {
  return [config.keepEvery, config.evalEvery].some((every) => every !== null && epoch % every === 0);
}

function writeEpochGrid(runDir: string, generator: tfl.LayersModel, gridZ: tf.Tensor2D, epoch: number): void {
  const images = takeValues(tf.tidy(() => mlpForward(generator, gridZ)));
  writeGridPng(epochGrid(runDir, epoch), images, GRID_SIDE * GRID_SIDE, {
    columns: GRID_SIDE,
  });
}

/** The settings a resume applies; every other one defines the models, the data or a DP run's accounting, and may not change. */
const APPLIED_ON_RESUME = ['epochs', 'logEvery'] as const;

/** Settings the user asked for when resuming (the flags given), each compared with the saved run's. */
export type ResumeChanges = Partial<Omit<TrainConfig, 'dp'>> & { dp?: Partial<DpConfig> };

/** The saved settings with the applicable changes applied; a UsageError lists any other that differs. */
function resumedConfig(saved: TrainConfig, changes: ResumeChanges): TrainConfig {
  const { dp, ...rest } = changes;
  const differs = (key: keyof TrainConfig, value: unknown) => value !== undefined && !isDeepStrictEqual(value, saved[key]);
  const refused = Object.entries(rest)
    .filter(([key, value]) => !(APPLIED_ON_RESUME as readonly string[]).includes(key) && differs(key as keyof TrainConfig, value))
    .map(([key]) => key);
  if (dp && !saved.dp) refused.push('dp');
  if (dp && saved.dp) {
    refused.push(
      ...Object.entries(dp)
        .filter(([key, value]) => value != null && value !== saved.dp![key as keyof DpConfig])
        .map(([key]) => `dp.${key}`),
    );
  }
  if (refused.length) {
    const savedValue = (key: string) => JSON.stringify(key.startsWith('dp.') ? saved.dp![key.slice(3) as keyof DpConfig] : saved[key as keyof TrainConfig]);
    throw new UsageError(
      `This run was trained with ${refused.map((key) => `${key} = ${savedValue(key)}`).join(', ')}; a resume can change only --epochs and --log-every ` +
        `(other settings would train another model${saved.dp ? ' or void the privacy accounting' : ''}). Resume without them, or start a new run.`,
    );
  }
  return { ...saved, epochs: changes.epochs ?? saved.epochs, logEvery: changes.logEvery ?? saved.logEvery };
}

/** Refuses an --out that is a file, or that already holds a run. */
function checkNewRunDirectory(runDir: string): void {
  if (existsSync(runDir) && !statSync(runDir).isDirectory()) throw new UsageError(`--out ${runDir} is a file; give a directory for the run.`);
  if (hasRunRecord(runDir) || existsSync(runPaths(runDir).checkpoints)) {
    throw new DataError(`${runDir} already holds a run; pass --resume to continue it, or choose another --out.`);
  }
}

export interface TrainOptions {
  engine?: EngineInfo;
  hooks?: TrainHooks;
}

/** Trains a new GAN into `runDir`. */
export async function train(config: TrainConfig, runDir: string, options: TrainOptions = {}): Promise<TrainOutcome> {
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
  const { directory, skipped } = resumableCheckpoint(runDir);
  for (const reason of skipped) options.hooks?.onMessage?.(`${reason} ${directory ? `Resuming from ${basename(directory)} instead.` : ''}`);
  if (!directory) options.hooks?.onMessage?.(`${runDir} has no complete checkpoint: training starts again from step 0 with its saved settings.`);
  return trainFrom(config, runDir, directory, options);
}

/** Trains from `checkpointDir`, or from new weights when it is undefined; `precondition` is checked when the run is claimed. */
async function trainFrom(
  config: TrainConfig,
  runDir: string,
  checkpointDir: string | undefined,
  options: TrainOptions,
  precondition?: () => void,
): Promise<TrainOutcome> {
  let claim: RunClaim | undefined;
  // Taken once the settings, data and checkpoint have passed every check: a refused run leaves the directory as it was.
  const takeClaim = () => {
    mkdirSync(runPaths(runDir).samples, { recursive: true });
    claim = claimRun(runDir, precondition);
    return claim.beat;
  };
  try {
    const outcome = await trainClaimed(config, runDir, checkpointDir, options.engine, options.hooks ?? {}, takeClaim);
    claim!.finish(outcome.status === 'stopped' ? 'stopped' : 'finished', outcome.status === 'budget-spent' ? 'the target ε is spent' : undefined);
    return outcome;
  } catch (error) {
    claim?.finish('failed', error instanceof Error ? error.message : String(error));
    throw error;
  }
}

/** What config.json records besides the settings: the objective, optimizer, data, models and engine. */
function runRecord(config: TrainConfig, objective: Objective, images: ImageSet, stepsPerEpoch: number, engine: EngineInfo | undefined) {
  return {
    config,
    objective: {
      name: objective.name,
      description: objective.description,
      constants: objective.constants,
      paperDefaults: objective.defaults,
      pretrain: config.pretrain && { objective: `fgan:${config.pretrain.divergence}`, epochs: config.pretrain.epochs },
    },
    optimizer: optimizerRecord(config),
    data: { source: images.source, images: images.count, stepsPerEpoch, pixelRange: [-1, 1] },
    models: {
      generator: `z(100)→256→512→1024→784, LeakyReLU(0.2)${withDropout(config.dropoutG)}, tanh`,
      discriminator:
        objective.discriminator === 'autoencoder'
          ? '784→1024→512→256→512→1024→784 autoencoder, LeakyReLU(0.2), no dropout'
          : `784→1024→512→256→1 logit, LeakyReLU(0.2)${withDropout(config.dropoutD)}`,
      generatorEma: config.gEma === null ? null : `moving average of G's weights, decay ${config.gEma}; sampling uses it`,
    },
    engine: engine ?? null,
    created: new Date().toISOString(),
  };
}

/** The models, optimizers, random streams and position a run starts from. */
interface Start {
  gan: GanParts;
  rng: Rng;
  position: TrainingPosition;
  order: Uint32Array;
}

/** New weights from the seed, at step 0. */
function startFresh(config: TrainConfig, objective: Objective, images: number): Start {
  const gan = newGan(config, objective, deriveRng(config.seed, 'weights'));
  const rng = deriveRng(config.seed, 'training');
  const order = rng.permutation(images);
  const position = { epoch: 0, stepInEpoch: 0, dSteps: 0, gSteps: 0, dStepsSinceG: 0, rng: rng.state(), trainSeconds: 0 };
  return { gan, rng, position, order };
}

/** Everything a checkpoint holds, restored. */
async function startFromCheckpoint(directory: string, config: TrainConfig, objective: Objective, images: ImageSet): Promise<Start> {
  const { position, order } = restoreTrainingState(directory);
  if (order.length !== images.count) {
    throw new DataError(
      `${directory}/order.bin orders ${order.length} images, but ${images.source} has ${images.count}: the checkpoint is damaged, or the data changed.`,
    );
  }
  const { generator, discriminator, generatorEma } = await loadCheckpointModels(directory);
  // Runs from before dropout drew no masks, so their checkpoints hold no mask stream.
  const dropoutRng = position.dropoutRng ? Rng.fromState(position.dropoutRng) : deriveRng(config.seed, 'dropout');
  const gan = assembleGan(generator, discriminator, config, objective, { dropoutRng, ema: generatorEma ?? undefined, gSteps: position.gSteps });
  try {
    await restoreOptimizers(directory, { generator: gan.generatorOptimizer, discriminator: gan.discriminatorOptimizer });
  } catch (error) {
    disposeGan(gan);
    throw error;
  }
  return { gan, rng: Rng.fromState(position.rng), position, order };
}

async function trainClaimed(
  config: TrainConfig,
  runDir: string,
  checkpointDir: string | undefined,
  engine: EngineInfo | undefined,
  hooks: TrainHooks,
  takeClaim: () => () => void,
): Promise<TrainOutcome> {
  const files = runPaths(runDir);
  const objectiveAt = objectiveSchedule(config);
  const objective = objectiveAt(config.epochs);
  if (config.adaptiveDSteps && !objective.exampleLosses) {
    throw new DataError(
      `--adaptive-d-steps measures D's accuracy from per-example losses, which ${objective.name} has not; use a cross-entropy, LSGAN, hinge or f-GAN objective.`,
    );
  }
  const images = loadImageSet(config.data, { split: 'train', limit: config.limit ?? undefined });
  checkImages(images, config.batch);
  const stepsPerEpoch = Math.floor(images.count / config.batch);

  const plannedSteps = config.epochs * stepsPerEpoch;
  // D's update: plain, or made private; a DP run's σ and δ, resolved, go into config.json.
  const updateFor = (discriminator: tfl.LayersModel): { update: DiscriminatorUpdate; resolved: TrainConfig } => {
    if (!config.dp) return { update: plainUpdate(config.batch), resolved: config };
    const made = makePrivate(config.dp, objective, discriminator, images.count, config.batch, plannedSteps);
    return { update: made.update, resolved: { ...config, dp: made.resolved } };
  };
  const start = checkpointDir ? await startFromCheckpoint(checkpointDir, config, objective, images) : startFresh(config, objective, images.count);
  const { gan, rng, position } = start;
  let { order } = start;
  let update: DiscriminatorUpdate;
  let beat: () => void;
  let scoreEpoch: EpochScorer | undefined;
  try {
    let resolved: TrainConfig;
    ({ update, resolved } = updateFor(gan.discriminator));
    scoreEpoch = resolved.evalEvery === null ? undefined : await epochScorer(runDir, resolved);
    // The logs a resume cuts back must read whole before the run is touched.
    readMetrics(files.metrics);
    readEpochScores(runDir);
    beat = takeClaim();
    config = resolved;
  } catch (error) {
    disposeGan(gan);
    throw error;
  }
  if (checkpointDir) {
    if (position.objectiveState) objectiveAt(position.epoch).restoreState?.(position.objectiveState);
    // What the update records matches the checkpoint resumed from (a crash may have left it ahead).
    update.writeRecord(runDir, position.dSteps);
    hooks.onMessage?.(`Resuming ${runDir} at epoch ${position.epoch + 1}, step ${position.stepInEpoch}.`);
  } else {
    writeRunRecord(runDir, runRecord(config, objective, images, stepsPerEpoch, engine));
  }
  // A resumed run logs again what it logged past its checkpoint (all of it, when it restarts from step 0).
  truncateMetrics(files.metrics, position.dSteps);
  truncateEpochScores(runDir, position.epoch);
  const { generator, discriminator } = gan;
  const schedule = dStepSchedule(config, position.dStepSchedule);
  const gridZ = latents(deriveRng(config.seed, 'sample-grid'), GRID_SIDE * GRID_SIDE);
  // The models, optimizers and grid latents live as long as the run: a process that trains again starts flat.
  try {
    const means = new IntervalMeans();
    const total = config.epochs * stepsPerEpoch;
    const done = () => position.epoch * stepsPerEpoch + position.stepInEpoch;
    let intervalStart = performance.now();
    let intervalSteps = 0;
    let lastCheckpoint = checkpointDir ?? '';

    const checkpoint = async (keep = false) => {
      position.rng = rng.state();
      position.dropoutRng = gan.dropoutRng.state();
      position.dStepSchedule = schedule.state();
      position.objectiveState = gan.objective.saveState?.();
      // Before the checkpoint: a crash between the two leaves privacy.json counting steps the run will take again (ε over-stated, never under).
      update.writeRecord(runDir, position.dSteps);
      lastCheckpoint = await saveCheckpoint(runDir, {
        generator,
        discriminator,
        generatorEma: gan.generatorEma?.model ?? null,
        generatorOptimizer: gan.generatorOptimizer,
        discriminatorOptimizer: gan.discriminatorOptimizer,
        position,
        order,
        keep,
      });
    };
    // The update's own values (a DP run's ε spent), refreshed once per logging interval: the PRV accountant takes about a second.
    let updateLogs = update.logged(position.dSteps);
    const logInterval = () => {
      if (intervalSteps === 0) return;
      updateLogs = update.logged(position.dSteps);
      const seconds = (performance.now() - intervalStart) / 1000;
      appendMetrics(files.metrics, {
        epoch: position.epoch + position.stepInEpoch / stepsPerEpoch,
        step: position.dSteps,
        gSteps: position.gSteps,
        objective: gan.objective.name,
        ...means.means(),
        // Not averaged: the values after the interval's last step.
        ...updateLogs,
        stepsPerSecond: intervalSteps / seconds,
        trainSeconds: position.trainSeconds,
      });
      means.reset();
      intervalSteps = 0;
      intervalStart = performance.now();
    };
    const diverged = (which: string) =>
      new TrainingDiverged(
        `The ${which} loss became NaN or infinite at epoch ${position.epoch + 1}, step ${position.stepInEpoch + 1}; ` +
          (lastCheckpoint ? `the last good checkpoint is kept in ${lastCheckpoint}` : 'no checkpoint was written yet') +
          '. Try a lower learning rate.',
      );

    if (!checkpointDir) await checkpoint();
    hooks.onStart?.(total, done());
    let lastG = NaN;
    while (position.epoch < config.epochs) {
      gan.objective = objectiveAt(position.epoch);
      while (position.stepInEpoch < stepsPerEpoch) {
        const stopReason = update.stopBefore(position.dSteps);
        if (stopReason) {
          logInterval();
          await checkpoint();
          hooks.onMessage?.(stopReason);
          return { status: 'budget-spent', runDir, checkpoint: lastCheckpoint, position };
        }
        const started = performance.now();
        const start = position.stepInEpoch * config.batch;
        const real = gatherBatch(images, update.realBatch(order, start, rng));
        const fakeZ = latents(rng, config.batch);
        const { loss: dLoss, logs } = update.step(gan, real, fakeZ, rng);
        tf.dispose([real, fakeZ]);
        if (!Number.isFinite(dLoss)) throw diverged('D');
        position.dSteps += 1;
        position.stepInEpoch += 1;
        position.dStepsSinceG += 1;
        if (position.dStepsSinceG >= schedule.dStepsBefore(position.gSteps)) {
          const z = latents(rng, config.batch);
          lastG = generatorStep(gan, z).loss;
          z.dispose();
          if (schedule.measuresAccuracy) {
            const probe = latents(rng, config.batch);
            const accuracy = fakeAccuracy(gan, probe);
            probe.dispose();
            schedule.afterGStep(accuracy);
            means.add('fakeAccuracy', accuracy);
            means.add('nD', schedule.dStepsBefore(position.gSteps + 1));
          }
          if (!Number.isFinite(lastG)) throw diverged('G');
          position.gSteps += 1;
          position.dStepsSinceG = 0;
          means.add('gLoss', lastG);
        }
        means.add('dLoss', dLoss);
        for (const [name, value] of Object.entries(logs)) means.add(name, value);
        intervalSteps += 1;
        position.trainSeconds += (performance.now() - started) / 1000;
        beat();
        if (position.dSteps % config.logEvery === 0) logInterval();
        hooks.onStep?.({
          epoch: position.epoch + 1,
          epochs: config.epochs,
          stepInEpoch: position.stepInEpoch,
          stepsPerEpoch,
          done: done(),
          total,
          dLoss,
          gLoss: lastG,
          dReal: logs.dReal,
          dFake: logs.dFake,
          logs: { ...logs, ...updateLogs },
        });
        // Let signal handlers (Ctrl-C) run between steps.
        await new Promise((resolve) => setImmediate(resolve));
        if (hooks.stopRequested?.()) {
          logInterval();
          await checkpoint();
          return { status: 'stopped', runDir, checkpoint: lastCheckpoint, position };
        }
      }
      logInterval();
      const sampler = samplingGenerator(gan);
      writeEpochGrid(runDir, sampler.generator, gridZ, position.epoch + 1);
      position.epoch += 1;
      position.stepInEpoch = 0;
      order = rng.permutation(images.count);
      // Scored before the checkpoint that ends the epoch: a run stopped while scoring resumes before it and
      // scores again (the curve drops what lies past the checkpoint). Scored whether or not a hook listens.
      if (scoreEpoch && position.epoch % config.evalEvery! === 0) {
        const score = scoreEpoch(sampler.generator, sampler.kind, position.epoch, checkpointName(position.dSteps));
        hooks.onScore?.(score);
      }
      await checkpoint(keepsEpoch(config, position.epoch));
    }
    return { status: 'completed', runDir, checkpoint: lastCheckpoint, position };
  } finally {
    gridZ.dispose();
    disposeGan(gan);
  }
}
