// f-GAN's divergences (Nowozin et al. 2016, table 2): the stable forms against
// the table's formulas in float64, each conjugate against its definition
// f*(t) = sup_u (u·t − f(u)), and the f-GAN losses built from them.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { startEngine } from '../../src/engine/engine.js';
import { Rng } from '../../src/engine/rng.js';
import { F_DIVERGENCES, findFDivergence } from '../../src/objectives/f-divergences.js';
import { createObjective } from '../../src/objectives/registry.js';

await startEngine({ quiet: true });

interface TableRow {
  /** The generator f(u), u > 0. */
  f(u: number): number;
  /** The output activation g_f(v). */
  g(v: number): number;
  /** The conjugate f*(t), as the table states it. */
  conjugate(t: number): number;
  /** Three points of the conjugate's domain. */
  points: [number, number, number];
}

const xlogx = (u: number) => u * Math.log(u);
const TABLE: Record<string, TableRow> = {
  tv: { f: (u) => 0.5 * Math.abs(u - 1), g: (v) => 0.5 * Math.tanh(v), conjugate: (t) => t, points: [-0.4, 0, 0.3] },
  kl: { f: xlogx, g: (v) => v, conjugate: (t) => Math.exp(t - 1), points: [-1, 0, 1] },
  'reverse-kl': { f: (u) => -Math.log(u), g: (v) => -Math.exp(-v), conjugate: (t) => -1 - Math.log(-t), points: [-2, -1, -0.5] },
  pearson: { f: (u) => (u - 1) ** 2, g: (v) => v, conjugate: (t) => (t * t) / 4 + t, points: [-1, 0, 2] },
  neyman: { f: (u) => (1 - u) ** 2 / u, g: (v) => 1 - Math.exp(-v), conjugate: (t) => 2 - 2 * Math.sqrt(1 - t), points: [-3, 0, 0.5] },
  hellinger: { f: (u) => (Math.sqrt(u) - 1) ** 2, g: (v) => 1 - Math.exp(-v), conjugate: (t) => t / (1 - t), points: [-1, 0, 0.5] },
  js: {
    f: (u) => xlogx(u) - (u + 1) * Math.log((u + 1) / 2),
    g: (v) => Math.log(2) - Math.log(1 + Math.exp(-v)),
    conjugate: (t) => -Math.log(2 - Math.exp(t)),
    points: [-1, 0, 0.5],
  },
  gan: {
    f: (u) => xlogx(u) - (u + 1) * Math.log(u + 1),
    g: (v) => -Math.log(1 + Math.exp(-v)),
    conjugate: (t) => -Math.log(1 - Math.exp(t)),
    points: [-2, -1, -0.3],
  },
};

/** sup over u > 0 of u·t − f(u), by golden-section search on log u (the objective is unimodal there). */
function supremum(t: number, f: (u: number) => number): number {
  const h = (s: number) => Math.exp(s) * t - f(Math.exp(s));
  let lo = -30;
  let hi = 30;
  const ratio = (Math.sqrt(5) - 1) / 2;
  for (let i = 0; i < 200; i++) {
    const a = hi - ratio * (hi - lo);
    const b = lo + ratio * (hi - lo);
    if (h(a) < h(b)) lo = a;
    else hi = b;
  }
  return h((lo + hi) / 2);
}

const evaluate = (fn: (v: tf.Tensor) => tf.Tensor, vs: number[]) => Array.from(fn(tf.tensor1d(vs)).dataSync());
const near = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);

test('the table covers the eight divergences f-GAN offers', () => {
  assert.deepEqual(F_DIVERGENCES.map((d) => d.name).sort(), Object.keys(TABLE).sort());
});

test('each conjugate equals sup_u (u·t − f(u)) at three points of its domain', () => {
  for (const [name, row] of Object.entries(TABLE)) {
    for (const t of row.points) near(supremum(t, row.f), row.conjugate(t), 1e-7, `${name} at t = ${t}`);
  }
});

test('the stable activations and f*(g_f(v)) match the table composed in float64, for moderate v', () => {
  const vs = [-5, -1.5, -0.2, 0, 0.7, 2, 5];
  for (const divergence of F_DIVERGENCES) {
    const row = TABLE[divergence.name];
    const activation = evaluate(divergence.activation, vs);
    const conjugate = evaluate(divergence.conjugateOfActivation, vs);
    vs.forEach((v, i) => {
      near(activation[i], row.g(v), 1e-5, `${divergence.name} g_f(${v})`);
      near(conjugate[i], row.conjugate(row.g(v)), 1e-5, `${divergence.name} f*(g_f(${v}))`);
    });
  }
});

test('at large |v| the stable forms stay finite and match their float64 values', () => {
  // Float64 references in forms that stay accurate this far out.
  const softplus = (v: number) => Math.max(v, 0) + Math.log1p(Math.exp(-Math.abs(v)));
  const reference: Record<string, (v: number) => [number, number]> = {
    tv: (v) => [0.5 * Math.tanh(v), 0.5 * Math.tanh(v)],
    kl: (v) => [v, Math.exp(v - 1)],
    'reverse-kl': (v) => [-Math.exp(-v), v - 1],
    pearson: (v) => [v, (v * v) / 4 + v],
    neyman: (v) => [-Math.expm1(-v), 2 - 2 * Math.exp(-v / 2)],
    hellinger: (v) => [-Math.expm1(-v), Math.expm1(v)],
    js: (v) => [Math.log(2) - softplus(-v), softplus(v) - Math.log(2)],
    gan: (v) => [-softplus(-v), softplus(v)],
  };
  const vs = [-80, -30, 30, 80];
  for (const divergence of F_DIVERGENCES) {
    const activation = evaluate(divergence.activation, vs);
    const conjugate = evaluate(divergence.conjugateOfActivation, vs);
    vs.forEach((v, i) => {
      const [g, fStar] = reference[divergence.name](v);
      assert.ok(Number.isFinite(activation[i]) && Number.isFinite(conjugate[i]), `${divergence.name} at ${v}`);
      near(activation[i], g, 1e-5, `${divergence.name} g_f(${v})`);
      near(conjugate[i], fStar, 1e-5, `${divergence.name} f*(g_f(${v}))`);
    });
  }
});

test('f-GAN losses: D maximises E_P[T] − E_Q[f*(T)]; G minimises −E_Q[f*(T)], or with alt maximises E_Q[T]', () => {
  const row = TABLE.kl;
  const realV = [0.5, -1];
  const fakeV = [0.2, 1.5];
  const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;
  const estimate = mean(realV.map(row.g)) - mean(fakeV.map((v) => row.conjugate(row.g(v))));
  const identity = (x: tf.Tensor2D) => x;
  const column = (xs: number[]) => tf.tensor2d(xs, [xs.length, 1]);
  const standard = createObjective('fgan:kl')!;
  const { loss, logs } = standard.discriminatorLoss({ critic: identity, real: column(realV), fake: column(fakeV), rng: new Rng(1) });
  near(loss.dataSync()[0], -estimate, 1e-5, 'D loss');
  near(logs.divergence.dataSync()[0], estimate, 1e-5, 'divergence estimate');
  near(standard.generatorLoss(identity, column(fakeV)).loss.dataSync()[0], -mean(fakeV.map((v) => row.conjugate(row.g(v)))), 1e-5, 'G loss');
  const alt = createObjective('fgan:kl', { fganGeneratorLoss: 'alt' })!;
  near(alt.generatorLoss(identity, column(fakeV)).loss.dataSync()[0], -mean(fakeV.map(row.g)), 1e-5, 'alt G loss');
  assert.equal(findFDivergence('nonsense'), undefined);
});
