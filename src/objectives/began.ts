// BEGAN (Berthelot et al. 2017): D is an autoencoder and L(v) = mean |v − D(v)|
// its reconstruction error. D minimises L(x) − k_t·L(G(z)), G minimises
// L(G(z)), and k_t steers the balance E[L(G(z))] = γ·E[L(x)].
import * as tf from '@tensorflow/tfjs-core';
import type { Critic, Objective } from './objective.js';

const GAMMA = 0.5;
const LAMBDA_K = 0.001;

/** Mean absolute reconstruction error over the batch. */
const reconstructionError = (critic: Critic, images: tf.Tensor2D) => tf.mean(tf.abs(tf.sub(images, critic(images)))) as tf.Scalar;

/** BEGAN carries k_t from step to step, so each run needs its own instance. */
export function began(): Objective {
  let k = 0;
  return {
    name: 'began',
    description: 'boundary equilibrium GAN with an autoencoder D (Berthelot et al. 2017)',
    defaults: {
      optimizer: 'adam',
      lrG: 1e-4,
      lrD: 1e-4,
      beta1: 0.5,
      beta2: 0.999,
      dSteps: 1,
      source: 'Berthelot et al. 2017, section 4 (Adam, lr 1e-4) with β1 = 0.5 as in the widely used reimplementations',
    },
    constants: { gamma: GAMMA, lambdaK: LAMBDA_K, k0: 0 },
    discriminator: 'autoencoder',
    discriminatorLoss({ critic, real, fake }) {
      const realError = reconstructionError(critic, real);
      const fakeError = reconstructionError(critic, fake);
      // M = L(x) + |γ·L(x) − L(G(z))|: it falls as training converges.
      const convergence = tf.add(realError, tf.abs(tf.sub(tf.mul(GAMMA, realError), fakeError))) as tf.Scalar;
      return {
        loss: tf.sub(realError, tf.mul(k, fakeError)) as tf.Scalar,
        logs: { dReal: realError, dFake: fakeError, convergence, k: tf.scalar(k) },
      };
    },
    generatorLoss: (critic, fake) => ({ loss: reconstructionError(critic, fake), logs: {} }),
    afterDiscriminatorStep(_variables, logs) {
      k = Math.min(1, Math.max(0, k + LAMBDA_K * (GAMMA * logs.dReal - logs.dFake)));
    },
    saveState: () => ({ k }),
    restoreState(state) {
      k = state.k;
    },
  };
}
