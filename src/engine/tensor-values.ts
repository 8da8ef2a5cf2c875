import type * as tf from '@tensorflow/tfjs-core';

// Reads are awaited: the WebGPU backend can read a tensor only asynchronously
// (its dataSync needs a browser's OffscreenCanvas); on wasm the wait is a microtask.

/**
 * A tensor's values, disposing the tensor. Compute inside tf.tidy and read
 * outside it: tidy() walks a returned array element by element (it looks for
 * tensors), which cost seconds on large outputs.
 */
export async function takeValues(tensor: tf.Tensor): Promise<Float32Array> {
  try {
    return (await tensor.data()) as Float32Array;
  } finally {
    tensor.dispose();
  }
}

/** A scalar's value, disposing it. */
export async function takeScalar(tensor: tf.Tensor): Promise<number> {
  return (await takeScalars([tensor]))[0];
}

/** The first value of each tensor, then every tensor disposed (one may appear twice). */
export async function takeScalars(tensors: tf.Tensor[]): Promise<number[]> {
  try {
    return (await Promise.all(tensors.map((t) => t.data()))).map((values) => values[0] as number);
  } finally {
    for (const t of tensors) t.dispose();
  }
}
