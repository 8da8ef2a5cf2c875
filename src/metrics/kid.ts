// Kernel Inception Distance (Bińkowski et al. 2018): the unbiased MMD² with
// the cubic polynomial kernel k(x, y) = (x·y/d + 1)³, averaged over random
// subsets of both sets.
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../engine/rng.js';
import type { FeatureMatrix } from './feature-matrix.js';

export interface KidResult {
  mean: number;
  std: number;
  subsets: number;
  subsetSize: number;
}

/** Rows `indices` of m as a [n, d] tensor. */
function gatherRows(m: FeatureMatrix, indices: Uint32Array): tf.Tensor2D {
  const out = new Float32Array(indices.length * m.dims);
  indices.forEach((row, i) => out.set(m.values.subarray(row * m.dims, (row + 1) * m.dims), i * m.dims));
  return tf.tensor2d(out, [indices.length, m.dims]);
}

/** Unbiased MMD² between rows `xs` of a and `ys` of b; the kernel matrices come from matrix products. */
function unbiasedMmd2(a: FeatureMatrix, xs: Uint32Array, b: FeatureMatrix, ys: Uint32Array): number {
  const m = xs.length;
  const kernel = (p: tf.Tensor2D, q: tf.Tensor2D) => tf.pow(tf.add(tf.div(tf.matMul(p, q, false, true), a.dims), 1), 3);
  // Sum of the off-diagonal entries of K(p, p).
  const offDiagonalSum = (p: tf.Tensor2D) => {
    const k = kernel(p, p);
    return tf.sub(tf.sum(k), tf.sum(tf.pow(tf.add(tf.div(tf.sum(tf.square(p), 1), a.dims), 1), 3)));
  };
  const value = tf.tidy(() => {
    const x = gatherRows(a, xs);
    const y = gatherRows(b, ys);
    const within = tf.div(tf.add(offDiagonalSum(x), offDiagonalSum(y)), m * (m - 1));
    return tf.sub(within, tf.div(tf.mul(tf.sum(kernel(x, y)), 2), m * m));
  });
  const result = value.dataSync()[0];
  value.dispose();
  return result;
}

export function kid(a: FeatureMatrix, b: FeatureMatrix, rng: Rng, subsets = 100, subsetSize = 1000): KidResult {
  const size = Math.min(subsetSize, a.rows, b.rows);
  if (size < 2) throw new RangeError('KID needs at least two samples in each set.');
  const values: number[] = [];
  for (let s = 0; s < subsets; s++) {
    values.push(unbiasedMmd2(a, rng.permutation(a.rows).subarray(0, size), b, rng.permutation(b.rows).subarray(0, size)));
  }
  const mean = values.reduce((sum, v) => sum + v, 0) / subsets;
  const std = Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / subsets);
  return { mean, std, subsets, subsetSize: size };
}
