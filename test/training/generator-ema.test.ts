import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEngine } from '../../src/engine/engine.js';
import { deriveRng } from '../../src/engine/rng.js';
import { buildGenerator } from '../../src/models/gan-models.js';
import { trainableVariables } from '../../src/models/mlp-forward.js';
import { emaDecayAt, generatorEma, updateGeneratorEma } from '../../src/training/generator-ema.js';

await startEngine({ quiet: true });

test('the moving average starts at G and, against fixed weights w, follows w + Π β_t·(ema₀ − w), β_t = min(d, (1 + t)/(10 + t))', () => {
  const generator = buildGenerator(deriveRng(1, 'weights'));
  const ema = generatorEma({ decay: 0.9, start: 0 }, generator);
  const start = ema.variables.map((v) => v.dataSync().slice());
  assert.deepEqual(start[0], trainableVariables(generator)[0].dataSync());
  // Fixed target weights: another generator.
  const target = trainableVariables(buildGenerator(deriveRng(2, 'weights')));
  const steps = 7;
  for (let i = 0; i < steps; i++) updateGeneratorEma(ema, target);
  let factor = 1;
  for (let t = 0; t < steps; t++) factor *= Math.min(0.9, (1 + t) / (10 + t));
  assert.equal(ema.updates, steps);
  ema.variables.forEach((v, l) => {
    const w = target[l].dataSync();
    const actual = v.dataSync();
    for (let k = 0; k < actual.length; k += 97) {
      const expected = w[k] + factor * (start[l][k] - w[k]);
      assert.ok(Math.abs(actual[k] - expected) < 1e-6, `${v.name}[${k}]: ${actual[k]} vs ${expected}`);
    }
  });
});

test('the warm-up reaches the decay after (10d − 1)/(1 − d) updates and stays there', () => {
  assert.equal(emaDecayAt(0.999, 0), 0.1);
  assert.ok(Math.abs(emaDecayAt(0.999, 2811) - 2812 / 2821) < 1e-15);
  assert.equal(emaDecayAt(0.999, 8991), 0.999);
  assert.equal(emaDecayAt(0.999, 100000), 0.999);
});

test('a late start copies G for its first `start` updates, then averages with the warm-up counted from there', () => {
  const first = trainableVariables(buildGenerator(deriveRng(3, 'weights')));
  const second = trainableVariables(buildGenerator(deriveRng(4, 'weights')));
  const ema = generatorEma({ decay: 0.9, start: 2 }, buildGenerator(deriveRng(1, 'weights')));
  updateGeneratorEma(ema, first);
  updateGeneratorEma(ema, first);
  assert.deepEqual(ema.variables[0].dataSync(), first[0].dataSync());
  // The first averaging step keeps β = min(0.9, 1/10) of the copy.
  updateGeneratorEma(ema, second);
  const [copied, target, actual] = [first[0].dataSync(), second[0].dataSync(), ema.variables[0].dataSync()];
  for (let k = 0; k < actual.length; k += 97) {
    const expected = target[k] + 0.1 * (copied[k] - target[k]);
    assert.ok(Math.abs(actual[k] - expected) < 1e-6, `[${k}]: ${actual[k]} vs ${expected}`);
  }
  assert.equal(emaDecayAt(0.999, 99, 100), 0);
  assert.equal(emaDecayAt(0.999, 100, 100), 0.1);
});
