// What a DP run adds to the training loop: the guard rails that keep its
// guarantee honest, σ calibrated to a target ε, the Poisson sampling of real
// batches, the ε spent so far, and privacy.json.
import type * as tfl from '@tensorflow/tfjs-layers';
import { DataError } from '../data/data-error.js';
import type { Rng } from '../engine/rng.js';
import type { Objective } from '../objectives/objective.js';
import { OBJECTIVE_NAMES, createObjective } from '../objectives/registry.js';
import type { DpConfig } from '../training/train-config.js';
import type { DpStepSettings } from './dp-discriminator-step.js';
import { poissonSample } from './dp-discriminator-step.js';
import { calibrateNoise } from './noise-calibration.js';
import { checkPerExampleLayers } from './per-example-clipping.js';
import { makeAccountant, stepsWithin } from './accountant.js';
import type { PrivacySpent } from './rdp-accountant.js';

/** The settings of a DP run once σ and δ are fixed. */
export type ResolvedDp = DpConfig & { noise: number; delta: number };

export interface PrivateTraining {
  resolved: ResolvedDp;
  step: DpStepSettings;
  /** The Poisson sampling rate q = B/N. */
  rate: number;
  /** ε after `steps` D steps (PRV: about a second a call). */
  spentAfter(steps: number): PrivacySpent;
  /** Whether one more D step keeps ε within the target. */
  mayTakeStep(stepsTaken: number): boolean;
  /** The next real batch: each image independently with probability q. */
  realBatch(rng: Rng): Uint32Array;
  /** The content of privacy.json after `steps` D steps. */
  record(steps: number): Record<string, unknown>;
}

/** The power of ten just below 1/N: 1e-5 for MNIST's 60,000 images. */
export function defaultDelta(examples: number): number {
  // Through the decimal literal: 10 ** -4 is 0.00009999999999999999.
  return Number(`1e-${Math.ceil(Math.log10(examples) + 1e-12)}`);
}

const PROTECTED =
  'Each single training image (adding or removing one example changes the output distribution by at most (ε, δ)), ' +
  'for the discriminator and, since the generator sees the data only through it, for the generator and every sample drawn from it. ' +
  'Not protected: the number of training images and the choice of hyperparameters.';

/** Refuses objectives and models whose per-example gradients DP-SGD cannot bound. */
function checkPrivateObjective(objective: Objective, discriminator: tfl.LayersModel): void {
  if (!objective.exampleLosses) {
    const supported = OBJECTIVE_NAMES.filter((name) => createObjective(name)?.exampleLosses);
    throw new DataError(
      `--dp needs a D loss that is a sum over examples, to clip each one; ${objective.name}'s is not. Choose one of ${supported.join(', ')}.`,
    );
  }
  checkPerExampleLayers(discriminator);
}

export function preparePrivateTraining(
  dp: DpConfig,
  objective: Objective,
  discriminator: tfl.LayersModel,
  examples: number,
  batch: number,
  plannedSteps: number,
): PrivateTraining {
  checkPrivateObjective(objective, discriminator);
  const rate = batch / examples;
  const delta = dp.delta ?? defaultDelta(examples);
  if (delta >= 1 / examples) {
    throw new DataError(`δ = ${delta} is not below 1/N = ${(1 / examples).toPrecision(3)}: a mechanism that publishes one random example outright meets it. Use ${defaultDelta(examples)} or less.`);
  }
  const accountant = makeAccountant(dp.accountant, rate, delta, dp.conversion);
  let noise = dp.noise;
  if (noise === null) {
    if (dp.targetEpsilon === null) throw new DataError('--dp needs --dp-noise σ, or --dp-epsilon ε to calibrate σ.');
    const target = dp.targetEpsilon;
    noise = calibrateNoise(target, (sigma) => accountant(sigma, plannedSteps));
  }
  const resolved: ResolvedDp = { ...dp, noise, delta };
  const sigma = noise;
  const spentAfter = (steps: number) => accountant(sigma, steps);
  // The step count the target allows, found once: PRV is too slow to ask at every step.
  const allowedSteps = dp.targetEpsilon === null ? Infinity : stepsWithin(dp.targetEpsilon, (steps) => spentAfter(steps).epsilon, plannedSteps);
  return {
    resolved,
    step: { clip: dp.clip, noise, batch },
    rate,
    spentAfter,
    mayTakeStep: (stepsTaken) => stepsTaken + 1 <= allowedSteps,
    realBatch: (rng) => poissonSample(examples, rate, rng),
    record(steps) {
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
    },
  };
}
