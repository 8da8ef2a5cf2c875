// Each row against the study's baseline row, seed by seed: every seed trains
// both from the same initial weights and latents, so the per-seed difference
// removes the seeds' shared luck, and its mean gets a 95% confidence interval
// over the seeds. Student's t for few seeds; from 5 on, a percentile bootstrap,
// which assumes no normal shape of the differences.
import tQuantile from '@stdlib/stats-base-dists-t-quantile';
import { deriveRng } from '../engine/rng.js';
import { meanAndSampleStd, percentile } from '../metrics/statistics.js';

/** Seeds from which the interval is bootstrapped rather than Student's t. */
export const BOOTSTRAP_FROM_SEEDS = 5;
export const BOOTSTRAP_RESAMPLES = 10_000;
const LEVEL = 0.95;

/** A row's difference from the baseline on one metric: row − baseline, over the seeds both have. */
export interface PairedDifference {
  /** Per seed, in the seeds' order. */
  perSeed: Array<{ seed: number; difference: number }>;
  mean: number;
  /** The 95% interval of the mean difference; null with fewer than 2 seeds. */
  low: number | null;
  high: number | null;
  method: 'student-t' | 'bootstrap' | null;
  /** The interval (of non-zero width) excludes 0: the row differs from the baseline beyond the seeds' spread. */
  separates: boolean;
}

/** Student's t interval of the mean of `values` (n ≥ 2). */
export function studentInterval(values: number[]): [number, number] {
  const n = values.length;
  const { mean, std } = meanAndSampleStd(values);
  const half = tQuantile(1 - (1 - LEVEL) / 2, n - 1) * (std / Math.sqrt(n));
  return [mean - half, mean + half];
}

/** Percentile bootstrap interval of the mean of `values`, from a stream seeded by `seed`. */
export function bootstrapInterval(values: number[], seed: number, resamples = BOOTSTRAP_RESAMPLES): [number, number] {
  const rng = deriveRng(seed, 'bootstrap');
  const means = new Float64Array(resamples);
  for (let b = 0; b < resamples; b++) {
    let sum = 0;
    for (let i = 0; i < values.length; i++) sum += values[rng.integer(values.length)];
    means[b] = sum / values.length;
  }
  const tail = (100 * (1 - LEVEL)) / 2;
  return [percentile(means, tail), percentile(means, 100 - tail)];
}

/**
 * The paired difference row − baseline over the seeds where both have a finite value
 * (a seed the row or the baseline lacks is left out of both).
 */
export function pairedDifference(
  row: ReadonlyArray<{ seed: number; value: number | null }>,
  baseline: ReadonlyArray<{ seed: number; value: number | null }>,
): PairedDifference | null {
  const base = new Map(baseline.filter((b) => isFiniteNumber(b.value)).map((b) => [b.seed, b.value as number]));
  const perSeed = row
    .filter((r) => isFiniteNumber(r.value) && base.has(r.seed))
    .map((r) => ({ seed: r.seed, difference: (r.value as number) - base.get(r.seed)! }));
  if (!perSeed.length) return null;
  const differences = perSeed.map((p) => p.difference);
  const m = meanAndSampleStd(differences).mean;
  if (differences.length < 2) return { perSeed, mean: m, low: null, high: null, method: null, separates: false };
  const method = differences.length >= BOOTSTRAP_FROM_SEEDS ? 'bootstrap' : 'student-t';
  // The bootstrap's stream is seeded by the first seed compared, so that the same table gives the same interval.
  const [low, high] = method === 'bootstrap' ? bootstrapInterval(differences, perSeed[0].seed) : studentInterval(differences);
  // An interval of zero width (every seed the same difference) says nothing about the spread: no claim.
  return { perSeed, mean: m, low, high, method, separates: high > low && (low > 0 || high < 0) };
}

function isFiniteNumber(value: number | null): value is number {
  return typeof value === 'number' && Number.isFinite(value);
}
