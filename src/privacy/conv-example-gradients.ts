// Each example's gradient norm, and the clipped sum, for a convolution
// out = conv(a, W) + b. Unfolded into patches (im2col), example i's input is
// a matrix A_i of T positions × d = k·k·C_in values and its output gradient
// a matrix Δ_i of T × C_out, so its gradient is A_iᵀΔ_i for W and Σ_t Δ_i[t]
// for b. ‖A_iᵀΔ_i‖² is computed whichever way is cheaper (Li et al. 2022's
// ghost clipping, as Opacus and private-transformers do): directly, forming
// the d × C_out gradient, or as ⟨A_iA_iᵀ, Δ_iΔ_iᵀ⟩ from two T × T products,
// when T² is small beside d·C_out (deep layers with few positions). The
// clipped sum is the ordinary weight gradient with each Δ_i scaled by its
// factor: Aᵀ(c ⊙ Δ) over all examples and positions.
import * as tf from '@tensorflow/tfjs-core';
import type { ConvRun } from '../models/layer-run.js';
import { imagePatches } from '../engine/image-patches-kernel.js';

/** The run's input unfolded: [examples, T positions, k·k·C_in], in the filter's (row, column, channel) order. */
export function examplePatches(run: ConvRun): tf.Tensor3D {
  const [rows] = run.input.shape;
  const [kernelHeight, kernelWidth, inChannels] = run.filter.shape;
  return tf.tidy(() =>
    tf.reshape(imagePatches(run.input, { filterShape: run.filter.shape, strides: run.strides, pad: run.pad }), [
      rows,
      -1,
      kernelHeight * kernelWidth * inChannels,
    ]),
  );
}

/** Whether ⟨AAᵀ, ΔΔᵀ⟩ (T² · (d + C_out) a example) costs less than forming AᵀΔ (T · d · C_out). */
export function usesGhostNorm(positions: number, patch: number, outputs: number): boolean {
  return positions * (patch + outputs) < patch * outputs;
}

/** Each example's squared gradient norm (W's and b's) from dy = ∂(Σ ℓ_i)/∂output and the layer's input patches. */
export function convExampleSquaredNorms(dy: tf.Tensor4D, patches: tf.Tensor3D): tf.Tensor1D {
  return tf.tidy(() => {
    const [rows, positions, patch] = patches.shape;
    const outputs = dy.shape[3];
    const delta = tf.reshape(dy, [rows, positions, outputs]) as tf.Tensor3D;
    const weights = usesGhostNorm(positions, patch, outputs)
      ? tf.sum(tf.mul(tf.matMul(patches, patches, false, true), tf.matMul(delta, delta, false, true)), [1, 2])
      : tf.sum(tf.square(tf.matMul(patches, delta, true, false)), [1, 2]);
    return tf.add(weights, tf.sum(tf.square(tf.sum(delta, 1)), 1)) as tf.Tensor1D;
  });
}

/** The gradients of W and b summed over the examples, for output gradients dy (already scaled by each example's factor). */
export function convParameterGradients(dy: tf.Tensor4D, run: ConvRun, patches: tf.Tensor3D): { w: tf.Tensor4D; b: tf.Tensor1D } {
  return tf.tidy(() => {
    const [rows, positions, patch] = patches.shape;
    const outputs = dy.shape[3];
    const delta = tf.reshape(dy, [rows * positions, outputs]) as tf.Tensor2D;
    const w = tf.reshape(tf.matMul(tf.reshape(patches, [rows * positions, patch]) as tf.Tensor2D, delta, true, false), run.filter.shape) as tf.Tensor4D;
    return { w, b: tf.sum(delta, 0) as tf.Tensor1D };
  });
}
