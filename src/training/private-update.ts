// make_private for the discriminator update (as Opacus wraps a model and its
// optimizer): the guard rails that keep a DP run's guarantee honest, σ
// calibrated to a target ε, Poisson-sampled real batches, clipped and noised
// steps, the ε spent so far, and privacy.json beside each checkpoint.
import type * as tfl from '@tensorflow/tfjs-layers';
import { UsageError } from '../errors.js';
import { defaultDelta, type DpConfig } from '../privacy/dp-config.js';
import { calibrateNoise } from '../privacy/noise-calibration.js';
import { checkPerExampleLayers } from '../privacy/per-example-clipping.js';
import { makeAccountant, stepsWithin } from '../privacy/accountant.js';
import { writePrivacyRecord } from '../run/run-directory.js';
import type { DiscriminatorUpdate } from './discriminator-update.js';
import { dpDiscriminatorStep, poissonSample } from './dp-discriminator-step.js';

/** The settings of a DP run once σ and δ are fixed. */
export type ResolvedDp = DpConfig & { noise: number; delta: number };

const PROTECTED =
  'Each single training image (adding or removing one example changes the output distribution by at most (ε, δ)), ' +
  'for the discriminator and, since the generator sees the data only through it, for the generator and every sample drawn from it. ' +
  'Not protected: the number of training images and the choice of hyperparameters.';

/** The private D update of a run on `examples` images, and its settings with σ and δ resolved (for config.json). */
export function makePrivate(
  dp: DpConfig,
  discriminator: tfl.LayersModel,
  examples: number,
  batch: number,
  plannedSteps: number,
): { update: DiscriminatorUpdate; resolved: ResolvedDp } {
  // checkTrainConfig has refused objectives without per-example losses; the layers must be ones DP-SGD can bound.
  checkPerExampleLayers(discriminator);
  const rate = batch / examples;
  const delta = dp.delta ?? defaultDelta(examples);
  if (delta >= 1 / examples) {
    throw new UsageError(
      `δ = ${delta} is not below 1/N = ${(1 / examples).toPrecision(3)}: a mechanism that publishes one random example outright meets it. Use ${defaultDelta(examples)} or less.`,
    );
  }
  const accountant = makeAccountant(dp.accountant, rate, delta, dp.conversion);
  let noise = dp.noise;
  if (noise === null) {
    const target = dp.targetEpsilon!;
    noise = calibrateNoise(target, (sigma) => accountant(sigma, plannedSteps));
  }
  const resolved: ResolvedDp = { ...dp, noise, delta };
  const sigma = noise;
  const spentAfter = (steps: number) => accountant(sigma, steps);
  // The step count the target allows, found once: PRV is too slow to ask at every step.
  const allowedSteps = dp.targetEpsilon === null ? Infinity : stepsWithin(dp.targetEpsilon, (steps) => spentAfter(steps).epsilon, plannedSteps);
  const step = { clip: dp.clip, noise, batch };
  const record = (steps: number) => {
    const spent = steps > 0 ? spentAfter(steps) : { epsilon: 0, order: NaN };
    return {
      epsilon: spent.epsilon,
      delta,
      bestOrder: spent.order,
      noiseMultiplier: noise,
      clip: dp.clip,
      samplingRate: rate,
      expectedBatch: batch,
      examples,
      steps,
      targetEpsilon: dp.targetEpsilon,
      accountant:
        dp.accountant === 'prv'
          ? 'prv (privacy loss random variables composed by FFT, Gopi et al. 2021; ε upper bound, ε error 0.01)'
          : `rdp (Poisson-subsampled Gaussian, Mironov et al. 2019; ${dp.conversion} RDP-to-DP conversion)`,
      protects: PROTECTED,
    };
  };
  const update: DiscriminatorUpdate = {
    realBatch: (_order, _start, rng) => poissonSample(examples, rate, rng),
    step: (gan, real, z, rng) => dpDiscriminatorStep(gan, real, z, rng, step),
    stopBefore: (stepsTaken) =>
      stepsTaken + 1 <= allowedSteps ? undefined : `Stopped before step ${stepsTaken + 1}: it would spend more than ε = ${dp.targetEpsilon}.`,
    logged: (steps) => ({ epsilon: steps > 0 ? spentAfter(steps).epsilon : 0 }),
    writeRecord: (runDir, steps) => writePrivacyRecord(runDir, record(steps)),
  };
  return { update, resolved };
}
