// The feature network the metrics use: a small CNN classifier for 28×28
// images. Its 128-d penultimate activations are the features; its logits give
// the mode statistics.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Rng } from '../engine/rng.js';

export const FEATURE_LAYER = 'features';
export const CLASSES = 10;

/** Two conv+pool blocks, a 128-unit dense layer, 10 logits. */
export function buildFeatureNetwork(rng: Rng): tfl.Sequential {
  const seed = () => rng.nextUint32();
  const model = tfl.sequential({ name: 'feature_network' });
  model.add(tfl.layers.conv2d({ inputShape: [28, 28, 1], filters: 32, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.heUniform({ seed: seed() }), name: 'conv1' }));
  model.add(tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool1' }));
  model.add(tfl.layers.conv2d({ filters: 64, kernelSize: 3, padding: 'same', activation: 'relu', kernelInitializer: tfl.initializers.heUniform({ seed: seed() }), name: 'conv2' }));
  model.add(tfl.layers.maxPooling2d({ poolSize: 2, name: 'pool2' }));
  model.add(tfl.layers.flatten({ name: 'flatten' }));
  model.add(tfl.layers.dense({ units: 128, activation: 'relu', kernelInitializer: tfl.initializers.heUniform({ seed: seed() }), name: FEATURE_LAYER }));
  model.add(tfl.layers.dense({ units: CLASSES, kernelInitializer: tfl.initializers.glorotUniform({ seed: seed() }), name: 'logits' }));
  return model;
}

/** Images as the network wants them: [n, 28, 28, 1] in [-1, 1]. */
export function imageBatch(pixels: Float32Array, count: number): tf.Tensor4D {
  return tf.tensor4d(pixels.subarray(0, count * 784), [count, 28, 28, 1]);
}
