// WGAN (Arjovsky et al. 2017): D is a critic whose weights are clipped to
// ±c, so it stays (roughly) Lipschitz and mean D(real) − mean D(fake)
// estimates the Wasserstein-1 distance up to a constant.
import * as tf from '@tensorflow/tfjs-core';
import { scoredExampleLoss, type Critic, type CriticBatch, type ExampleLosses, type Loss, type Objective } from './objective.js';

const CLIP = 0.01;

const exampleLosses: ExampleLosses = { real: (output) => tf.neg(tf.reshape(output, [-1])), fake: (output) => tf.reshape(output, [-1]) };

/** The critic's loss, mean D(fake) − mean D(real), and its logs (the Wasserstein estimate among them). */
export function criticLoss({ critic, real, fake }: CriticBatch): Loss {
  const { loss, logs } = scoredExampleLoss(exampleLosses, critic(real), critic(fake));
  return { loss, logs: { ...logs, wasserstein: tf.neg(loss) as tf.Scalar } };
}

/** G's loss against a critic: −mean D(G(z)). */
export const criticGeneratorLoss = (critic: Critic, fake: tf.Tensor2D): Loss => ({
  loss: tf.neg(tf.mean(critic(fake))) as tf.Scalar,
  logs: {},
});

export const wgan: Objective = {
  name: 'wgan',
  description: 'Wasserstein GAN with weight clipping (Arjovsky et al. 2017)',
  defaults: {
    optimizer: 'rmsprop',
    lrG: 5e-5,
    lrD: 5e-5,
    beta1: 0,
    beta2: 0,
    dSteps: 5,
    source: 'Arjovsky et al. 2017, algorithm 1 (RMSProp, α = 5e-5, n_critic = 5)',
  },
  constants: { clip: CLIP },
  discriminator: 'logit',
  discriminatorLoss: criticLoss,
  exampleLosses,
  generatorLoss: criticGeneratorLoss,
  afterDiscriminatorStep(variables) {
    tf.tidy(() => {
      for (const variable of variables) variable.assign(tf.clipByValue(variable, -CLIP, CLIP));
    });
  },
};
