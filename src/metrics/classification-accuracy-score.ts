// The Classification Accuracy Score (Ravuri & Vinyals 2019) as the DP-generation
// literature runs it (Bie et al. 2023, DP-Sinkhorn): a small CNN trained on
// labelled images only (generated ones, or real ones for the ceiling), its
// epoch chosen by accuracy on a hold-out drawn the same way (never on real
// data), and its accuracy reported on the real test set. Junk trains no
// classifier: noise and blank images score about 0.1.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { deriveRng, type Rng } from '../engine/rng.js';
import { gatherRows } from '../data/image-set.js';
import { classifierAccuracy } from '../models/feature-training.js';
import { CLASS_COUNT } from '../models/gan-models.js';

/** Images with a class each, 28×28 in [-1, 1]. */
export interface LabelledImages {
  pixels: Float32Array;
  labels: Uint8Array;
  count: number;
}

/** Rows [first, first + count) of labelled images (a training part and its hold-out, from one set). */
export function labelledRows(set: Pick<LabelledImages, 'pixels' | 'labels'>, first: number, count: number): LabelledImages {
  return { pixels: set.pixels.subarray(first * SIDE * SIDE, (first + count) * SIDE * SIDE), labels: set.labels.subarray(first, first + count), count };
}

export interface CasProtocol {
  name: string;
  /** Training images, and hold-out images that choose the epoch. */
  train: number;
  holdOut: number;
  epochs: number;
}

/** `full`: the literature's (55,000 + 5,000, 10 epochs); `short`: a cheaper run for studies, named so. */
export const CAS_PROTOCOLS: Record<'full' | 'short', CasProtocol> = {
  full: { name: 'full', train: 55000, holdOut: 5000, epochs: 10 },
  short: { name: 'short', train: 10000, holdOut: 2000, epochs: 3 },
};

/** The classifier's settings, as the protocol fixes them. */
const BATCH = 64;
const LEARNING_RATE = 1e-3;
const SIDE = 28;

export interface CasEpoch {
  epoch: number;
  holdOutAccuracy: number;
  testAccuracy: number;
}

export interface CasResult {
  protocol: CasProtocol;
  /** Test accuracy at the epoch of the best hold-out accuracy (the first such epoch). */
  accuracy: number;
  chosenEpoch: number;
  epochs: CasEpoch[];
  seed: number;
  seconds: number;
}

/** conv 32 3×3 → conv 64 3×3 → max-pool 2 → dropout 0.25 → dense 128 → dropout 0.5 → 10, ReLU between (Keras's mnist_cnn). */
function buildClassifier(seed: number): tfl.Sequential {
  const rng = deriveRng(seed, 'cas-weights');
  const init = () => tfl.initializers.glorotUniform({ seed: rng.nextUint32() });
  const model = tfl.sequential({ name: 'cas_classifier' });
  model.add(tfl.layers.conv2d({ inputShape: [SIDE, SIDE, 1], filters: 32, kernelSize: 3, activation: 'relu', kernelInitializer: init() }));
  model.add(tfl.layers.conv2d({ filters: 64, kernelSize: 3, activation: 'relu', kernelInitializer: init() }));
  model.add(tfl.layers.maxPooling2d({ poolSize: 2 }));
  model.add(tfl.layers.dropout({ rate: 0.25 }));
  model.add(tfl.layers.flatten());
  model.add(tfl.layers.dense({ units: 128, activation: 'relu', kernelInitializer: init() }));
  model.add(tfl.layers.dropout({ rate: 0.5 }));
  model.add(tfl.layers.dense({ units: CLASS_COUNT, kernelInitializer: init() }));
  return model;
}

/**
 * The classifier in training mode, each dropout drawing a fresh mask from `rng`: a Dropout layer given a seed
 * draws the same mask at every step, and one without draws from Math.random.
 */
function trainingForward(model: tfl.Sequential, x: tf.Tensor4D, rng: Rng): tf.Tensor2D {
  let y: tf.Tensor = x;
  for (const layer of model.layers) {
    y = layer.getClassName() === 'Dropout' ? tf.dropout(y, layer.getConfig().rate as number, undefined, rng.nextUint32()) : (layer.apply(y) as tf.Tensor);
  }
  return y as tf.Tensor2D;
}

/**
 * Trains the protocol's classifier on `train`, scores every epoch on `holdOut` and `test`, and reports the test
 * accuracy of the epoch the hold-out chose. `onStep` sees the steps done of all epochs'.
 */
export async function classificationAccuracyScore(
  train: LabelledImages,
  holdOut: LabelledImages,
  test: LabelledImages,
  protocol: CasProtocol,
  seed: number,
  onStep?: (done: number, total: number) => void,
): Promise<CasResult> {
  const started = performance.now();
  const model = buildClassifier(seed);
  const optimizer = tf.train.adam(LEARNING_RATE);
  const rng = deriveRng(seed, 'cas-batches');
  const stepsPerEpoch = Math.ceil(train.count / BATCH);
  const epochs: CasEpoch[] = [];
  try {
    for (let epoch = 1; epoch <= protocol.epochs; epoch++) {
      const order = rng.permutation(train.count);
      for (let step = 0; step < stepsPerEpoch; step++) {
        const rows = order.subarray(step * BATCH, (step + 1) * BATCH);
        const x = tf.tensor4d(gatherRows(train.pixels, rows, SIDE * SIDE), [rows.length, SIDE, SIDE, 1]);
        const y = tf.tidy(() =>
          tf.oneHot(
            tf.tensor1d(
              Int32Array.from(rows, (row) => train.labels[row]),
              'int32',
            ),
            CLASS_COUNT,
          ),
        );
        const cost = optimizer.minimize(() => tf.losses.softmaxCrossEntropy(y, trainingForward(model, x, rng)) as tf.Scalar, true);
        tf.dispose([x, y, cost!]);
        onStep?.((epoch - 1) * stepsPerEpoch + step + 1, protocol.epochs * stepsPerEpoch);
      }
      epochs.push({ epoch, holdOutAccuracy: await classifierAccuracy(model, holdOut), testAccuracy: await classifierAccuracy(model, test) });
    }
  } finally {
    optimizer.dispose();
    model.dispose();
  }
  const chosen = epochs.reduce((best, e) => (e.holdOutAccuracy > best.holdOutAccuracy ? e : best));
  return { protocol, accuracy: chosen.testAccuracy, chosenEpoch: chosen.epoch, epochs, seed, seconds: (performance.now() - started) / 1000 };
}
