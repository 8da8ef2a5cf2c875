// One D step of DP-SGD (Algorithm TrainDPGAN): a Poisson sample of real
// examples and a batch of B fakes; each example's gradient clipped to C; the
// sum noised with N(0, σ²C²I) and divided by 2B, the expected number of
// examples (not the realised one). G is not privatised: it sees the data only
// through D.
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../engine/rng.js';
import { takeScalars } from '../engine/tensor-values.js';
import { scoredExampleLoss } from '../objectives/objective.js';
import { trainingFakes, type GanParts, type StepResult } from './gan-step.js';
import { noisedAndScaled } from '../privacy/gaussian-noise.js';
import { clippedGradientSum } from '../privacy/per-example-clipping.js';

export interface DpStepSettings {
  /** Per-example clipping norm C. */
  clip: number;
  /** Noise multiplier σ. */
  noise: number;
  /** B: the expected real batch (q·N), and the fake batch's size. */
  batch: number;
}

/** Each of `count` examples independently with probability `rate`: a batch of varying size. */
export function poissonSample(count: number, rate: number, rng: Rng): Uint32Array {
  return rng.bernoulliIndices(count, rate);
}

export async function dpDiscriminatorStep(gan: GanParts, real: tf.Tensor2D, z: tf.Tensor2D, rng: Rng, dp: DpStepSettings): Promise<StepResult> {
  const losses = gan.objective.exampleLosses;
  if (!losses) throw new Error(`${gan.objective.name} has no per-example D loss.`);
  const realRows = real.shape[0];
  const x = tf.tidy(() => tf.concat([real, trainingFakes(gan, z)]));
  const { gradients, output, norms } = clippedGradientSum(gan.discriminator, x, realRows, losses, dp.clip, gan.discriminatorDropout);
  const noisy: tf.NamedTensorMap = {};
  for (const [name, sum] of Object.entries(gradients)) {
    const seed = Uint32Array.of(rng.nextUint32(), rng.nextUint32(), rng.nextUint32(), rng.nextUint32());
    const scaled = noisedAndScaled(sum, dp.noise * dp.clip, seed, 1 / (2 * dp.batch));
    // Weight decay depends on the weights only, not the data: it costs no privacy.
    const variable = gan.discriminatorVariables.find((v) => v.name === name)!;
    noisy[name] = gan.dWeightDecay > 0 ? tf.tidy(() => tf.add(scaled, tf.mul(gan.dWeightDecay, variable))) : scaled;
    if (noisy[name] !== scaled) scaled.dispose();
  }
  gan.discriminatorOptimizer.applyGradients(noisy);
  const summary = tf.tidy(() => {
    const { loss, logs } = scoredExampleLoss(losses, tf.slice(output, [0, 0], [realRows, -1]), tf.slice(output, [realRows, 0], [-1, -1]));
    return [loss, logs.dReal, logs.dFake, tf.mean(tf.cast(tf.greater(norms, dp.clip), 'float32'))];
  });
  // The gradient sums became the noisy gradients.
  tf.dispose([x, output, norms, noisy]);
  const [loss, dReal, dFake, clipped] = await takeScalars(summary);
  const logs = { dReal, dFake, realBatch: realRows, clippedFraction: clipped };
  gan.objective.afterDiscriminatorStep?.(gan.discriminatorVariables, logs);
  return { loss, logs };
}
