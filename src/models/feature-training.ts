// Training the feature network: a seeded classifier on a dataset's training
// split that also learns to answer "not a digit" on outlier images (outlier
// exposure with an extra class, Hendrycks et al. 2019), and keeps its features
// where they were under mild pixel noise (a stability loss), so that junk lands
// far from every digit while barely noisy digits stay near their own.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { deriveRng, type Rng } from '../engine/rng.js';
import { takeScalar, takeValues } from '../engine/tensor-values.js';
import { gatherImages, type ImageSet } from '../data/image-set.js';
import { DataError } from '../errors.js';
import { buildFeatureNetwork, CLASSES, NOT_A_DIGIT, standardiseFeatures, type FeatureNetwork } from './feature-network.js';
import { outlierImages } from './outlier-images.js';

export interface FeatureTrainingOptions {
  epochs: number;
  /** Digits a step; half as many outlier images join them, and as many noisy copies when trainNoise > 0. */
  batch: number;
  /** Adam's learning rate in the first epoch; it halves after each epoch. */
  lr: number;
  seed: number;
  /** The weight of the cross-entropy that teaches "not a digit" on outlier images (0: digits only, as mnist-v2). */
  outlierWeight: number;
  /** Each digit gets a noisy copy with pixel noise N(0, σ²), σ uniform in [0, trainNoise], classified as the digit (0: none, as mnist-v2). */
  trainNoise: number;
  /** The weight of the mean over features of (f(noisy copy) − f(digit))², in the starting network's standard deviations (0: none). */
  stability: number;
}

/**
 * Fresh training's settings. mnist-v3 was fine-tuned from mnist-v2 with them but 2 epochs at 3e-4
 * (`features train --data mnist --init mnist-v2 --epochs 2 --lr 3e-4`; its training.json says so).
 */
export const FEATURE_TRAINING_DEFAULTS: FeatureTrainingOptions = { epochs: 4, batch: 64, lr: 1e-3, seed: 0, outlierWeight: 1, trainNoise: 0.15, stability: 1 };

/** A step's images (digits, their noisy copies, outliers) and the classes the digits and outliers must get. */
function stepBatch(images: ImageSet, indices: Uint32Array, outliers: Float32Array, options: FeatureTrainingOptions, rng: Rng) {
  const digits = gatherImages(images, indices);
  const copies = options.trainNoise > 0 ? 1 : 0;
  const pixels = new Float32Array(digits.length * (1 + copies) + outliers.length);
  pixels.set(digits);
  if (copies) {
    for (let row = 0; row < indices.length; row++) {
      const sigma = options.trainNoise * rng.uniform();
      for (let p = row * 784; p < (row + 1) * 784; p++) pixels[digits.length + p] = Math.min(1, Math.max(-1, digits[p] + sigma * rng.normal()));
    }
  }
  pixels.set(outliers, digits.length * (1 + copies));
  const labels = Int32Array.from(indices, (index) => images.labels![index]);
  const classes = [
    ...Array(1 + copies)
      .fill([...labels])
      .flat(),
    ...Array(outliers.length / 784).fill(NOT_A_DIGIT),
  ];
  return { pixels, count: pixels.length / 784, classes: Int32Array.from(classes) };
}

/**
 * Copies every weight of `start`, a saved network of design v2 or v3, into `net` layer by layer by name; from v2,
 * the digits' logits and the standardiser's 128 features, leaving the new not-a-digit ones as drawn.
 */
function startFrom(net: FeatureNetwork, start: tfl.LayersModel): void {
  for (const layer of net.network.layers) {
    const fresh = layer.getWeights();
    if (!fresh.length) continue;
    let saved: tfl.layers.Layer;
    try {
      saved = start.getLayer(layer.name);
    } catch {
      throw new DataError(`The network to start from has no layer "${layer.name}": it is not of the feature network's design.`);
    }
    const weights = saved.getWeights();
    for (const [i, w] of weights.entries()) {
      const target = fresh[i].shape;
      if (w.shape.length !== target.length || w.shape.some((size, axis) => size > target[axis] || (axis < w.shape.length - 1 && size !== target[axis])))
        throw new DataError(`The network to start from has other shapes in layer "${layer.name}".`);
    }
    // Only the last axis may grow (v2 → v3): keep the saved values and the fresh rest.
    tf.tidy(() =>
      layer.setWeights(
        weights.map((w, i) =>
          w.shape.at(-1) === fresh[i].shape.at(-1) ? w : tf.concat([w, tf.slice(fresh[i], [...w.shape.slice(0, -1).map(() => 0), w.shape.at(-1)!])], -1),
        ),
      ),
    );
  }
}

/**
 * Trains a network (fresh, or fine-tuned from `start`, a saved network of
 * design v2 or v3), then standardises its features on the same images; `onStep`
 * sees each step's loss.
 */
