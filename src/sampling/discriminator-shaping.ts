// Discriminator shaping (Liu, Kothari & Alahi 2020): with G frozen, fine-tune
// D on real batches against collaboratively refined samples, so that D's
// gradients guide refinement better. The shaped D is saved in the run.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { readOptionalJsonFile } from '../files/json-file.js';
import { replaceDirectory } from '../files/atomic-write.js';
import { runPaths } from '../run/run-directory.js';
import type { Rng } from '../engine/rng.js';
import { gatherImages, type ImageSet } from '../data/image-set.js';
import { IMAGE_SIZE, LATENT_SIZE } from '../models/gan-models.js';
import { loadModel, saveModel } from '../models/model-files.js';
import { dropoutOf } from '../models/dropout.js';
import { mlpForward, trainableVariables } from '../models/mlp-forward.js';
import { binaryCrossEntropy } from '../objectives/minimax.js';
import { collaborativeSample, type CsOptions } from './collaborative-sampling.js';

export interface ShapingOptions {
  epochs: number;
  /** Adam's learning rate: 1e-5, as in the official code. */
  lr: number;
  beta1: number;
  beta2: number;
  batch: number;
  /** D's dropout rate in training, the run's: shaping updates D as training did. */
  dropout: number;
  cs: CsOptions;
}

export interface ShapingProgress {
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  loss: number;
}

/** Where a run keeps its shaped discriminator. */
export function shapedDiscriminatorDirectory(runDir: string): string {
  return join(runPaths(runDir).shaped, 'discriminator');
}

/** Which generator the run's D was shaped against ('ema' or 'raw'); undefined when unrecorded (shaped before EMA existed: raw). */
export function shapedAgainst(runDir: string): string | undefined {
  return readOptionalJsonFile(join(runPaths(runDir).shaped, 'shaping.json'), z.looseObject({ generator: z.enum(['ema', 'raw']).optional() }))?.generator;
}

/** The run's shaped D, when `gankit shape` has made one. */
export async function loadShapedDiscriminator(runDir: string): Promise<tfl.LayersModel | undefined> {
  const directory = shapedDiscriminatorDirectory(runDir);
  return existsSync(join(directory, 'model.json')) ? loadModel(directory) : undefined;
}

/** Where shaping stands: enough to continue exactly where it stopped. */
export interface ShapingPosition {
  /** The epoch in progress, from 1, and the steps already taken in it. */
  epoch: number;
  step: number;
  /** That epoch's shuffled order of the images. */
  order: Uint32Array;
}

export interface ShapingHooks {
  onStep?(progress: ShapingProgress): void;
  /** Polled after every step; true stops shaping there (Ctrl-C, SIGTERM). */
  stopRequested?(): boolean;
}

/**
 * Fine-tunes `discriminator` in place with `optimizer` (Adam at options.lr),
 * from `from` when resuming; returns where it stopped, or undefined once every
 * epoch is done. The refinement scores with D in eval mode; D's updates train
 * with dropout on.
 */
export async function shapeDiscriminator(
  generator: tfl.LayersModel,
  discriminator: tfl.LayersModel,
  images: ImageSet,
  rng: Rng,
  optimizer: tf.Optimizer,
  options: ShapingOptions,
  hooks: ShapingHooks = {},
  from?: ShapingPosition,
): Promise<ShapingPosition | undefined> {
  const variables = trainableVariables(discriminator);
  const stepsPerEpoch = Math.floor(images.count / options.batch);
  const dropout = dropoutOf(options.dropout, rng);
  for (let epoch = from?.epoch ?? 1; epoch <= options.epochs; epoch++) {
    const order = from?.epoch === epoch ? from.order : rng.permutation(images.count);
    for (let step = from?.epoch === epoch ? from.step : 0; step < stepsPerEpoch; step++) {
      const batch = gatherImages(images, order.subarray(step * options.batch, (step + 1) * options.batch));
      const z = tf.tensor2d(rng.normals(options.batch * LATENT_SIZE), [options.batch, LATENT_SIZE]);
      const refined = collaborativeSample(generator, discriminator, z, options.cs);
      const real = tf.tensor2d(batch, [options.batch, IMAGE_SIZE]);
      const fake = tf.tensor2d(refined.images, [options.batch, IMAGE_SIZE]);
      const cost = optimizer.minimize(
        () => binaryCrossEntropy(mlpForward(discriminator, real, { dropout }), mlpForward(discriminator, fake, { dropout })),
        true,
        variables,
      )!;
      const loss = cost.dataSync()[0];
      tf.dispose([z, real, fake, cost]);
      hooks.onStep?.({ epoch, step: step + 1, stepsPerEpoch, loss });
      // Let signal handlers run between steps.
      await new Promise((resolve) => setImmediate(resolve));
      if (hooks.stopRequested?.() && (step + 1 < stepsPerEpoch || epoch < options.epochs)) return { epoch, step: step + 1, order };
    }
  }
  return undefined;
}

/** Saves the shaped D and its settings into the run, replacing any earlier one whole. */
export async function saveShapedDiscriminator(runDir: string, discriminator: tfl.LayersModel, settings: object): Promise<string> {
  const final = runPaths(runDir).shaped;
  const temporary = join(runDir, `.incomplete-${basename(final)}`);
  rmSync(temporary, { recursive: true, force: true });
  mkdirSync(temporary, { recursive: true });
  await saveModel(discriminator, join(temporary, 'discriminator'));
  writeFileSync(join(temporary, 'shaping.json'), JSON.stringify(settings, null, 2));
  replaceDirectory(temporary, final);
  return final;
}
