// The fused dense layer against the same layer in stock TF.js kernels:
// forward, every gradient, first and second order, for every activation,
// with and without a dropout mask, on shapes large enough that both threads work.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { startEngine } from '../../src/engine/engine.js';
import { dense, stockDense, type DenseActivation, type GradientsNeeded } from '../../src/engine/dense-layer.js';
import { activeNativeGemm, useMatMulKernels } from '../../src/engine/matmul-kernels.js';
import { Rng } from '../../src/engine/rng.js';

const engine = await startEngine({ quiet: true });
const skip = engine.native ? false : 'the native addon is not built, so there is no fused layer to compare';
const rng = new Rng(11);

const random = (shape: [number, number] | [number]) => tf.tensor(rng.uniforms(tf.util.sizeFromShape(shape), -1, 1), shape);
/** Inverted dropout's mask at rate 0.3. */
const mask = (shape: [number, number]) =>
  tf.tensor2d(
    Array.from({ length: shape[0] * shape[1] }, () => (rng.nextUint32() >= 0.3 * 2 ** 32 ? 1 / 0.7 : 0)),
    shape,
  );

/** max |a − b| / max |b|: the error relative to the tensor's scale. */
function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  const a = actual.dataSync();
  const b = expected.dataSync();
  assert.deepEqual(actual.shape, expected.shape);
  let error = 0;
  let scale = 0;
  for (let i = 0; i < b.length; i++) {
    error = Math.max(error, Math.abs(a[i] - b[i]));
    scale = Math.max(scale, Math.abs(b[i]));
  }
  return error / scale;
}

type Layer = (x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, m: tf.Tensor2D | null) => tf.Tensor2D;

/** The layer's output and its gradients with respect to x, W and b under a fixed weighting of the output. */
function outputAndGradients(layer: Layer, x: tf.Tensor2D, w: tf.Tensor2D, b: tf.Tensor1D, m: tf.Tensor2D | null, weighting: tf.Tensor2D) {
  const output = layer(x, w, b, m);
  const gradients = tf.grads((xi: tf.Tensor, wi: tf.Tensor, bi: tf.Tensor) =>
    tf.sum(tf.mul(layer(xi as tf.Tensor2D, wi as tf.Tensor2D, bi as tf.Tensor1D, m), weighting)),
  )([x, w, b]);
  return [output, ...gradients];
}

const ACTIVATIONS: DenseActivation[] = ['linear', 'leakyrelu', 'tanh', 'sigmoid'];

for (const activation of ACTIVATIONS) {
  for (const withMask of [false, true]) {
    test(`fused dense, ${activation}${withMask ? ' with a dropout mask' : ''}: output and gradients match the stock kernels`, { skip }, () => {
      tf.tidy(() => {
        // 96 × 512 → 384: past the size where the product is split between two threads.
        const x = random([96, 512]) as tf.Tensor2D;
        const w = tf.mul(random([512, 384]), 0.05) as tf.Tensor2D;
        const b = random([384]) as tf.Tensor1D;
        const m = withMask ? mask([96, 384]) : null;
        const weighting = random([96, 384]) as tf.Tensor2D;
        useMatMulKernels('native');
        assert.ok(activeNativeGemm());
        const fused = outputAndGradients((...a) => dense(a[0], { w: a[1], b: a[2], activation, alpha: 0.2 }, a[3]), x, w, b, m, weighting);
        useMatMulKernels('stock');
        let stock: tf.Tensor[];
        try {
          stock = outputAndGradients((...a) => stockDense(a[0], { w: a[1], b: a[2], activation, alpha: 0.2 }, a[3]), x, w, b, m, weighting);
        } finally {
          useMatMulKernels('native');
        }
        ['output', 'dX', 'dW', 'db'].forEach((name, i) => {
          const error = relativeError(fused[i], stock[i]);
          assert.ok(error < 1e-5, `${name}: relative error ${error}`);
        });
      });
    });
  }
}

test('fused dense: gradients the forward call did not announce are still computed, and equal', { skip }, () => {
  tf.tidy(() => {
    const x = random([80, 400]) as tf.Tensor2D;
    const w = tf.mul(random([400, 300]), 0.05) as tf.Tensor2D;
    const b = random([300]) as tf.Tensor1D;
    const m = mask([80, 300]);
    const weighting = random([80, 300]) as tf.Tensor2D;
    const layer =
      (needed: GradientsNeeded): Layer =>
      (xi, wi, bi, mi) =>
        dense(xi, { w: wi, b: bi, activation: 'leakyrelu', alpha: 0.2 }, mi, needed);
    const all = outputAndGradients(layer({ input: true, weights: true }), x, w, b, m, weighting);
    for (const needed of [
      { input: false, weights: true },
      { input: true, weights: false },
      { input: false, weights: false },
    ]) {
      const hinted = outputAndGradients(layer(needed), x, w, b, m, weighting);
      hinted.forEach((t, i) => assert.ok(relativeError(t, all[i]) < 1e-6, `${JSON.stringify(needed)}: tensor ${i}`));
    }
  });
});

