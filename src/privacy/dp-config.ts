// The settings of a differentially private D (gankit train --dp), with their
// defaults in one place for the command line, the tests and the bench.
import { z } from 'zod';

/** DP-SGD for D: the settings config.json records, checked when read. */
export const DP_CONFIG_SCHEMA = z.object({
  /** Per-example clipping norm C. */
  clip: z.number().positive(),
  /** Noise multiplier σ; null: calibrated to `targetEpsilon` over the run's steps. */
  noise: z.number().positive().nullable(),
  /** δ; null: the power of ten just below 1/N (1e-5 for MNIST). */
  delta: z.number().positive().nullable(),
  /** Training stops before ε would exceed it; null: no limit. */
  targetEpsilon: z.number().positive().nullable(),
  accountant: z.enum(['rdp', 'prv']),
  conversion: z.enum(['improved', 'classic']),
});

export type DpConfig = z.infer<typeof DP_CONFIG_SCHEMA>;

/** --dp alone: C = 1, the RDP accountant with the improved conversion (as Opacus); σ or a target ε must be given. */
export const DP_DEFAULTS: DpConfig = { clip: 1, noise: null, delta: null, targetEpsilon: null, accountant: 'rdp', conversion: 'improved' };

/** D steps per G step under DP: the best fixed value in the study (the paper's was 50). */
export const DP_D_STEPS = 10;

/** The power of ten just below 1/N: 1e-5 for MNIST's 60,000 images. */
export function defaultDelta(examples: number): number {
  // Through the decimal literal: 10 ** -4 is 0.00009999999999999999.
  return Number(`1e-${Math.ceil(Math.log10(examples) + 1e-12)}`);
}
