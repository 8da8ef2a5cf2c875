// The native fused updates against TF.js's own optimizers: the same 100
// gradients fed to both, the parameters compared after every step.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { nativeAddon, startEngine } from '../../src/engine/engine.js';
import { FusedAdamOptimizer, FusedRmsPropOptimizer, fusedMovingAverageStep } from '../../src/engine/fused-optimizers.js';
import { Rng } from '../../src/engine/rng.js';

await startEngine({ quiet: true });
const gemm = nativeAddon();
const skip = gemm ? false : 'the native addon is not built (the fallback keeps the TF.js optimizers)';

// A large variable (split between threads), a bias-sized one and a tiny one.
const SHAPES = [[300, 400], [257], [3, 5]];
const STEPS = 100;

function relativeError(actual: tf.Tensor, expected: tf.Tensor): number {
  return tf.tidy(() => tf.norm(tf.sub(actual, expected)).dataSync()[0] / tf.norm(expected).dataSync()[0]);
}

/** Two copies of the same variables, and a source of the same gradients for both. */
function twins(seed: number) {
  const rng = new Rng(seed);
  const initial = SHAPES.map((shape) => tf.tensor(rng.normals(tf.util.sizeFromShape(shape)), shape));
  const ours = initial.map((t) => tf.variable(t.clone()));
  const theirs = initial.map((t) => tf.variable(t.clone()));
  tf.dispose(initial);
  const gradients = () => SHAPES.map((shape) => tf.tensor(rng.normals(tf.util.sizeFromShape(shape)), shape));
  return { ours, theirs, gradients };
}

async function compareOptimizers(fused: tf.Optimizer, stock: tf.Optimizer, seed: number): Promise<void> {
  const { ours, theirs, gradients } = twins(seed);
  for (let step = 1; step <= STEPS; step++) {
    const g = gradients();
    fused.applyGradients(Object.fromEntries(ours.map((v, i) => [v.name, g[i]])));
    stock.applyGradients(Object.fromEntries(theirs.map((v, i) => [v.name, g[i]])));
    tf.dispose(g);
    ours.forEach((v, i) => {
      const error = relativeError(v, theirs[i]);
      assert.ok(error < 1e-6, `step ${step}, variable ${i}: relative error ${error}`);
    });
  }
  // The state is TF.js's: the same names and values, so checkpoints move between the two.
  const [mine, reference] = [await fused.getWeights(), await stock.getWeights()];
  assert.equal(mine.length, reference.length);
  mine.forEach((w, i) => {
    assert.equal(w.name.replace(/^.*?\//, ''), reference[i].name.replace(/^.*?\//, ''));
    if (i > 0) assert.ok(relativeError(w.tensor, reference[i].tensor) < 1e-6 || w.name.endsWith('/momentum'), w.name);
  });
  tf.dispose([...ours, ...theirs]);
}

test('fused Adam follows tf.train.adam for 100 steps (relative error < 1e-6 every step)', { skip }, async () => {
  await compareOptimizers(new FusedAdamOptimizer(gemm!, 2e-4, 0.5, 0.999, 1e-8), tf.train.adam(2e-4, 0.5, 0.999, 1e-8), 1);
});

test('fused RMSProp follows tf.train.rmsprop for 100 steps', { skip }, async () => {
  await compareOptimizers(new FusedRmsPropOptimizer(gemm!, 5e-5, 0.99, 1e-8), tf.train.rmsprop(5e-5, 0.99, 0, 1e-8), 2);
});

test('the fused moving-average step follows its TF.js form for 100 steps', { skip }, () => {
  const { ours, theirs, gradients } = twins(3);
  for (let step = 1; step <= STEPS; step++) {
    const weights = gradients();
    const weight = 1 - Math.min(0.999, (1 + step) / (10 + step));
    ours.forEach((average, i) => fusedMovingAverageStep(gemm!, average, weights[i], weight));
    theirs.forEach((average, i) => average.assign(tf.tidy(() => tf.add(average, tf.mul(weight, tf.sub(weights[i], average))))));
    tf.dispose(weights);
    ours.forEach((v, i) => assert.ok(relativeError(v, theirs[i]) < 1e-6, `step ${step}, variable ${i}`));
  }
  tf.dispose([...ours, ...theirs]);
});

test("an in-place update leaves tensors that shared the variable's memory alone", { skip }, () => {
  const source = tf.tensor1d([1, 2, 3]);
  const variable = tf.variable(source);
  const optimizer = new FusedAdamOptimizer(gemm!, 0.1, 0.9, 0.999, 1e-8);
  optimizer.applyGradients({ [variable.name]: tf.tensor1d([1, 1, 1]) });
  assert.deepEqual(Array.from(source.dataSync()), [1, 2, 3]);
  assert.ok(variable.dataSync()[0] < 1);
  tf.dispose([source, variable]);
});
