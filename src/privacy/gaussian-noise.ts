// DP-SGD's noise: N(0, std²) on every entry of a gradient, drawn from a seed
// the caller takes from the run's random stream, so runs stay reproducible.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { nativeAddon } from '../engine/engine.js';
import { Rng } from '../engine/rng.js';
import { memoryOffset } from '../engine/wasm-heap.js';

/**
 * (`owned` + N(0, std²I)) · scale, taking ownership of `owned`: natively it is
 * noised and scaled in place (a ziggurat on every thread, ~2 ms for D's 1.46M
 * parameters) and returned; in JavaScript a new tensor is returned and `owned` disposed.
 */
export function noisedAndScaled(owned: tf.Tensor, std: number, seed: Uint32Array, scale = 1): tf.Tensor {
  const addon = nativeAddon();
  if (!addon || tf.getBackend() !== 'wasm') {
    const noise = Rng.fromState({ words: [seed[0], seed[1], seed[2], seed[3]], spareNormal: null }).normals(owned.size, std);
    const result = tf.tidy(() => tf.mul(tf.add(owned, tf.tensor(noise, owned.shape)), scale));
    owned.dispose();
    return result;
  }
  const backend = tf.backend() as BackendWasm;
  addon.addGaussianNoise(backend.wasm.HEAPU8, memoryOffset(backend, owned), owned.size, std, scale, seed);
  return owned;
}

/** `gradient` + N(0, std²I), leaving `gradient` as it was. */
export function withGaussianNoise(gradient: tf.Tensor, std: number, seed: Uint32Array): tf.Tensor {
  // A copy with memory of its own (tf.clone would share the gradient's).
  return noisedAndScaled(
    tf.tidy(() => tf.add(gradient, 0)),
    std,
    seed,
  );
}
