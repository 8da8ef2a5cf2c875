// WGAN (Arjovsky et al. 2017): D is a critic whose weights are clipped to
// ±c, so it stays (roughly) Lipschitz and mean D(real) − mean D(fake)
// estimates the Wasserstein-1 distance up to a constant.
import * as tf from '@tensorflow/tfjs-core';
import type { Critic, CriticBatch, Loss, Objective } from './objective.js';

const CLIP = 0.01;

/** The critic's loss, mean D(fake) − mean D(real), and its logs (the Wasserstein estimate among them). */
export function criticLoss({ critic, real, fake }: CriticBatch): Loss {
  const realScore = tf.mean(critic(real)) as tf.Scalar;
  const fakeScore = tf.mean(critic(fake)) as tf.Scalar;
  const wasserstein = tf.sub(realScore, fakeScore) as tf.Scalar;
  return { loss: tf.neg(wasserstein) as tf.Scalar, logs: { dReal: realScore, dFake: fakeScore, wasserstein } };
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
  generatorLoss: criticGeneratorLoss,
  afterDiscriminatorStep(variables) {
    tf.tidy(() => {
      for (const variable of variables) variable.assign(tf.clipByValue(variable, -CLIP, CLIP));
    });
  },
};
