// The gradient penalty of WGAN-GP and DRAGAN: λ·E[(‖∇ₓD(x)‖₂ − 1)²] at given
// points. Its gradient with respect to D's weights is a second derivative;
// test/objectives checks it against finite differences.
import * as tf from '@tensorflow/tfjs-core';
import type { Critic, CriticBatch, Loss } from './objective.js';

/** Keeps √ differentiable where a gradient is exactly zero. */
const NORM_FLOOR = 1e-12;

/** E[(‖∇ₓD(x)‖₂ − 1)²] over the rows of `points` (without λ). */
export function gradientPenalty(critic: Critic, points: tf.Tensor2D): tf.Scalar {
  const inputGradient = tf.grad((x: tf.Tensor) => tf.sum(critic(x as tf.Tensor2D)))(points);
  const norms = tf.sqrt(tf.add(tf.sum(tf.square(inputGradient), 1), NORM_FLOOR));
  return tf.mean(tf.square(tf.sub(norms, 1))) as tf.Scalar;
}

/**
 * A D loss plus λ·E[(‖∇D‖ − 1)²] at the points `pointsOf` draws from the
 * batch (WGAN-GP's interpolates, DRAGAN's noisy reals); the penalty is logged.
 */
export function withGradientPenalty(
  base: (batch: CriticBatch) => Loss,
  lambda: number,
  pointsOf: (batch: CriticBatch) => tf.Tensor2D,
): (batch: CriticBatch) => Loss {
  return (batch) => {
    const { loss, logs } = base(batch);
    const penalty = gradientPenalty(batch.critic, pointsOf(batch));
    return { loss: tf.add(loss, tf.mul(lambda, penalty)) as tf.Scalar, logs: { ...logs, penalty } };
  };
}
