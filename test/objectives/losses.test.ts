// Each objective's losses on inputs small enough to work out by hand. The
// critic is a stand-in: the identity on one-column "images" (so D's outputs
// are the inputs), or a linear map whose input gradient is known.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { startEngine } from '../../src/engine/engine.js';
import { Rng } from '../../src/engine/rng.js';
import { createObjective } from '../../src/objectives/registry.js';
import type { Critic, Loss, Objective } from '../../src/objectives/objective.js';

await startEngine({ quiet: true });

const value = (scalar: tf.Scalar) => scalar.dataSync()[0];
const close = (actual: number, expected: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= 1e-5 * Math.max(1, Math.abs(expected)), `${what}: ${actual} vs ${expected}`);
const column = (values: number[]) => tf.tensor2d(values, [values.length, 1]);
const identity: Critic = (x) => x;
const objective = (name: string): Objective => createObjective(name)!;

function dLoss(name: string, real: number[], fake: number[], critic: Critic = identity, width = 1): Loss {
  const shape = (values: number[]) => tf.tensor2d(values, [values.length / width, width]);
  return objective(name).discriminatorLoss({ critic, real: shape(real), fake: shape(fake), rng: new Rng(1) });
}
const gLoss = (name: string, fake: number[]) => value(objective(name).generatorLoss(identity, column(fake)).loss);

test('non-saturating and minimax at logits 0 and ±ln 3', () => {
  // σ(0) = 1/2; σ(ln 3) = 3/4; σ(−ln 3) = 1/4.
  const l = Math.log(3);
  // D: −mean log σ(real) − mean log(1 − σ(fake)) = −½(ln ½ + ln ¾) − ½(ln ½ + ln ¾).
  for (const name of ['nonsaturating', 'minimax']) {
    const { loss, logs } = dLoss(name, [0, l], [0, -l]);
    close(value(loss), -(Math.log(0.5) + Math.log(0.75)), `${name} D`);
    close(value(logs.dReal), 0.625, `${name} D(x)`);
    close(value(logs.dFake), 0.375, `${name} D(G(z))`);
  }
  close(gLoss('nonsaturating', [0, -l]), -(Math.log(0.5) + Math.log(0.25)) / 2, 'non-saturating G: −mean log σ(fake)');
  close(gLoss('minimax', [0, -l]), (Math.log(0.5) + Math.log(0.75)) / 2, 'minimax G: mean log(1 − σ(fake))');
});

test('WGAN: critic loss, generator loss, Wasserstein estimate and weight clipping', () => {
  const { loss, logs } = dLoss('wgan', [1, 3], [-1, 0]);
  close(value(loss), -0.5 - 2, 'mean D(fake) − mean D(real)');
  close(value(logs.wasserstein), 2.5, 'Wasserstein estimate');
  close(gLoss('wgan', [-1, 0]), 0.5, '−mean D(fake)');
  const weights = tf.variable(tf.tensor1d([0.5, -0.02, 0.005, -0.01]));
  objective('wgan').afterDiscriminatorStep!([weights], {});
  assert.deepEqual(Array.from(weights.dataSync()), [0.01, -0.01, 0.005, -0.01].map(Math.fround));
});

test('WGAN-GP and DRAGAN add λ(‖∇D‖ − 1)²: 10·(5 − 1)² = 160 for a linear critic with weights (3, 4)', () => {
  const w = tf.tensor2d([3, 4], [2, 1]);
  const linear: Critic = (x) => tf.matMul(x, w);
  const real = [1, 0, 0, 1];
  const fake = [0, 0, -1, 1];
  // D(real) = (3, 4), D(fake) = (0, 1).
  const gp = dLoss('wgan-gp', real, fake, linear, 2);
  close(value(gp.logs.penalty), 16, 'WGAN-GP penalty');
  close(value(gp.loss), 0.5 - 3.5 + 160, 'WGAN-GP critic loss');
  const dragan = dLoss('dragan', real, fake, linear, 2);
  const softplus = (v: number) => Math.log1p(Math.exp(v));
  const bce = (softplus(-3) + softplus(-4)) / 2 + (softplus(0) + softplus(1)) / 2;
  close(value(dragan.logs.penalty), 16, 'DRAGAN penalty');
  close(value(dragan.loss), bce + 160, 'DRAGAN D loss');
});

test('LSGAN (a = 0, b = 1, c = 1) and hinge', () => {
  // ½·mean((1 − 1)², (3 − 1)²) + ½·mean((−1)², 0²) = 1 + 0.25.
  close(value(dLoss('lsgan', [1, 3], [-1, 0]).loss), 1.25, 'LSGAN D');
  // ½·mean((−1 − 1)², (0 − 1)²).
  close(gLoss('lsgan', [-1, 0]), 1.25, 'LSGAN G');
  // mean(relu(1 − 0.5), relu(1 − 3)) + mean(relu(1 − 2), relu(1 + 0.5)) = 0.25 + 0.75.
  close(value(dLoss('hinge', [0.5, 3], [-2, 0.5]).loss), 1, 'hinge D');
  close(gLoss('hinge', [-2, 0.5]), 0.75, 'hinge G');
});

test('BEGAN: reconstruction errors, k_t, the convergence measure, and k_t saved and restored', () => {
  const began = objective('began');
  const halve: Critic = (x) => tf.mul(x, 0.5);
  const batch = { critic: halve, real: tf.tensor2d([[2, -2]]), fake: tf.tensor2d([[0.5, 0.5]]), rng: new Rng(1) };
  // L(x) = mean |x − x/2| = 1, L(G(z)) = 0.25; k_0 = 0.
  const first = began.discriminatorLoss(batch);
  close(value(first.loss), 1, 'L(x) − 0·L(G(z))');
  close(value(first.logs.convergence), 1 + Math.abs(0.5 * 1 - 0.25), 'M = L(x) + |γL(x) − L(G(z))|');
  began.afterDiscriminatorStep!([], { dReal: 1, dFake: 0.25 });
  const k = 0.001 * (0.5 * 1 - 0.25);
  close(value(began.discriminatorLoss(batch).loss), 1 - k * 0.25, 'L(x) − k_1·L(G(z))');
  close(value(began.generatorLoss(halve, batch.fake).loss), 0.25, 'G: L(G(z))');
  const restored = objective('began');
  restored.restoreState!(began.saveState!());
  close(value(restored.discriminatorLoss(batch).loss), 1 - k * 0.25, 'after restoring k');
});

test('every loss stays finite at extreme outputs', () => {
  const extreme = [-1e4, 1e4];
  // The f-divergences whose T or f*(T) grows exponentially overflow float32 past |v| ≈ 88; f-divergences.test covers them to ±80.
  for (const name of ['nonsaturating', 'minimax', 'wgan', 'lsgan', 'hinge', 'fgan:gan', 'fgan:js', 'fgan:tv']) {
    assert.ok(Number.isFinite(value(dLoss(name, extreme, extreme).loss)), `${name} D`);
    assert.ok(Number.isFinite(gLoss(name, extreme)), `${name} G`);
  }
});
