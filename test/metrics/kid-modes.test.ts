import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEngine } from '../../src/engine/engine.js';
import { Rng } from '../../src/engine/rng.js';
import { featureMatrix, fromRows } from '../../src/metrics/feature-matrix.js';
import { kid } from '../../src/metrics/kid.js';
import { modeStatistics } from '../../src/metrics/mode-statistics.js';

await startEngine({ quiet: true });

test('KID: unbiased MMD² by hand on two 2-point sets, one subset', async () => {
  // d = 1: k(x, y) = (xy + 1)³. X = {0, 1}, Y = {1, 2}.
  // k_xx(0,1) = 1; k_yy(1,2) = 27; k_xy: (0,1)=1, (0,2)=1, (1,1)=8, (1,2)=27 → 37.
  // MMD² = 2·1/2 + 2·27/2 − 2·37/4 = 1 + 27 − 18.5 = 9.5.
  const result = await kid(fromRows([[0], [1]]), fromRows([[1], [2]]), new Rng(0), 1, 2);
  assert.ok(Math.abs(result.mean - 9.5) < 1e-5);
  assert.equal(result.std, 0);
});

test('KID is near 0 for two samples of one distribution and large for different ones; seeded', async () => {
  const rng = new Rng(1);
  const a = featureMatrix(rng.normals(600 * 8), 8);
  const b = featureMatrix(rng.normals(600 * 8), 8);
  const shifted = featureMatrix(
    rng.normals(600 * 8).map((v) => v + 1),
    8,
  );
  const same = await kid(a, b, new Rng(2), 10, 300);
  const different = await kid(a, shifted, new Rng(2), 10, 300);
  assert.ok(Math.abs(same.mean) < 5 * same.std + 0.01, JSON.stringify(same));
  assert.ok(different.mean > 10 * Math.abs(same.mean) + 0.1, JSON.stringify(different));
  assert.deepEqual(await kid(a, b, new Rng(2), 10, 300), same);
});

test('mode statistics: histogram, covered classes, KL from uniform, confidence', () => {
  // Three samples of class 0 (one confident), one of class 2; 3 classes.
  const logits = Float32Array.from([10, 0, 0, 0, -1, -1, 0, -1, -1, 0, 0, 5]);
  const stats = modeStatistics(logits, 3);
  assert.deepEqual(stats.histogram, [0.75, 0, 0.25]);
  assert.equal(stats.classesCovered, 2);
  const kl = 0.75 * Math.log(0.75 * 3) + 0.25 * Math.log(0.25 * 3);
  assert.ok(Math.abs(stats.klFromUniform - kl) < 1e-12);
  const softmaxMax = (row: number[]) => 1 / row.reduce((s, v) => s + Math.exp(v - Math.max(...row)), 0);
  const expected = (softmaxMax([10, 0, 0]) + 2 * softmaxMax([0, -1, -1]) + softmaxMax([0, 0, 5])) / 4;
  assert.ok(Math.abs(stats.meanConfidence - expected) < 1e-6);
  const uniform = modeStatistics(Float32Array.from([1, 0, 0, 1]), 2);
  assert.equal(uniform.klFromUniform, 0);
});
