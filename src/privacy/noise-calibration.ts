// The noise multiplier σ that spends a target ε, as Opacus's
// get_noise_multiplier finds it: double σ until ε falls under the target,
// then bisect until ε is within `tolerance` below it. The σ returned always
// spends at most the target.
import { UsageError } from '../errors.js';
import type { PrivacySpent } from './rdp-accountant.js';

/** Beyond this σ the budget is too small for any useful run (Opacus's limit). */
const MAX_SIGMA = 1e6;

export function calibrateNoise(targetEpsilon: number, epsilonAt: (sigma: number) => PrivacySpent, tolerance = 0.01): number {
  if (!(targetEpsilon > 0)) throw new RangeError(`The target ε must be > 0, got ${targetEpsilon}.`);
  let low = 0;
  let high = 10;
  let epsilonHigh = Infinity;
  while (epsilonHigh > targetEpsilon) {
    high *= 2;
    if (high > MAX_SIGMA)
      throw new UsageError(
        `No noise multiplier up to ${MAX_SIGMA} reaches ε = ${targetEpsilon}: the budget is too small; raise the target ε, or train fewer steps.`,
      );
    epsilonHigh = epsilonAt(high).epsilon;
  }
  while (targetEpsilon - epsilonHigh > tolerance) {
    const sigma = (low + high) / 2;
    const epsilon = epsilonAt(sigma).epsilon;
    if (epsilon < targetEpsilon) {
      high = sigma;
      epsilonHigh = epsilon;
    } else {
      low = sigma;
    }
  }
  return high;
}
