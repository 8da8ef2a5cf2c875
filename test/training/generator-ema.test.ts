import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEngine } from '../../src/engine/engine.js';
import { deriveRng } from '../../src/engine/rng.js';
import { buildGenerator } from '../../src/models/gan-models.js';
import { trainableVariables } from '../../src/models/mlp-forward.js';
import { generatorEma, updateGeneratorEma } from '../../src/training/generator-ema.js';

await startEngine({ quiet: true });

test('the moving average starts at G and, against fixed weights w, follows w + dⁿ·(ema₀ − w)', () => {
  const generator = buildGenerator(deriveRng(1, 'weights'));
  const ema = generatorEma(0.9, generator);
  const start = ema.variables.map((v) => v.dataSync().slice());
  assert.deepEqual(start[0], trainableVariables(generator)[0].dataSync());
  // Fixed target weights: another generator.
  const target = trainableVariables(buildGenerator(deriveRng(2, 'weights')));
  const steps = 7;
  for (let i = 0; i < steps; i++) updateGeneratorEma(ema, target);
  const factor = 0.9 ** steps;
  ema.variables.forEach((v, l) => {
    const w = target[l].dataSync();
    const actual = v.dataSync();
    for (let k = 0; k < actual.length; k += 97) {
      const expected = w[k] + factor * (start[l][k] - w[k]);
      assert.ok(Math.abs(actual[k] - expected) < 1e-6, `${v.name}[${k}]: ${actual[k]} vs ${expected}`);
    }
  });
});
