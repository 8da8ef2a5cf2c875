// Collaborative sampling (Liu, Kothari & Alahi, AAAI 2020): refine a frozen
// generator's samples by gradient steps on an intermediate activation,
// guided by the discriminator, until D accepts them.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { mlpForward, PASSED_THROUGH } from '../models/mlp-forward.js';
import { generatorForward } from '../models/dcgan-forward.js';
import { isDcgan } from '../models/dcgan-models.js';
import { takeScalar, takeValues } from '../engine/tensor-values.js';
import { gatherRows } from '../data/image-set.js';
import { classColumns, discriminatorForward, isConditional } from '../models/class-condition.js';
import { CLASS_COUNT, IMAGE_SIZE } from '../models/gan-models.js';
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
  if (isDcgan(generator) && layer !== 0) throw new RangeError(`A DCGAN generator is refined at its pixels only (CS layer 0), got ${layer}.`);
  const hidden = (generator.layers.length - 1) / 2;
  if (!Number.isInteger(layer) || layer < 0 || layer > hidden) {
    throw new RangeError(`The CS layer must be an integer from 0 (pixels) to ${hidden}, got ${layer}.`);
  }
  return layer === 0 ? generator.layers.length : 2 * layer;
}

/** G_{>l}: from the activation at the split to pixels; the identity at l = 0 (a copy, so callers own it). */
function head(generator: tfl.LayersModel, split: number, x: tf.Tensor2D): tf.Tensor2D {
  return split === generator.layers.length ? tf.clone(x) : mlpForward(generator, x, { from: split, gradients: PASSED_THROUGH });
}

/** The loss whose gradient refines: Σ_i −log σ(D(x)_i), each sample's own (not a mean, which would shrink every step by the batch size). */
const refinementLoss = (logits: tf.Tensor2D) => tf.sum(negLogSigmoid(logits)) as tf.Scalar;

/** ∇ over x_l of Σ_i −log σ(D(G_{>l}(x_l))_i), for an unconditional G (x_l carries no class to give D). */
export async function csGradient(generator: tfl.LayersModel, discriminator: tfl.LayersModel, layer: number, activation: tf.Tensor2D): Promise<tf.Tensor2D> {
  return (await scoreAndGradient(generator, discriminator, splitIndex(generator, layer), activation, null)).gradient;
}

/**
 * One forward and backward pass at x_l: the images G_{>l}(x_l), their scores
 * σ(D), and the refinement gradient, so that scoring a step costs no second forward pass.
 */
async function scoreAndGradient(generator: tfl.LayersModel, discriminator: tfl.LayersModel, split: number, x: tf.Tensor2D, classes: tf.Tensor2D | null) {
  let images!: tf.Tensor2D;
  let logits!: tf.Tensor2D;
  const gradient = tf.grad((input: tf.Tensor) => {
    images = tf.keep(head(generator, split, input as tf.Tensor2D));
    const seen = classes ? tf.concat([images, classes], 1) : images;
    logits = tf.keep(discriminatorForward(discriminator, seen, { gradients: PASSED_THROUGH }));
    return refinementLoss(logits);
  })(x);
  const scores = await takeValues(tf.sigmoid(logits));
  const pixels = await takeValues(images);
  logits.dispose();
  return { images: pixels, scores, gradient: gradient as tf.Tensor2D };
}

/**
 * Refines G(z) for one batch of G's inputs (a conditional G's with their classes, which D then sees too). Each round scores the samples D still
 * rejects and, with the same pass's gradient, moves those still below η; a
 * sample accepted at its score keeps that image.
 */
export async function collaborativeSample(generator: tfl.LayersModel, discriminator: tfl.LayersModel, z: tf.Tensor2D, options: CsOptions): Promise<CsResult> {
  const split = splitIndex(generator, options.layer);
  const count = z.shape[0];
  const activation = tf.tidy(() => (split === generator.layers.length ? generatorForward(generator, z) : mlpForward(generator, z, { to: split })));
  const width = activation.shape[1];
  // A copy of its own: it is written as the samples move.
  const values = (await takeValues(activation)).slice();
  const classes = isConditional(generator) ? await takeValues(classColumns(z)) : null;
  const images = new Float32Array(count * IMAGE_SIZE);
  const scoresAfter = new Float32Array(count);
  const stepsTaken = new Uint16Array(count);
  const best = { images: new Float32Array(count * IMAGE_SIZE), scores: new Float32Array(count).fill(-Infinity) };
  let scoresBefore = scoresAfter;
  // Every sample is scored first; then only those D still rejects, gathered into one smaller batch.
  let active = [...scoresAfter.keys()];
  for (let step = 0; active.length > 0; step++) {
    const x = tf.tensor2d(gatherRows(values, active, width), [active.length, width]);
    const activeClasses = classes && tf.tensor2d(gatherRows(classes, active, CLASS_COUNT), [active.length, CLASS_COUNT]);
    const scored = await scoreAndGradient(generator, discriminator, split, x, activeClasses);
    active.forEach((i, row) => {
      const image = scored.images.subarray(row * IMAGE_SIZE, (row + 1) * IMAGE_SIZE);
      images.set(image, i * IMAGE_SIZE);
      scoresAfter[i] = scored.scores[row];
      if (scored.scores[row] > best.scores[i]) {
        best.scores[i] = scored.scores[row];
        best.images.set(image, i * IMAGE_SIZE);
      }
    });
    if (step === 0) scoresBefore = scoresAfter.slice();
    const moving = step < options.steps ? active.map((i, row) => [i, row]).filter(([i]) => scoresAfter[i] < options.eta) : [];
    if (moving.length > 0) {
      const stepped = tf.tidy(() => {
        const moved = tf.sub(x, tf.mul(scored.gradient, options.rate));
        return options.layer === 0 ? tf.clipByValue(moved, -1, 1) : moved;
      });
      const newValues = await takeValues(stepped);
      for (const [i, row] of moving) {
        values.set(newValues.subarray(row * width, (row + 1) * width), i * width);
        stepsTaken[i] += 1;
      }
    }
    tf.dispose([x, scored.gradient, ...(activeClasses ? [activeClasses] : [])]);
    active = moving.map(([i]) => i);
  }
  if (options.select === 'best') return { images: best.images, scoresBefore, scoresAfter: best.scores, stepsTaken };
  return { images, scoresBefore, scoresAfter, stepsTaken };
}

/** η's default: the mean D score on real images (the paper's probabilistic criterion, read as a threshold). */
export async function meanRealScore(discriminator: tfl.LayersModel, real: tf.Tensor2D): Promise<number> {
  return takeScalar(tf.tidy(() => tf.mean(tf.sigmoid(discriminatorForward(discriminator, real)))));
}
