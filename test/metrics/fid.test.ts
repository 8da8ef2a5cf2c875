import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Matrix } from 'ml-matrix';
import { fromRows } from '../../src/metrics/feature-matrix.js';
import { fid, fitGaussian, frechetDistance } from '../../src/metrics/fid.js';

const gaussian = (mean: number[], covariance: number[][]) => ({ mean: Float64Array.from(mean), covariance: new Matrix(covariance) });

test('FID test vectors from closed forms', () => {
  // ‖(1,1)‖² + (2 + 13) − 2(1·2 + 1·3) = 2 + 15 − 10 = 7.
  assert.ok(
    Math.abs(
      frechetDistance(
        gaussian(
          [0, 0],
          [
            [1, 0],
            [0, 1],
          ],
        ),
        gaussian(
          [1, 1],
          [
            [4, 0],
            [0, 9],
          ],
        ),
      ) - 7,
    ) < 1e-12,
  );
  const value = frechetDistance(
    gaussian(
      [1, 2],
      [
        [2, 1],
        [1, 2],
      ],
    ),
    gaussian(
      [0, 0],
      [
        [1, 0],
        [0, 1],
      ],
    ),
  );
  assert.ok(Math.abs(value - 5.5358983848622465) < 1e-12, `${value}`);
  const d = 2048;
  const identity = Matrix.eye(d);
  const big = frechetDistance({ mean: new Float64Array(d), covariance: identity }, { mean: new Float64Array(d).fill(1), covariance: identity });
  assert.ok(Math.abs(big - 2048) < 1e-9);
});

test('FID from features: covariances with N − 1', () => {
  const x = fromRows([
    [0, 1],
    [1, 0],
    [2, 2],
    [3, 1],
  ]);
  const y = fromRows([
    [1, 1],
    [2, 0],
    [0, 3],
    [1, 2],
  ]);
  const value = fid(x, y);
  assert.ok(Math.abs(value - 2.185242696666947) < 1e-12, `${value}`);
  assert.deepEqual(fitGaussian(x).covariance.to2DArray(), [
    [5 / 3, 1 / 3],
    [1 / 3, 2 / 3],
  ]);
  assert.ok(Math.abs(fid(x, x)) < 1e-12);
});

test('a singular covariance still gives a finite FID (rank-deficient features)', () => {
  const x = fromRows([
    [0, 0, 0],
    [1, 1, 0],
    [2, 2, 0],
    [3, 1, 0],
  ]);
  const y = fromRows([
    [1, 0, 0],
    [0, 1, 0],
    [2, 3, 0],
    [1, 1, 0],
  ]);
  assert.ok(Number.isFinite(fid(x, y)));
  assert.ok(Math.abs(fid(x, x)) < 1e-9);
});
