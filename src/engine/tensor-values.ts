import type * as tf from '@tensorflow/tfjs-core';

/**
 * A tensor's values, disposing the tensor. Compute inside tf.tidy and read
 * outside it: tidy() walks a returned array element by element (it looks for
 * tensors), which cost seconds on large outputs.
 */
export function takeValues(tensor: tf.Tensor): Float32Array {
  const values = tensor.dataSync() as Float32Array;
  tensor.dispose();
  return values;
}
