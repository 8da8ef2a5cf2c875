import * as tf from '@tensorflow/tfjs-core';
import type { Objective } from './objective.js';
import { binaryCrossEntropy, negLogSigmoid } from './minimax.js';

/** The course's default: G minimises −log D(G(z)), which does not saturate when D wins. */
export const nonsaturating: Objective = {
  name: 'nonsaturating',
  description: 'non-saturating GAN: BCE for D, −log D(G(z)) for G (the default)',
  discriminatorLoss: binaryCrossEntropy,
  generatorLoss: (fakeLogits) => tf.mean(negLogSigmoid(fakeLogits)) as tf.Scalar,
};
