import type * as tf from '@tensorflow/tfjs-core';

/**
 * A GAN training objective. Every objective has this shape, so the training
 * loop never branches on an objective's name. D outputs raw logits; any
 * sigmoid lives here.
 */
export interface Objective {
  readonly name: string;
  /** One line for --help and config.json. */
  readonly description: string;
  /** The loss D minimises, from its outputs on a real and a fake batch. */
  discriminatorLoss(realLogits: tf.Tensor, fakeLogits: tf.Tensor): tf.Scalar;
  /** The loss G minimises, from D's outputs on a fake batch. */
  generatorLoss(fakeLogits: tf.Tensor): tf.Scalar;
}
