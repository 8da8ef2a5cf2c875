// An exponential moving average of the generator's weights (Yazıcı et al.
// 2019, "The unusual effectiveness of averaging in GAN training"): after the
// t-th G step, ema ← β_t·ema + (1 − β_t)·w, with TensorFlow's warm-up
// β_t = min(decay, (1 + t)/(10 + t)) (ExponentialMovingAverage's num_updates),
// so that early on the average does not hold on to the random initial
// weights: a plain 0.999 still gives them 6% weight after 3 epochs. It is a
// generator of its own, checkpointed beside the raw one, and what sampling
// uses when present.
//
// A late start (PyTorch-StudioGAN's ema_start): for the first `start` G
// steps the average copies G, and the warm-up counts from there, so that the
// average spans only generators of the late, slowly moving phase.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { fusedMovingAverageStep } from '../engine/fused-optimizers.js';
import { activeNativeGemm } from '../engine/matmul-kernels.js';
import { copyGenerator } from '../models/gan-models.js';
import { trainableVariables } from '../models/mlp-forward.js';

export interface GeneratorEma {
  decay: number;
  /** G steps during which the average copies G before averaging starts. */
  start: number;
  model: tfl.LayersModel;
  variables: tf.Variable[];
  /** Averaging steps taken (the G steps so far). */
  updates: number;
}

/**
 * The average of `generator` kept in `model` (a copy of the generator's
 * weights when absent), after `updates` steps.
 */
export function generatorEma(
  { decay, start }: { decay: number; start: number },
  generator: tfl.LayersModel,
  model: tfl.LayersModel = copyGenerator(generator),
  updates = 0,
): GeneratorEma {
  return { decay, start, model, variables: trainableVariables(model), updates };
}

/** β_t of the t-th update (from 0) of an average that starts after `start` updates: 0 (a copy of G) before it. */
export function emaDecayAt(decay: number, t: number, start = 0): number {
  return t < start ? 0 : Math.min(decay, (1 + t - start) / (10 + t - start));
}

/** One averaging step towards the generator's current weights. */
export function updateGeneratorEma(ema: GeneratorEma, generatorVariables: tf.Variable[]): void {
  const keep = emaDecayAt(ema.decay, ema.updates, ema.start);
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
