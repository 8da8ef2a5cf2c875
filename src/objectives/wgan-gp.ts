// WGAN-GP (Gulrajani et al. 2017): the critic loss of WGAN plus a gradient
// penalty at random interpolates between real and fake images.
import * as tf from '@tensorflow/tfjs-core';
import { withGradientPenalty } from './gradient-penalty.js';
import type { Objective } from './objective.js';
import { criticGeneratorLoss, criticLoss } from './wgan.js';

const LAMBDA = 10;

export const wganGp: Objective = {
  name: 'wgan-gp',
  description: 'WGAN with a gradient penalty (Gulrajani et al. 2017)',
  defaults: {
    optimizer: 'adam',
    lrG: 1e-4,
    lrD: 1e-4,
    beta1: 0.5,
    beta2: 0.9,
    dSteps: 5,
    source: "the official scripts of Gulrajani et al. 2017 (Adam 1e-4, β = (0.5, 0.9); the paper's algorithm 1 states β1 = 0), n_critic = 5",
  },
  constants: { lambda: LAMBDA },
  discriminator: 'logit',
  discriminatorLoss: withGradientPenalty(criticLoss, LAMBDA, ({ real, fake, rng }) => {
    const rows = real.shape[0];
    const epsilon = tf.tensor2d(rng.uniforms(rows, 0, 1), [rows, 1]);
    return tf.add(tf.mul(epsilon, real), tf.mul(tf.sub(1, epsilon), fake)) as tf.Tensor2D;
  }),
  generatorLoss: criticGeneratorLoss,
};
