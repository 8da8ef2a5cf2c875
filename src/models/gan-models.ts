// The fixed MLP generator and discriminator (docs/architecture.md), as tf.LayersModel
// so checkpoints are standard TF.js artifacts.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { Rng } from '../engine/rng.js';

export const LATENT_SIZE = 100;
export const IMAGE_SIZE = 28 * 28;
export const LEAKY_SLOPE = 0.2;
/** The classes a conditional G and D take beside their input, one-hot (class-condition.ts). */
export const CLASS_COUNT = 10;

export const GENERATOR_WIDTHS = [LATENT_SIZE, 256, 512, 1024, IMAGE_SIZE] as const;
export const DISCRIMINATOR_WIDTHS = [IMAGE_SIZE, 1024, 512, 256, 1] as const;
/** BEGAN's D: an autoencoder built from the same widths. */
export const AUTOENCODER_WIDTHS = [IMAGE_SIZE, 1024, 512, 256, 512, 1024, IMAGE_SIZE] as const;

const chain = (widths: readonly number[]) => widths.join('→');
const dropoutNote = (rate: number) => (rate > 0 ? `, Dropout(${rate}) after each hidden layer in training` : '');

/** The widths with the one-hot class added to the input when conditional. */
const withInputClasses = (widths: readonly number[], conditional: boolean) => (conditional ? [widths[0] + CLASS_COUNT, ...widths.slice(1)] : widths);

/** Weights and biases of an MLP of these widths. */
export const parameterCount = (widths: readonly number[]) => widths.slice(1).reduce((sum, width, i) => sum + (widths[i] + 1) * width, 0);

const parameters = (widths: readonly number[]) => `${parameterCount(widths).toLocaleString('en-US')} parameters`;

/**
 * How a conditional D takes the class: `concat`, a one-hot beside the image; `projection` (Miyato & Koyama 2018),
 * 1 + 10 outputs, the logit being output 0 plus the class's own output, an inner product of the last hidden
 * layer with a learned class embedding (class-condition.ts's discriminatorForward).
 */
export const CLASS_IN_D = ['projection', 'concat'] as const;
export type ClassInD = (typeof CLASS_IN_D)[number];

/** G's and D's widths, G's input widened by the class when conditional, D's as `classInD` says. */
export function modelWidths(conditional: boolean, classInD: ClassInD = 'projection') {
  const discriminator =
    conditional && classInD === 'projection' ? [...DISCRIMINATOR_WIDTHS.slice(0, -1), 1 + CLASS_COUNT] : withInputClasses(DISCRIMINATOR_WIDTHS, conditional);
  return { generator: withInputClasses(GENERATOR_WIDTHS, conditional), discriminator };
}

/** How config.json describes the models, for people and reports: G, and D as one logit or BEGAN's autoencoder. */
export function describeModels(
  dropoutG: number,
  dropoutD: number,
  discriminator: 'logit' | 'autoencoder',
  conditional = false,
  classInD: ClassInD = 'projection',
): { generator: string; discriminator: string } {
  const leaky = `LeakyReLU(${LEAKY_SLOPE})`;
  const widths = modelWidths(conditional, classInD);
  const input = conditional ? `[z(${LATENT_SIZE}) | one-hot class(${CLASS_COUNT})]` : `z(${LATENT_SIZE})`;
  const image = conditional && classInD === 'concat' ? `[x(${IMAGE_SIZE}) | one-hot class(${CLASS_COUNT})]` : `${IMAGE_SIZE}`;
  const logit = conditional && classInD === 'projection' ? `(1 + ${CLASS_COUNT}: output 0 + the class's output, a projection D)` : 'logit';
  return {
    generator: `${input}→${chain(widths.generator.slice(1))}, ${leaky}${dropoutNote(dropoutG)}, tanh; ${parameters(widths.generator)}`,
    discriminator:
      discriminator === 'autoencoder'
        ? `${chain(AUTOENCODER_WIDTHS)} autoencoder, ${leaky}, no dropout; ${parameters(AUTOENCODER_WIDTHS)}`
        : `${image}→${chain(widths.discriminator.slice(1))} ${logit}, ${leaky}${dropoutNote(dropoutD)}; ${parameters(widths.discriminator)}`,
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
 * Sets every weighted layer as PyTorch initialises it: kernel and bias uniform in ±1/√fan_in, fan_in being the
 * inputs a unit sums for nn.Linear and nn.Conv2d (kaiming_uniform with a = √5), and for nn.ConvTranspose2d
 * PyTorch's reading of its weight, out channels × k². `fanInOf` sets a layer's fan-in by name (a layer standing for
 * another PyTorch layer).
 */
export function initialiseLikePyTorch(model: tfl.LayersModel, rng: Rng, fanInOf: Record<string, number> = {}): void {
  for (const layer of model.layers) {
    // getWeights() returns the layer's live variables: read their shapes, never dispose them.
    const weights = layer.getWeights();
    if (weights.length !== 2) continue;
    // Every dimension but the last: Dense [in, out]; Conv2D [k, k, in, out]; Conv2DTranspose [k, k, out, in].
    const fanIn = fanInOf[layer.name] ?? weights[0].shape.slice(0, -1).reduce((product, size) => product * size, 1);
    const bound = 1 / Math.sqrt(fanIn);
    const values = weights.map((w) => tf.tensor(rng.uniforms(w.size, -bound, bound), w.shape));
    layer.setWeights(values);
    tf.dispose(values);
  }
}

/** G: z (100) → 256 → 512 → 1024 → 784, tanh out; z with the one-hot class beside it when conditional. */
export function buildGenerator(rng: Rng, conditional = false): tfl.Sequential {
  const model = buildMlp('generator', modelWidths(conditional).generator, 'tanh');
  initialiseLikePyTorch(model, rng);
  return model;
}

/** A new generator holding a copy of `source`'s weights (the start of its moving average). */
export function copyGenerator(source: tfl.LayersModel): tfl.Sequential {
  // From the source's own config: the same layers and names, MLP or DCGAN.
  const model = tfl.Sequential.fromConfig<tfl.Sequential>(tfl.Sequential, source.getConfig() as tf.serialization.ConfigDict);
  model.setWeights(source.getWeights());
  return model;
}

/** D: 784 → 1024 → 512 → 256 → 1 logit; when conditional, taking the class as `classInD` says. */
export function buildDiscriminator(rng: Rng, conditional = false, classInD: ClassInD = 'projection'): tfl.Sequential {
  const model = buildMlp('discriminator', modelWidths(conditional, classInD).discriminator, 'linear');
  initialiseLikePyTorch(model, rng);
  return model;
}

/** BEGAN's D: 784 → 1024 → 512 → 256 → 512 → 1024 → 784, a linear reconstruction. */
export function buildAutoencoderDiscriminator(rng: Rng): tfl.Sequential {
  const model = buildMlp('discriminator', AUTOENCODER_WIDTHS, 'linear');
  initialiseLikePyTorch(model, rng);
  return model;
}
