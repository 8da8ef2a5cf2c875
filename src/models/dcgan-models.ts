// Bie, Kamath & Zhang's conditional DCGAN for 28×28 images ("Private GANs,
// revisited", 2023; alexbie98/dpgan-revisit's DCLabelledGenerator and
// DCLabelledDiscriminator at dim = 128), the option `--arch dcgan`. No batch
// norm and no dropout: DP-SGD needs each example's gradient on its own.
// It takes its inputs as the MLPs do (G: [z | one-hot class], D: [x | one-hot
// class]) so that every caller treats the two architectures alike. Where it
// differs from theirs: G's first layer maps [z | y] together (theirs maps z
// and y apart and stacks the two halves), and D's first convolution reads the
// image and the class's ten constant maps as eleven channels (theirs
// convolves them apart into 64 + 64), both plain cGAN practice; z has the
// MLP's 100 numbers (theirs 128), and pixels stay in tanh's [-1, 1] as all of
// gankit's data (theirs are rescaled to [0, 1]).
// PyTorch's ConvTranspose2d(k, s, p) is TF.js's 'valid' transposed
// convolution with p cropped from every side.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import type { Rng } from '../engine/rng.js';
import { CLASS_COUNT, IMAGE_SIZE, initialiseLikePyTorch, LATENT_SIZE, LEAKY_SLOPE } from './gan-models.js';

/** Bie et al.'s width for MNIST (dim_g = dim_d = 128). */
export const DCGAN_WIDTH = 128;
const SIDE = 28;

/**
 * D's first layer: [x | one-hot class] (or x alone) as a 28×28 image whose channels are the pixels and, when
 * conditional, the class's ten constant maps (Bie et al.'s label_to_img_label).
 */
class ImageWithClassMaps extends tfl.layers.Layer {
  static readonly className = 'ImageWithClassMaps';
  override computeOutputShape(inputShape: tfl.Shape): tfl.Shape {
    const width = inputShape[1] as number;
    return [inputShape[0], SIDE, SIDE, 1 + width - IMAGE_SIZE];
  }
  override call(inputs: tf.Tensor | tf.Tensor[]): tf.Tensor {
    return tf.tidy(() => imageWithClassMaps((Array.isArray(inputs) ? inputs[0] : inputs) as tf.Tensor2D));
  }
}
tf.serialization.registerClass(ImageWithClassMaps);

/** The function of ImageWithClassMaps, for forwards run as plain ops. */
export function imageWithClassMaps(input: tf.Tensor2D): tf.Tensor4D {
  const rows = input.shape[0];
  const image = tf.reshape(tf.slice(input, [0, 0], [-1, IMAGE_SIZE]), [rows, SIDE, SIDE, 1]) as tf.Tensor4D;
  if (input.shape[1] === IMAGE_SIZE) return image;
  const classes = tf.reshape(tf.slice(input, [0, IMAGE_SIZE], [-1, CLASS_COUNT]), [rows, 1, 1, CLASS_COUNT]);
  return tf.concat([image, tf.tile(classes, [1, SIDE, SIDE, 1])], 3) as tf.Tensor4D;
}

const leaky = (name: string) => tfl.layers.leakyReLU({ alpha: LEAKY_SLOPE, name });

/**
 * G: [z | class] → 4·4·4d → LeakyReLU → ConvT(2d, 3, stride 2, crop 1): 7×7 → LeakyReLU → ConvT(d, 4, 2, crop 1): 14×14
 * → LeakyReLU → ConvT(1, 4, 2, crop 1): 28×28, tanh → 784 pixels.
 */
export function buildDcganGenerator(rng: Rng, conditional: boolean, width = DCGAN_WIDTH): tfl.Sequential {
  const model = tfl.sequential({ name: 'generator' });
  model.add(tfl.layers.dense({ units: 4 * 4 * 4 * width, inputShape: [LATENT_SIZE + (conditional ? CLASS_COUNT : 0)], name: 'generator_dense1' }));
  model.add(tfl.layers.reshape({ targetShape: [4, 4, 4 * width], name: 'generator_reshape' }));
  model.add(leaky('generator_leaky1'));
  const upsampling: Array<[filters: number, kernel: number, activation: 'linear' | 'tanh']> = [
    [2 * width, 3, 'linear'],
    [width, 4, 'linear'],
    [1, 4, 'tanh'],
  ];
  upsampling.forEach(([filters, kernelSize, activation], i) => {
    const n = i + 2;
    model.add(tfl.layers.conv2dTranspose({ filters, kernelSize, strides: 2, padding: 'valid', activation, name: `generator_deconv${n}` }));
    model.add(tfl.layers.cropping2D({ cropping: 1, name: `generator_crop${n}` }));
    if (activation === 'linear') model.add(leaky(`generator_leaky${n}`));
  });
  model.add(tfl.layers.flatten({ name: 'generator_pixels' }));
  // Bie et al.'s first layers are ConvTranspose2d(z or y → 2d, 4) on a 1×1 input, whose fan-in PyTorch reads as
  // out channels × k² = 16·2d: the dense layer that stands for them starts in that range, not ±1/√110.
  initialiseLikePyTorch(model, rng, { generator_dense1: 16 * 2 * width });
  return model;
}

