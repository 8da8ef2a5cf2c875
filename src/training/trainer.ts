// The training loop: D steps on shuffled real batches against fresh fakes,
// a G step after every `dSteps` D steps, metrics, sample grids, checkpoints.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deriveRng, Rng } from '../engine/rng.js';
import { takeValues } from '../engine/tensor-values.js';
import type { EngineInfo } from '../engine/engine.js';
import { DataError } from '../data/data-error.js';
import { gatherImages, loadImageSet, type ImageSet } from '../data/image-set.js';
import { buildDiscriminator, buildGenerator, IMAGE_SIZE, LATENT_SIZE } from '../models/gan-models.js';
import { mlpForward, trainableVariables } from '../models/mlp-forward.js';
import { findObjective, OBJECTIVE_NAMES } from '../objectives/registry.js';
import type { Objective } from '../objectives/objective.js';
import { writeGridPng } from '../report/sample-grid.js';
import {
  latestCheckpoint,
  loadCheckpointModels,
  restoreTrainingState,
  saveCheckpoint,
  type TrainingPosition,
} from './checkpoint.js';
import { discriminatorStep, generatorStep, type GanParts } from './gan-step.js';
import { appendMetrics, IntervalMeans, truncateMetrics } from './metrics-log.js';
import type { TrainConfig } from './train-config.js';

const GRID_SIDE = 10;

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
}

export interface TrainHooks {
  onStart?(total: number, done: number): void;
  onStep?(report: StepReport): void;
  onMessage?(line: string): void;
  /** Polled after every step; true stops the run after writing a checkpoint (Ctrl-C). */
  stopRequested?(): boolean;
}

