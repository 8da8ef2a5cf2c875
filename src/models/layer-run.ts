// What a forward pass shows of each weighted layer as it runs, for DP-SGD's
// per-example gradients (privacy/per-example-clipping.ts): the layer's input,
// its output and its parameters.
import type * as tf from '@tensorflow/tfjs-core';
import type { DenseRun } from '../engine/dense-layer.js';

/** A convolution as it ran: output = conv(input, filter) + bias, before its activation. */
export interface ConvRun {
  input: tf.Tensor4D;
  output: tf.Tensor4D;
  filter: tf.Tensor4D;
  bias: tf.Tensor1D;
  strides: number;
  pad: 'same' | 'valid';
}

/** A weighted layer as it ran (`index`: 0 for the network's first). A dense layer's output is after its activation. */
export type LayerRun = ({ kind: 'dense' } & DenseRun) | ({ kind: 'conv' } & ConvRun);

/** Sees each weighted layer as it ran and returns the output to go on with (DP-SGD reads and probes them here). */
export type LayerTap = (layer: LayerRun & { index: number }) => tf.Tensor;
