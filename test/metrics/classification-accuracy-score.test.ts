// The CAS protocol's sanity checks, scaled down to run in seconds: real digits
// train a classifier that reads real test digits; noise and blank images with
// the same labels train one that guesses (about 0.1). `npm run bench:cas`
// times the full and short protocols.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEngine } from '../../src/engine/engine.js';
import { Rng } from '../../src/engine/rng.js';
import { loadImageSet } from '../../src/data/image-set.js';
import { classificationAccuracyScore, labelledRows } from '../../src/metrics/classification-accuracy-score.js';

await startEngine({ quiet: true });

const protocol = { name: 'test', train: 1000, holdOut: 200, epochs: 1 };
const train = loadImageSet('mnist', { split: 'train', limit: protocol.train + protocol.holdOut });
const testSet = loadImageSet('mnist', { split: 'test', limit: 500 });
const casOf = async (pixels: Float32Array) =>
  (
    await classificationAccuracyScore(
      labelledRows({ pixels, labels: train.labels! }, 0, protocol.train),
      labelledRows({ pixels, labels: train.labels! }, protocol.train, protocol.holdOut),
      labelledRows({ pixels: testSet.pixels, labels: testSet.labels! }, 0, testSet.count),
      protocol,
      0,
    )
  ).accuracy;

test('real digits train a classifier that reads real test digits; noise and blank images do not', async () => {
  const real = await casOf(train.pixels);
  const noise = await casOf(new Rng(1).uniforms(train.pixels.length, -1, 1));
  const blank = await casOf(new Float32Array(train.pixels.length).fill(-1));
  assert.ok(real > 0.7, `real ${real}`);
  assert.ok(noise < 0.2 && blank < 0.2, `noise ${noise}, blank ${blank}`);
});
