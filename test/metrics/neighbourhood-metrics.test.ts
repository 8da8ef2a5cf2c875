import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEngine } from '../../src/engine/engine.js';
import { Rng } from '../../src/engine/rng.js';
import { featureMatrix, fromRows } from '../../src/metrics/feature-matrix.js';
import { kNearestRadii } from '../../src/metrics/nearest-neighbours.js';
import { neighbourhoodMetrics, neighbourRadii } from '../../src/metrics/prdc.js';

await startEngine({ quiet: true });

const real = fromRows([
  [0, 0],
  [1, 0],
  [0, 1],
  [1, 1],
  [2, 2],
  [3, 3],
  [5, 5],
  [0, 2],
  [2, 0],
  [4, 1],
]);
const fake = fromRows([
  [0.5, 0.5],
  [1.5, 1.5],
  [2.5, 2.5],
  [6, 6],
  [10, 10],
  [0, 3],
  [3, 0],
  [1, 2],
  [2, 1],
  [4, 4],
]);

test('precision and recall on the grid test vector (ties at the radius count as inside)', async () => {
  const { precision, recall } = await neighbourhoodMetrics(real, fake, await neighbourRadii(real, fake, 3, 5));
  assert.deepEqual({ precision, recall }, { precision: 0.9, recall: 1.0 });
});

test('density and coverage on the same vectors, k = 5 and k = 1', async () => {
  const five = await neighbourhoodMetrics(real, fake, await neighbourRadii(real, fake, 3, 5));
  assert.ok(Math.abs(five.density - 0.96) < 1e-12 && five.coverage === 1, JSON.stringify(five));
  const one = await neighbourhoodMetrics(real, fake, await neighbourRadii(real, fake, 3, 1));
  assert.ok(Math.abs(one.density - 1.5) < 1e-12 && Math.abs(one.coverage - 0.8) < 1e-12, JSON.stringify(one));
});

test('k-NN radii equal a brute-force float64 computation on random features', async () => {
  const rng = new Rng(4);
  const m = featureMatrix(rng.normals(1500 * 16), 16);
  const [radii, radii5] = await kNearestRadii(m, 3, 5);
  for (const i of [0, 7, 500, 1499]) {
    const distances: number[] = [];
    for (let j = 0; j < m.rows; j++) {
      if (j === i) continue;
      let s = 0;
      for (let d = 0; d < 16; d++) s += (m.values[i * 16 + d] - m.values[j * 16 + d]) ** 2;
      distances.push(Math.sqrt(s));
    }
    distances.sort((a, b) => a - b);
    assert.equal(radii[i], distances[2]);
    assert.equal(radii5[i], distances[4]);
  }
});

test('identical sets have precision = recall = 1 and coverage 1', async () => {
  const m = featureMatrix(new Rng(5).normals(300 * 8), 8);
  const { precision, recall, coverage } = await neighbourhoodMetrics(m, m, await neighbourRadii(m, m));
  assert.deepEqual({ precision, recall, coverage }, { precision: 1, recall: 1, coverage: 1 });
});

test('k-NN radii among duplicates are 0, and near-ties are ranked exactly', async () => {
  const rng = new Rng(6);
  const rows: number[][] = [];
  for (let i = 0; i < 40; i++) rows.push([1, 2, 3, 4]);
  // Points a hair apart: their float32 distances tie, their exact ones do not.
  for (let i = 0; i < 40; i++) rows.push([5 + i * 1e-4, 5, 5, 5]);
  for (let i = 0; i < 200; i++) rows.push(Array.from(rng.normals(4, 3)));
  const m = fromRows(rows);
  const [radii] = await kNearestRadii(m, 3);
  rows.forEach((row, i) => {
    const distances = rows.filter((_, j) => j !== i).map((other) => Math.sqrt(other.reduce((sum, v, d) => sum + (v - row[d]) ** 2, 0)));
    distances.sort((a, b) => a - b);
    assert.equal(radii[i], distances[2], `row ${i}`);
  });
  assert.equal(radii[0], 0);
});
