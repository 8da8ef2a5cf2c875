// The forward pass of the MLPs as plain ops over the layers' own variables.
// Calling the tf.layers model costs about 30% more per training step (its
// per-layer bookkeeping; see DESIGN.md), and plain ops also let a caller start
// part-way through the network.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';

interface DenseLike {
  kernel: { read(): tf.Tensor };
  bias: { read(): tf.Tensor } | null;
  activation: { getClassName(): string };
}

interface LeakyLike {
  alpha: number;
}

/** Runs layers [from, to) of a Sequential MLP of Dense and LeakyReLU layers. */
export function mlpForward(model: tfl.LayersModel, input: tf.Tensor, from = 0, to = model.layers.length): tf.Tensor2D {
  let x = input as tf.Tensor2D;
  for (const layer of model.layers.slice(from, to)) {
    const kind = layer.getClassName();
    if (kind === 'Dense') {
      const dense = layer as unknown as DenseLike;
      x = tf.fused.matMul({ a: x, b: dense.kernel.read() as tf.Tensor2D, bias: dense.bias?.read() }) as tf.Tensor2D;
      const activation = dense.activation.getClassName().toLowerCase();
      if (activation === 'tanh') x = tf.tanh(x);
      else if (activation !== 'linear') throw new Error(`mlpForward: unsupported activation ${activation}.`);
    } else if (kind === 'LeakyReLU') {
      x = tf.leakyRelu(x, (layer as unknown as LeakyLike).alpha);
    } else {
      throw new Error(`mlpForward: unsupported layer ${kind}.`);
    }
  }
  return x;
}

/** The model's trainable variables, for optimizers and gradients. */
export function trainableVariables(model: tfl.LayersModel): tf.Variable[] {
  return model.trainableWeights.map((weight) => weight.read() as tf.Variable);
}
