// The forward pass of the MLPs as plain ops over the layers' own variables.
// Calling the tf.layers model costs about 30% more per training step (its
// per-layer bookkeeping; see docs/architecture.md), and plain ops also let a caller start
// part-way through the network.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { applyDropout, type Dropout } from './dropout.js';

interface DenseLike {
  kernel: { read(): tf.Tensor };
  bias: { read(): tf.Tensor } | null;
  activation: { getClassName(): string };
}

interface LeakyLike {
  alpha: number;
}

/**
 * Sees each Dense layer's input and its output before the activation, and
 * returns the output to go on with (DP-SGD reads and probes them here).
 */
export type DenseTap = (input: tf.Tensor2D, output: tf.Tensor2D, denseIndex: number) => tf.Tensor2D;

export interface ForwardOptions {
  /** Run layers [from, to) only (default: all). */
  from?: number;
  to?: number;
  tap?: DenseTap;
  /** Training mode: dropout after every hidden activation. Absent: eval mode. */
  dropout?: Dropout | null;
}

/** Runs a Sequential MLP of Dense and LeakyReLU layers (or a slice of it). */
export function mlpForward(model: tfl.LayersModel, input: tf.Tensor, options: ForwardOptions = {}): tf.Tensor2D {
  const { from = 0, to = model.layers.length, tap, dropout } = options;
  let x = input as tf.Tensor2D;
  let denseIndex = 0;
  for (const layer of model.layers.slice(from, to)) {
    const kind = layer.getClassName();
    if (kind === 'Dense') {
      const dense = layer as unknown as DenseLike;
      const output = tf.fused.matMul({ a: x, b: dense.kernel.read() as tf.Tensor2D, bias: dense.bias?.read() }) as tf.Tensor2D;
      x = tap ? tap(x, output, denseIndex++) : output;
      const activation = dense.activation.getClassName().toLowerCase();
      if (activation === 'tanh') x = tf.tanh(x);
      else if (activation !== 'linear') throw new Error(`mlpForward: unsupported activation ${activation}.`);
    } else if (kind === 'LeakyReLU') {
      x = tf.leakyRelu(x, (layer as unknown as LeakyLike).alpha);
      if (dropout) x = applyDropout(x, dropout);
    } else {
      throw new Error(`mlpForward: unsupported layer ${kind}.`);
    }
  }
  return x;
}

/** Each Dense layer's kernel and bias variables, in order (for gradients computed by hand). */
export function denseVariables(model: tfl.LayersModel): Array<{ layer: string; kernel: tf.Variable; bias: tf.Variable | null }> {
  return model.layers
    .filter((layer) => layer.getClassName() === 'Dense')
    .map((layer) => {
      const dense = layer as unknown as DenseLike;
      return { layer: layer.name, kernel: dense.kernel.read() as tf.Variable, bias: (dense.bias?.read() as tf.Variable | undefined) ?? null };
    });
}

/** The model's trainable variables, for optimizers and gradients. */
export function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((weight) => weight.read() as tf.Variable);
}
