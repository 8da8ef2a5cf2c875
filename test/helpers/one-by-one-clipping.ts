// DP-SGD's clipped gradient sum the slow way, the reference the ghost-norm
// sum is checked against: each example's gradient taken alone, its norm,
// clipped by Opacus's factor min(1, C / (‖g‖ + 1e-6)), summed in float64.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { trainableVariables } from '../../src/models/mlp-forward.js';
import { crossEntropyExampleLosses } from '../../src/objectives/minimax.js';

/** `forward(row, i)` runs D on example i (a 1-row slice of x); the first `realRows` rows are real. */
export function oneByOneClippedSum(
  model: tfl.LayersModel,
  x: tf.Tensor2D,
  realRows: number,
  clip: number,
  forward: (row: tf.Tensor2D, i: number) => tf.Tensor2D,
): { sums: Map<string, Float64Array>; norms: number[] } {
  const variables = trainableVariables(model);
  const sums = new Map(variables.map((v) => [v.name, new Float64Array(v.size)]));
  const norms: number[] = [];
  for (let i = 0; i < x.shape[0]; i++) {
    const row = tf.slice(x, [i, 0], [1, -1]);
    const losses = i < realRows ? crossEntropyExampleLosses.real : crossEntropyExampleLosses.fake;
    const { grads } = tf.variableGrads(() => tf.sum(losses(forward(row, i))) as tf.Scalar, variables);
    const norm = Math.sqrt(variables.reduce((sum, v) => sum + tf.sum(tf.square(grads[v.name])).dataSync()[0], 0));
    norms.push(norm);
    const factor = Math.min(1, clip / (norm + 1e-6));
    for (const v of variables) grads[v.name].dataSync().forEach((g, k) => (sums.get(v.name)![k] += factor * g));
    tf.dispose([row, grads]);
  }
  return { sums, norms };
}

/** The largest difference from the reference, relative to the reference's largest value, over every variable. */
export function worstRelativeError(gradients: tf.NamedTensorMap, reference: Map<string, Float64Array>): number {
  let worst = 0;
  for (const [name, expected] of reference) {
    const scale = expected.reduce((max, e) => Math.max(max, Math.abs(e)), 0);
    const actual = gradients[name].dataSync();
    expected.forEach((e, k) => (worst = Math.max(worst, Math.abs(actual[k] - e) / scale)));
  }
  return worst;
}
