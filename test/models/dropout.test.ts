import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { nativeAddon, startEngine } from '../../src/engine/engine.js';
import { useMatMulKernels } from '../../src/engine/matmul-kernels.js';
import { deriveRng, Rng } from '../../src/engine/rng.js';
import { applyDropout, dropoutOf } from '../../src/models/dropout.js';
import { buildDiscriminator } from '../../src/models/gan-models.js';
import { mlpForward } from '../../src/models/mlp-forward.js';

await startEngine({ quiet: true });

test('inverted dropout zeroes a fraction p of the units and scales the rest by 1/(1 − p)', () => {
  const p = 0.3;
  const out = applyDropout(tf.ones([200, 500]), { rate: p, rng: new Rng(5) }).dataSync() as Float32Array;
  const zeros = out.filter((v) => v === 0).length / out.length;
  // 100,000 Bernoulli(0.3) draws: standard error 0.0014.
  assert.ok(Math.abs(zeros - p) < 0.007, `zeroed ${zeros}`);
  assert.ok(out.every((v) => v === 0 || Math.abs(v - 1 / (1 - p)) < 1e-6));
  // The expectation is unchanged, so the eval-mode network needs no rescaling.
  const mean = out.reduce((a, b) => a + b, 0) / out.length;
  assert.ok(Math.abs(mean - 1) < 0.01, `mean ${mean}`);
});

test('a rate of 0 draws nothing, and the same stream gives the same masks', () => {
  assert.equal(dropoutOf(0, new Rng(1)), null);
  const rng = new Rng(7);
  const before = rng.state();
  dropoutOf(0, rng);
  assert.deepEqual(rng.state(), before);
  const a = applyDropout(tf.ones([4, 50]), { rate: 0.5, rng: new Rng(9) }).dataSync();
  const b = applyDropout(tf.ones([4, 50]), { rate: 0.5, rng: new Rng(9) }).dataSync();
  assert.deepEqual(Array.from(a), Array.from(b));
});

test('without dropout the MLP runs in eval mode: the same input gives the same output; with it, outputs vary', () => {
  const d = buildDiscriminator(deriveRng(1, 'weights'));
  const x = tf.tensor2d(new Rng(2).normals(3 * 784), [3, 784]);
  assert.deepEqual(Array.from(mlpForward(d, x).dataSync()), Array.from(mlpForward(d, x).dataSync()));
  const dropout = dropoutOf(0.3, new Rng(3));
  assert.notDeepEqual(Array.from(mlpForward(d, x, { dropout }).dataSync()), Array.from(mlpForward(d, x, { dropout }).dataSync()));
});

test(
  'the native mask is the JavaScript one: the same draws from the same state, the state advanced alike',
  { skip: nativeAddon() ? false : 'the native addon is not built' },
  () => {
    const masks = (kernels: 'native' | 'fallback') => {
      useMatMulKernels(kernels);
      const rng = new Rng(11);
      const values = Array.from(applyDropout(tf.ones([64, 1030]), { rate: 0.3, rng }).dataSync());
      return { values, state: rng.state() };
    };
    try {
      const fromJs = masks('fallback');
      const fromC = masks('native');
      assert.deepEqual(fromC.values, fromJs.values);
      assert.deepEqual(fromC.state, fromJs.state);
    } finally {
      useMatMulKernels('native');
    }
  },
);
