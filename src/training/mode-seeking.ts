// Mode seeking (Mao, Lee, Tseng, Ma & Yang 2019, "Mode Seeking Generative
// Adversarial Networks for Diverse Image Synthesis"): a term of G's loss that
// grows as two latents of the same class give alike images,
//   1 / (mean|G(z₁) − G(z₂)| / mean|z₁ − z₂| + 1e-5).
// A G that ignores z and draws one image a class pays for it. It reads only G
// and its latents, so under DP it costs no privacy.
import * as tf from '@tensorflow/tfjs-core';
import { LATENT_SIZE } from '../models/gan-models.js';

/** Keeps the term finite when the two images of every pair are equal (the paper's value). */
const EPSILON = 1e-5;

/**
 * The term for G's batch, whose rows pair up as i and i + ⌊B/2⌋ (the
 * training loop gives each pair one class): `images` are G's outputs, `z` its
 * inputs (noise, then the one-hot class in a conditional GAN; only the noise counts).
 */
export function modeSeekingTerm(images: tf.Tensor2D, z: tf.Tensor2D): tf.Scalar {
  return tf.tidy(() => {
    const half = Math.floor(images.shape[0] / 2);
    const meanDistance = (rows: tf.Tensor2D, width: number) =>
      tf.mean(tf.abs(tf.sub(tf.slice(rows, [0, 0], [half, width]), tf.slice(rows, [half, 0], [half, width]))));
    const ratio = tf.div(meanDistance(images, images.shape[1]), meanDistance(z, LATENT_SIZE));
    return tf.div(1, tf.add(ratio, EPSILON));
  });
}
