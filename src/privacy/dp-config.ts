// The settings of a differentially private D (gankit train --dp), with their
// defaults in one place for the command line, the tests and the bench.
import type { AccountantName } from './accountant.js';
import type { RdpConversion } from './rdp-accountant.js';

/** DP-SGD for D. */
export interface DpConfig {
  /** Per-example clipping norm C. */
  clip: number;
  /** Noise multiplier σ; null: calibrated to `targetEpsilon` over the run's steps. */
  noise: number | null;
  /** δ; null: the power of ten just below 1/N (1e-5 for MNIST). */
  delta: number | null;
  /** Training stops before ε would exceed it; null: no limit. */
  targetEpsilon: number | null;
  accountant: AccountantName;
  conversion: RdpConversion;
}

/** --dp alone: C = 1, the RDP accountant with the improved conversion (as Opacus); σ or a target ε must be given. */
export const DP_DEFAULTS: DpConfig = { clip: 1, noise: null, delta: null, targetEpsilon: null, accountant: 'rdp', conversion: 'improved' };

/** D steps per G step under DP: the best fixed value in the study (the paper's was 50). */
export const DP_D_STEPS = 10;

/** The power of ten just below 1/N: 1e-5 for MNIST's 60,000 images. */
export function defaultDelta(examples: number): number {
  // Through the decimal literal: 10 ** -4 is 0.00009999999999999999.
  return Number(`1e-${Math.ceil(Math.log10(examples) + 1e-12)}`);
}
