// eval-curve.jsonl: one line per scoring during training (--eval-every N).
import { z } from 'zod';
import { appendJsonLine, readJsonLines, truncateJsonLines } from '../files/json-lines.js';
import type { HeadlineScores } from '../metrics/evaluation.js';
import { runPaths } from './run-directory.js';

/** A score; JSON writes a NaN (an FID whose matrix square root failed) as null, read back as NaN. */
const score = z.union([z.number(), z.null().transform(() => NaN)]);

const EPOCH_SCORE_SCHEMA = z.looseObject({
  epoch: z.number().int().positive(),
  /** The kept checkpoint these samples came from: `gankit generate --checkpoint` draws from it again. */
  checkpoint: z.string(),
  /** Which generator drew the samples: G's moving average, or the raw G. */
  generator: z.enum(['ema', 'raw']),
  samples: z.number().int().positive(),
  fid: score,
  precision: score,
  recall: score,
  density: score,
  coverage: score,
  /** Classes holding at least 1% of the samples (the feature network's labels). */
  classesCovered: z.number().int().nonnegative().nullable(),
  /** A conditional run's: the share of samples the feature network gives the class they were drawn for. */
  labelAccuracy: z.number().nullable().optional(),
  /** The feature network that scored them. */
  features: z.string(),
  seconds: z.number(),
}) satisfies z.ZodType<HeadlineScores>;

export type EpochScore = z.infer<typeof EPOCH_SCORE_SCHEMA>;

export function appendEpochScore(runDir: string, score: EpochScore): void {
  appendJsonLine(runPaths(runDir).evalCurve, score);
}

export function readEpochScores(runDir: string): EpochScore[] {
  return readJsonLines(runPaths(runDir).evalCurve, EPOCH_SCORE_SCHEMA);
}

/** Drops scores of epochs after `epoch`: a resumed run scores them again. */
export function truncateEpochScores(runDir: string, epoch: number): void {
  truncateJsonLines(runPaths(runDir).evalCurve, EPOCH_SCORE_SCHEMA, (score) => score.epoch <= epoch);
}
