// Training the feature network: a seeded classifier on a dataset's training split.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { deriveRng } from '../engine/rng.js';
import { gatherImages, type ImageSet } from '../data/image-set.js';
import { DataError } from '../errors.js';
import { buildFeatureNetwork, CLASSES, standardiseFeatures } from './feature-network.js';

export interface FeatureTrainingOptions {
  epochs: number;
  batch: number;
  /** Adam's learning rate in the first epoch; it halves after each epoch. */
  lr: number;
  seed: number;
}

export const FEATURE_TRAINING_DEFAULTS: FeatureTrainingOptions = { epochs: 4, batch: 64, lr: 1e-3, seed: 0 };

function gather(images: ImageSet, indices: Uint32Array): { x: tf.Tensor4D; y: tf.Tensor2D } {
  const pixels = gatherImages(images, indices);
  const labels = Int32Array.from(indices, (index) => images.labels![index]);
  const y = tf.tidy(() => tf.oneHot(tf.tensor1d(labels, 'int32'), CLASSES) as tf.Tensor2D);
  return { x: tf.tensor4d(pixels, [indices.length, 28, 28, 1]), y };
}

/** Trains a fresh network, then standardises its features on the same images; `onStep` sees each step's loss. */
export function trainFeatureNetwork(
  images: ImageSet,
  options: FeatureTrainingOptions,
  onStep?: (epoch: number, step: number, stepsPerEpoch: number, loss: number) => void,
): tfl.LayersModel {
  if (!images.labels) throw new DataError(`${images.source} has no labels; the feature network is a classifier and needs them.`);
  if (images.height !== 28 || images.width !== 28)
    throw new DataError(`${images.source} holds ${images.height}×${images.width} images; the feature network needs 28×28.`);
  const net = buildFeatureNetwork(deriveRng(options.seed, 'feature-weights'));
  const model = net.classifier;
  const rng = deriveRng(options.seed, 'feature-training');
  const optimizer = tf.train.adam(options.lr);
  const stepsPerEpoch = Math.floor(images.count / options.batch);
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    // A halving schedule: the last epochs settle into a minimum (≥ 99% on MNIST test).
    (optimizer as unknown as { learningRate: number }).learningRate = options.lr / 2 ** (epoch - 1);
    const order = rng.permutation(images.count);
    for (let step = 0; step < stepsPerEpoch; step++) {
      const { x, y } = gather(images, order.subarray(step * options.batch, (step + 1) * options.batch));
      const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, model.apply(x, { training: true }) as tf.Tensor) as tf.Scalar, true)!;
      onStep?.(epoch, step + 1, stepsPerEpoch, cost.dataSync()[0]);
      tf.dispose([x, y, cost]);
    }
  }
  optimizer.dispose();
  standardiseFeatures(net, images.pixels, images.count);
  return net.network;
}

/** Fraction of `images` whose predicted class is their label. */
export function classifierAccuracy(model: tfl.LayersModel, images: ImageSet, batch = 1000): number {
  let correct = 0;
  for (let first = 0; first < images.count; first += batch) {
    const count = Math.min(batch, images.count - first);
    const predicted = tf.tidy(() => {
      const output = model.predict(tf.tensor4d(images.pixels.subarray(first * 784, (first + count) * 784), [count, 28, 28, 1]));
      // v2 networks answer [logits, features]; v1 answers the logits alone.
      return tf.argMax(Array.isArray(output) ? output[0] : output, 1);
    });
    const values = predicted.dataSync();
    predicted.dispose();
    for (let i = 0; i < count; i++) if (values[i] === images.labels![first + i]) correct++;
  }
  return correct / images.count;
}
