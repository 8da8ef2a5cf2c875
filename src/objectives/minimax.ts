import * as tf from '@tensorflow/tfjs-core';
import { COURSE_DEFAULTS, exampleLossDiscriminator, meanExampleLoss, type ExampleLosses, type Objective } from './objective.js';

/** −log σ(v) = softplus(−v) and −log(1 − σ(v)) = softplus(v), stable for any v. */
export const negLogSigmoid = (v: tf.Tensor) => tf.softplus(tf.neg(v));
export const negLogOneMinusSigmoid = (v: tf.Tensor) => tf.softplus(v);

/** Binary cross-entropy example by example: −log σ(D(x)) for a real one, −log(1 − σ(D(x))) for a fake one. */
export const crossEntropyExampleLosses: ExampleLosses = {
  real: (output) => tf.reshape(negLogSigmoid(output), [-1]),
  fake: (output) => tf.reshape(negLogOneMinusSigmoid(output), [-1]),
  score: tf.sigmoid,
};

/** D's binary cross-entropy on logits: real labelled 1, fake labelled 0. */
export function binaryCrossEntropy(realLogits: tf.Tensor2D, fakeLogits: tf.Tensor2D): tf.Scalar {
  return meanExampleLoss(crossEntropyExampleLosses, realLogits, fakeLogits);
}

/** The standard GAN's D loss, with mean σ(D(x)) and σ(D(G(z))) logged. */
export const crossEntropyDiscriminatorLoss = exampleLossDiscriminator(crossEntropyExampleLosses);

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
