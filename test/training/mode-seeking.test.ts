import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { startEngine } from '../../src/engine/engine.js';
import { deriveRng, Rng } from '../../src/engine/rng.js';
import { rowsWithClasses } from '../../src/models/class-condition.js';
import { pairedClasses } from '../../src/models/class-rows.js';
import { generatorForward } from '../../src/models/dcgan-forward.js';
import { LATENT_SIZE } from '../../src/models/gan-models.js';
import { disposeGan, newGan } from '../../src/training/gan-parts.js';
import { generatorStep } from '../../src/training/gan-step.js';
import { modeSeekingTerm } from '../../src/training/mode-seeking.js';
import { configFor, requireObjective } from '../../src/training/train-config.js';

await startEngine({ quiet: true });

/** Mean |a − b| over the first `width` columns of rows i and i + ⌊rows/2⌋, in plain loops. */
function meanPairDistance(values: Float32Array, rows: number, stride: number, width: number): number {
  const half = Math.floor(rows / 2);
  let sum = 0;
  for (let i = 0; i < half; i++) for (let k = 0; k < width; k++) sum += Math.abs(values[i * stride + k] - values[(i + half) * stride + k]);
  return sum / (half * width);
}

test("mode seeking's term is 1 / (mean|G(z₁) − G(z₂)| / mean|z₁ − z₂| + 1e-5) over rows i and i + ⌊B/2⌋, the class columns left out", () => {
  const rng = new Rng(3);
  const rows = 7; // odd: the last row has no pair
  const images = rng.normals(rows * 12);
  const z = rowsWithClasses(rng.normals(rows * LATENT_SIZE), LATENT_SIZE, pairedClasses(rng, rows));
  const expected = 1 / (meanPairDistance(images, rows, 12, 12) / meanPairDistance(z.dataSync() as Float32Array, rows, LATENT_SIZE + 10, LATENT_SIZE) + 1e-5);
  const imageTensor = tf.tensor2d(images, [rows, 12]);
  const term = modeSeekingTerm(imageTensor, z);
  const value = term.dataSync()[0];
  tf.dispose([imageTensor, z, term]);
  assert.ok(Math.abs(value - expected) < 1e-5 * expected, `${value} vs ${expected}`);
});

test('paired classes: rows i and i + ⌊B/2⌋ share a class, for even and odd B, and every class is drawn', () => {
  for (const count of [64, 9]) {
    const classes = pairedClasses(new Rng(1), count);
    const half = Math.floor(count / 2);
    for (let i = 0; i < half; i++) assert.equal(classes[i], classes[i + half], `B ${count}, row ${i}`);
  }
  assert.equal(new Set(pairedClasses(new Rng(2), 200)).size, 10);
});

test("G steps with mode seeking spread a conditional G's pairs apart; without it, from the same start, they stay closer", async () => {
  const batch = 64;
  const spreadAfterSteps = async (weight: number) => {
    const config = configFor('nonsaturating', { conditional: true, dropoutG: 0, dropoutD: 0, modeSeeking: weight });
    const gan = newGan(config, requireObjective('nonsaturating'), deriveRng(5, 'weights'));
    const rng = new Rng(6);
    const latents = () => rowsWithClasses(rng.normals(batch * LATENT_SIZE), LATENT_SIZE, pairedClasses(rng, batch));
    for (let step = 0; step < 30; step++) {
      const z = latents();
      await generatorStep(gan, z);
      z.dispose();
    }
    const z = latents();
    const images = generatorForward(gan.generator, z);
    const spread = meanPairDistance(images.dataSync() as Float32Array, batch, 784, 784);
    tf.dispose([z, images]);
    disposeGan(gan);
    return spread;
  };
  const without = await spreadAfterSteps(0);
  const withModeSeeking = await spreadAfterSteps(5);
  assert.ok(withModeSeeking > 1.2 * without, `mean pair distance ${withModeSeeking} with mode seeking, ${without} without`);
});
