// One D step and one G step of GAN training, shared by the training loop and
// the benchmark so that what is timed is what trains. The objective supplies
// the losses; the updates optionally clip gradients by global norm and decay D's weights.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import type { Rng } from '../engine/rng.js';
import { takeScalar, takeScalars } from '../engine/tensor-values.js';
import type { Dropout } from '../models/dropout.js';
import { asDiscriminatorInput, discriminatorForward } from '../models/class-condition.js';
import { PASSED_THROUGH, TRAINED_ON_DATA } from '../models/mlp-forward.js';
import { generatorForward } from '../models/dcgan-forward.js';
import type { GradientsNeeded } from '../engine/dense-layer.js';
import type { Critic, Loss, Objective } from '../objectives/objective.js';
import { updateGeneratorEma, type GeneratorEma } from './generator-ema.js';
import { modeSeekingTerm } from './mode-seeking.js';

export interface GanParts {
  generator: tfl.LayersModel;
  discriminator: tfl.LayersModel;
  /** G's inputs carry a one-hot class after z, and D's inputs one after the image (class-condition.ts). */
  conditional: boolean;
  generatorVariables: tf.Variable[];
  discriminatorVariables: tf.Variable[];
  /** Dropout in training steps (null: none); both draw their masks from `dropoutRng`. */
  generatorDropout: Dropout | null;
  discriminatorDropout: Dropout | null;
  dropoutRng: Rng;
  /** G's moving average, updated after every G step; null when the run keeps none. */
  generatorEma: GeneratorEma | null;
  generatorOptimizer: tf.Optimizer;
  discriminatorOptimizer: tf.Optimizer;
  objective: Objective;
  /** Clip each network's gradients to this global L2 norm (null: no clipping). */
  gradClip: number | null;
  /** L2 weight decay of D, added to its gradients as PyTorch's weight_decay does. */
  dWeightDecay: number;
  /** Weight of mode seeking in G's loss (0: off); G's batch then comes in pairs of one class. */
  modeSeeking: number;
}

export interface StepResult {
  loss: number;
  /** The objective's logged scalars (dReal and dFake for every D step). */
  logs: Record<string, number>;
}

/** As torch.nn.utils.clip_grad_norm_: scale every gradient by min(1, C / (‖g‖ + 1e-6)). */
function clipByGlobalNorm(grads: tf.NamedTensorMap, clip: number): tf.NamedTensorMap {
  const norm = tf.sqrt(tf.addN(Object.values(grads).map((g) => tf.sum(tf.square(g)))));
  const scale = tf.minimum(1, tf.div(clip, tf.add(norm, 1e-6)));
  return Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, tf.mul(g, scale)]));
}

async function update(optimizer: tf.Optimizer, variables: tf.Variable[], lossOf: () => Loss, clip: number | null, decay: number): Promise<StepResult> {
  // Kept past the tape's tidy, read after the update.
  let logged: Record<string, tf.Scalar> = {};
  const { value, grads } = tf.variableGrads(() => {
    const { loss, logs } = lossOf();
    logged = Object.fromEntries(Object.entries(logs).map(([name, scalar]) => [name, tf.keep(scalar)]));
    return loss;
  }, variables);
  const adjusted = tf.tidy(() => {
    let result = clip === null ? grads : clipByGlobalNorm(grads, clip);
    if (decay > 0) result = Object.fromEntries(variables.map((v) => [v.name, tf.add(result[v.name], tf.mul(decay, v))]));
    return result;
  });
  optimizer.applyGradients(adjusted);
  tf.dispose([grads, adjusted]);
  const names = Object.keys(logged);
  const [loss, ...values] = await takeScalars([value, ...names.map((name) => logged[name])]);
  return { loss, logs: Object.fromEntries(names.map((name, i) => [name, values[i]])) };
}

// Training steps run both networks in training mode (dropout on), as PyTorch's loop does.

const criticOf =
  (gan: GanParts, gradients: GradientsNeeded): Critic =>
  (images) =>
    discriminatorForward(gan.discriminator, images, { dropout: gan.discriminatorDropout, gradients });