export interface TrainOutcome {
  status: 'completed' | 'stopped';
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

function requireObjective(name: string): Objective {
  const objective = findObjective(name);
  if (!objective) throw new DataError(`Unknown objective "${name}"; choose one of ${OBJECTIVE_NAMES.join(', ')}.`);
  return objective;
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

function makeOptimizers(config: TrainConfig) {
  return {
    generator: tf.train.adam(config.lrG, config.beta1, config.beta2),
    discriminator: tf.train.adam(config.lrD, config.beta1, config.beta2),
  };
}

function writeEpochGrid(files: RunFiles, generator: tfl.LayersModel, gridZ: tf.Tensor2D, epoch: number): void {
  const images = takeValues(tf.tidy(() => mlpForward(generator, gridZ)));
  writeGridPng(join(files.samples, `epoch-${String(epoch).padStart(3, '0')}.png`), images, GRID_SIDE * GRID_SIDE, {
    columns: GRID_SIDE,
  });
}

/**
 * Trains a GAN into `runDir`. With `resume`, continues from the run's latest
 * checkpoint (config.json's settings, with `config.epochs` as the new total).
 */
export async function train(
  config: TrainConfig,
  runDir: string,
  options: { resume?: boolean; engine?: EngineInfo; hooks?: TrainHooks } = {},
): Promise<TrainOutcome> {
  const hooks = options.hooks ?? {};
  const files = runFiles(runDir);
  const checkpointDir = latestCheckpoint(runDir);
  if (options.resume && !checkpointDir) throw new DataError(`${runDir} has no checkpoint to resume from.`);
  if (!options.resume && (checkpointDir || existsSync(files.config))) {
    throw new DataError(`${runDir} already holds a run; pass --resume to continue it, or choose another --out.`);
  }
  if (options.resume) {
    const saved = JSON.parse(readFileSync(files.config, 'utf8')) as { config: TrainConfig };
    config = { ...saved.config, epochs: config.epochs };
  }
  const objective = requireObjective(config.objective);
  const images = loadImageSet(config.data, { split: 'train', limit: config.limit ?? undefined });
  checkImages(images, config.batch);
  const stepsPerEpoch = Math.floor(images.count / config.batch);

  mkdirSync(files.samples, { recursive: true });
  const optimizers = makeOptimizers(config);
  let generator: tfl.LayersModel;
  let discriminator: tfl.LayersModel;
  let position: TrainingPosition;
  let order: Uint32Array;
  let rng: Rng;
  if (checkpointDir && options.resume) {
    ({ generator, discriminator } = await loadCheckpointModels(checkpointDir));
    ({ position, order } = await restoreTrainingState(checkpointDir, optimizers));
    rng = Rng.fromState(position.rng);
    truncateMetrics(files.metrics, position.dSteps);
    hooks.onMessage?.(`Resuming ${runDir} at epoch ${position.epoch + 1}, step ${position.stepInEpoch}.`);
  } else {
    const weightsRng = deriveRng(config.seed, 'weights');
    generator = buildGenerator(weightsRng);
    discriminator = buildDiscriminator(weightsRng);
    rng = deriveRng(config.seed, 'training');
    order = rng.permutation(images.count);
    position = { epoch: 0, stepInEpoch: 0, dSteps: 0, gSteps: 0, rng: rng.state(), trainSeconds: 0 };
    writeFileSync(
      files.config,
      JSON.stringify(
        {
          config,
          objective: { name: objective.name, description: objective.description },
          optimizer: { name: 'adam', lrG: config.lrG, lrD: config.lrD, betas: [config.beta1, config.beta2] },
          data: { source: images.source, images: images.count, stepsPerEpoch, pixelRange: [-1, 1] },
          models: { generator: 'z(100)→256→512→1024→784, LeakyReLU(0.2), tanh', discriminator: '784→1024→512→256→1 logit, LeakyReLU(0.2)' },
          engine: options.engine ?? null,
          created: new Date().toISOString(),
        },
        null,
        2,
      ),
    );
  }

  const gan: GanParts = {
    generator,
    discriminator,
    generatorVariables: trainableVariables(generator),
    discriminatorVariables: trainableVariables(discriminator),
    generatorOptimizer: optimizers.generator,
    discriminatorOptimizer: optimizers.discriminator,
    objective,
  };
  const gridZ = latents(deriveRng(config.seed, 'sample-grid'), GRID_SIDE * GRID_SIDE);
  const means = new IntervalMeans();
  const total = config.epochs * stepsPerEpoch;
  const done = () => position.epoch * stepsPerEpoch + position.stepInEpoch;
  let intervalStart = performance.now();
  let intervalSteps = 0;
  let lastCheckpoint = checkpointDir ?? '';

  const checkpoint = async () => {
    position.rng = rng.state();
    lastCheckpoint = await saveCheckpoint(runDir, { generator, discriminator, generatorOptimizer: optimizers.generator, discriminatorOptimizer: optimizers.discriminator, position, order });
  };
  const logInterval = () => {
    if (intervalSteps === 0) return;
    const seconds = (performance.now() - intervalStart) / 1000;
    appendMetrics(files.metrics, {
      epoch: position.epoch + position.stepInEpoch / stepsPerEpoch,
      step: position.dSteps,
      gSteps: position.gSteps,
      dLoss: means.mean('dLoss'),
      gLoss: means.mean('gLoss'),
      dReal: means.mean('dReal'),
      dFake: means.mean('dFake'),
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
    while (position.stepInEpoch < stepsPerEpoch) {
      const started = performance.now();
      const start = position.stepInEpoch * config.batch;
      const real = gatherBatch(images, order.subarray(start, start + config.batch));
      const fakeZ = latents(rng, config.batch);
      const { loss: dLoss, dReal, dFake } = discriminatorStep(gan, real, fakeZ);
      tf.dispose([real, fakeZ]);
      if (!Number.isFinite(dLoss)) throw diverged('D');
      position.dSteps += 1;
      position.stepInEpoch += 1;
      if (position.dSteps % config.dSteps === 0) {
        const z = latents(rng, config.batch);
        lastG = generatorStep(gan, z);
        z.dispose();
        if (!Number.isFinite(lastG)) throw diverged('G');
        position.gSteps += 1;
        means.add('gLoss', lastG);
      }
      means.add('dLoss', dLoss);
      means.add('dReal', dReal);
      means.add('dFake', dFake);
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
        dReal,
        dFake,
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
    writeEpochGrid(files, generator, gridZ, position.epoch + 1);
    position.epoch += 1;
    position.stepInEpoch = 0;
    order = rng.permutation(images.count);
    await checkpoint();
  }
  gridZ.dispose();
  return { status: 'completed', runDir, checkpoint: lastCheckpoint, position };
}
