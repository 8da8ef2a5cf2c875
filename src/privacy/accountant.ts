// The two accountants behind one signature: ε after some steps at a noise
// multiplier, for a fixed sampling rate and δ.
import { UsageError } from '../errors.js';
import { prvEpsilon } from './prv-accountant.js';
import { rdpAccountant, type PrivacySpent, type RdpConversion } from './rdp-accountant.js';

/** rdp: Rényi DP (fast, looser); prv: numerical composition of privacy loss random variables (tighter, ~1 s a call). */
export type AccountantName = 'rdp' | 'prv';

export type Accountant = (sigma: number, steps: number) => PrivacySpent;

export function makeAccountant(name: AccountantName, rate: number, delta: number, conversion: RdpConversion): Accountant {
  if (name === 'prv') {
    return (sigma, steps) => {
      try {
        return { epsilon: prvEpsilon(rate, sigma, steps, delta).upper, order: NaN };
      } catch (error) {
        if (!(error instanceof RangeError)) throw error;
        throw new UsageError(
          `The PRV accountant cannot bound ε at σ = ${sigma}, q = ${rate}, ${steps} steps, δ = ${delta} (${error.message}); use --dp-accountant rdp.`,
        );
      }
    };
  }
  // One step's RDP per order, kept per σ: ε after any number of steps is then cheap.
  const bySigma = new Map<number, (steps: number) => PrivacySpent>();
  return (sigma, steps) => {
    if (!bySigma.has(sigma)) bySigma.set(sigma, rdpAccountant(rate, sigma, delta, conversion));
    return bySigma.get(sigma)!(steps);
  };
}

/** The most steps, up to `limit`, that keep ε within `target` (ε grows with the steps). */
export function stepsWithin(target: number, epsilonAfter: (steps: number) => number, limit: number): number {
  if (epsilonAfter(limit) <= target) return limit;
  let low = 0;
  let high = limit;
  while (high - low > 1) {
    const middle = Math.floor((low + high) / 2);
    if (epsilonAfter(middle) <= target) low = middle;
    else high = middle;
  }
  return low;
}
