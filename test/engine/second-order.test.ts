import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { startEngine } from '../../src/engine/engine.js';
import { Rng } from '../../src/engine/rng.js';
import { dcganDiscriminatorForward } from '../../src/models/dcgan-forward.js';
import { buildDcganDiscriminator, DCGAN_WIDTH } from '../../src/models/dcgan-models.js';
import { buildDiscriminator, CLASS_COUNT, IMAGE_SIZE, LEAKY_SLOPE } from '../../src/models/gan-models.js';
import { mlpForward, trainableVariables } from '../../src/models/mlp-forward.js';
import { gradientPenalty } from '../../src/objectives/gradient-penalty.js';
import { readFloat64, writeArrays } from '../helpers/reference-files.js';
import { tempDir } from '../helpers/temp-dir.js';

await startEngine({ quiet: true });

const REFERENCE = fileURLToPath(new URL('../../../bench/reference/gradient_penalty.py', import.meta.url));
const torchMissing = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0;

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

// A LeakyReLU network's input gradient jumps wherever a weight moves a unit across its kink, and a DCGAN
// kernel weight moves hundreds of units: finite differences of the penalty in the first layers measure the
// jumps, not the derivative. So the DCGAN is checked against autograd's double backward in float64 instead.
test(
  "the gradient penalty's weight gradients through the conditional DCGAN discriminator (convolutions' second derivatives) match PyTorch's",
  { skip: torchMissing && "Debian's python3-torch is not installed (apt-get install python3-torch): no PyTorch reference to compare with" },
  () => {
    const rows = 3;
    const discriminator = buildDcganDiscriminator(new Rng(13), true);
    const variables = trainableVariables(discriminator);
    // As built, ‖∇ₓD‖ is about 0.01 and the penalty's gradient mostly its −2·∇‖∇ₓD‖ term: scaling the last
    // kernel brings the norm near 3, where both of its terms count (a critic under the penalty sits near 1).
    variables[6].assign(tf.mul(variables[6], 300));
    const points = tf.tensor2d(new Rng(14).uniforms(rows * IMAGE_SIZE, -1, 1), [rows, IMAGE_SIZE]);
    const classes = tf.tensor2d(
      Float32Array.from({ length: rows * CLASS_COUNT }, (_, i) => (i % CLASS_COUNT === [3, 8, 0][Math.floor(i / CLASS_COUNT)] ? 1 : 0)),
      [rows, CLASS_COUNT],
    );
    const penalty = () => gradientPenalty((input) => dcganDiscriminatorForward(discriminator, input), points, classes);
    const { value, grads } = tf.variableGrads(penalty, variables);

    const dir = tempDir();
    writeFileSync(join(dir, 'spec.json'), JSON.stringify({ width: DCGAN_WIDTH, rows, slope: LEAKY_SLOPE, conditional: true }));
    writeArrays(
      join(dir, 'weights.f32'),
      variables.map((v) => v.dataSync() as Float32Array),
    );
    writeArrays(join(dir, 'points.f32'), [points.dataSync() as Float32Array]);
    writeArrays(join(dir, 'classes.f32'), [classes.dataSync() as Float32Array]);
    const run = spawnSync('/usr/bin/python3', [REFERENCE, dir], { encoding: 'utf8' });
    assert.equal(run.status, 0, run.stderr);
    const [expectedPenalty] = readFloat64(join(dir, 'penalty.f64'));
    assert.ok(Math.abs(value.dataSync()[0] - expectedPenalty) < 1e-4 * expectedPenalty, `penalty ${value.dataSync()[0]} against ${expectedPenalty}`);
    const expected = readFloat64(join(dir, 'grads.f64'));
    let offset = 0;
    for (const variable of variables) {
      // TF.js leaves out a variable the penalty never reaches (the last bias): its gradient is zero.
      const analytic = (grads[variable.name]?.dataSync() as Float32Array | undefined) ?? new Float32Array(variable.size);
      const reference = expected.subarray(offset, offset + analytic.length);
      offset += analytic.length;
      // Relative to the variable's largest reference entry: float32 against float64 over sums of thousands of terms.
      const scale = reference.reduce((most, r) => Math.max(most, Math.abs(r)), 0);
      const worst = analytic.reduce((most: number, a: number, i: number) => Math.max(most, Math.abs(a - reference[i])), 0);
      assert.ok(worst <= 1e-4 * scale, `${variable.name}: largest difference ${worst} against a largest entry of ${scale}`);
    }
    assert.equal(offset, expected.length);
  },
);
