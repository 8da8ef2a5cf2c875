import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { startEngine } from '../../src/engine/engine.js';
import { Rng } from '../../src/engine/rng.js';
import { buildDiscriminator, buildGenerator } from '../../src/models/gan-models.js';
import { mlpForward } from '../../src/models/mlp-forward.js';

await startEngine({ quiet: true });

function denseShapes(model: ReturnType<typeof buildGenerator>): number[][] {
  return model.layers.filter((l) => l.getClassName() === 'Dense').map((l) => l.getWeights()[0].shape);
}

test('the generator and discriminator have the fixed layer sizes and parameter counts', () => {
  const g = buildGenerator(new Rng(1));
  const d = buildDiscriminator(new Rng(2));
  assert.deepEqual(denseShapes(g), [
    [100, 256],
    [256, 512],
    [512, 1024],
    [1024, 784],
  ]);
  assert.deepEqual(denseShapes(d), [
    [784, 1024],
    [1024, 512],
    [512, 256],
    [256, 1],
  ]);
  assert.equal(g.countParams(), 1_486_352);
  assert.equal(d.countParams(), 1_460_225);
  assert.deepEqual(g.outputs[0].shape, [null, 784]);
  assert.deepEqual(d.outputs[0].shape, [null, 1]);
});

test('weights and biases are initialised uniformly in ±1/√fan_in, as nn.Linear', () => {
  const d = buildDiscriminator(new Rng(3));
  for (const layer of d.layers.filter((l) => l.getClassName() === 'Dense')) {
    const [kernel, bias] = layer.getWeights();
    const bound = 1 / Math.sqrt(kernel.shape[0]);
    for (const values of [kernel.dataSync(), bias.dataSync()]) {
      let min = Infinity;
      let max = -Infinity;
      let sumSquares = 0;
      for (const v of values) {
        min = Math.min(min, v);
        max = Math.max(max, v);
        sumSquares += v * v;
      }
      assert.ok(min >= -bound && max <= bound, `${layer.name} within ±${bound}`);
      if (values.length > 100) {
        // A uniform on ±b fills its range and has variance b²/3.
        assert.ok(max > 0.95 * bound && min < -0.95 * bound, `${layer.name} spans its range`);
        const variance = sumSquares / values.length;
        assert.ok(Math.abs(variance / ((bound * bound) / 3) - 1) < 0.1, `${layer.name} variance`);
      }
    }
  }
});

test('the same seed gives the same weights', () => {
  const a = buildGenerator(new Rng(5)).getWeights()[0].dataSync();
  const b = buildGenerator(new Rng(5)).getWeights()[0].dataSync();
  const c = buildGenerator(new Rng(6)).getWeights()[0].dataSync();
  assert.deepEqual(a, b);
  assert.notDeepEqual(a, c);
});

test('the plain-op forward pass equals the tf.layers model', () => {
  const g = buildGenerator(new Rng(7));
  const d = buildDiscriminator(new Rng(8));
  const z = tf.tensor2d(new Rng(9).normals(5 * 100), [5, 100]);
  const viaLayers = d.predict(g.predict(z) as tf.Tensor) as tf.Tensor;
  const viaOps = mlpForward(d, mlpForward(g, z));
  const a = viaLayers.dataSync();
  const b = viaOps.dataSync();
  for (let i = 0; i < a.length; i++) assert.ok(Math.abs(a[i] - b[i]) < 1e-5);
});