export async function trainFeatureNetwork(
  images: ImageSet,
  options: FeatureTrainingOptions,
  onStep?: (epoch: number, step: number, stepsPerEpoch: number, loss: number) => void,
  start?: tfl.LayersModel,
): Promise<tfl.LayersModel> {
  if (!images.labels) throw new DataError(`${images.source} has no labels; the feature network is a classifier and needs them.`);
  if (images.height !== 28 || images.width !== 28)
    throw new DataError(`${images.source} holds ${images.height}×${images.width} images; the feature network needs 28×28.`);
  const net = buildFeatureNetwork(deriveRng(options.seed, 'feature-weights'));
  if (start) startFrom(net, start);
  // The stability loss measures feature moves in the starting network's standard deviations (1 for fresh weights).
  const joinedDims = (net.network.getLayer('joined').output as tfl.SymbolicTensor).shape[1]! - 1;
  const scale = tf.tidy(() => tf.sqrt(tf.add(tf.slice(net.standardiser.getWeights()[3], 0, joinedDims), 1e-8)));
  const trainer = tfl.model({ inputs: net.network.inputs, outputs: [net.network.outputs[0], net.network.getLayer('joined').output as tfl.SymbolicTensor] });
  const rng = deriveRng(options.seed, 'feature-training');
  const outlierRng = deriveRng(options.seed, 'feature-outliers');
  const outlierCount = options.outlierWeight > 0 ? Math.max(1, Math.floor(options.batch / 2)) : 0;
  const optimizer = tf.train.adam(options.lr);
  const stepsPerEpoch = Math.floor(images.count / options.batch);
  const b = options.batch;
  for (let epoch = 1; epoch <= options.epochs; epoch++) {
    // Setting the rate on the same optimiser keeps Adam's moment estimates.
    (optimizer as unknown as { learningRate: number }).learningRate = options.lr / 2 ** (epoch - 1);
    const order = rng.permutation(images.count);
    for (let step = 0; step < stepsPerEpoch; step++) {
      const batch = stepBatch(images, order.subarray(step * b, (step + 1) * b), outlierImages(outlierCount, outlierRng, images), options, rng);
      const x = tf.tensor4d(batch.pixels, [batch.count, 28, 28, 1]);
      const y = tf.tidy(() => tf.oneHot(tf.tensor1d(batch.classes, 'int32'), CLASSES + 1));
      const digitRows = batch.count - outlierCount;
      const cost = optimizer.minimize(() => {
        const [logits, joined] = trainer.apply(x, { training: true }) as tf.Tensor2D[];
        const crossEntropy = (first: number, rows: number) =>
          tf.losses.softmaxCrossEntropy(tf.slice(y, [first, 0], [rows, -1]), tf.slice(logits, [first, 0], [rows, -1])) as tf.Scalar;
        let loss = crossEntropy(0, digitRows);
        if (outlierCount) loss = tf.add(loss, tf.mul(options.outlierWeight, crossEntropy(digitRows, outlierCount)));
        if (options.trainNoise > 0 && options.stability > 0) {
          const moved = tf.div(tf.sub(tf.slice(joined, [b, 0], [b, joinedDims]), tf.slice(joined, [0, 0], [b, joinedDims])), scale);
          loss = tf.add(loss, tf.mul(options.stability, tf.mean(tf.square(moved))));
        }
        return loss as tf.Scalar;
      }, true)!;
      tf.dispose([x, y]);
      const loss = await takeScalar(cost);
      onStep?.(epoch, step + 1, stepsPerEpoch, loss);
    }
  }
  optimizer.dispose();
  scale.dispose();
  await standardiseFeatures(net, images.pixels, images.count);
  return net.network;
}

/** Fraction of `images` whose most likely digit is their label (the feature network's, or the CAS classifier's). */
export async function classifierAccuracy(model: tfl.LayersModel, images: Pick<ImageSet, 'pixels' | 'count' | 'labels'>, batch = 1000): Promise<number> {
  let correct = 0;
  for (let first = 0; first < images.count; first += batch) {
    const count = Math.min(batch, images.count - first);
    const predicted = tf.tidy(() => {
      const output = model.predict(tf.tensor4d(images.pixels.subarray(first * 784, (first + count) * 784), [count, 28, 28, 1]));
      // v2 and v3 networks answer [logits, features]; v1 answers the logits alone. Which digit: v3's "not a digit" aside.
      const logits = Array.isArray(output) ? output[0] : output;
      return tf.argMax(tf.slice(logits, [0, 0], [-1, CLASSES]), 1);
    });
    const values = await takeValues(predicted);
    for (let i = 0; i < count; i++) if (values[i] === images.labels![first + i]) correct++;
  }
  return correct / images.count;
}
