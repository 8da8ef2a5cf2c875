// Sources of generated images: a latent sampler feeding G, optionally refined
// by collaborative sampling or filtered by discriminator rejection sampling.
// Sources compose: CS and DRS draw their proposals from any latent sampler.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Rng } from '../engine/rng.js';
import { takeValues } from '../engine/tensor-values.js';
import { discriminatorForward, generatorInputs } from '../models/class-condition.js';
import type { ClassPlan } from '../models/class-rows.js';
import { CLASS_COUNT, IMAGE_SIZE } from '../models/gan-models.js';
import { generatorForward } from '../models/dcgan-forward.js';
import { collaborativeSample, type CsOptions } from './collaborative-sampling.js';
import type { LatentSampler } from './latent-samplers.js';
import { RejectionSampler, type DrsOptions } from './rejection-sampling.js';

export interface ImageSource {
  /** The next `count` images, count × 784 values in [-1, 1]. */
  next(count: number): Promise<Float32Array>;
  /** What to report about the sampling so far (acceptance rate, D scores, …). */
  report(): Record<string, number>;
}

/** G's inputs for the next `count` samples: the sampler's latents, with their classes beside them when G is conditional. */
function nextInputs(generator: tfl.LayersModel, sampler: LatentSampler, rng: Rng, classes: ClassPlan | undefined) {
  let drawn = 0;
  return (count: number) => {
    const inputs = generatorInputs(generator, sampler(rng, count), drawn, classes);
    drawn += count;
    return inputs;
  };
}

/** G(z) with z from the sampler, and from a conditional G the classes of `classes` (every class in turn when absent). */
export function generatorSource(generator: tfl.LayersModel, sampler: LatentSampler, rng: Rng, classes?: ClassPlan): ImageSource {
  const inputs = nextInputs(generator, sampler, rng, classes);
  return { next: (count) => takeValues(tf.tidy(() => generatorForward(generator, inputs(count)))), report: () => ({}) };
}

/**
 * G(z) from several generators in turn: sample i from generator ⌊i / 10⌋ mod K,
 * so that under the balanced plan each generator draws every class. One generator: generatorSource.
 */
export function mixtureSource(generators: tfl.LayersModel[], sampler: LatentSampler, rng: Rng, classes?: ClassPlan): ImageSource {
  if (generators.length === 1) return generatorSource(generators[0], sampler, rng, classes);
  const inputs = nextInputs(generators[0], sampler, rng, classes);
  let drawn = 0;
  return {
    async next(count) {
      const z = inputs(count);
      const rowsOf = generators.map(() => [] as number[]);
      for (let i = 0; i < count; i++) rowsOf[Math.floor((drawn + i) / CLASS_COUNT) % generators.length].push(i);
      drawn += count;
      const images = new Float32Array(count * IMAGE_SIZE);
      try {
        for (const [k, rows] of rowsOf.entries()) {
          if (rows.length === 0) continue;
          const ownImages = await takeValues(tf.tidy(() => generatorForward(generators[k], tf.gather(z, rows))));
          rows.forEach((row, j) => images.set(ownImages.subarray(j * IMAGE_SIZE, (j + 1) * IMAGE_SIZE), row * IMAGE_SIZE));
        }
      } finally {
        z.dispose();
      }
      return images;
    },
    report: () => ({}),
  };
}

/** `count` images of 28×28 from a source, drawn in batches of `batch`. */
export async function drawImages(source: ImageSource, count: number, batch = 500): Promise<Float32Array> {
  const pixels = new Float32Array(count * IMAGE_SIZE);
  for (let first = 0; first < count; first += batch) pixels.set(await source.next(Math.min(batch, count - first)), first * IMAGE_SIZE);
  return pixels;
}

/** G(z) refined by collaborative sampling against `discriminator`. */
export function collaborativeSource(
  generator: tfl.LayersModel,
  discriminator: tfl.LayersModel,
  sampler: LatentSampler,
  rng: Rng,
  options: CsOptions,
  classes?: ClassPlan,
): ImageSource {
  const inputs = nextInputs(generator, sampler, rng, classes);
  let count = 0;
  let before = 0;
  let after = 0;
  let steps = 0;
  let accepted = 0;
  return {
    async next(size) {
      const z = inputs(size);
      const result = await collaborativeSample(generator, discriminator, z, options);
      z.dispose();
      for (let i = 0; i < size; i++) {
        before += result.scoresBefore[i];
        after += result.scoresAfter[i];
        steps += result.stepsTaken[i];
        if (result.scoresAfter[i] >= options.eta) accepted += 1;
      }
      count += size;
      return result.images;
    },
    report: () => ({
      eta: options.eta,
      meanScoreBefore: before / count,
      meanScoreAfter: after / count,
      meanSteps: steps / count,
      fractionReachingEta: accepted / count,
    }),
  };
}

/** Proposals from `base`, kept with the DRS acceptance probability (after its burn-in, drawn here). */
export async function rejectionSource(base: ImageSource, discriminator: tfl.LayersModel, rng: Rng, options: DrsOptions, batch: number): Promise<ImageSource> {
  const logits = (images: Float32Array) =>
    takeValues(tf.tidy(() => discriminatorForward(discriminator, tf.tensor2d(images, [images.length / IMAGE_SIZE, IMAGE_SIZE]))));
  const burnIn: number[] = [];
  for (let drawn = 0; drawn < options.burnIn; drawn += batch) {
    burnIn.push(...(await logits(await base.next(Math.min(batch, options.burnIn - drawn)))));
  }
  const sampler = new RejectionSampler(burnIn, options);
  return {
    async next(size) {
      const out = new Float32Array(size * IMAGE_SIZE);
      let kept = 0;
      while (kept < size) {
        const proposals = await base.next(batch);
        const scores = await logits(proposals);
        for (let i = 0; i < scores.length && kept < size; i++) {
          if (!sampler.accept(scores[i], rng)) continue;
          out.set(proposals.subarray(i * IMAGE_SIZE, (i + 1) * IMAGE_SIZE), kept * IMAGE_SIZE);
          kept += 1;
        }
      }
      return out;
    },
    report: () => ({ ...base.report(), acceptanceRate: sampler.acceptanceRate, proposals: sampler.proposed, gamma: sampler.gamma }),
  };
}

/** Draws `count` images from `source` in batches, handing each to `onBatch`. */
export async function generateImages(
  source: ImageSource,
  count: number,
  onBatch: (images: Float32Array, first: number) => void | Promise<void>,
  batchSize = 500,
): Promise<void> {
  for (let first = 0; first < count; first += batchSize) {
    await onBatch(await source.next(Math.min(batchSize, count - first)), first);
  }
}
