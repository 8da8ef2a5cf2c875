// The forward pass of the MLPs as plain ops over the layers' own variables.
// Calling the tf.layers model costs about 30% more per training step (its
// per-layer bookkeeping; see docs/architecture.md), and plain ops also let a caller start
// part-way through the network.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { dense, type DenseParameters, type DenseRun, type GradientsNeeded } from '../engine/dense-layer.js';
import { applyDropout, dropoutMask, type Dropout } from './dropout.js';

interface DenseLike {
  kernel: { read(): tf.Tensor };
  bias: { read(): tf.Tensor } | null;
  activation: { getClassName(): string };
}

interface LeakyLike {
  alpha: number;
}

/** Sees each dense layer as it ran (`index`: 0 for the first) and returns the output to go on with (DP-SGD reads and probes them here). */
export type DenseTap = (layer: DenseRun & { index: number }) => tf.Tensor2D;

export interface ForwardOptions {
  /** Run layers [from, to) only (default: all). */
  from?: number;
  to?: number;
  tap?: DenseTap;
  /** Training mode: dropout after every hidden activation. Absent: eval mode. */
  dropout?: Dropout | null;
  /**
   * The gradients a backward pass will take: with respect to the network's
   * input, and its weights (default both). A hint for speed only: the fused
   * layers compute exactly these in one call, and any other when asked.
   */
  gradients?: GradientsNeeded;
}

/** The gradients of a network trained on data: its weights', not its input's. */
export const TRAINED_ON_DATA: GradientsNeeded = { input: false, weights: true };
/** The gradients of a network a gradient passes through to its input (D in G's step, G and D in collaborative sampling). */
export const PASSED_THROUGH: GradientsNeeded = { input: true, weights: false };

/**
 * Runs a Sequential MLP of Dense and LeakyReLU layers (or a slice of it), each
 * Dense layer with the LeakyReLU (and dropout) after it as one fused layer.
 */
export function mlpForward(model: tfl.LayersModel, input: tf.Tensor, options: ForwardOptions = {}): tf.Tensor2D {
  const { from = 0, to = model.layers.length, tap, dropout, gradients = { input: true, weights: true } } = options;
  const layers = model.layers.slice(from, to);
  let x = input as tf.Tensor2D;
  let denseIndex = 0;
  for (let i = 0; i < layers.length; i++) {
    const kind = layers[i].getClassName();
    if (kind === 'Dense') {
      const layer = layers[i] as unknown as DenseLike;
      const activation = layer.activation.getClassName().toLowerCase();
      if (activation !== 'tanh' && activation !== 'linear') throw new Error(`mlpForward: unsupported activation ${activation}.`);
      // The LeakyReLU after a linear Dense layer (and its dropout) runs inside the same fused layer.
      const next = activation === 'linear' && layers[i + 1]?.getClassName() === 'LeakyReLU' ? (layers[i + 1] as unknown as LeakyLike) : null;
      const parameters: DenseParameters = {
        w: layer.kernel.read() as tf.Tensor2D,
        b: (layer.bias?.read() as tf.Tensor1D | undefined) ?? null,
        activation: next ? 'leakyrelu' : activation,
        alpha: next?.alpha ?? 0,
      };
      const mask = next && dropout ? dropoutMask([x.shape[0], parameters.w.shape[1]], dropout) : null;
      const input = x;
      x = dense(input, parameters, mask, { input: denseIndex > 0 || gradients.input, weights: gradients.weights });
      if (tap) x = tap({ input, output: x, mask, parameters, index: denseIndex });
      if (next) i++;
      denseIndex++;
    } else if (kind === 'LeakyReLU') {
      x = tf.leakyRelu(x, (layers[i] as unknown as LeakyLike).alpha);
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
