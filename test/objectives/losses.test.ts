import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { startEngine } from '../../src/engine/engine.js';
import { findObjective } from '../../src/objectives/registry.js';

await startEngine({ quiet: true });

const close = (actual: tf.Scalar, expected: number) =>
  assert.ok(Math.abs(actual.dataSync()[0] - expected) < 1e-5, `${actual.dataSync()[0]} vs ${expected}`);

test('non-saturating and minimax losses at logits 0 and ±ln 3, by hand', () => {
  // σ(0) = 1/2; σ(ln 3) = 3/4; σ(−ln 3) = 1/4.
  const l = Math.log(3);
  const real = tf.tensor1d([0, l]);
  const fake = tf.tensor1d([0, -l]);
  const ns = findObjective('nonsaturating')!;
  const mm = findObjective('minimax')!;
  // D: −mean log σ(real) − mean log(1 − σ(fake)) = −½(ln ½ + ln ¾) − ½(ln ½ + ln ¾).
  const dLoss = -(Math.log(0.5) + Math.log(0.75));
  close(ns.discriminatorLoss(real, fake), dLoss);
  close(mm.discriminatorLoss(real, fake), dLoss);
  // G non-saturating: −mean log σ(fake) = −½(ln ½ + ln ¼).
  close(ns.generatorLoss(fake), -(Math.log(0.5) + Math.log(0.25)) / 2);
  // G minimax: mean log(1 − σ(fake)) = ½(ln ½ + ln ¾).
  close(mm.generatorLoss(fake), (Math.log(0.5) + Math.log(0.75)) / 2);
});

test('the losses stay finite at extreme logits', () => {
  const big = tf.tensor1d([-1e4, 1e4]);
  for (const name of ['nonsaturating', 'minimax']) {
    const objective = findObjective(name)!;
    assert.ok(Number.isFinite(objective.discriminatorLoss(big, big).dataSync()[0]));
    assert.ok(Number.isFinite(objective.generatorLoss(big).dataSync()[0]));
  }
});