/** ‖∂(Σ layer(x)·v)/∂x‖², WGAN-GP's penalty on one layer, as a function of W and b. */
const penaltyOf = (layer: Layer, x: tf.Tensor2D, m: tf.Tensor2D, v: tf.Tensor2D) => (wi: tf.Tensor, bi: tf.Tensor) => {
  const inputGradient = tf.grad((xi: tf.Tensor) => tf.sum(tf.matMul(layer(xi as tf.Tensor2D, wi as tf.Tensor2D, bi as tf.Tensor1D, m), v)))(x);
  return tf.sum(tf.square(inputGradient));
};

const fusedLayer =
  (activation: DenseActivation): Layer =>
  (xi, wi, bi, mi) =>
    dense(xi, { w: wi, b: bi, activation, alpha: 0.2 }, mi);

// LeakyReLU and linear: the stock kernels are an exact reference, second order included.
for (const activation of ['linear', 'leakyrelu'] as const) {
  test(`fused dense, ${activation}: a gradient of its gradient (as WGAN-GP takes) matches the stock kernels`, { skip }, () => {
    tf.tidy(() => {
      const x = random([64, 300]) as tf.Tensor2D;
      const w = tf.mul(random([300, 200]), 0.1) as tf.Tensor2D;
      const b = random([200]) as tf.Tensor1D;
      const v = random([200, 1]) as tf.Tensor2D;
      const m = mask([64, 200]);
      const fused = tf.grads(penaltyOf(fusedLayer(activation), x, m, v))([w, b]);
      useMatMulKernels('stock');
      try {
        const stockLayer: Layer = (xi, wi, bi, mi) => stockDense(xi, { w: wi, b: bi, activation, alpha: 0.2 }, mi);
        const stock = penaltyOf(stockLayer, x, m, v);
        const stockW = tf.grad((wi: tf.Tensor) => stock(wi, b))(w);
        assert.ok(relativeError(fused[0], stockW) < 1e-5, `dW: ${relativeError(fused[0], stockW)}`);
        // b enters ∂/∂x only through LeakyReLU's kinks, or not at all: its gradient is 0,
        // and the fused layer still gives one, so that every variable of D has a gradient.
        assert.equal(tf.max(tf.abs(fused[1])).dataSync()[0], 0);
      } finally {
        useMatMulKernels('native');
      }
    });
  });
}

// tanh and the sigmoid: TF.js's own second derivative of them is wrong (their
// gradients read a saved output that the tape cannot trace back), so the
// reference is a central difference of the penalty itself.
for (const activation of ['tanh', 'sigmoid'] as const) {
  test(`fused dense, ${activation}: a gradient of its gradient matches finite differences`, { skip }, () => {
    tf.tidy(() => {
      const x = random([16, 12]) as tf.Tensor2D;
      const w = random([12, 8]) as tf.Tensor2D;
      const b = random([8]) as tf.Tensor1D;
      const v = random([8, 1]) as tf.Tensor2D;
      const m = mask([16, 8]);
      const penalty = penaltyOf(fusedLayer(activation), x, m, v);
      const gradients = tf.grads(penalty)([w, b]);
      [w, b].forEach((parameter, p) => {
        const analytic = gradients[p].dataSync();
        const values = parameter.dataSync();
        for (const index of [0, 5, 7]) {
          const h = 1e-2;
          const at = (delta: number) => {
            const shifted = values.slice();
            shifted[index] += delta;
            const moved = tf.tensor(shifted, parameter.shape);
            return p === 0 ? penalty(moved, b).dataSync()[0] : penalty(w, moved).dataSync()[0];
          };
          const numeric = (at(h) - at(-h)) / (2 * h);
          const error = Math.abs(numeric - analytic[index]) / Math.max(Math.abs(analytic[index]), 1e-2);
          assert.ok(error < 0.02, `${p === 0 ? 'W' : 'b'}[${index}]: analytic ${analytic[index]}, numeric ${numeric}`);
        }
      });
    });
  });
}

test('fused dense: a run repeats itself bit for bit, and one thread agrees with two', { skip }, () => {
  tf.tidy(() => {
    const x = random([128, 784]) as tf.Tensor2D;
    const w = tf.mul(random([784, 1024]), 0.03) as tf.Tensor2D;
    const b = random([1024]) as tf.Tensor1D;
    const weighting = random([128, 1024]) as tf.Tensor2D;
    const run = () => outputAndGradients((...a) => dense(a[0], { w: a[1], b: a[2], activation: 'leakyrelu', alpha: 0.2 }, a[3]), x, w, b, null, weighting);
    const first = run().map((t) => Array.from(t.dataSync()));
    assert.deepEqual(
      run().map((t) => Array.from(t.dataSync())),
      first,
    );
    activeNativeGemm()!.setThreads(1);
    const oneThread = run();
    activeNativeGemm()!.setThreads(engine.threads);
    oneThread.forEach((t, i) => assert.ok(relativeError(t, tf.tensor(first[i], t.shape)) < 1e-6));
  });
});
