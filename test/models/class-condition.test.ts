// A conditional GAN's inputs by hand, and DP-SGD's clipped gradient sum on a
// conditional D against per-example gradients taken one by one.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { startEngine } from '../../src/engine/engine.js';
import { Rng } from '../../src/engine/rng.js';
import { asDiscriminatorInput, discriminatorForward, generatorInputs, isConditional } from '../../src/models/class-condition.js';
import { plannedClasses, withClasses } from '../../src/models/class-rows.js';
import { buildDiscriminator, buildGenerator, CLASS_IN_D, modelWidths, parameterCount, type ClassInD } from '../../src/models/gan-models.js';
import { mlpForward } from '../../src/models/mlp-forward.js';
import { oneByOneClippedSum, worstRelativeError } from '../helpers/one-by-one-clipping.js';
import { crossEntropyExampleLosses } from '../../src/objectives/minimax.js';
import { clippedGradientSum } from '../../src/privacy/per-example-clipping.js';

await startEngine({ quiet: true });

test('withClasses appends each row its one-hot class; plans give one class or every class in turn', () => {
  assert.deepEqual(Array.from(withClasses(Float32Array.of(5, 6, 7, 8), 2, [9, 0])), [5, 6, ...[0, 0, 0, 0, 0, 0, 0, 0, 0, 1], 7, 8, 1, ...Array(9).fill(0)]);
  assert.deepEqual(Array.from(plannedClasses({ kind: 'one', digit: 7 }, 5, 3)), [7, 7, 7]);
  assert.deepEqual(Array.from(plannedClasses({ kind: 'balanced', block: 1 }, 8, 4)), [8, 9, 0, 1]);
  assert.deepEqual(Array.from(plannedClasses({ kind: 'balanced', block: 3 }, 2, 5)), [0, 1, 1, 1, 2]);
});

test("a conditional G takes [z | class] (110) and a concatenating D [x | class] (794); config.json's parameter counts are the models' own", () => {
  const g = buildGenerator(new Rng(1), true);
  const d = buildDiscriminator(new Rng(2), true, 'concat');
  assert.ok(isConditional(g) && isConditional(d) && !isConditional(buildGenerator(new Rng(1))));
  assert.equal(g.countParams(), parameterCount(modelWidths(true).generator));
  assert.equal(d.countParams(), parameterCount(modelWidths(true, 'concat').discriminator));
  assert.equal(g.countParams() - buildGenerator(new Rng(1)).countParams(), 10 * 256);
  const z = generatorInputs(g, new Rng(3).normals(4 * 100), 0, { kind: 'one', digit: 3 });
  const seen = asDiscriminatorInput(mlpForward(g, z), z);
  assert.deepEqual(seen.shape, [4, 794]);
  const classes = tf.argMax(tf.slice(seen, [0, 784], [-1, 10]), 1).dataSync();
  assert.deepEqual(Array.from(classes), [3, 3, 3, 3]);
});

test("a projection D's logit is output 0 plus the class's output; config.json's parameter counts are its own", () => {
  const d = buildDiscriminator(new Rng(6), true, 'projection');
  assert.equal(d.countParams(), parameterCount(modelWidths(true, 'projection').discriminator));
  const x = tf.tensor2d(withClasses(new Rng(7).uniforms(3 * 784, -1, 1), 784, [2, 0, 9]), [3, 794]);
  const outputs = mlpForward(d, tf.slice(x, [0, 0], [-1, 784])).arraySync();
  const expected = [2, 0, 9].map((digit, row) => outputs[row][0] + outputs[row][1 + digit]);
  const logits = discriminatorForward(d, x).dataSync();
  expected.forEach((e, row) => assert.ok(Math.abs(logits[row] - e) < 1e-6, `${logits[row]} vs ${e}`));
});

for (const classInD of CLASS_IN_D) {
  test(`on a conditional D (${classInD}), the clipped gradient sum equals clipping and summing each example's gradient`, () => {
    checkConditionalClipping(classInD);
  });
}

function checkConditionalClipping(classInD: ClassInD): void {
  const d = buildDiscriminator(new Rng(4), true, classInD);
  const rng = new Rng(5);
  const rows = 5;
  const realRows = 2;
  const x = tf.tensor2d(withClasses(rng.uniforms(rows * 784, -1, 1), 784, [1, 4, 4, 0, 9]), [rows, 794]);
  // Float32 sums over the real layers (794 × 1024 weights) agree to about 1e-4, the tiny model of per-example-clipping.test.ts to 1e-6.
  const clip = 0.05;
  const { gradients, norms } = clippedGradientSum(d, x, realRows, crossEntropyExampleLosses, clip, null);
  const expected = oneByOneClippedSum(d, x, realRows, clip, (row) => discriminatorForward(d, row));
  assert.ok(
    expected.norms.some((n) => n > clip),
    `norms ${expected.norms}`,
  );
  expected.norms.forEach((n, i) => assert.ok(Math.abs(norms.dataSync()[i] - n) / n < 1e-3, `norm ${i}: ${norms.dataSync()[i]} vs ${n}`));
  const worst = worstRelativeError(gradients, expected.sums);
  assert.ok(worst < 1e-3, `worst relative error ${worst}`);
}