/**
 * The critic of a D step: D runs once on the real batch with the fakes below
 * it (one pass of 2B rows is faster than two of B, and needs no sum of two
 * weight gradients) and each side gets its rows. Other images (a penalty's
 * interpolated points) get a pass of their own.
 */
function pairedCritic(critic: Critic, real: tf.Tensor2D, fake: tf.Tensor2D): Critic {
  let sides: [tf.Tensor2D, tf.Tensor2D] | undefined;
  // The depth of gradients being taken where the sides were made: a penalty that
  // differentiates D at the real batch itself (deeper) needs a pass on its own tape.
  let depth = -1;
  const gradientDepth = () => tf.engine().state.gradientDepth;
  return (images) => {
    if ((images !== real && images !== fake) || (sides && gradientDepth() !== depth)) return critic(images);
    if (!sides) {
      sides = tf.split(critic(tf.concat([real, fake])), [real.shape[0], fake.shape[0]]) as [tf.Tensor2D, tf.Tensor2D];
      depth = gradientDepth();
    }
    return images === real ? sides[0] : sides[1];
  };
}

/** G(z) in training mode: the images alone. */
function trainingImages(gan: GanParts, z: tf.Tensor2D): tf.Tensor2D {
  return generatorForward(gan.generator, z, { dropout: gan.generatorDropout, gradients: TRAINED_ON_DATA });
}

/** G(z) in training mode, as D takes it (with z's class beside each image in a conditional GAN). */
export function trainingFakes(gan: GanParts, z: tf.Tensor2D): tf.Tensor2D {
  return asDiscriminatorInput(trainingImages(gan, z), z);
}

/** Updates D on a real batch (images, with their classes beside them in a conditional GAN) against G(z); G is not differentiated. */
export async function discriminatorStep(gan: GanParts, real: tf.Tensor2D, z: tf.Tensor2D, rng: Rng): Promise<StepResult> {
  const fake = tf.tidy(() => trainingFakes(gan, z));
  const batch = { critic: pairedCritic(criticOf(gan, TRAINED_ON_DATA), real, fake), real, fake, rng };
  const result = await update(
    gan.discriminatorOptimizer,
    gan.discriminatorVariables,
    () => gan.objective.discriminatorLoss(batch),
    gan.gradClip,
    gan.dWeightDecay,
  );
  fake.dispose();
  gan.objective.afterDiscriminatorStep?.(gan.discriminatorVariables, result.logs);
  return result;
}

/**
 * The share of G(z) that D labels fake, both in eval mode: the samples whose
 * loss as fakes is below their loss as reals (a logit below 0 for the
 * cross-entropy losses). Generated samples only, so it costs no privacy.
 */
export async function fakeAccuracy(gan: GanParts, z: tf.Tensor2D): Promise<number> {
  const losses = gan.objective.exampleLosses;
  if (!losses) throw new Error(`${gan.objective.name} has no per-example D loss.`);
  const accuracy = tf.tidy(() => {
    const output = discriminatorForward(gan.discriminator, asDiscriminatorInput(generatorForward(gan.generator, z), z));
    return tf.mean(tf.cast(tf.less(losses.fake(output), losses.real(output)), 'float32'));
  });
  return takeScalar(accuracy);
}

/** G's loss on the latents z: the objective's, plus mode seeking's term when the run weighs it. */
function generatorLoss(gan: GanParts, z: tf.Tensor2D): Loss {
  const images = trainingImages(gan, z);
  const { loss, logs } = gan.objective.generatorLoss(criticOf(gan, PASSED_THROUGH), asDiscriminatorInput(images, z));
  if (gan.modeSeeking === 0) return { loss, logs };
  return { loss: tf.add(loss, tf.mul(gan.modeSeeking, modeSeekingTerm(images, z))), logs };
}

/** Updates G through D on fresh latents (in pairs of one class under mode seeking), then G's moving average. */
export async function generatorStep(gan: GanParts, z: tf.Tensor2D): Promise<StepResult> {
  const result = await update(gan.generatorOptimizer, gan.generatorVariables, () => generatorLoss(gan, z), gan.gradClip, 0);
  if (gan.generatorEma) updateGeneratorEma(gan.generatorEma, gan.generatorVariables);
  return result;
}
