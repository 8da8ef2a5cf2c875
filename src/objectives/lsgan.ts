// Least-squares GAN (Mao et al. 2017), with the 0-1 coding a = 0 (fake),
// b = 1 (real), c = 1 (what G wants D to say).
import * as tf from '@tensorflow/tfjs-core';
import type { Objective } from './objective.js';

const A = 0;
const B = 1;
const C = 1;

const halfMeanSquare = (x: tf.Tensor, target: number) => tf.mul(0.5, tf.mean(tf.square(tf.sub(x, target)))) as tf.Scalar;

export const lsgan: Objective = {
  name: 'lsgan',
  description: 'least-squares GAN, a = 0, b = 1, c = 1 (Mao et al. 2017)',
  defaults: {
    optimizer: 'adam',
    lrG: 2e-4,
    lrD: 2e-4,
    beta1: 0.5,
    beta2: 0.999,
    dSteps: 1,
    source: 'Mao et al. 2017, section 4 (Adam, α = 0.0002, β1 = 0.5)',
  },
  constants: { a: A, b: B, c: C },
  discriminator: 'logit',
  discriminatorLoss({ critic, real, fake }) {
    const realScore = critic(real);
    const fakeScore = critic(fake);
    return {
      loss: tf.add(halfMeanSquare(realScore, B), halfMeanSquare(fakeScore, A)) as tf.Scalar,
      logs: { dReal: tf.mean(realScore) as tf.Scalar, dFake: tf.mean(fakeScore) as tf.Scalar },
    };
  },
  generatorLoss: (critic, fake) => ({ loss: halfMeanSquare(critic(fake), C), logs: {} }),
};
