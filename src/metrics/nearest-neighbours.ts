// Distances between feature sets for the k-NN metrics, never holding an N×N
// matrix: blocks of rows go through one float32 matrix product of augmented
// rows, [−2a, 1, ‖a‖²]·[b, ‖b‖², 1] = ‖a − b‖² (a and b measured from a common
// centre), and every comparison that float32 rounding could decide either way
// is recomputed exactly in float64. The results are those of exact float64 distances.
import { DataError } from '../errors.js';
import * as tf from '@tensorflow/tfjs-core';
import { readInPlace } from '../engine/wasm-heap.js';
import type { FeatureMatrix } from './feature-matrix.js';

const BLOCK_ROWS = 1024;
/**
 * Bound on the float32 error of a squared distance, relative to ‖a‖² + ‖b‖² (from the centre):
 * summing d + 2 terms whose magnitudes add up to at most 2(‖a‖² + ‖b‖²) errs by
 * at most 2(d + 2)·2⁻²⁴ of that, under 2e-5 for d ≤ 164; blocked BLAS sums do far better.
 */
export const RELATIVE_SLACK = 2e-5;

export const largest = (values: Float64Array) => values.reduce((a, b) => Math.max(a, b), -Infinity);

/**
 * Where distances are measured from: the midpoint of the two sets' means.
 * Distances do not change when both sets move, and the float32 error bound
 * scales with the norms, so measuring near the data keeps it small; for a
 * collapsed generator, whose samples nearly coincide, it is what keeps the
 * exact fallback rare.
 */
export function commonCenter(a: FeatureMatrix, b: FeatureMatrix): Float64Array {
  const center = new Float64Array(a.dims);
  for (const m of [a, b]) {
    for (let r = 0; r < m.rows; r++) for (let d = 0; d < m.dims; d++) center[d] += m.values[r * m.dims + d] / (2 * m.rows);
  }
  return center;
}

/** ‖row − center‖² for every row. */
export function squaredNorms(m: FeatureMatrix, center: Float64Array = new Float64Array(m.dims)): Float64Array {
  const norms = new Float64Array(m.rows);
  for (let r = 0; r < m.rows; r++) {
    let sum = 0;
    for (let d = 0; d < m.dims; d++) sum += (m.values[r * m.dims + d] - center[d]) ** 2;
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

/** Rows of m, less `center`, with two columns appended (`scale`·row, then `first`, then `second`). */
function augmented(m: FeatureMatrix, center: Float64Array, scale: number, first: (row: number) => number, second: (row: number) => number): tf.Tensor2D {
  const width = m.dims + 2;
  const out = new Float32Array(m.rows * width);
  for (let r = 0; r < m.rows; r++) {
    for (let d = 0; d < m.dims; d++) out[r * width + d] = scale * (m.values[r * m.dims + d] - center[d]);
    out[r * width + m.dims] = first(r);
    out[r * width + m.dims + 1] = second(r);
  }
  return tf.tensor2d(out, [m.rows, width]);
}

/**
 * Calls `visit(row, approx)` for every row of `a`, with `approx` the float32
 * squared distances from that row to every row of `b` (a view, valid during
 * the call), computed from `center`: rounding bounds use norms from there.
 */
export async function forEachDistanceRow(
  a: FeatureMatrix,
  b: FeatureMatrix,
  visit: (row: number, approx: Float32Array) => void,
  center: Float64Array = commonCenter(a, b),
): Promise<void> {
  const aNorms = squaredNorms(a, center);
  const bNorms = squaredNorms(b, center);
  const left = augmented(
    a,
    center,
    -2,
    () => 1,
    (r) => aNorms[r],
  );
  const right = augmented(
    b,
    center,
    1,
    (r) => bNorms[r],
    () => 1,
  );
  for (let start = 0; start < a.rows; start += BLOCK_ROWS) {
    const rows = Math.min(BLOCK_ROWS, a.rows - start);
    const block = tf.tidy(() => tf.matMul(tf.slice(left, [start, 0], [rows, -1]), right, false, true));
    await readInPlace(block, (values) => {
      for (let r = 0; r < rows; r++) visit(start + r, values.subarray(r * b.rows, (r + 1) * b.rows));
    });
  }
  tf.dispose([left, right]);
}

/**
 * Keeps the smallest of `distances` (all but index `skip`), ascending, in
 * `keptValues` and their indices in `keptIndices`, as many as those hold;
 * returns how many it kept. By insertion: most values fail the first test.
 */
export function keepSmallest(distances: ArrayLike<number>, keptValues: Float64Array, keptIndices: Int32Array, skip = -1): number {
  const keep = keptValues.length;
  let size = 0;
  for (let j = 0; j < distances.length; j++) {
    if (j === skip) continue;
    const value = distances[j];
    let at: number;
    if (size === keep) {
      if (value >= keptValues[keep - 1]) continue;
      at = keep - 1;
    } else {
      at = size++;
    }
    while (at > 0 && keptValues[at - 1] > value) {
      keptValues[at] = keptValues[at - 1];
      keptIndices[at] = keptIndices[at - 1];
      at--;
    }
    keptValues[at] = value;
    keptIndices[at] = j;
  }
  return size;
}

/** Candidates kept per row beyond k: room for float32 near-ties at the k-th distance. */
const SPARE_CANDIDATES = 16;

/**
 * Exact distance from each row to its k-th nearest other row of the same set,
 * for each k in `ks`: one pass over the distances for all of them.
 */
export async function kNearestRadii(m: FeatureMatrix, ...ks: number[]): Promise<Float64Array[]> {
  const kMax = Math.max(...ks);
  if (m.rows <= kMax) throw new DataError(`The k-NN metrics with k = ${kMax} need more than ${kMax} images in each set; one has ${m.rows}.`);
  const center = commonCenter(m, m);
  const norms = squaredNorms(m, center);
  const radii = ks.map(() => new Float64Array(m.rows));
  const keep = Math.min(kMax + SPARE_CANDIDATES, m.rows - 1);
  const values = new Float64Array(keep);
  const indices = new Int32Array(keep);
  const slackOfOthers = RELATIVE_SLACK * largest(norms) + 1e-12;
  await forEachDistanceRow(
    m,
    m,
    (row, approx) => {
      // The `keep` smallest approximate distances to other rows, sorted. Every row not kept has an
      // approx ≥ the largest kept one, so once exact it is at least `floorOfOthers`: that value less the rounding bound.
      const size = keepSmallest(approx, values, indices, row);
      const floorOfOthers = size === keep ? values[keep - 1] - RELATIVE_SLACK * norms[row] - slackOfOthers : Infinity;
      const exact = Array.from(indices.subarray(0, size), (j) => exactSquaredDistance(m, row, m, j)).sort((x, y) => x - y);
      ks.forEach((k, which) => {
        const kept = exact[k - 1];
        // Rows left out could be nearer than the k-th only within rounding: then rank exactly every row
        // whose approx, less its rounding bound, does not rule it out. (At 0, as among duplicates, none is nearer.)
        if (kept > 0 && floorOfOthers <= kept) {
          const candidates: number[] = [];
          const rowSlack = RELATIVE_SLACK * norms[row] + 1e-12;
          for (let j = 0; j < m.rows; j++) {
            if (j !== row && approx[j] - rowSlack - RELATIVE_SLACK * norms[j] <= kept) candidates.push(exactSquaredDistance(m, row, m, j));
          }
          candidates.sort((x, y) => x - y);
          radii[which][row] = Math.sqrt(candidates[k - 1]);
        } else {
          radii[which][row] = Math.sqrt(kept);
        }
      });
    },
    center,
  );
  return radii;
}
