// Distances between feature sets for the k-NN metrics, never holding an N×N
// matrix: blocks of rows go through a float32 matrix product
// (‖a‖² + ‖b‖² − 2a·b), and every comparison that float32 rounding could
// decide either way is recomputed exactly in float64. The results are those
// of exact float64 distances.
import * as tf from '@tensorflow/tfjs-core';
import { takeValues } from '../engine/tensor-values.js';
import type { FeatureMatrix } from './feature-matrix.js';

const BLOCK_ROWS = 1024;
/** Bound on float32 error of a squared distance, relative to ‖a‖² + ‖b‖². */
export const RELATIVE_SLACK = 1e-5;

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
  const aNorms = squaredNorms(a);
  for (let start = 0; start < a.rows; start += BLOCK_ROWS) {
    const rows = Math.min(BLOCK_ROWS, a.rows - start);
    // ‖b‖² − 2a·b in one fused product (‖b‖² as the bias); ‖a‖² is added row by row below.
    const block = tf.tidy(() => {
      const x = tf.tensor2d(Float32Array.from(a.values.subarray(start * a.dims, (start + rows) * a.dims)), [rows, a.dims]);
      return tf.fused.matMul({ a: tf.mul(x, -2), b: bTensor, transposeB: true, bias: bNorms });
    });
    const values = takeValues(block);
    for (let r = 0; r < rows; r++) {
      const row = values.subarray(r * b.rows, (r + 1) * b.rows);
      const norm = aNorms[start + r];
      for (let j = 0; j < row.length; j++) row[j] += norm;
      visit(start + r, row);
    }
  }
  tf.dispose([bTensor, bNorms]);
}

/** Candidates kept per row beyond k: room for float32 near-ties at the k-th distance. */
const SPARE_CANDIDATES = 16;

/**
 * Exact distance from each row to its k-th nearest other row of the same set,
 * for each k in `ks`: one pass over the distances for all of them.
 */
export function kNearestRadii(m: FeatureMatrix, ...ks: number[]): Float64Array[] {
  const kMax = Math.max(...ks);
  if (m.rows <= kMax) throw new RangeError(`k-NN radii with k = ${kMax} need more than ${kMax} samples, got ${m.rows}.`);
  const norms = squaredNorms(m);
  const radii = ks.map(() => new Float64Array(m.rows));
  const keep = Math.min(kMax + SPARE_CANDIDATES, m.rows - 1);
  const values = new Float64Array(keep);
  const indices = new Int32Array(keep);
  forEachDistanceRow(m, m, (row, approx) => {
    // The `keep` smallest approximate distances, sorted, by insertion (most values fail the first test).
    // `floorOfOthers` is the least any row not kept can be once exact: its approx minus its rounding bound.
    let size = 0;
    let floorOfOthers = Infinity;
    const rowSlack = RELATIVE_SLACK * norms[row] + 1e-12;
    for (let j = 0; j < approx.length; j++) {
      if (j === row) continue;
      const value = approx[j];
      if (size === keep && value >= values[keep - 1]) {
        const floor = value - rowSlack - RELATIVE_SLACK * norms[j];
        if (floor < floorOfOthers) floorOfOthers = floor;
        continue;
      }
      let at: number;
      if (size === keep) {
        // The last kept row is pushed out: it joins the others.
        const floor = values[keep - 1] - rowSlack - RELATIVE_SLACK * norms[indices[keep - 1]];
        if (floor < floorOfOthers) floorOfOthers = floor;
        at = keep - 1;
      } else {
        at = size++;
      }
      while (at > 0 && values[at - 1] > value) {
        values[at] = values[at - 1];
        indices[at] = indices[at - 1];
        at--;
      }
      values[at] = value;
      indices[at] = j;
    }
    const exact = Array.from(indices.subarray(0, size), (j) => exactSquaredDistance(m, row, m, j)).sort((x, y) => x - y);
    ks.forEach((k, which) => {
      // Rows left out could be nearer than the k-th only within rounding: then rank them all exactly.
      if (floorOfOthers <= exact[k - 1]) {
        const all: number[] = [];
        for (let j = 0; j < m.rows; j++) if (j !== row) all.push(exactSquaredDistance(m, row, m, j));
        all.sort((x, y) => x - y);
        radii[which][row] = Math.sqrt(all[k - 1]);
      } else {
        radii[which][row] = Math.sqrt(exact[k - 1]);
      }
    });
  });
  return radii;
}
