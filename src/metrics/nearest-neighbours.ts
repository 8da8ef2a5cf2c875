// Distances between feature sets for the k-NN metrics, never holding an N×N
// matrix: blocks of rows go through a float32 matrix product
// (‖a‖² + ‖b‖² − 2a·b), and every comparison that float32 rounding could
// decide either way is recomputed exactly in float64. The results are those
// of exact float64 distances.
import * as tf from '@tensorflow/tfjs-core';
import type { FeatureMatrix } from './feature-matrix.js';

const BLOCK_ROWS = 1024;
/** Bound on float32 error of a squared distance, relative to ‖a‖² + ‖b‖². */
const RELATIVE_SLACK = 1e-5;

export function squaredNorms(m: FeatureMatrix): Float64Array {
  const norms = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let sum = 0;
    for (let d = 0; d < m.dims; d++) sum += m.values[r * m.dims + d] ** 2;
    norms[r] = sum;
  }
  return norms;
}

export function exactSquaredDistance(a: FeatureMatrix, i: number, b: FeatureMatrix, j: number): number {
  let sum = 0;
  for (let d = 0; d < a.dims; d++) {
    const diff = a.values[i * a.dims + d] - b.values[j * b.dims + d];
    sum += diff * diff;
  }
  return sum;
}

/**
 * Calls `visit(row, approx)` for every row of `a`, with `approx` the float32
 * squared distances from that row to every row of `b` (a view, valid during the call).
 */
export function forEachDistanceRow(a: FeatureMatrix, b: FeatureMatrix, visit: (row: number, approx: Float32Array) => void): void {
  const bTensor = tf.tensor2d(Float32Array.from(b.values), [b.rows, b.dims]);
  const bNorms = tf.tensor1d(Float32Array.from(squaredNorms(b)));
  for (let start = 0; start < a.rows; start += BLOCK_ROWS) {
    const rows = Math.min(BLOCK_ROWS, a.rows - start);
    const block = tf.tidy(() => {
      const x = tf.tensor2d(Float32Array.from(a.values.subarray(start * a.dims, (start + rows) * a.dims)), [rows, a.dims]);
      const xNorms = tf.sum(tf.square(x), 1, true);
      return tf.add(tf.sub(xNorms, tf.mul(tf.matMul(x, bTensor, false, true), 2)), bNorms);
    });
    const values = block.dataSync() as Float32Array;
    block.dispose();
    for (let r = 0; r < rows; r++) visit(start + r, values.subarray(r * b.rows, (r + 1) * b.rows));
  }
  tf.dispose([bTensor, bNorms]);
}

/** The k-th smallest of `values` (k from 1), by quickselect on a copy. */
function kthSmallest(values: Float32Array, k: number, skip: number): number {
  const copy = Float64Array.from(values);
  if (skip >= 0) copy[skip] = Infinity;
  let low = 0;
  let high = copy.length - 1;
  const target = k - 1;
  while (low < high) {
    const pivot = copy[(low + high) >> 1];
    let i = low;
    let j = high;
    while (i <= j) {
      while (copy[i] < pivot) i++;
      while (copy[j] > pivot) j--;
      if (i <= j) {
        [copy[i], copy[j]] = [copy[j], copy[i]];
        i++;
        j--;
      }
    }
    if (target <= j) high = j;
    else if (target >= i) low = i;
    else break;
  }
  return copy[target];
}

/** Exact distance from each row to its k-th nearest other row of the same set. */
export function kNearestRadii(m: FeatureMatrix, k: number): Float64Array {
  if (m.rows <= k) throw new RangeError(`k-NN radii with k = ${k} need more than ${k} samples, got ${m.rows}.`);
  const norms = squaredNorms(m);
  const radii = new Float64Array(m.rows);
  forEachDistanceRow(m, m, (row, approx) => {
    const kth = kthSmallest(approx, k, row);
    // Every row that could be among the k nearest once distances are exact.
    const exact: number[] = [];
    for (let j = 0; j < approx.length; j++) {
      if (j === row) continue;
      const slack = RELATIVE_SLACK * (norms[row] + norms[j]) + 1e-12;
      if (approx[j] <= kth + 2 * slack) exact.push(exactSquaredDistance(m, row, m, j));
    }
    exact.sort((x, y) => x - y);
    radii[row] = Math.sqrt(exact[k - 1]);
  });
  return radii;
}

/**
 * Calls `inside(i, j)` for every pair with d(a_i, b_j) ≤ radius_j (or <, when
 * `strict`), with distances exact in float64.
 */
export function forEachPairWithin(
  a: FeatureMatrix,
  b: FeatureMatrix,
  radii: Float64Array,
  strict: boolean,
  inside: (i: number, j: number) => void,
): void {
  const aNorms = squaredNorms(a);
  const bNorms = squaredNorms(b);
  const squaredRadii = radii.map((r) => r * r);
  forEachDistanceRow(a, b, (i, approx) => {
    for (let j = 0; j < approx.length; j++) {
      const limit = squaredRadii[j];
      const slack = RELATIVE_SLACK * (aNorms[i] + bNorms[j]) + 1e-12;
      if (approx[j] > limit + slack) continue;
      if (approx[j] < limit - slack) {
        inside(i, j);
        continue;
      }
      const exact = Math.sqrt(exactSquaredDistance(a, i, b, j));
      if (strict ? exact < radii[j] : exact <= radii[j]) inside(i, j);
    }
  });
}
