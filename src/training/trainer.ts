// The training loop: D steps on shuffled real batches against fresh fakes,
// a G step after every `dSteps` D steps (or WGAN's warm-up schedule), metrics,
// sample grids, checkpoints. The objective supplies the losses.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deriveRng, Rng } from '../engine/rng.js';
import { takeValues } from '../engine/tensor-values.js';
import type { EngineInfo } from '../engine/engine.js';
import { DataError } from '../data/data-error.js';
import { gatherImages, loadImageSet, type ImageSet } from '../data/image-set.js';
import { IMAGE_SIZE, LATENT_SIZE } from '../models/gan-models.js';
import { mlpForward } from '../models/mlp-forward.js';
import type { Objective } from '../objectives/objective.js';
import { writeGridPng } from '../report/sample-grid.js';
import {
  latestCheckpoint,
  loadCheckpointModels,
  checkpointName,
  restoreOptimizers,
  restoreTrainingState,
  saveCheckpoint,
  type TrainingPosition,
} from './checkpoint.js';
import { assembleGan, disposeGan, newGan, optimizerRecord } from './gan-parts.js';
import { writeFileAtomic } from './atomic-write.js';
import { dpDiscriminatorStep } from '../privacy/dp-discriminator-step.js';
import { preparePrivateTraining, type PrivateTraining } from '../privacy/private-training.js';
import { dStepSchedule } from './d-step-schedule.js';
import { discriminatorStep, fakeAccuracy, generatorStep, type GanParts } from './gan-step.js';
import { appendMetrics, IntervalMeans, truncateMetrics } from './metrics-log.js';
import { epochScorer, truncateEpochScores, type EpochScore } from './epoch-scores.js';
import type { GeneratorKind } from './trained-run.js';
import { completeSavedConfig, requireObjective, type DpConfig, type TrainConfig } from './train-config.js';

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

/** A run that cannot go on (a loss became NaN): the message is for the user. */
export class TrainingDiverged extends Error {}

interface RunFiles {
  config: string;
  metrics: string;
  samples: string;
}

function runFiles(runDir: string): RunFiles {
  return { config: join(runDir, 'config.json'), metrics: join(runDir, 'metrics.jsonl'), samples: join(runDir, 'samples') };
}

