// Inverted dropout, as PyTorch's nn.Dropout in training mode: each unit is
// zeroed with probability `rate` and the survivors are scaled by 1/(1 − rate),
// so the eval-mode network (no dropout) needs no rescaling. The masks come
// from a seeded stream of the run's own, so runs and resumes are reproducible.
import * as tf from '@tensorflow/tfjs-core';
import { nativeDropoutMask } from '../engine/dropout-mask-kernel.js';
import type { Rng } from '../engine/rng.js';

export interface Dropout {
  /** Probability of zeroing a unit, in (0, 1). */
  rate: number;
  /** The stream the masks are drawn from (in training, one used for nothing else). */
  rng: Rng;
}

/** A dropout for `rate` drawing from `rng`, or null (no draws at all) when the rate is 0. */
export function dropoutOf(rate: number, rng: Rng): Dropout | null {
  return rate > 0 ? { rate, rng } : null;
}

/**
 * A fresh mask of 0 and 1/(1 − rate) shaped like a layer's output; one 32-bit
 * draw per unit. With the native kernels it is drawn in C straight into a
 * tensor (the same draws, the same mask: 6 ms a study step in JavaScript).
 */
export function dropoutMask(shape: [number, number], { rate, rng }: Dropout): tf.Tensor2D {
  const threshold = rate * 2 ** 32;
  const keep = 1 / (1 - rate);
  let mask: tf.Tensor2D | undefined;
  // A replaying subclass (a test's) draws in JavaScript instead.
  const drawn = rng.drawFromState((state) => (mask = nativeDropoutMask(shape, threshold, keep, state)));
  if (drawn && mask) return mask;
  const values = new Float32Array(shape[0] * shape[1]);
  for (let i = 0; i < values.length; i++) values[i] = rng.nextUint32() >= threshold ? keep : 0;
  return tf.tensor2d(values, shape);
}

/** x times a fresh mask (dropoutMask). */
export function applyDropout(x: tf.Tensor2D, dropout: Dropout): tf.Tensor2D {
  return tf.tidy(() => tf.mul(x, dropoutMask(x.shape, dropout)));
}
