// P-precision and P-recall (Park & Kim 2023) against a hand computation and a brute-force float64 one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEngine } from '../../src/engine/engine.js';
import { Rng } from '../../src/engine/rng.js';
import { featureMatrix, fromRows, type FeatureMatrix } from '../../src/metrics/feature-matrix.js';
import { BALL_SCALE, probabilisticPrecisionRecall } from '../../src/metrics/probabilistic-precision-recall.js';
import { neighbourRadii } from '../../src/metrics/prdc.js';

await startEngine({ quiet: true });

test('a hand computation, k = 1', async () => {
  // Every real point's nearest other is 2 away: R_real = 1.2 × 2 = 2.4. The fakes' nearest others are √164, 1 and 1 away.
  const real = fromRows([
    [0, 0],
    [2, 0],
    [0, 2],
  ]);
  const fake = fromRows([
    [1, 0],
    [10, 10],
    [9, 10],
  ]);
  const realRadius = 2.4;
  const fakeRadius = (1.2 * (Math.sqrt(164) + 2)) / 3;
  // (1, 0) lies 1, 1 and √5 from the reals, all inside R_real; the other fakes lie outside every real ball.
  const precision = (1 - (1 / realRadius) * (1 / realRadius) * (Math.sqrt(5) / realRadius)) / 3;
  // Each real point's only fake within R_fake is (1, 0): 1, 1 and √5 away.
  const recall = (2 * (1 - 1 / fakeRadius) + (1 - Math.sqrt(5) / fakeRadius)) / 3;
  const ours = await probabilisticPrecisionRecall(real, fake, await neighbourRadii(real, fake, 1, 1));
  assert.ok(Math.abs(ours.precision - precision) < 1e-12, `${ours.precision} vs ${precision}`);
  assert.ok(Math.abs(ours.recall - recall) < 1e-12, `${ours.recall} vs ${recall}`);
});

/** The definition, pair by pair in float64. */
function bruteForce(real: FeatureMatrix, fake: FeatureMatrix, k: number) {
  const distance = (a: FeatureMatrix, i: number, b: FeatureMatrix, j: number) => {
    let sum = 0;
    for (let d = 0; d < a.dims; d++) sum += (a.values[i * a.dims + d] - b.values[j * b.dims + d]) ** 2;
    return Math.sqrt(sum);
  };
  const radius = (m: FeatureMatrix) => {
    let total = 0;
    for (let i = 0; i < m.rows; i++) {
      const others = Array.from({ length: m.rows }, (_, j) => distance(m, i, m, j)).filter((_, j) => j !== i);
      total += others.sort((a, b) => a - b)[k - 1];
    }
    return (BALL_SCALE * total) / m.rows;
  };
  const [realRadius, fakeRadius] = [radius(real), radius(fake)];
  const inside = (a: FeatureMatrix, b: FeatureMatrix, r: number) => {
    let total = 0;
    for (let i = 0; i < a.rows; i++) {
      let outside = 1;
      for (let j = 0; j < b.rows; j++) outside *= 1 - Math.max(0, 1 - distance(a, i, b, j) / r);
      total += 1 - outside;
    }
    return total / a.rows;
  };
  return { precision: inside(fake, real, realRadius), recall: inside(real, fake, fakeRadius) };
}

test('equals a brute-force float64 computation on random features, duplicates and a far cluster included', async () => {
  const rng = new Rng(7);
  const dims = 12;
  const real = rng.normals(400 * dims);
  const fake = Float32Array.from(rng.normals(300 * dims), (v, i) => (i < 100 * dims ? v + 3 : 1.3 * v));
  fake.set(real.subarray(0, 20 * dims), 200 * dims); // 20 fakes that copy a real image exactly
  const [r, f] = [featureMatrix(real, dims), featureMatrix(fake, dims)];
  const ours = await probabilisticPrecisionRecall(r, f, await neighbourRadii(r, f, 4, 4));
  const expected = bruteForce(r, f, 4);
  assert.ok(Math.abs(ours.precision - expected.precision) < 1e-9, `precision ${ours.precision} vs ${expected.precision}`);
  assert.ok(Math.abs(ours.recall - expected.recall) < 1e-9, `recall ${ours.recall} vs ${expected.recall}`);
  assert.ok(ours.precision > 0.1 && ours.precision < 0.9, `a test that can tell: precision ${ours.precision}`);
});
