// The gradient penalty of WGAN-GP and DRAGAN: λ·E[(‖∇ₓD(x)‖₂ − 1)²] at given
// points. Its gradient with respect to D's weights is a second derivative;
// test/engine/second-order.test.ts checks it against finite differences (the
// MLP) and PyTorch's double backward in float64 (the DCGAN). In a conditional GAN
// the points are images only, D sees each with its real row's class, and the
// gradient is the image's: the class is a condition, not a place to be smooth.
import * as tf from '@tensorflow/tfjs-core';
import { IMAGE_SIZE } from '../models/gan-models.js';
import type { Critic, CriticBatch, Loss } from './objective.js';

/** Keeps √ differentiable where a gradient is exactly zero. */
const NORM_FLOOR = 1e-12;

/** E[(‖∇ₓD(x)‖₂ − 1)²] over the rows of `points` (without λ), each with its row of `classes` beside it when given. */
export function gradientPenalty(critic: Critic, points: tf.Tensor2D, classes: tf.Tensor2D | null = null): tf.Scalar {
  const seen = (x: tf.Tensor2D) => (classes ? tf.concat([x, classes], 1) : x);
  const inputGradient = tf.grad((x: tf.Tensor) => tf.sum(critic(seen(x as tf.Tensor2D))))(points);
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
    const { real, fake } = batch;
    const conditional = real.shape[1] > IMAGE_SIZE;
    const images = (rows: tf.Tensor2D) => tf.slice(rows, [0, 0], [-1, IMAGE_SIZE]);
    const points = pointsOf(conditional ? { ...batch, real: images(real), fake: images(fake) } : batch);
    const penalty = gradientPenalty(batch.critic, points, conditional ? tf.slice(real, [0, IMAGE_SIZE], [-1, -1]) : null);
    return { loss: tf.add(loss, tf.mul(lambda, penalty)) as tf.Scalar, logs: { ...logs, penalty } };
  };
}
