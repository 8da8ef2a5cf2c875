import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEngine } from '../../src/engine/engine.js';
import { Rng } from '../../src/engine/rng.js';
import { loadImageSet, type ImageSet } from '../../src/data/image-set.js';
import { classifierAccuracy } from '../../src/models/feature-training.js';
import { loadModel } from '../../src/models/model-files.js';
import { evaluate, type Images } from '../../src/metrics/evaluation.js';
import { loadFeatureExtractor, shippedNetworkFile, SHIPPED_FEATURE_NETWORKS } from '../../src/metrics/feature-extractor.js';
import { dirname } from 'node:path';

await startEngine({ quiet: true });
const extractor = await loadFeatureExtractor();
const testSet = loadImageSet('mnist', { split: 'test' });
const trainSet = loadImageSet('mnist', { split: 'train', limit: 2000 });
const options = { k: 3, densityK: 5, seed: 0 };

function subset(set: ImageSet, start: number, count: number, source: string): Images {
  return { pixels: set.pixels.slice(start * 784, (start + count) * 784), count, height: 28, width: 28, source };
}

const real = subset(testSet, 0, 2000, 'test[0:2000]');

test('every shipped feature network reaches at least 99.0% on MNIST test', async () => {
  for (const name of SHIPPED_FEATURE_NETWORKS) {
    const accuracy = await classifierAccuracy(await loadModel(dirname(shippedNetworkFile(name))), testSet);
    assert.ok(accuracy >= 0.99, `${name}: accuracy ${accuracy}`);
  }
});

test('test vs itself: FID 0, precision = recall = 1', async () => {
  const result = await evaluate(real, real, extractor, options);
  // Exactly 0 in exact arithmetic; float64 square roots leave a rounding residue.
  assert.ok(Math.abs(result.fid) < 1e-3, `${result.fid}`);
  assert.ok(Math.abs(result.classifier!.logitFid) < 1e-3, `${result.classifier!.logitFid}`);
  assert.equal(result.classifier!.score, result.classifier!.realScore);
  assert.ok(result.classifier!.score > 9, `a confident classifier on balanced digits scores near 10: ${result.classifier!.score}`);
  assert.equal(result.precision, 1);
  assert.equal(result.recall, 1);
  assert.equal(result.coverage, 1);
  assert.equal(result.modes!.classesCovered, 10);
});

test('train vs test is close; uniform noise is far; FID grows with added noise', async () => {
  const train = subset(trainSet, 0, 2000, 'train[0:2000]');
  const trainFid = (await evaluate(train, real, extractor, options)).fid;
  const rng = new Rng(1);
  const noise: Images = { pixels: rng.uniforms(2000 * 784, -1, 1), count: 2000, height: 28, width: 28, source: 'noise' };
  const noiseFid = (await evaluate(noise, real, extractor, options)).fid;
  assert.ok(trainFid * 20 < noiseFid, `train ${trainFid}, noise ${noiseFid}`);
  const other = subset(testSet, 2000, 2000, 'test[2000:4000]');
  let previous = -Infinity;
  for (const sigma of [0.1, 0.2, 0.4]) {
    const noisy = { ...other, pixels: other.pixels.map((v) => Math.max(-1, Math.min(1, v + sigma * rng.normal()))) };
    const value = (await evaluate(noisy, real, extractor, options)).fid;
    assert.ok(value > previous, `σ = ${sigma}: FID ${value} after ${previous}`);
    previous = value;
  }
});

test('a collapsed set (one class) has high precision, low recall, one class covered', async () => {
  const ones: number[] = [];
  for (let i = 2000; i < testSet.count && ones.length < 500; i++) if (testSet.labels![i] === 1) ones.push(i);
  const pixels = new Float32Array(ones.length * 784);
  ones.forEach((index, row) => pixels.set(testSet.pixels.subarray(index * 784, (index + 1) * 784), row * 784));
  const collapsed: Images = { pixels, count: ones.length, height: 28, width: 28, source: 'ones' };
  const result = await evaluate(collapsed, real, extractor, options);
  assert.ok(result.precision > 0.9, `precision ${result.precision}`);
  assert.ok(result.recall <= 0.2, `recall ${result.recall}`);
  assert.equal(result.modes!.classesCovered, 1);
});

test('too few samples, or images of another size, get one sentence', async () => {
  const few = subset(testSet, 0, 4, 'four images');
  await assert.rejects(() => evaluate(few, real, extractor, options), /four images has 4 images; the k-NN metrics need at least 6/);
  const wrong: Images = { pixels: new Float32Array(10 * 100), count: 10, height: 10, width: 10, source: 'tiny' };
  await assert.rejects(() => evaluate(wrong, real, extractor, options), /tiny holds 10×10 images but test\[0:2000\] holds 28×28/);
});
