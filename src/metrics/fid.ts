// Fréchet Inception Distance between two feature sets, as pytorch-fid
// computes it: ‖μ1−μ2‖² + Tr(Σ1 + Σ2 − 2(Σ1Σ2)^{1/2}), covariances with N−1,
// in float64. Tr (Σ1Σ2)^{1/2} = Tr √(Σ1^{1/2} Σ2 Σ1^{1/2}), a symmetric
// matrix, so two symmetric eigendecompositions (ml-matrix) give it.
import { DataError } from '../errors.js';
import { EigenvalueDecomposition, Matrix } from 'ml-matrix';
import type { FeatureMatrix } from './feature-matrix.js';

export interface GaussianFit {
  mean: Float64Array;
  covariance: Matrix;
}

/** Mean and covariance (N−1) of the rows. */
export function fitGaussian(features: FeatureMatrix): GaussianFit {
  const { values, rows, dims } = features;
  if (rows < 2) throw new DataError('FID needs at least two images in each set.');
  const mean = new Float64Array(dims);
  for (let r = 0; r < rows; r++) for (let d = 0; d < dims; d++) mean[d] += values[r * dims + d];
  for (let d = 0; d < dims; d++) mean[d] /= rows;
  const sums = new Float64Array(dims * dims);
  // Four rows at a time: each pass over the upper triangle of `sums` adds four outer products, a quarter of
  // the loads and stores of one row at a time (the cost of a 128-d covariance of 10,000 rows halves).
  const centred = new Float64Array(4 * dims);
  for (let first = 0; first < rows; first += 4) {
    centred.fill(0);
    for (let k = 0; k < 4 && first + k < rows; k++) {
      for (let d = 0; d < dims; d++) centred[k * dims + d] = values[(first + k) * dims + d] - mean[d];
    }
    for (let i = 0; i < dims; i++) {
      const [a0, a1, a2, a3] = [centred[i], centred[dims + i], centred[2 * dims + i], centred[3 * dims + i]];
      const row = i * dims;
      for (let j = i; j < dims; j++) {
        sums[row + j] += a0 * centred[j] + a1 * centred[dims + j] + a2 * centred[2 * dims + j] + a3 * centred[3 * dims + j];
      }
    }
  }
  const covariance = new Matrix(dims, dims);
  for (let i = 0; i < dims; i++) {
    for (let j = i; j < dims; j++) {
      const value = sums[i * dims + j] / (rows - 1);
      covariance.set(i, j, value);
      covariance.set(j, i, value);
    }
  }
  return { mean, covariance };
}

function isDiagonal(m: Matrix): boolean {
  for (let i = 0; i < m.rows; i++) for (let j = 0; j < m.columns; j++) if (i !== j && m.get(i, j) !== 0) return false;
  return true;
}

/** Eigenvalues of a symmetric matrix (the diagonal itself when it is diagonal: no decomposition needed). */
function symmetricEigenvalues(m: Matrix): number[] {
  if (isDiagonal(m)) return Array.from({ length: m.rows }, (_, i) => m.get(i, i));
  return new EigenvalueDecomposition(m, { assumeSymmetric: true }).realEigenvalues;
}

/** The symmetric square root of a positive semi-definite matrix; rounding's tiny negative eigenvalues count as 0. */
function symmetricSqrt(m: Matrix): Matrix {
  if (isDiagonal(m)) return Matrix.diag(Array.from({ length: m.rows }, (_, i) => Math.sqrt(Math.max(0, m.get(i, i)))));
  const { eigenvectorMatrix: v, realEigenvalues: values } = new EigenvalueDecomposition(m, { assumeSymmetric: true });
  return v.mmul(Matrix.diag(values.map((x) => Math.sqrt(Math.max(0, x))))).mmul(v.transpose());
}

/** Tr √(Σ1^{1/2} Σ2 Σ1^{1/2}); NaN when the product has clearly negative eigenvalues (not PSD). */
function traceSqrtProduct(s1: Matrix, s2: Matrix): number {
  const root = symmetricSqrt(s1);
  const product = root.mmul(s2).mmul(root);
  // Symmetrise: the products above lose symmetry in the last bits.
  const symmetric = product.add(product.transpose()).mul(0.5);
  const eigenvalues = symmetricEigenvalues(symmetric);
  const largest = Math.max(...eigenvalues.map(Math.abs), 0);
  let trace = 0;
  for (const value of eigenvalues) {
    if (value < -1e-10 * Math.max(1, largest) || !Number.isFinite(value)) return NaN;
    trace += Math.sqrt(Math.max(0, value));
  }
  return trace;
}

export function frechetDistance(a: GaussianFit, b: GaussianFit): number {
  let meanTerm = 0;
  for (let d = 0; d < a.mean.length; d++) meanTerm += (a.mean[d] - b.mean[d]) ** 2;
  let traceSqrt = traceSqrtProduct(a.covariance, b.covariance);
  if (!Number.isFinite(traceSqrt)) {
    // As pytorch-fid: add ε·I to both covariances when the square root is not finite.
    const offset = Matrix.eye(a.mean.length).mul(1e-6);
    traceSqrt = traceSqrtProduct(a.covariance.clone().add(offset), b.covariance.clone().add(offset));
  }
  return meanTerm + a.covariance.trace() + b.covariance.trace() - 2 * traceSqrt;
}

/** FID between two feature sets. */
export function fid(a: FeatureMatrix, b: FeatureMatrix): number {
  return frechetDistance(fitGaussian(a), fitGaussian(b));
}