/**
 * D: [x | class] → 28×28×(1 + 10) → Conv(d, 4, 2, 'same'): 14×14 → LeakyReLU → Conv(2d, 4, 2): 7×7 → LeakyReLU →
 * Conv(4d, 3, 2): 4×4 → LeakyReLU → Conv(1, 4, 1, 'valid'): the logit.
 */
export function buildDcganDiscriminator(rng: Rng, conditional: boolean, width = DCGAN_WIDTH): tfl.Sequential {
  const model = tfl.sequential({ name: 'discriminator' });
  model.add(new ImageWithClassMaps({ inputShape: [IMAGE_SIZE + (conditional ? CLASS_COUNT : 0)], name: 'discriminator_image' }));
  const downsampling: Array<[filters: number, kernel: number]> = [
    [width, 4],
    [2 * width, 4],
    [4 * width, 3],
  ];
  downsampling.forEach(([filters, kernelSize], i) => {
    model.add(tfl.layers.conv2d({ filters, kernelSize, strides: 2, padding: 'same', name: `discriminator_conv${i + 1}` }));
    model.add(leaky(`discriminator_leaky${i + 1}`));
  });
  model.add(tfl.layers.conv2d({ filters: 1, kernelSize: 4, strides: 1, padding: 'valid', name: 'discriminator_conv4' }));
  model.add(tfl.layers.flatten({ name: 'discriminator_logit' }));
  initialiseLikePyTorch(model, rng);
  return model;
}

/** Whether `model` is one of the DCGAN's networks (it has convolutions). */
export const isDcgan = (model: tfl.LayersModel) => model.layers.some((layer) => layer.getClassName().startsWith('Conv2D'));

/** G's and D's parameters, in closed form (a layer's kernel plus its bias). */
export function dcganParameterCounts(conditional: boolean, width = DCGAN_WIDTH): { generator: number; discriminator: number } {
  const d = width;
  const layer = (kernel: number, inputs: number, outputs: number) => kernel * inputs * outputs + outputs;
  const classes = conditional ? CLASS_COUNT : 0;
  return {
    generator: layer(1, LATENT_SIZE + classes, 16 * 4 * d) + layer(9, 4 * d, 2 * d) + layer(16, 2 * d, d) + layer(16, d, 1),
    discriminator: layer(16, 1 + classes, d) + layer(16, d, 2 * d) + layer(9, 2 * d, 4 * d) + layer(16, 4 * d, 1),
  };
}

/** How config.json describes the DCGAN's networks. */
export function describeDcgan(conditional: boolean): { generator: string; discriminator: string } {
  const d = DCGAN_WIDTH;
  const counts = dcganParameterCounts(conditional);
  const parameters = (n: number) => `${n.toLocaleString('en-US')} parameters`;
  const input = conditional ? `[z(${LATENT_SIZE}) | one-hot class(${CLASS_COUNT})]` : `z(${LATENT_SIZE})`;
  const channels = conditional ? `1 + ${CLASS_COUNT} class maps` : '1';
  return {
    generator:
      `DCGAN (Bie et al. 2023): ${input}→${4 * d}×4×4, ConvT ${2 * d}×7×7, ConvT ${d}×14×14, ConvT 1×28×28; ` +
      `LeakyReLU(${LEAKY_SLOPE}), tanh, no batch norm or dropout; ${parameters(counts.generator)}`,
    discriminator:
      `DCGAN (Bie et al. 2023): 28×28×(${channels})→Conv ${d}×14×14, Conv ${2 * d}×7×7, Conv ${4 * d}×4×4, Conv 1×1×1 logit; ` +
      `LeakyReLU(${LEAKY_SLOPE}), no batch norm or dropout; ${parameters(counts.discriminator)}`,
  };
}
