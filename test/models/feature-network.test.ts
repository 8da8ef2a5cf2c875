// The v2 feature network: features standardised on the images it was fitted to; the fused forward pass
// the metrics use equals predict().
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { startEngine } from '../../src/engine/engine.js';
import { Rng } from '../../src/engine/rng.js';
import { loadImageSet } from '../../src/data/image-set.js';
import { dirname } from 'node:path';
import { shippedNetworkFile } from '../../src/metrics/feature-extractor.js';
import { buildFeatureNetwork, featureForward, isFeatureNetworkV2, standardiseFeatures } from '../../src/models/feature-network.js';
import { loadModel } from '../../src/models/model-files.js';

await startEngine({ quiet: true });

test('after standardiseFeatures every feature has mean 0 and variance 1 on the images it was fitted to', () => {
  const images = loadImageSet('mnist', { split: 'test', limit: 700 });
  const net = buildFeatureNetwork(new Rng(5));
  // 700 images in batches of 300: the sums run over uneven batches.
  standardiseFeatures(net, images.pixels, images.count, 300);
  const [logits, features] = net.network.predict(tf.tensor4d(images.pixels, [700, 28, 28, 1])) as tf.Tensor[];
  assert.deepEqual(logits.shape, [700, 10]);
  const dims = features.shape[1]!;
  assert.equal(dims, 128);
  const values = features.dataSync();
  for (let d = 0; d < dims; d++) {
    let sum = 0;
    let squares = 0;
    for (let r = 0; r < 700; r++) sum += values[r * dims + d];
    const mean = sum / 700;
    for (let r = 0; r < 700; r++) squares += (values[r * dims + d] - mean) ** 2;
    assert.ok(Math.abs(mean) < 1e-3, `feature ${d}: mean ${mean}`);
    assert.ok(Math.abs(squares / 699 - 1) < 1e-3, `feature ${d}: variance ${squares / 699}`);
  }
  tf.dispose([logits, features]);
});

test("the shipped v2 network's fused forward pass gives predict()'s features and logits", async () => {
  const model = await loadModel(dirname(shippedNetworkFile('mnist-v2')));
  assert.ok(isFeatureNetworkV2(model));
  const images = loadImageSet('mnist', { split: 'test', limit: 200 });
  const x = tf.tensor4d(images.pixels, [200, 28, 28, 1]);
  const [features, logits] = featureForward(model, x);
  const [expectedLogits, expectedFeatures] = model.predict(x) as tf.Tensor[];
  const largest = (a: tf.Tensor, b: tf.Tensor) => tf.tidy(() => tf.max(tf.abs(tf.sub(a, b))).dataSync()[0]);
  assert.ok(largest(features, expectedFeatures) < 1e-4, `features ${largest(features, expectedFeatures)}`);
  assert.ok(largest(logits, expectedLogits) < 1e-4, `logits ${largest(logits, expectedLogits)}`);
  tf.dispose([x, features, logits, expectedLogits, expectedFeatures]);
});
