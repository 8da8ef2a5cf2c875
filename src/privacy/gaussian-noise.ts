// DP-SGD's noise: N(0, std²) on every entry of a gradient, drawn from a seed
// the caller takes from the run's random stream, so runs stay reproducible.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeAddon } from '../engine/engine.js';
import { Rng } from '../engine/rng.js';
import { memoryOffset } from '../engine/wasm-heap.js';

/** `gradient` + N(0, std²I). Natively (polar method, ~9 ms per million) when the addon is loaded; else in JS. */
export function withGaussianNoise(gradient: tf.Tensor, std: number, seed: Uint32Array): tf.Tensor {
  const addon = nativeAddon();
  if (!addon || tf.getBackend() !== 'wasm') {
    const noise = Rng.fromState({ words: [seed[0], seed[1], seed[2], seed[3]], spareNormal: null }).normals(gradient.size, std);
    return tf.tidy(() => tf.add(gradient, tf.tensor(noise, gradient.shape)));
  }
  // A copy of the gradient that this function owns, noised in place.
  const noisy = tf.tidy(() => tf.add(gradient, 0));
  const backend = tf.backend() as BackendWasm;
  addon.addGaussianNoise(backend.wasm.HEAPU8, memoryOffset(backend, noisy), noisy.size, std, seed);
  return noisy;
}
