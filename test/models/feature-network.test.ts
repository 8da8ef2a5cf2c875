// The feature network: features standardised on the images it was fitted to (the not-a-digit log-odds at
// NOT_A_DIGIT_SCALE standard deviations); the fused forward pass the metrics use equals predict(); fine-tuning
// starts from mnist-v2's weights exactly.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { startEngine } from '../../src/engine/engine.js';
import { Rng } from '../../src/engine/rng.js';
import { loadImageSet } from '../../src/data/image-set.js';
import { dirname } from 'node:path';
import { shippedNetworkFile } from '../../src/metrics/feature-extractor.js';
import { buildFeatureNetwork, featureForward, isFeatureNetworkDesign, NOT_A_DIGIT_SCALE, standardiseFeatures } from '../../src/models/feature-network.js';
import { FEATURE_TRAINING_DEFAULTS, trainFeatureNetwork } from '../../src/models/feature-training.js';
import { loadModel } from '../../src/models/model-files.js';

await startEngine({ quiet: true });

test('after standardiseFeatures every feature has mean 0 and variance 1 on the images it was fitted to', async () => {
  const images = loadImageSet('mnist', { split: 'test', limit: 700 });
  const net = buildFeatureNetwork(new Rng(5));
  // 700 images in batches of 300: the sums run over uneven batches.
  await standardiseFeatures(net, images.pixels, images.count, 300);
  const [logits, features] = net.network.predict(tf.tensor4d(images.pixels, [700, 28, 28, 1])) as tf.Tensor[];
  assert.deepEqual(logits.shape, [700, 11]);
  const dims = features.shape[1]!;
  assert.equal(dims, 129);
  const values = features.dataSync();
  for (let d = 0; d < dims; d++) {
    let sum = 0;
    let squares = 0;
    for (let r = 0; r < 700; r++) sum += values[r * dims + d];
    const mean = sum / 700;
    for (let r = 0; r < 700; r++) squares += (values[r * dims + d] - mean) ** 2;
    assert.ok(Math.abs(mean) < 1e-3, `feature ${d}: mean ${mean}`);
    const variance = d === dims - 1 ? NOT_A_DIGIT_SCALE ** 2 : 1;
    assert.ok(Math.abs(squares / 699 / variance - 1) < 1e-3, `feature ${d}: variance ${squares / 699}`);
  }
  tf.dispose([logits, features]);
});

for (const name of ['mnist-v2', 'mnist-v3'] as const) {
  test(`the shipped ${name} network's fused forward pass gives predict()'s features and digit logits`, async () => {
    const model = await loadModel(dirname(shippedNetworkFile(name)));
    assert.ok(isFeatureNetworkDesign(model));
    const images = loadImageSet('mnist', { split: 'test', limit: 200 });
    const x = tf.tensor4d(images.pixels, [200, 28, 28, 1]);
    const [features, logits] = featureForward(model, x);
    const [allLogits, expectedFeatures] = model.predict(x) as tf.Tensor[];
    const expectedLogits = tf.slice(allLogits, [0, 0], [-1, 10]);
    const largest = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
    assert.ok(largest(features, expectedFeatures) < 1e-4, `features ${largest(features, expectedFeatures)}`);
    assert.ok(largest(logits, expectedLogits) < 1e-4, `logits ${largest(logits, expectedLogits)}`);
    tf.dispose([x, features, logits, allLogits, expectedLogits, expectedFeatures]);
  });
}

test("fine-tuning from mnist-v2 starts from its weights: before a step, its digit logits are v2's", async () => {
  const v2 = await loadModel(dirname(shippedNetworkFile('mnist-v2')));
  const images = loadImageSet('mnist', { split: 'test', limit: 300 });
  const start = await trainFeatureNetwork(images, { ...FEATURE_TRAINING_DEFAULTS, epochs: 0 }, undefined, v2);
  const x = tf.tensor4d(images.pixels, [300, 28, 28, 1]);
  const [v3Logits] = start.predict(x) as tf.Tensor[];
  const [v2Logits] = v2.predict(x) as tf.Tensor[];
  const largest = tf.tidy(() => tf.max(tf.abs(tf.sub(tf.slice(v3Logits, [0, 0], [-1, 10]), v2Logits))).dataSync()[0]);
  assert.equal(v3Logits.shape[1], 11);
  assert.ok(largest < 1e-5, `digit logits differ by ${largest}`);
  tf.dispose([x, v3Logits, v2Logits]);
});
