// DRAGAN (Kodali et al. 2017): the standard GAN loss plus a gradient penalty
// at noisy copies of the real batch, x̃ = x + 0.5·std(x)·U[0, 1), which keeps
// D's gradients tame around the data.
import * as tf from '@tensorflow/tfjs-core';
import { withGradientPenalty } from './gradient-penalty.js';
import { crossEntropyDiscriminatorLoss } from './minimax.js';
import { nonSaturatingGeneratorLoss } from './nonsaturating.js';
import type { Objective } from './objective.js';

const LAMBDA = 10;
const NOISE_SCALE = 0.5;

export const dragan: Objective = {
  name: 'dragan',
  description: 'DRAGAN: non-saturating GAN with a gradient penalty around the data (Kodali et al. 2017)',
  defaults: {
    optimizer: 'adam',
    lrG: 1e-4,
    lrD: 1e-4,
    beta1: 0.5,
    beta2: 0.9,
    dSteps: 1,
    source: 'the official DRAGAN code (Adam 1e-4, β = (0.5, 0.9))',
  },
  constants: { lambda: LAMBDA, noiseScale: NOISE_SCALE },
  discriminator: 'logit',
  discriminatorLoss: withGradientPenalty(crossEntropyDiscriminatorLoss, LAMBDA, ({ real, rng }) => {
    const [rows, columns] = real.shape;
    const std = tf.sqrt(tf.moments(real).variance);
    const noise = tf.tensor2d(rng.uniforms(rows * columns, 0, 1), [rows, columns]);
    return tf.add(real, tf.mul(tf.mul(NOISE_SCALE, std), noise)) as tf.Tensor2D;
  }),
  generatorLoss: nonSaturatingGeneratorLoss,
};
