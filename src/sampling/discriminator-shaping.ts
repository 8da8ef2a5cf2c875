// Discriminator shaping (Liu, Kothari & Alahi 2020): with G frozen, fine-tune
// D on real batches against collaboratively refined samples, so that D's
// gradients guide refinement better. The caller saves the shaped D (shaping-job.ts).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Rng } from '../engine/rng.js';
import { takeScalar } from '../engine/tensor-values.js';
import type { ImageSet } from '../data/image-set.js';
import {
  asDiscriminatorInput,
  checkClassLabels,
  discriminatorForward,
  generatorInputs,
  isConditional,
  realDiscriminatorInput,
} from '../models/class-condition.js';
import { IMAGE_SIZE, LATENT_SIZE } from '../models/gan-models.js';
import { dropoutOf } from '../models/dropout.js';
import { TRAINED_ON_DATA, trainableVariables } from '../models/mlp-forward.js';
import { binaryCrossEntropy } from '../objectives/minimax.js';
import type { ShapingOptions, ShapingPosition } from '../run/stopped-shaping.js';
import { collaborativeSample } from './collaborative-sampling.js';

export interface ShapingProgress {
  epoch: number;
  step: number;
  stepsPerEpoch: number;
  loss: number;
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
  const conditional = isConditional(discriminator);
  if (conditional) checkClassLabels(images);
  for (let epoch = from?.epoch ?? 1; epoch <= options.epochs; epoch++) {
    const order = from?.epoch === epoch ? from.order : rng.permutation(images.count);
    for (let step = from?.epoch === epoch ? from.step : 0; step < stepsPerEpoch; step++) {
      const real = realDiscriminatorInput(images, conditional, order.subarray(step * options.batch, (step + 1) * options.batch));
      // A conditional G's fakes: every class in turn across the epoch's steps, which D sees beside them.
      const z = generatorInputs(generator, rng.normals(options.batch * LATENT_SIZE), step * options.batch);
      const refined = await collaborativeSample(generator, discriminator, z, options.cs);
      const fake = tf.tidy(() => asDiscriminatorInput(tf.tensor2d(refined.images, [options.batch, IMAGE_SIZE]), z));
      const cost = optimizer.minimize(
        () =>
          binaryCrossEntropy(
            discriminatorForward(discriminator, real, { dropout, gradients: TRAINED_ON_DATA }),
            discriminatorForward(discriminator, fake, { dropout, gradients: TRAINED_ON_DATA }),
          ),
        true,
        variables,
      )!;
      tf.dispose([z, real, fake]);
      const loss = await takeScalar(cost);
      hooks.onStep?.({ epoch, step: step + 1, stepsPerEpoch, loss });
      // Let signal handlers run between steps.
      await new Promise((resolve) => setImmediate(resolve));
      if (hooks.stopRequested?.() && (step + 1 < stepsPerEpoch || epoch < options.epochs)) return { epoch, step: step + 1, order };
    }
  }
  return undefined;
}
