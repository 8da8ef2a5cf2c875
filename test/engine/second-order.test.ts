import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { startEngine } from '../../src/engine/engine.js';
import { Rng } from '../../src/engine/rng.js';
import { buildDiscriminator } from '../../src/models/gan-models.js';
import { mlpForward, trainableVariables } from '../../src/models/mlp-forward.js';
import { gradientPenalty } from '../../src/objectives/gradient-penalty.js';

await startEngine({ quiet: true });

test("WGAN-GP's and DRAGAN's gradient penalty, through the discriminator as built, has weight gradients that match finite differences", () => {
  const discriminator = buildDiscriminator(new Rng(11));
  const critic = (images: tf.Tensor2D) => mlpForward(discriminator, images);
  const x = tf.tensor2d(new Rng(12).uniforms(4 * 784, -1, 1), [4, 784]);
  const variables = trainableVariables(discriminator);
  const { grads } = tf.variableGrads(() => gradientPenalty(critic, x), variables);
  // Check the largest-gradient entries of the first and last kernels, and a bias.
  const checked = [variables[0], variables[1], variables[6]];
  for (const variable of checked) {
    const analytic = grads[variable.name].dataSync();
    const order = Array.from(analytic.keys()).sort((a, b) => Math.abs(analytic[b]) - Math.abs(analytic[a]));
    const original = variable.dataSync().slice();
    for (const index of order.slice(0, 3)) {
      // The penalty is piecewise quadratic in each weight (LeakyReLU's kinks): a step small
      // enough to cross no kink, large enough to rise above float32 rounding.
      const h = 2e-3;
      const at = (delta: number) => {
        const shifted = original.slice();
        shifted[index] += delta;
        variable.assign(tf.tensor(shifted, variable.shape));
        return gradientPenalty(critic, x).dataSync()[0];
      };
      const numeric = (at(h) - at(-h)) / (2 * h);
      variable.assign(tf.tensor(original, variable.shape));
      const error = Math.abs(numeric - analytic[index]) / Math.max(Math.abs(analytic[index]), 1e-3);
      assert.ok(error < 0.05, `${variable.name}[${index}]: analytic ${analytic[index]}, numeric ${numeric}`);
    }
  }
});

test('Greater has a (zero) gradient, so LeakyReLU is twice differentiable', () => {
  const x = tf.tensor1d([-2, -0.5, 0.5, 2]);
  // d/dx of d/dx [leakyRelu(x)²] = 2·slope² on each side of 0.
  const second = tf.grad((v: tf.Tensor) => tf.sum(tf.grad((u: tf.Tensor) => tf.sum(tf.square(tf.leakyRelu(u, 0.2))))(v)))(x);
  const values = Array.from(second.dataSync());
  [0.08, 0.08, 2, 2].forEach((expected, i) => assert.ok(Math.abs(values[i] - expected) < 1e-5, `${values}`));
});
