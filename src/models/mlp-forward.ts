// The forward pass of the MLPs as plain ops over the layers' own variables.
// Calling the tf.layers model costs about 30% more per training step (its
// per-layer bookkeeping; see docs/architecture.md), and plain ops also let a caller start
// part-way through the network.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { dense, type DenseParameters, type GradientsNeeded } from '../engine/dense-layer.js';
import { applyDropout, dropoutMask, type Dropout } from './dropout.js';
import type { LayerTap } from './layer-run.js';

interface DenseLike {
  kernel: { read(): tf.Tensor };
  bias: { read(): tf.Tensor } | null;
  activation: { getClassName(): string };
}

interface LeakyLike {
  alpha: number;
}

export interface ForwardOptions {
  /** Run layers [from, to) only (default: all). */
  from?: number;
  to?: number;
  tap?: LayerTap;
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
      if (tap) x = tap({ kind: 'dense', input, output: x, mask, parameters, index: denseIndex }) as tf.Tensor2D;
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

/** The layers with a kernel and a bias that gradients are computed for by hand. */
export const WEIGHTED_LAYERS = ['Dense', 'Conv2D'];

/** Each weighted layer's (Dense or Conv2D) kernel and bias variables and output shape, in order (for gradients computed by hand). */
export function weightedLayerVariables(model: tfl.LayersModel): Array<{ layer: string; kernel: tf.Variable; bias: tf.Variable | null; outputShape: number[] }> {
  return model.layers
    .filter((layer) => WEIGHTED_LAYERS.includes(layer.getClassName()))
    .map((layer) => {
      const weighted = layer as unknown as Pick<DenseLike, 'kernel' | 'bias'>;
      return {
        layer: layer.name,
        kernel: weighted.kernel.read() as tf.Variable,
        bias: (weighted.bias?.read() as tf.Variable | undefined) ?? null,
        // One example's output: the layer's shape without its batch dimension.
        outputShape: (layer.outputShape as number[]).slice(1),
      };
    });
}

/** The model's trainable variables, for optimizers and gradients. */
export function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((weight) => weight.read() as tf.Variable);
}
