// Inverted dropout, as PyTorch's nn.Dropout in training mode: each unit is
// zeroed with probability `rate` and the survivors are scaled by 1/(1 − rate),
// so the eval-mode network (no dropout) needs no rescaling. The masks come
// from a seeded stream of the run's own, so runs and resumes are reproducible.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { activeNativeGemm } from '../engine/matmul-kernels.js';
import type { Rng } from '../engine/rng.js';
import { memoryOffset } from '../engine/wasm-heap.js';

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
 * x times a fresh mask of 0 and 1/(1 − rate); one 32-bit draw per unit. With
 * the native kernels the mask is drawn in C straight into a tensor (the same
 * draws, the same mask: 6 ms a study step in JavaScript).
 */
export function applyDropout(x: tf.Tensor2D, { rate, rng }: Dropout): tf.Tensor2D {
  const threshold = rate * 2 ** 32;
  const keep = 1 / (1 - rate);
  const gemm = activeNativeGemm();
  if (gemm) {
    const mask = tf.zeros(x.shape) as tf.Tensor2D;
    const backend = tf.backend() as BackendWasm;
    const drawn = rng.drawNatively((state) => gemm.dropoutMask(backend.wasm.HEAPU8, memoryOffset(backend, mask), mask.size, threshold, keep, state));
    if (drawn) return tf.mul(x, mask);
    mask.dispose();
  }
  const mask = new Float32Array(x.size);
  for (let i = 0; i < mask.length; i++) mask[i] = rng.nextUint32() >= threshold ? keep : 0;
  return tf.mul(x, tf.tensor2d(mask, x.shape));
}
