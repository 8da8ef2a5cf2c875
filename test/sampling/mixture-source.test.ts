import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEngine } from '../../src/engine/engine.js';
import { deriveRng } from '../../src/engine/rng.js';
import { checkMixture } from '../../src/cli/run-options.js';
import { EVERY_CLASS_IN_TURN } from '../../src/models/class-rows.js';
import { buildGenerator, IMAGE_SIZE } from '../../src/models/gan-models.js';
import { drawImages, generatorSource, mixtureSource } from '../../src/sampling/generate-images.js';
import { gaussian } from '../../src/sampling/latent-samplers.js';

await startEngine({ quiet: true });

test('a mixture draws sample i from generator ⌊i / 10⌋ mod K, with the latent and class each generator alone would have drawn there', async () => {
  const generators = [1, 2, 3].map((seed) => buildGenerator(deriveRng(seed, 'weights'), true));
  const count = 100;
  // Each generator alone, from the same stream: the same latents and classes, row by row.
  const alone = await Promise.all(generators.map((g) => drawImages(generatorSource(g, gaussian(1), deriveRng(7, 'z'), EVERY_CLASS_IN_TURN), count)));
  // Batches that cut turns apart, to check that the mixture counts across them.
  const mixed = await drawImages(mixtureSource(generators, gaussian(1), deriveRng(7, 'z'), EVERY_CLASS_IN_TURN), count, 37);
  for (let i = 0; i < count; i++) {
    const owner = Math.floor(i / 10) % 3;
    const expected = alone[owner].subarray(i * IMAGE_SIZE, (i + 1) * IMAGE_SIZE);
    const actual = mixed.subarray(i * IMAGE_SIZE, (i + 1) * IMAGE_SIZE);
    const error = Math.max(...actual.map((v, k) => Math.abs(v - expected[k])));
    assert.ok(error < 1e-5, `sample ${i}: differs from generator ${owner}'s by ${error}`);
  }
  generators.forEach((g) => g.dispose());
});

test('--mixture is refused with --checkpoint, with one checkpoint, and where one generator is needed', () => {
  assert.throws(() => checkMixture({ ema: true, checkpoint: 'step-000000010', mixture: ['step-000000010', 'step-000000020'] }), /--checkpoint or --mixture/);
  assert.throws(() => checkMixture({ ema: true, mixture: ['step-000000010'] }), /two checkpoints or more/);
  assert.throws(() => checkMixture({ ema: true, mixture: ['step-000000010', ''] }), /empty checkpoint name/);
  assert.throws(() => checkMixture({ ema: true, mixture: ['step-000000010', 'step-000000010'] }), /twice/);
  assert.throws(() => checkMixture({ ema: true, mixture: ['step-000000010', 'step-000000020'] }, '--refine cs'), /--refine cs works on one generator/);
  checkMixture({ ema: true, mixture: ['step-000000010', 'step-000000020'] });
});