function checkImages(images: ImageSet, batch: number): void {
  if (images.height * images.width !== IMAGE_SIZE) {
    throw new DataError(
      `${images.source} holds ${images.height}×${images.width} images; the fixed models need 28×28.`,
    );
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

function writeEpochGrid(files: RunFiles, generator: tfl.LayersModel, gridZ: tf.Tensor2D, epoch: number): void {
  const images = takeValues(tf.tidy(() => mlpForward(generator, gridZ)));
  writeGridPng(join(files.samples, `epoch-${String(epoch).padStart(3, '0')}.png`), images, GRID_SIDE * GRID_SIDE, {
    columns: GRID_SIDE,
  });
}

/** Settings a resume may not change, since they define the models being trained. */
const MODEL_SETTINGS = ['preset', 'dropoutG', 'dropoutD', 'gEma'] as const;
/** Settings whose change on resume would void a DP run's accounting: they fix σ, C, q or the data. */
const PRIVACY_SETTINGS = ['data', 'limit', 'batch'] as const;
/** Every setting a resume checks against the saved run, when the user asks for it. */
export const RESUME_CHECKED_SETTINGS = [...PRIVACY_SETTINGS, ...MODEL_SETTINGS];
const PRIVATE_DP_SETTINGS = ['clip', 'noise', 'delta', 'conversion'] as const;

/** Settings asked for when resuming, each undefined where the user left it alone. */
export type ResumeChanges = Partial<Omit<TrainConfig, 'dp'>> & { dp?: Partial<DpConfig> };

function refuseModelChanges(saved: TrainConfig, changes: ResumeChanges): void {
  const changed = MODEL_SETTINGS.filter((key) => changes[key] !== undefined && changes[key] !== saved[key]);
  if (changed.length) {
    throw new DataError(
      `This run was trained with ${changed.map((key) => `${key} = ${JSON.stringify(saved[key])}`).join(', ')}; ` +
        'resuming with other values would train another model from its weights. Resume with the saved settings, or start a new run.',
    );
  }
}

function refusePrivacyChanges(saved: TrainConfig, changes: ResumeChanges): void {
  if (!saved.dp) return;
  const changed = [
    ...PRIVACY_SETTINGS.filter((key) => changes[key] !== undefined && changes[key] !== saved[key]),
    ...PRIVATE_DP_SETTINGS.filter((key) => changes.dp?.[key] != null && changes.dp[key] !== saved.dp![key]).map((key) => `dp.${key}`),
  ];
  if (changed.length) {
    throw new DataError(
      `This DP run was trained with ${changed.map((key) => `${key} = ${JSON.stringify(key.startsWith('dp.') ? saved.dp![key.slice(3) as keyof typeof saved.dp] : saved[key as keyof TrainConfig])}`).join(', ')}; ` +
        'resuming with other values would void its privacy accounting. Resume with the saved settings, or start a new run.',
    );
  }
}

/**
 * Trains a GAN into `runDir`. With `resume`, continues from the run's latest
 * checkpoint (config.json's settings, with `config.epochs` as the new total);
 * `changes` are the settings the user asked for, checked against the saved model settings and a DP run's.
 */
export async function train(
  config: TrainConfig,
  runDir: string,
  options: { resume?: boolean; changes?: ResumeChanges; engine?: EngineInfo; hooks?: TrainHooks } = {},
): Promise<TrainOutcome> {
  const hooks = options.hooks ?? {};
  const files = runFiles(runDir);
  const checkpointDir = latestCheckpoint(runDir);
  if (options.resume && !checkpointDir) throw new DataError(`${runDir} has no checkpoint to resume from.`);
  if (!options.resume && (checkpointDir || existsSync(files.config))) {
    throw new DataError(`${runDir} already holds a run; pass --resume to continue it, or choose another --out.`);
  }
  if (options.resume) {
    const saved = completeSavedConfig((JSON.parse(readFileSync(files.config, 'utf8')) as { config: Partial<TrainConfig> }).config);
    refuseModelChanges(saved, options.changes ?? {});
    refusePrivacyChanges(saved, options.changes ?? {});
    config = { ...saved, epochs: config.epochs };
  }
  const objectiveAt = objectiveSchedule(config);
  const objective = objectiveAt(config.epochs);
  if (config.adaptiveDSteps && !objective.exampleLosses) {
    throw new DataError(`--adaptive-d-steps measures D's accuracy from per-example losses, which ${objective.name} has not; use a cross-entropy, LSGAN, hinge or f-GAN objective.`);
  }
  const images = loadImageSet(config.data, { split: 'train', limit: config.limit ?? undefined });
  checkImages(images, config.batch);
  const stepsPerEpoch = Math.floor(images.count / config.batch);

  mkdirSync(files.samples, { recursive: true });
  const plannedSteps = config.epochs * stepsPerEpoch;
  const privateTraining = (discriminator: tfl.LayersModel) =>
    config.dp ? preparePrivateTraining(config.dp, objective, discriminator, images.count, config.batch, plannedSteps) : undefined;
  let privacy: PrivateTraining | undefined;
  let gan: GanParts;
  let position: TrainingPosition;
  let order: Uint32Array;
  let rng: Rng;
  if (checkpointDir && options.resume) {
    const { generator, discriminator, generatorEma } = await loadCheckpointModels(checkpointDir);
    ({ position, order } = restoreTrainingState(checkpointDir));
    const dropoutRng = position.dropoutRng ? Rng.fromState(position.dropoutRng) : deriveRng(config.seed, 'dropout');
    gan = assembleGan(generator, discriminator, config, objective, { dropoutRng, ema: generatorEma ?? undefined, gSteps: position.gSteps });
    await restoreOptimizers(checkpointDir, { generator: gan.generatorOptimizer, discriminator: gan.discriminatorOptimizer });
    rng = Rng.fromState(position.rng);
    privacy = privateTraining(discriminator);
    if (position.objectiveState) objectiveAt(position.epoch).restoreState?.(position.objectiveState);
    truncateMetrics(files.metrics, position.dSteps);
    truncateEpochScores(runDir, position.epoch);
    hooks.onMessage?.(`Resuming ${runDir} at epoch ${position.epoch + 1}, step ${position.stepInEpoch}.`);
  } else {
    gan = newGan(config, objective, deriveRng(config.seed, 'weights'));
    privacy = privateTraining(gan.discriminator);
    if (privacy) config = { ...config, dp: privacy.resolved };
    rng = deriveRng(config.seed, 'training');
    order = rng.permutation(images.count);
    position = { epoch: 0, stepInEpoch: 0, dSteps: 0, gSteps: 0, dStepsSinceG: 0, rng: rng.state(), trainSeconds: 0 };
    writeFileSync(
      files.config,
      JSON.stringify(
        {
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
          engine: options.engine ?? null,
          created: new Date().toISOString(),
        },
        null,
        2,
      ),
    );
  }
  const { generator, discriminator } = gan;
  const schedule = dStepSchedule(config, position.dStepSchedule);
  const scoreEpoch = config.evalEvery === null ? undefined : await epochScorer(runDir, config);
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
      if (privacy) writeFileAtomic(join(runDir, 'privacy.json'), `${JSON.stringify(privacy.record(position.dSteps), null, 2)}\n`);
    };
    // ε spent, refreshed once per logging interval (the PRV accountant takes about a second).
    let epsilonSpent = privacy && position.dSteps > 0 ? privacy.spentAfter(position.dSteps).epsilon : 0;
    const logInterval = () => {
      if (intervalSteps === 0) return;
      if (privacy) epsilonSpent = privacy.spentAfter(position.dSteps).epsilon;
      const seconds = (performance.now() - intervalStart) / 1000;
      appendMetrics(files.metrics, {
        epoch: position.epoch + position.stepInEpoch / stepsPerEpoch,
        step: position.dSteps,
        gSteps: position.gSteps,
        objective: gan.objective.name,
        ...means.means(),
        // ε is spent, not averaged: the value after the interval's last step.
        ...(privacy ? { epsilon: epsilonSpent } : {}),
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
        if (privacy && !privacy.mayTakeStep(position.dSteps)) {
          logInterval();
          await checkpoint();
          hooks.onMessage?.(`Stopped before step ${position.dSteps + 1}: it would spend more than ε = ${config.dp!.targetEpsilon}.`);
          return { status: 'budget-spent', runDir, checkpoint: lastCheckpoint, position };
        }
        const started = performance.now();
        const start = position.stepInEpoch * config.batch;
        const real = gatherBatch(images, privacy ? privacy.realBatch(rng) : order.subarray(start, start + config.batch));
        const fakeZ = latents(rng, config.batch);
        const { loss: dLoss, logs } = privacy
          ? dpDiscriminatorStep(gan, real, fakeZ, rng, privacy.step)
          : discriminatorStep(gan, real, fakeZ, rng);
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
          logs: privacy ? { ...logs, epsilon: epsilonSpent } : logs,
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
      writeEpochGrid(files, sampler.generator, gridZ, position.epoch + 1);
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
