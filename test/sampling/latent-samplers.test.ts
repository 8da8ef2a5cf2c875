import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/engine/rng.js';
import { dirichlet, flatDirichlet, gaussian, lsi, slerp, slerpInto, truncation } from '../../src/sampling/latent-samplers.js';

const D = 100;
const row = (z: Float32Array, i: number) => z.subarray(i * D, (i + 1) * D);
const norm = (v: ArrayLike<number>) => Math.sqrt(Array.from(v).reduce((s, x) => s + x * x, 0));

test('samplers are seeded and pure: the same seed gives the same latents', () => {
  for (const sampler of [gaussian(1), lsi(10), dirichlet(10, 10), slerp(10), truncation(1)]) {
    assert.deepEqual(sampler(new Rng(4), 30), sampler(new Rng(4), 30));
    assert.notDeepEqual(sampler(new Rng(4), 30), sampler(new Rng(5), 30));
  }
});

test('gaussian latents have standard deviation --z-std', () => {
  const z = gaussian(0.5)(new Rng(1), 2000);
  const std = Math.sqrt(z.reduce((s, v) => s + v * v, 0) / z.length);
  assert.ok(Math.abs(std - 0.5) < 0.01, `${std}`);
});

test('LSI points lie on their segment, at α = linspace(0, 1, steps)', () => {
  const steps = 5;
  const z = lsi(steps)(new Rng(2), 3 * steps);
  for (let group = 0; group < 3; group++) {
    const z1 = row(z, group * steps);
    const z2 = row(z, group * steps + steps - 1);
    for (let j = 0; j < steps; j++) {
      const alpha = j / (steps - 1);
      const point = row(z, group * steps + j);
      for (let d = 0; d < D; d++) assert.ok(Math.abs(point[d] - ((1 - alpha) * z1[d] + alpha * z2[d])) < 1e-5);
    }
  }
  // Different groups start from different pairs.
  assert.notDeepEqual(row(z, 0), row(z, steps));
});

test('Dirichlet(1, …, 1) weights are ≥ 0, sum to 1, and have mean 1/k', () => {
  const rng = new Rng(3);
  const k = 10;
  const mean = new Float64Array(k);
  for (let trial = 0; trial < 5000; trial++) {
    const w = flatDirichlet(rng, k);
    assert.ok(w.every((x) => x >= 0));
    assert.ok(Math.abs(w.reduce((s, x) => s + x, 0) - 1) < 1e-12);
    w.forEach((x, i) => (mean[i] += x / 5000));
  }
  // Var(w_i) = (k−1)/(k²(k+1)); five standard errors.
  const se = Math.sqrt((k - 1) / (k * k * (k + 1)) / 5000);
  mean.forEach((m) => assert.ok(Math.abs(m - 1 / k) < 5 * se, `${m}`));
});

test('the Dirichlet sampler gives convex combinations: each point inside the hull of its group', () => {
  // With k = 2 the hull is a segment, so each point is (1 − w)·a + w·b for one w in [0, 1].
  const z = dirichlet(2, 4)(new Rng(8), 4);
  const a = row(z, 0);
  const b = row(z, 1);
  const c = row(z, 2);
  // Points of one group are collinear with each other.
  const direction = a.map((v, d) => b[d] - v);
  const offset = c.map((v, d) => v - a[d]);
  const t = offset.reduce((s, v, d) => s + v * direction[d], 0) / direction.reduce((s, v) => s + v * v, 0);
  offset.forEach((v, d) => assert.ok(Math.abs(v - t * direction[d]) < 1e-4));
});

test('slerp keeps the norm when the endpoints have equal norms, and hits both ends', () => {
  const rng = new Rng(6);
  const a = rng.normals(D);
  const raw = rng.normals(D);
  const b = raw.map((v) => (v * norm(a)) / norm(raw));
  const out = new Float32Array(D);
  for (const t of [0, 0.1, 0.5, 0.77, 1]) {
    slerpInto(a, b, t, out, 0);
    assert.ok(Math.abs(norm(out) - norm(a)) < 1e-4 * norm(a), `t=${t}`);
  }
  slerpInto(a, b, 0, out, 0);
  out.forEach((v, d) => assert.ok(Math.abs(v - a[d]) < 1e-5));
  slerpInto(a, b, 1, out, 0);
  out.forEach((v, d) => assert.ok(Math.abs(v - b[d]) < 1e-5));
});

test('truncation keeps every component within ±t, redrawing the rest', () => {
  const z = truncation(0.5)(new Rng(7), 500);
  assert.ok(z.every((v) => Math.abs(v) <= 0.5));
  // A normal truncated to ±0.5 has variance 1 − φ(0.5)/(Φ(0.5) − ½) ≈ 0.0806 (clipping would give more).
  const variance = z.reduce((s, v) => s + v * v, 0) / z.length;
  assert.ok(Math.abs(variance - 0.0806) < 0.003, `${variance}`);
});
