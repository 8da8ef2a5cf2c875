// An exponential moving average of the generator's weights (Yazıcı et al.
// 2019, "The unusual effectiveness of averaging in GAN training"): after the
// t-th G step, ema ← β_t·ema + (1 − β_t)·w, with TensorFlow's warm-up
// β_t = min(decay, (1 + t)/(10 + t)) (ExponentialMovingAverage's num_updates),
// so that early on the average does not hold on to the random initial
// weights: a plain 0.999 still gives them 6% weight after 3 epochs. It is a
// generator of its own, checkpointed beside the raw one, and what sampling
// uses when present.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { fusedMovingAverageStep } from '../engine/fused-optimizers.js';
import { activeNativeGemm } from '../engine/matmul-kernels.js';
import { copyGenerator } from '../models/gan-models.js';
import { trainableVariables } from '../models/mlp-forward.js';

export interface GeneratorEma {
  decay: number;
  model: tfl.LayersModel;
  variables: tf.Variable[];
  /** Averaging steps taken (the G steps so far). */
  updates: number;
}

/**
 * The average of `generator` kept in `model` (a copy of the generator's
 * weights when absent), after `updates` averaging steps.
 */
export function generatorEma(decay: number, generator: tfl.LayersModel, model: tfl.LayersModel = copyGenerator(generator), updates = 0): GeneratorEma {
  return { decay, model, variables: trainableVariables(model), updates };
}

/** β_t of the t-th update (from 0). */
export function emaDecayAt(decay: number, t: number): number {
  return Math.min(decay, (1 + t) / (10 + t));
}

/** One averaging step towards the generator's current weights. */
export function updateGeneratorEma(ema: GeneratorEma, generatorVariables: tf.Variable[]): void {
  const keep = emaDecayAt(ema.decay, ema.updates);
  const gemm = activeNativeGemm();
  if (gemm) {
    ema.variables.forEach((average, i) => fusedMovingAverageStep(gemm, average, generatorVariables[i], 1 - keep));
  } else {
    tf.tidy(() => {
      ema.variables.forEach((average, i) => {
        // average + (1 − β)·(w − average): one rounding fewer than the two-product form.
        average.assign(tf.add(average, tf.mul(1 - keep, tf.sub(generatorVariables[i], average))));
      });
    });
  }
  ema.updates += 1;
}
