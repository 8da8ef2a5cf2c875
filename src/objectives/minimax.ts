import * as tf from '@tensorflow/tfjs-core';
import { COURSE_DEFAULTS, type CriticBatch, type ExampleLosses, type Loss, type Objective } from './objective.js';

/** −log σ(v) = softplus(−v) and −log(1 − σ(v)) = softplus(v), stable for any v. */
export const negLogSigmoid = (v: tf.Tensor) => tf.softplus(tf.neg(v));
export const negLogOneMinusSigmoid = (v: tf.Tensor) => tf.softplus(v);

/** D's binary cross-entropy: real labelled 1, fake labelled 0. */
export function binaryCrossEntropy(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar {
  return tf.add(tf.mean(negLogSigmoid(realLogits)), tf.mean(negLogOneMinusSigmoid(fakeLogits))) as tf.Scalar;
}

/** Binary cross-entropy example by example: −log σ(D(x)) for a real one, −log(1 − σ(D(x))) for a fake one. */
export const crossEntropyExampleLosses: ExampleLosses = {
  real: (output) => tf.reshape(negLogSigmoid(output), [-1]),
  fake: (output) => tf.reshape(negLogOneMinusSigmoid(output), [-1]),
  score: tf.sigmoid,
};

/** D's outputs as probabilities, for the log: mean σ(D(x)) and σ(D(G(z))). */
export function sigmoidScores(realLogits: tf.Tensor, fakeLogits: tf.Tensor): Record<string, tf.Scalar> {
  return { dReal: tf.mean(tf.sigmoid(realLogits)) as tf.Scalar, dFake: tf.mean(tf.sigmoid(fakeLogits)) as tf.Scalar };
}

/** The standard GAN's D loss: binary cross-entropy on logits. */
export function crossEntropyDiscriminatorLoss({ critic, real, fake }: CriticBatch): Loss {
  const realLogits = critic(real);
  const fakeLogits = critic(fake);
  return { loss: binaryCrossEntropy(realLogits, fakeLogits), logs: sigmoidScores(realLogits, fakeLogits) };
}

/** Goodfellow et al. (2014): G minimises log(1 − D(G(z))), the game's value. */
export const minimax: Objective = {
  name: 'minimax',
  description: 'the original minimax game: G minimises log(1 − D(G(z))) (Goodfellow et al. 2014)',
  defaults: COURSE_DEFAULTS,
  constants: {},
  discriminator: 'logit',
  discriminatorLoss: crossEntropyDiscriminatorLoss,
  exampleLosses: crossEntropyExampleLosses,
  generatorLoss: (critic, fake) => ({ loss: tf.neg(tf.mean(negLogOneMinusSigmoid(critic(fake)))) as tf.Scalar, logs: {} }),
};
