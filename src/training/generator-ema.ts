// An exponential moving average of the generator's weights (Yazıcı et al.
// 2019, "The unusual effectiveness of averaging in GAN training"): after every
// G step, ema ← decay·ema + (1 − decay)·w. It is a generator of its own,
// checkpointed beside the raw one, and what sampling uses when present.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { copyGenerator } from '../models/gan-models.js';
import { trainableVariables } from '../models/mlp-forward.js';

export interface GeneratorEma {
  decay: number;
  model: tfl.LayersModel;
  variables: tf.Variable[];
}

/** The average of `generator` kept in `model` (a copy of the generator's weights when absent). */
export function generatorEma(decay: number, generator: tfl.LayersModel, model: tfl.LayersModel = copyGenerator(generator)): GeneratorEma {
  return { decay, model, variables: trainableVariables(model) };
}

/** One averaging step towards the generator's current weights. */
export function updateGeneratorEma(ema: GeneratorEma, generatorVariables: tf.Variable[]): void {
  tf.tidy(() => {
    ema.variables.forEach((average, i) => {
      // average + (1 − decay)·(w − average): one rounding fewer than the two-product form.
      average.assign(tf.add(average, tf.mul(1 - ema.decay, tf.sub(generatorVariables[i], average))));
    });
  });
}
