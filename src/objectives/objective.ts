import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../engine/rng.js';

/** D's raw output for a batch of images: a logit, a critic value, or (BEGAN) a reconstruction. */
export type Critic = (images: tf.Tensor2D) => tf.Tensor2D;

/** What a D loss sees: D, one real and one fake batch, and the run's seeded random stream. */
export interface CriticBatch {
  critic: Critic;
  real: tf.Tensor2D;
  fake: tf.Tensor2D;
  /** For a penalty's random points; drawing from it keeps runs reproducible and resumable. */
  rng: Rng;
}

/**
 * A loss and the scalars logged beside it. Every D loss logs `dReal` and
 * `dFake`, D's score on each batch in the objective's own units (σ(D) for
 * the logit losses, raw critic values for WGAN, reconstruction errors for BEGAN).
 */
export interface Loss {
  loss: tf.Scalar;
  logs: Record<string, tf.Scalar>;
}

export interface ExampleLosses {
  real(output: tf.Tensor2D): tf.Tensor1D;
  fake(output: tf.Tensor2D): tf.Tensor1D;
  /** D's score in the units its logs use (σ for the cross-entropy losses); the raw output when absent. */
  score?(output: tf.Tensor2D): tf.Tensor;
}

/** A batch's loss from per-example losses: mean over the real examples plus mean over the fake ones. */
export function meanExampleLoss(losses: ExampleLosses, realOutput: tf.Tensor2D, fakeOutput: tf.Tensor2D): tf.Scalar {
  return tf.add(tf.mean(losses.real(realOutput)), tf.mean(losses.fake(fakeOutput))) as tf.Scalar;
}

/** The batch's loss, and D's mean score (in `losses.score`'s units, else raw) on each side, for the log. */
export function scoredExampleLoss(losses: ExampleLosses, realOutput: tf.Tensor2D, fakeOutput: tf.Tensor2D): Loss {
  const score = (output: tf.Tensor2D) => tf.mean(losses.score ? losses.score(output) : output) as tf.Scalar;
  return { loss: meanExampleLoss(losses, realOutput, fakeOutput), logs: { dReal: score(realOutput), dFake: score(fakeOutput) } };
}

/** The D loss of an objective whose loss is a sum over examples. */
export function exampleLossDiscriminator(losses: ExampleLosses): (batch: CriticBatch) => Loss {
  return ({ critic, real, fake }) => scoredExampleLoss(losses, critic(real), critic(fake));
}

/** Training settings an objective's paper or official code uses. */
export interface ObjectiveDefaults {
  optimizer: 'adam' | 'rmsprop';
  lrG: number;
  lrD: number;
  beta1: number;
  beta2: number;
  /** D steps per G step (n_critic). */
  dSteps: number;
  /** Where the numbers come from. */
  source: string;
}

/** D's architecture: the fixed MLP to one logit, or BEGAN's autoencoder. */
export type DiscriminatorShape = 'logit' | 'autoencoder';

/**
 * A GAN training objective. Every objective has this shape, so the training
 * loop never branches on an objective's name.
 */
export interface Objective {
  readonly name: string;
  /** One line for --help and config.json. */
  readonly description: string;
  readonly defaults: ObjectiveDefaults;
  /** The objective's own constants (clip value, λ, γ, ...), recorded in config.json. */
  readonly constants: Record<string, number | string>;
  readonly discriminator: DiscriminatorShape;
  /** The loss D minimises. */
  discriminatorLoss(batch: CriticBatch): Loss;
  /** The loss G minimises, through D, on a fake batch. */
  generatorLoss(critic: Critic, fake: tf.Tensor2D): Loss;
  /**
   * D's loss as a sum over examples, for DP-SGD's per-example clipping: each
   * real and each fake example's loss from its row of D's output. Absent
   * where the loss does not split so (penalties, BEGAN's k_t).
   */
  readonly exampleLosses?: ExampleLosses;
  /** Runs after each D update with its logged values (WGAN's weight clipping, BEGAN's k_t). */
  afterDiscriminatorStep?(variables: tf.Variable[], logs: Record<string, number>): void;
  /** State carried from step to step (BEGAN's k_t), saved in checkpoints. */
  saveState?(): Record<string, number>;
  restoreState?(state: Record<string, number>): void;
}

/** The course's settings (Adam 2e-4, β = (0.9, 0.999), one D step per G step). */
export const COURSE_DEFAULTS: ObjectiveDefaults = {
  optimizer: 'adam',
  lrG: 2e-4,
  lrD: 2e-4,
  beta1: 0.9,
  beta2: 0.999,
  dSteps: 1,
  source: 'the course project',
};
