// DP-SGD's clipped gradient sum, Σ_i min(1, C/‖g_i‖)·g_i, without forming any
// per-example gradient. For a dense layer z = a·W + b, example i's gradient is
// a_iᵀδ_i for W and δ_i for b, where δ_i = ∂ℓ_i/∂z_i, so its squared norm is
// (‖a_i‖² + 1)·‖δ_i‖² (Goodfellow 2015; "ghost" norms, Li et al. 2022). One
// backward pass through the fused layers, computing input gradients only,
// gives each layer's output gradient and so every δ; the clipped sum is then
// aᵀ(c ⊙ δ) and Σ c ⊙ δ per layer (Bu et al. 2022's book-keeping): the same
// products as a non-private step's weight gradients. Convolutions take the
// same path through their patches (conv-example-gradients.ts).
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { DataError } from '../errors.js';
import type { Dropout } from '../models/dropout.js';
import { exampleGradientNorms, parameterGradients } from '../engine/dense-layer.js';
import { discriminatorForward } from '../models/class-condition.js';
import type { LayerRun } from '../models/layer-run.js';
import { WEIGHTED_LAYERS, weightedLayerVariables } from '../models/mlp-forward.js';
import { convExampleSquaredNorms, convParameterGradients, examplePatches } from './conv-example-gradients.js';
import type { ExampleLosses } from '../objectives/objective.js';

export interface ClippedSum {
  /** The clipped gradient sum, by variable name. */
  gradients: tf.NamedTensorMap;
  /** D's output for every row (real rows first). */
  output: tf.Tensor2D;
  /** Each example's gradient norm before clipping. */
  norms: tf.Tensor1D;
}

/** Layers without weights, which act on each example alone. */
const EXAMPLEWISE = ['LeakyReLU', 'Flatten', 'ImageWithClassMaps'];

/** Refuses a model whose per-example gradient norms this module cannot compute. */
export function checkPerExampleLayers(model: tfl.LayersModel): void {
  for (const layer of model.layers) {
    const kind = layer.getClassName();
    const config = layer.getConfig() as { activation?: string; useBias?: boolean };
    if (EXAMPLEWISE.includes(kind)) continue;
    const weighted = WEIGHTED_LAYERS.includes(kind);
    if (weighted && config.activation === 'linear' && config.useBias !== false) continue;
    throw new DataError(
      `DP training needs each example's gradient norm, which gankit computes for Dense and Conv2D layers (with a bias, linear), LeakyReLU and Flatten only; ` +
        `${layer.name} is ${kind}${weighted ? ` with activation ${config.activation}` : ''}` +
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
  const layers = weightedLayerVariables(model);
  const rows = x.shape[0];
  // dy_l = ∂(Σ ℓ_i)/∂y_l, read as the gradient of zero probes added to each layer's output y_l.
  // tf.fill runs the backend's Fill kernel; tf.zeros would build each in JavaScript and copy it over.
  const probes = layers.map(({ outputShape }) => tf.fill([rows, ...outputShape], 0));
  const runs: LayerRun[] = [];
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
          runs[run.index] =
            run.kind === 'dense'
              ? { ...run, input: input as tf.Tensor2D, output: tf.keep(run.output), mask: run.mask && tf.keep(run.mask) }
              : { ...run, input: input as tf.Tensor4D, output: tf.keep(run.output) };
          return tf.add(run.output, probe[run.index]);
        },
      }),
    );
    const parts: tf.Tensor1D[] = [];
    if (realRows > 0) parts.push(losses.real(tf.slice(output, [0, 0], [realRows, -1])));
    if (rows > realRows) parts.push(losses.fake(tf.slice(output, [realRows, 0], [-1, -1])));
    return tf.sum(tf.concat(parts));
  })(probes);
  // A convolution's unfolded input serves both its norms and its clipped sum.
  const patches = runs.map((run) => (run.kind === 'conv' ? examplePatches(run) : null));
  const result = tf.tidy(() => {
    const squaredNorms = runs.map((run, l) =>
      run.kind === 'dense'
        ? exampleGradientNorms(outputGradients[l] as tf.Tensor2D, run)
        : convExampleSquaredNorms(outputGradients[l] as tf.Tensor4D, patches[l]!),
    );
    const norms = tf.sqrt(tf.addN(squaredNorms)) as tf.Tensor1D;
    // Opacus's factor: min(1, C / (‖g_i‖ + 1e-6)).
    const factors = tf.minimum(1, tf.div(clip, tf.add(norms, 1e-6)));
    const gradients: tf.NamedTensorMap = {};
    layers.forEach(({ kernel, bias }, l) => {
      // Each example's gradient is linear in its dy: scaling its rows of dy by c scales its gradient by c.
      const run = runs[l];
      const { w, b } =
        run.kind === 'dense'
          ? parameterGradients(tf.mul(outputGradients[l], tf.expandDims(factors, 1)) as tf.Tensor2D, run)
          : convParameterGradients(tf.mul(outputGradients[l], tf.reshape(factors, [rows, 1, 1, 1])) as tf.Tensor4D, run, patches[l]!);
      gradients[kernel.name] = w;
      gradients[bias!.name] = b;
    });
    return { gradients, norms };
  });
  const inputs = runs.map((run) => run.input).filter((input) => input !== x);
  tf.dispose([probes, outputGradients, inputs, patches.filter((p) => p !== null), runs.map((run) => [run.output, (run.kind === 'dense' && run.mask) || []])]);
  return { ...result, output: output! };
}
