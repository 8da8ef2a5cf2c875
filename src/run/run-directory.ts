// A run directory: the path of every file `gankit train`, `shape`, `generate`
// and `evaluate` keep in it, the epoch grids, privacy.json and eval.json.
// Other modules ask here for a path instead of spelling it.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { EvaluationResult } from '../metrics/evaluation.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { readOptionalJsonFile } from '../files/json-file.js';

/** The paths of one run. */
export function runPaths(runDir: string) {
  return {
    /** The resolved settings, the objective, models and data (RunRecord). */
    config: join(runDir, 'config.json'),
    /** Who is training the run and how it ended (RunState). */
    state: join(runDir, 'run.json'),
    /** Who is shaping the run's D and how it ended (RunState). */
    shapingState: join(runDir, 'shape.json'),
    metrics: join(runDir, 'metrics.jsonl'),
    /** One line per --eval-every scoring. */
    evalCurve: join(runDir, 'eval-curve.jsonl'),
    eval: evaluationFileIn(runDir),
    privacy: join(runDir, 'privacy.json'),
    /** One grid per epoch: epochGrid(epoch). */
    samples: join(runDir, 'samples'),
    checkpoints: join(runDir, 'checkpoints'),
    /** The study's latent-space interpolation strips of the raw G (gankit generate --interpolate). */
    interpolation: join(runDir, 'interpolation.png'),
    /** gankit shape's fine-tuned D and its settings. */
    shaped: join(runDir, 'shaped'),
    /** A shaping stopped part-way (Ctrl-C, SIGTERM), until `gankit shape --resume` finishes it. */
    stoppedShaping: join(runDir, 'shaping-stopped'),
  };
}

/** The eval.json `gankit evaluate` writes in a directory: a run's, or one of samples. */
export function evaluationFileIn(directory: string): string {
  return join(directory, 'eval.json');
}

/** The names of the folders a run directory holds (none of them a run). */
export function runFolderNames(): string[] {
  const paths = runPaths('');
  return [paths.samples, paths.checkpoints, paths.shaped, paths.stoppedShaping];
}

/** The sample grid written after `epoch` (from 1). */
export function epochGrid(runDir: string, epoch: number): string {
  return join(runPaths(runDir).samples, `epoch-${String(epoch).padStart(3, '0')}.png`);
}

/** The epochs that have a sample grid, in order. */
export function epochGrids(runDir: string): number[] {
  const samples = runPaths(runDir).samples;
  if (!existsSync(samples)) return [];
  return readdirSync(samples)
    .map((file) => /^epoch-(\d+)\.png$/.exec(file))
    .flatMap((match) => (match ? [Number(match[1])] : []))
    .sort((a, b) => a - b);
}

const count = z.number().int().nonnegative();

/** privacy.json, as far as readers use it (the trainer writes the whole record). */
const PRIVACY_RECORD_SCHEMA = z.looseObject({
  epsilon: z.number().nonnegative(),
  delta: z.number().positive(),
  noiseMultiplier: z.number().positive(),
  steps: count,
  /** The training images N (absent from records of older gankits). */
  examples: count.optional(),
});
export type PrivacyRecord = z.infer<typeof PRIVACY_RECORD_SCHEMA>;

/** Writes a DP run's privacy.json (the accountant's full record). */
export function writePrivacyRecord(runDir: string, record: PrivacyRecord): void {
  writeFileAtomic(runPaths(runDir).privacy, `${JSON.stringify(record, null, 2)}\n`);
}

/** A DP run's privacy.json; undefined for a run trained without DP. */
export function readPrivacyRecord(runDir: string): PrivacyRecord | undefined {
  return readOptionalJsonFile(runPaths(runDir).privacy, PRIVACY_RECORD_SCHEMA);
}

/** An eval.json, as far as readers use it: the headline scores and, when scored, the class histogram. */
const EVALUATION_SCHEMA = z.looseObject({
  fid: z.number(),
  precision: z.number(),
  recall: z.number(),
  density: z.number(),
  coverage: z.number(),
  modes: z.looseObject({ classesCovered: count, histogram: z.array(z.number()) }).optional(),
});

/** An eval.json written by gankit evaluate (in a run, or beside samples); undefined where there is none. */
export function readEvaluationFile(path: string): EvaluationResult | undefined {
  // Checked where readers look; the rest is as gankit evaluate wrote it.
  return readOptionalJsonFile(path, EVALUATION_SCHEMA) as EvaluationResult | undefined;
}
