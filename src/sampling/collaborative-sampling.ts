// Collaborative sampling (Liu, Kothari & Alahi, AAAI 2020): refine a frozen
// generator's samples by gradient steps on an intermediate activation,
// guided by the discriminator, until D accepts them.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { mlpForward } from '../models/mlp-forward.js';
import { takeValues } from '../engine/tensor-values.js';
import { negLogSigmoid } from '../objectives/minimax.js';

export interface CsOptions {
  /** Refine the output of G's hidden layer l (1–3); 0 refines the pixels. */
  layer: number;
  /** At most K refinement steps. */
  steps: number;
  /** Step size λ. */
  rate: number;
  /** A sample stops once D(x) = σ(logit) reaches η. */
  eta: number;
  /** `last` keeps the final step; `best` the step with the highest D score (the official code). */
  select: 'last' | 'best';
}

export const CS_DEFAULTS: Omit<CsOptions, 'eta'> = { layer: 3, steps: 50, rate: 0.1, select: 'last' };

export interface CsResult {
  /** count × 784 refined images. */
  images: Float32Array;
  /** σ(D(x)) of each sample before and after refinement. */
  scoresBefore: Float32Array;
  scoresAfter: Float32Array;
  /** Refinement steps each sample took. */
  stepsTaken: Uint16Array;
}

/** Index in the Sequential G of the first layer after hidden layer l (Dense, LeakyReLU pairs). */
function splitIndex(generator: tfl.LayersModel, layer: number): number {
  const hidden = (generator.layers.length - 1) / 2;
  if (!Number.isInteger(layer) || layer < 0 || layer > hidden) {
    throw new RangeError(`The CS layer must be an integer from 0 (pixels) to ${hidden}, got ${layer}.`);
  }
  return layer === 0 ? generator.layers.length : 2 * layer;
}

/** G_{>l}: from the activation at the split to pixels; the identity at l = 0 (a copy, so callers own it). */
function head(generator: tfl.LayersModel, split: number, x: tf.Tensor2D): tf.Tensor2D {
  return split === generator.layers.length ? tf.clone(x) : mlpForward(generator, x, { from: split });
}

/** σ(D(x)) per sample. */
function scores(discriminator: tfl.LayersModel, images: tf.Tensor2D): Float32Array {
  return takeValues(tf.tidy(() => tf.sigmoid(mlpForward(discriminator, images))));
}

/**
 * ∇ over x_l of Σ_i −log σ(D(G_{>l}(x_l))_i): each sample's gradient is its own loss's,
 * whatever the batch size (a mean would shrink every step by the batch size).
 */
export function csGradient(generator: tfl.LayersModel, discriminator: tfl.LayersModel, layer: number, activation: tf.Tensor2D): tf.Tensor2D {
  const split = splitIndex(generator, layer);
  return tf.grad((x: tf.Tensor) => tf.sum(negLogSigmoid(mlpForward(discriminator, head(generator, split, x as tf.Tensor2D)))))(
    activation,
  ) as tf.Tensor2D;
}

/** Refines G(z) for one batch of latents. */
export function collaborativeSample(
  generator: tfl.LayersModel,
  discriminator: tfl.LayersModel,
  z: tf.Tensor2D,
  options: CsOptions,
): CsResult {
  const split = splitIndex(generator, options.layer);
  const count = z.shape[0];
  const pixels = (x: tf.Tensor2D) => tf.tidy(() => head(generator, split, x));
  let activation = tf.tidy(() => mlpForward(generator, z, { to: split }));
  const width = activation.shape[1];
  const current = tf.tidy(() => pixels(activation));
  const images = current.dataSync().slice() as Float32Array;
  const scoresBefore = scores(discriminator, current);
  current.dispose();
  const scoresAfter = scoresBefore.slice();
  const stepsTaken = new Uint16Array(count);
  const best = { images: images.slice(), scores: scoresBefore.slice() };
  const values = activation.dataSync().slice() as Float32Array;
  activation.dispose();

  for (let step = 0; step < options.steps; step++) {
    // Only the samples D still rejects take a step, gathered into one smaller batch.
    const active = [...scoresAfter.keys()].filter((i) => scoresAfter[i] < options.eta);
    if (active.length === 0) break;
    const gathered = new Float32Array(active.length * width);
    active.forEach((i, row) => gathered.set(values.subarray(i * width, (i + 1) * width), row * width));
    const x = tf.tensor2d(gathered, [active.length, width]);
    const stepped = tf.tidy(() => {
      const moved = tf.sub(x, tf.mul(csGradient(generator, discriminator, options.layer, x), options.rate));
      return options.layer === 0 ? tf.clipByValue(moved, -1, 1) : moved;
    });
    const out = pixels(stepped as tf.Tensor2D);
    const newValues = stepped.dataSync();
    const newImages = out.dataSync();
    const newScores = scores(discriminator, out);
    tf.dispose([x, stepped, out]);
    const imageSize = newImages.length / active.length;
    active.forEach((i, row) => {
      values.set(newValues.subarray(row * width, (row + 1) * width), i * width);
      images.set(newImages.subarray(row * imageSize, (row + 1) * imageSize), i * imageSize);
      scoresAfter[i] = newScores[row];
      stepsTaken[i] += 1;
      if (newScores[row] > best.scores[i]) {
        best.scores[i] = newScores[row];
        best.images.set(images.subarray(i * imageSize, (i + 1) * imageSize), i * imageSize);
      }
    });
  }
  if (options.select === 'best') return { images: best.images, scoresBefore, scoresAfter: best.scores, stepsTaken };
  return { images, scoresBefore, scoresAfter, stepsTaken };
}

/** η's default: the mean D score on real images (the paper's probabilistic criterion, read as a threshold). */
export function meanRealScore(discriminator: tfl.LayersModel, real: tf.Tensor2D): number {
  return tf.tidy(() => tf.mean(tf.sigmoid(mlpForward(discriminator, real))).dataSync()[0]);
}
