import * as tf from '@tensorflow/tfjs-core';

/**
 * tfjs has no gradient for Greater, which LeakyReLU's gradient uses, so a
 * gradient of a gradient (WGAN-GP, DRAGAN) through LeakyReLU fails. A
 * comparison is piecewise constant, so its gradient is zero almost everywhere.
 */
export function registerMissingGradients(): void {
  if (tf.getGradient('Greater')) return;
  tf.registerGradient({
    kernelName: 'Greater',
    inputsToSave: ['a', 'b'],
    gradFunc: (_dy, saved) => ({
      a: () => tf.zerosLike(saved[0]),
      b: () => tf.zerosLike(saved[1]),
    }),
  });
}
