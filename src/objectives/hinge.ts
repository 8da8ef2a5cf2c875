// The hinge loss (Lim & Ye 2017; Miyato et al. 2018; Zhang et al. 2019):
// D minimises E[relu(1 − D(x))] + E[relu(1 + D(G(z)))], G minimises −E[D(G(z))].
import * as tf from '@tensorflow/tfjs-core';
import { exampleLossDiscriminator, type ExampleLosses, type Objective } from './objective.js';
import { criticGeneratorLoss } from './wgan.js';

const exampleLosses: ExampleLosses = {
  real: (output) => tf.reshape(tf.relu(tf.sub(1, output)), [-1]),
  fake: (output) => tf.reshape(tf.relu(tf.add(1, output)), [-1]),
};

export const hinge: Objective = {
  name: 'hinge',
  description: 'hinge loss (Lim & Ye 2017, as in SN-GAN and SAGAN)',
  defaults: {
    optimizer: 'adam',
    lrG: 1e-4,
    lrD: 4e-4,
    beta1: 0,
    beta2: 0.9,
    dSteps: 1,
    source: 'Zhang et al. 2019 (SAGAN): two time-scale Adam, lr_G 1e-4, lr_D 4e-4, β = (0, 0.9), one D step',
  },
  constants: {},
  discriminator: 'logit',
  discriminatorLoss: exampleLossDiscriminator(exampleLosses),
  exampleLosses,
  generatorLoss: criticGeneratorLoss,
};
