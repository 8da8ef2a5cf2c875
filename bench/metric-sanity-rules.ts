// The metric sanity suite's scoring and its rules: what any sane metric must
// satisfy on the sets of metric-sets.ts. Used by npm run bench:metrics and by
// the test that runs the suite on smaller sets.
import type { ImageSet } from '../src/data/image-set.js';
import { deriveRng } from '../src/engine/rng.js';
import { evaluate, headlineScores, NEIGHBOURHOOD_K, type HeadlineScores } from '../src/metrics/evaluation.js';
import type { FeatureExtractor } from '../src/metrics/feature-extractor.js';
import { sanitySets, type SanitySet } from './metric-sets.js';

export interface SanityRow extends HeadlineScores {
  name: string;
  family: string;
  kind: SanitySet['kind'];
  strength: number;
  heldOut: boolean;
  classesCovered: number | null;
}

/** Scores every set of `count` images (from `train`) against `real`; held-out junk only when asked. */
export async function scoreSanitySets(
  train: ImageSet,
  real: ImageSet,
  count: number,
  extractor: FeatureExtractor,
  withHeldOut: boolean,
  onRow?: (row: SanityRow) => void,
): Promise<SanityRow[]> {
  const sets = sanitySets(train, count, (name) => deriveRng(0, `sanity ${name}`)).filter((set) => withHeldOut || !set.heldOut);
  const rows: SanityRow[] = [];
  for (const set of sets) {
    const fake = { pixels: set.pixels, count, height: 28, width: 28, source: set.name };
    const result = await evaluate(fake, { ...real }, extractor, { ...NEIGHBOURHOOD_K, seed: 0 });
    const { name, family, kind, strength, heldOut } = set;
    const row = { name, family, kind, strength, heldOut, ...headlineScores(result), classesCovered: result.modes?.classesCovered ?? null };
    onRow?.(row);
    rows.push(row);
  }
  return rows;
}

/** Pixel noise a person barely sees on a digit, which must keep at least MILD_NOISE_KEEPS of clean digits' precision. */
const MILD_NOISE = 'gaussian noise σ=0.1';
const MILD_NOISE_KEEPS = 0.7;

/** What any sane metric must satisfy, each with the sets that break it: an empty list means the rule holds. */
export function sanityChecks(scored: SanityRow[]) {
  const junk = scored.filter((r) => r.kind === 'junk');
  const classes = scored.filter((r) => r.kind === 'classes').sort((a, b) => a.strength - b.strength);
  const worstClean = Math.max(...classes.map((r) => r.fid));
  const families = [...new Set(scored.filter((r) => r.kind === 'degraded').map((r) => r.family))];
  const notRising = families.flatMap((family) => {
    const ordered = scored.filter((r) => r.family === family).sort((a, b) => a.strength - b.strength);
    return ordered
      .slice(1)
      .filter((r, i) => r.fid <= ordered[i].fid)
      .map((r) => r.name);
  });
  const clean = classes[0];
  const mildNoise = scored.find((r) => r.name === MILD_NOISE)!;
  return {
    junkPrecisionAtMost005: junk.filter((r) => r.name !== 'a single image repeated' && r.precision > 0.05).map((r) => r.name),
    junkRecallAtMost005: junk.filter((r) => r.recall > 0.05).map((r) => r.name),
    junkFidAboveEveryCleanClassSet: junk.filter((r) => r.fid <= worstClean).map((r) => r.name),
    fidRisesWithEachDegradation: notRising,
    mildNoiseKeepsMostPrecision: mildNoise.precision >= MILD_NOISE_KEEPS * clean.precision ? [] : [mildNoise.name],
    recallFallsAsClassesDrop: classes
      .slice(1)
      .filter((r, i) => r.recall >= classes[i].recall)
      .map((r) => r.name),
  };
}
