// Least-squares GAN (Mao et al. 2017), with the 0-1 coding a = 0 (fake),
// b = 1 (real), c = 1 (what G wants D to say).
import * as tf from '@tensorflow/tfjs-core';
import { exampleLossDiscriminator, type ExampleLosses, type Objective } from './objective.js';

const A = 0;
const B = 1;
const C = 1;

const halfSquare = (x: tf.Tensor, target: number) => tf.reshape(tf.mul(0.5, tf.square(tf.sub(x, target))), [-1]) as tf.Tensor1D;
const exampleLosses: ExampleLosses = { real: (output) => halfSquare(output, B), fake: (output) => halfSquare(output, A) };

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
  discriminatorLoss: exampleLossDiscriminator(exampleLosses),
  exampleLosses,
  generatorLoss: (critic, fake) => ({ loss: tf.mean(halfSquare(critic(fake), C)) as tf.Scalar, logs: {} }),
};
