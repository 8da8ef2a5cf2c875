import * as tf from '@tensorflow/tfjs-core';
import type { Objective } from './objective.js';

/** −log σ(v) = softplus(−v) and −log(1 − σ(v)) = softplus(v), stable for any v. */
export const negLogSigmoid = (v: tf.Tensor) => tf.softplus(tf.neg(v));
export const negLogOneMinusSigmoid = (v: tf.Tensor) => tf.softplus(v);

/** D's binary cross-entropy: real labelled 1, fake labelled 0. */
export function binaryCrossEntropy(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
  return tf.add(tf.mean(negLogSigmoid(realLogits)), tf.mean(negLogOneMinusSigmoid(fakeLogits))) as tf.Scalar;
}

/** Goodfellow et al. (2014): G minimises log(1 − D(G(z))), the game's value. */
export const minimax: Objective = {
  name: 'minimax',
  description: 'the original minimax game: G minimises log(1 − D(G(z)))',
  discriminatorLoss: binaryCrossEntropy,
  generatorLoss: (fakeLogits) => tf.neg(tf.mean(negLogOneMinusSigmoid(fakeLogits))) as tf.Scalar,
};
