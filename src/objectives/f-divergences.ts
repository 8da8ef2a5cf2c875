// The f-divergences of f-GAN (Nowozin et al. 2016, table 2): for each, the
// output activation T = g_f(V) and the conjugate at it, f*(g_f(V)), both as
// functions of D's raw output V. The composite is simplified by hand into a
// form that stays finite wherever its value does (softplus, expm1, no
// exp of a large argument that a log then undoes).
import * as tf from '@tensorflow/tfjs-core';

export interface FDivergence {
  name: string;
  /** T = g_f(V), which maps V into the conjugate's domain. */
  activation(v: tf.Tensor): tf.Tensor;
  /** f*(g_f(V)). */
  conjugateOfActivation(v: tf.Tensor): tf.Tensor;
}

const LOG2 = Math.log(2);

export const F_DIVERGENCES: readonly FDivergence[] = [
  // f*(t) = t on |t| ≤ ½.
  { name: 'tv', activation: (v) => tf.mul(0.5, tf.tanh(v)), conjugateOfActivation: (v) => tf.mul(0.5, tf.tanh(v)) },
  // f*(t) = exp(t − 1).
  { name: 'kl', activation: (v) => v, conjugateOfActivation: (v) => tf.exp(tf.sub(v, 1)) },
  // T = −exp(−v), f*(t) = −1 − log(−t) = v − 1.
  { name: 'reverse-kl', activation: (v) => tf.neg(tf.exp(tf.neg(v))), conjugateOfActivation: (v) => tf.sub(v, 1) },
  // f*(t) = t²/4 + t.
  { name: 'pearson', activation: (v) => v, conjugateOfActivation: (v) => tf.add(tf.div(tf.square(v), 4), v) },
  // T = 1 − exp(−v), f*(t) = 2 − 2√(1 − t) = 2 − 2·exp(−v/2).
  {
    name: 'neyman',
    activation: (v) => tf.neg(tf.expm1(tf.neg(v))),
    conjugateOfActivation: (v) => tf.sub(2, tf.mul(2, tf.exp(tf.mul(-0.5, v)))),
  },
  // T = 1 − exp(−v), f*(t) = t/(1 − t) = exp(v) − 1.
  { name: 'hellinger', activation: (v) => tf.neg(tf.expm1(tf.neg(v))), conjugateOfActivation: (v) => tf.expm1(v) },
  // T = log 2 − softplus(−v), f*(t) = −log(2 − exp t) = softplus(v) − log 2.
  {
    name: 'js',
    activation: (v) => tf.sub(LOG2, tf.softplus(tf.neg(v))),
    conjugateOfActivation: (v) => tf.sub(tf.softplus(v), LOG2),
  },
  // T = −softplus(−v), f*(t) = −log(1 − exp t) = softplus(v).
  { name: 'gan', activation: (v) => tf.neg(tf.softplus(tf.neg(v))), conjugateOfActivation: (v) => tf.softplus(v) },
];

export const F_DIVERGENCE_NAMES = F_DIVERGENCES.map((divergence) => divergence.name);

export function findFDivergence(name: string): FDivergence | undefined {
  return F_DIVERGENCES.find((divergence) => divergence.name === name);
}
