// Kernel Inception Distance (Bińkowski et al. 2018): the unbiased MMD² with
// the cubic polynomial kernel k(x, y) = (x·y/d + 1)³, averaged over random
// subsets of both sets.
import { DataError } from '../errors.js';
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../engine/rng.js';
import { readInPlace } from '../engine/wasm-heap.js';
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

/**
 * Unbiased MMD² between rows `xs` of a and `ys` of b. One product of the stacked
 * rows gives every dot product; the cubic kernel and the block sums are one JS pass.
 */
async function unbiasedMmd2(a: FeatureMatrix, xs: Uint32Array, b: FeatureMatrix, ys: Uint32Array): Promise<number> {
  const m = xs.length;
  const n = 2 * m;
  const gram = tf.tidy(() => {
    const stacked = tf.concat([gatherRows(a, xs), gatherRows(b, ys)]);
    return tf.matMul(stacked, stacked, false, true);
  });
  const cube = (dot: number) => {
    const t = dot / a.dims + 1;
    return t * t * t;
  };
  // Upper triangle only (the kernel is symmetric), region by region: x–x pairs and the whole
  // x–y block in the first m rows, y–y pairs below.
  let kxx = 0;
  let kxy = 0;
  let kyy = 0;
  await readInPlace(gram, (dots) => {
    for (let i = 0; i < m; i++) {
      const row = i * n;
      for (let j = i + 1; j < m; j++) kxx += cube(dots[row + j]);
      for (let j = m; j < n; j++) kxy += cube(dots[row + j]);
    }
    for (let i = m; i < n; i++) {
      const row = i * n;
      for (let j = i + 1; j < n; j++) kyy += cube(dots[row + j]);
    }
  });
  return (2 * kxx) / (m * (m - 1)) + (2 * kyy) / (m * (m - 1)) - (2 * kxy) / (m * m);
}

export async function kid(a: FeatureMatrix, b: FeatureMatrix, rng: Rng, subsets = 100, subsetSize = 1000): Promise<KidResult> {
  const size = Math.min(subsetSize, a.rows, b.rows);
  if (size < 2) throw new DataError('KID needs at least two images in each set.');
  const values: number[] = [];
  for (let s = 0; s < subsets; s++) {
    values.push(await unbiasedMmd2(a, rng.permutation(a.rows).subarray(0, size), b, rng.permutation(b.rows).subarray(0, size)));
  }
  const mean = values.reduce((sum, v) => sum + v, 0) / subsets;
  const std = Math.sqrt(values.reduce((sum, v) => sum + (v - mean) ** 2, 0) / subsets);
  return { mean, std, subsets, subsetSize: size };
}
