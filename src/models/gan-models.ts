// The fixed MLP generator and discriminator (docs/architecture.md), as tf.LayersModel
// so checkpoints are standard TF.js artifacts.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Rng } from '../engine/rng.js';

export const LATENT_SIZE = 100;
export const IMAGE_SIZE = 28 * 28;
export const LEAKY_SLOPE = 0.2;

export const GENERATOR_WIDTHS = [LATENT_SIZE, 256, 512, 1024, IMAGE_SIZE] as const;
export const DISCRIMINATOR_WIDTHS = [IMAGE_SIZE, 1024, 512, 256, 1] as const;
/** BEGAN's D: an autoencoder built from the same widths. */
export const AUTOENCODER_WIDTHS = [IMAGE_SIZE, 1024, 512, 256, 512, 1024, IMAGE_SIZE] as const;

const chain = (widths: readonly number[]) => widths.join('→');
const dropoutNote = (rate: number) => (rate > 0 ? `, Dropout(${rate}) after each hidden layer in training` : '');

/** How config.json describes the models, for people and reports: G, and D as one logit or BEGAN's autoencoder. */
export function describeModels(dropoutG: number, dropoutD: number, discriminator: 'logit' | 'autoencoder'): { generator: string; discriminator: string } {
  const leaky = `LeakyReLU(${LEAKY_SLOPE})`;
  return {
    generator: `z(${LATENT_SIZE})→${chain(GENERATOR_WIDTHS.slice(1))}, ${leaky}${dropoutNote(dropoutG)}, tanh`,
    discriminator:
      discriminator === 'autoencoder'
        ? `${chain(AUTOENCODER_WIDTHS)} autoencoder, ${leaky}, no dropout`
        : `${chain(DISCRIMINATOR_WIDTHS)} logit, ${leaky}${dropoutNote(dropoutD)}`,
  };
}

/**
 * Dense layers with LeakyReLU(0.2) between them; `outputActivation` on the
 * last one (tanh for G; none for D, whose sigmoid lives in the loss).
 */
function buildMlp(role: 'generator' | 'discriminator', widths: readonly number[], outputActivation: 'tanh' | 'linear'): tfl.Sequential {
  const model = tfl.sequential({ name: role });
  for (let i = 1; i < widths.length; i++) {
    const last = i === widths.length - 1;
    model.add(
      tfl.layers.dense({
        units: widths[i],
        inputShape: i === 1 ? [widths[0]] : undefined,
        activation: last ? outputActivation : 'linear',
        name: `${role}_dense${i}`,
      }),
    );
    if (!last) model.add(tfl.layers.leakyReLU({ alpha: LEAKY_SLOPE, name: `${role}_leaky${i}` }));
  }
  return model;
}

/**
 * Sets every Dense layer's weights as PyTorch's nn.Linear initialises them:
 * kernel and bias uniform in ±1/√fan_in (kaiming_uniform with a = √5).
 */
export function initialiseLikePyTorch(model: tfl.LayersModel, rng: Rng): void {
  for (const layer of model.layers) {
    if (layer.getClassName() !== 'Dense') continue;
    // getWeights() returns the layer's live variables: read their shape, never dispose them.
    const [fanIn, fanOut] = layer.getWeights()[0].shape;
    const bound = 1 / Math.sqrt(fanIn);
    const values = [tf.tensor2d(rng.uniforms(fanIn * fanOut, -bound, bound), [fanIn, fanOut]), tf.tensor1d(rng.uniforms(fanOut, -bound, bound))];
    layer.setWeights(values);
    tf.dispose(values);
  }
}

/** G: z (100) → 256 → 512 → 1024 → 784, tanh out. */
export function buildGenerator(rng: Rng): tfl.Sequential {
  const model = buildMlp('generator', GENERATOR_WIDTHS, 'tanh');
  initialiseLikePyTorch(model, rng);
  return model;
}

/** A new generator holding a copy of `source`'s weights (the start of its moving average). */
export function copyGenerator(source: tfl.LayersModel): tfl.Sequential {
  const model = buildMlp('generator', GENERATOR_WIDTHS, 'tanh');
  model.setWeights(source.getWeights());
  return model;
}

/** D: 784 → 1024 → 512 → 256 → 1 logit. */
export function buildDiscriminator(rng: Rng): tfl.Sequential {
  const model = buildMlp('discriminator', DISCRIMINATOR_WIDTHS, 'linear');
  initialiseLikePyTorch(model, rng);
  return model;
}

/** BEGAN's D: 784 → 1024 → 512 → 256 → 512 → 1024 → 784, a linear reconstruction. */
export function buildAutoencoderDiscriminator(rng: Rng): tfl.Sequential {
  const model = buildMlp('discriminator', AUTOENCODER_WIDTHS, 'linear');
  initialiseLikePyTorch(model, rng);
  return model;
}
