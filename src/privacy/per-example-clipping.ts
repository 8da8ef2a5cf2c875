// DP-SGD's clipped gradient sum, Σ_i min(1, C/‖g_i‖)·g_i, without forming any
// per-example gradient. For a dense layer z = a·W + b, example i's gradient is
// a_iᵀδ_i for W and δ_i for b, where δ_i = ∂ℓ_i/∂z_i, so its squared norm is
// (‖a_i‖² + 1)·‖δ_i‖² (Goodfellow 2015; "ghost" norms, Li et al. 2022). One
// backward pass through the fused layers, computing input gradients only,
// gives each layer's output gradient and so every δ; the clipped sum is then
// aᵀ(c ⊙ δ) and Σ c ⊙ δ per layer (Bu et al. 2022's book-keeping): the same
// products as a non-private step's weight gradients.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { DataError } from '../errors.js';
import type { Dropout } from '../models/dropout.js';
import { exampleGradientNorms, parameterGradients, type DenseRun } from '../engine/dense-layer.js';
import { discriminatorForward } from '../models/class-condition.js';
import { denseVariables } from '../models/mlp-forward.js';
import type { ExampleLosses } from '../objectives/objective.js';

export interface ClippedSum {
  /** The clipped gradient sum, by variable name. */
  gradients: tf.NamedTensorMap;
  /** D's output for every row (real rows first). */
  output: tf.Tensor2D;
  /** Each example's gradient norm before clipping. */
  norms: tf.Tensor1D;
}

/** Refuses a model whose per-example gradient norms this module cannot compute. */
export function checkPerExampleLayers(model: tfl.LayersModel): void {
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    const config = layer.getConfig() as { activation?: string; useBias?: boolean };
    if (kind === 'LeakyReLU') continue;
    if (kind === 'Dense' && config.activation === 'linear' && config.useBias !== false) continue;
    throw new DataError(
      `DP training needs each example's gradient norm, which gankit computes for Dense layers (with a bias, linear) and LeakyReLU only; ` +
        `${layer.name} is ${kind}${kind === 'Dense' ? ` with activation ${config.activation}` : ''}` +
        `${kind === 'BatchNormalization' ? ', which mixes examples, so no per-example bound holds' : ''}.`,
    );
  }
}

/**
 * The clipped gradient sum of `model` over the rows of x: the first `realRows`
 * rows are real examples, the rest fake, each with its own loss from `losses`.
 * Dropout stays exact: its masks act on each row alone, and every layer's
 * input a is read after the mask, so a_iᵀδ_i is still example i's gradient.
 */
export function clippedGradientSum(
  model: tfl.LayersModel,
  x: tf.Tensor2D,
  realRows: number,
  losses: ExampleLosses,
  clip: number,
  dropout: Dropout | null = null,
): ClippedSum {
  const layers = denseVariables(model);
  const rows = x.shape[0];
  // dy_l = ∂(Σ ℓ_i)/∂y_l, read as the gradient of zero probes added to each layer's output y_l.
  // tf.fill runs the backend's Fill kernel; tf.zeros would build each in JavaScript and copy it over.
  const probes = layers.map(({ kernel }) => tf.fill([rows, kernel.shape[1]!], 0));
  const runs: DenseRun[] = [];
  let output: tf.Tensor2D | undefined;
  const outputGradients = tf.grads((...probe: tf.Tensor[]) => {
    output = tf.keep(
      discriminatorForward(model, x, {
        dropout,
        // The tape needs only each layer's input gradient: the clipped sums are formed below.
        gradients: { input: false, weights: false },
        tap: (run) => {
          // x is the caller's, kept by the caller; a projection D's first input is a slice of it, made here.
          const input = run.input === x ? run.input : tf.keep(run.input);
          runs[run.index] = { ...run, input, output: tf.keep(run.output), mask: run.mask && tf.keep(run.mask) };
          return tf.add(run.output, probe[run.index]) as tf.Tensor2D;
        },
      }),
    );
    const parts: tf.Tensor1D[] = [];
    if (realRows > 0) parts.push(losses.real(tf.slice(output, [0, 0], [realRows, -1])));
    if (rows > realRows) parts.push(losses.fake(tf.slice(output, [realRows, 0], [-1, -1])));
    return tf.sum(tf.concat(parts));
  })(probes) as tf.Tensor2D[];
  const result = tf.tidy(() => {
    const norms = tf.sqrt(tf.addN(runs.map((run, l) => exampleGradientNorms(outputGradients[l], run)))) as tf.Tensor1D;
    // Opacus's factor: min(1, C / (‖g_i‖ + 1e-6)).
    const factors = tf.expandDims(tf.minimum(1, tf.div(clip, tf.add(norms, 1e-6))), 1);
    const gradients: tf.NamedTensorMap = {};
    layers.forEach(({ kernel, bias }, l) => {
      // Each example's δ is linear in its dy: scaling the rows of dy by c scales its gradient by c.
      const { w, b } = parameterGradients(tf.mul(outputGradients[l], factors), runs[l]);
      gradients[kernel.name] = w;
      gradients[bias!.name] = b;
    });
    return { gradients, norms };
  });
  const inputs = runs.map((run) => run.input).filter((input) => input !== x);
  tf.dispose([probes, outputGradients, inputs, runs.map((run) => [run.output, run.mask ?? []])]);
  return { ...result, output: output! };
}
