import * as tf from '@tensorflow/tfjs-core';
import { COURSE_DEFAULTS, type Critic } from './objective.js';
import type { Objective } from './objective.js';
import { crossEntropyDiscriminatorLoss, crossEntropyExampleLosses, negLogSigmoid } from './minimax.js';

/** G's non-saturating loss, −log D(G(z)): it does not saturate when D wins. */
export const nonSaturatingGeneratorLoss = (critic: Critic, fake: tf.Tensor2D) => ({
  loss: tf.mean(negLogSigmoid(critic(fake))) as tf.Scalar,
  logs: {},
});

/** The course's default. */
export const nonsaturating: Objective = {
  name: 'nonsaturating',
  description: 'non-saturating GAN: BCE for D, −log D(G(z)) for G (Goodfellow et al. 2014; the default)',
  defaults: COURSE_DEFAULTS,
  constants: {},
  discriminator: 'logit',
  discriminatorLoss: crossEntropyDiscriminatorLoss,
  exampleLosses: crossEntropyExampleLosses,
  generatorLoss: nonSaturatingGeneratorLoss,
};
