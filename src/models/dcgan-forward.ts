// The DCGAN's networks run as plain ops over their layers' variables, as
// mlp-forward.ts runs the MLPs: D's forward shows each convolution to a tap
// (DP-SGD's per-example clipping); G, which is never clipped, runs as its
// layers do. generatorForward runs G of either architecture.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { imageWithClassMaps, isDcgan } from './dcgan-models.js';
import type { LayerTap } from './layer-run.js';
import { mlpForward, type ForwardOptions } from './mlp-forward.js';

interface ConvLike {
  kernel: { read(): tf.Tensor };
  bias: { read(): tf.Tensor };
  strides: number[];
  padding: 'same' | 'valid';
}

/** D's logit ([rows, 1]) for [x | one-hot class] rows; `tap` sees each convolution before its LeakyReLU. */
export function dcganDiscriminatorForward(model: tfl.LayersModel, input: tf.Tensor2D, tap?: LayerTap): tf.Tensor2D {
  let x: tf.Tensor = input;
  let index = 0;
  for (const layer of model.layers) {
    switch (layer.getClassName()) {
      case 'ImageWithClassMaps':
        x = imageWithClassMaps(x as tf.Tensor2D);
        break;
      case 'Conv2D': {
        const conv = layer as unknown as ConvLike;
        const run = {
          input: x as tf.Tensor4D,
          filter: conv.kernel.read() as tf.Tensor4D,
          bias: conv.bias.read() as tf.Tensor1D,
          strides: conv.strides[0],
          pad: conv.padding,
        };
        if (tap) {
          // Unfused: the fused op's gradient always computes the filter's too, which DP-SGD's probes do not need.
          const output = tf.add(tf.conv2d(run.input, run.filter, run.strides, run.pad), run.bias) as tf.Tensor4D;
          x = tap({ kind: 'conv', ...run, output, index });
        } else {
          x = tf.fused.conv2d({ x: run.input, filter: run.filter, bias: run.bias, strides: run.strides, pad: run.pad });
        }
        index++;
        break;
      }
      case 'LeakyReLU':
        x = tf.leakyRelu(x, (layer as unknown as { alpha: number }).alpha);
        break;
      case 'Flatten':
        x = tf.reshape(x, [input.shape[0], -1]);
        break;
      default:
        throw new Error(`dcganDiscriminatorForward: unsupported layer ${layer.getClassName()}.`);
    }
  }
  return x as tf.Tensor2D;
}

/**
 * G's images ([rows, 784]) for its inputs, MLP or DCGAN. The DCGAN has no dropout and runs whole: `options`
 * (dropout, a slice of layers, the gradients needed) applies to the MLP only.
 */
export function generatorForward(generator: tfl.LayersModel, input: tf.Tensor2D, options: ForwardOptions = {}): tf.Tensor2D {
  return isDcgan(generator) ? (generator.apply(input) as tf.Tensor2D) : mlpForward(generator, input, options);
}
