// A run directory: every file `gankit train`, `shape`, `generate` and
// `evaluate` keep in it, by name, with the typed reader and writer of the
// run's settings. Other modules ask here for a path instead of spelling it.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import type { EvaluationResult } from '../metrics/evaluation.js';
import { completeSavedConfig, type TrainConfig } from '../training/train-config.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { readJsonFile, readOptionalJsonFile } from '../files/json-file.js';

/** The paths of one run. */
export function runPaths(runDir: string) {
  return {
    /** The resolved settings, the objective, models and data (RunRecord). */
    config: join(runDir, 'config.json'),
    /** Who is training the run and how it ended (RunState). */
    state: join(runDir, 'run.json'),
    metrics: join(runDir, 'metrics.jsonl'),
    /** One line per --eval-every scoring. */
    evalCurve: join(runDir, 'eval-curve.jsonl'),
    eval: join(runDir, 'eval.json'),
    privacy: join(runDir, 'privacy.json'),
    /** One grid per epoch: epochGrid(epoch). */
    samples: join(runDir, 'samples'),
    checkpoints: join(runDir, 'checkpoints'),
    /** gankit shape's fine-tuned D and its settings. */
    shaped: join(runDir, 'shaped'),
    /** A shaping stopped part-way (Ctrl-C, SIGTERM), until `gankit shape --resume` finishes it. */
    stoppedShaping: join(runDir, 'shaping-stopped'),
  };
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

const positiveInteger = z.number().int().positive();
const count = z.number().int().nonnegative();
const DP_SCHEMA = z.object({
  clip: z.number().positive(),
  noise: z.number().positive().nullable(),
  delta: z.number().positive().nullable(),
  targetEpsilon: z.number().positive().nullable(),
  accountant: z.enum(['rdp', 'prv']),
  conversion: z.enum(['improved', 'classic']),
});

/** config.json's settings: every field optional, since older runs lack the newer ones (completeSavedConfig fills them). */
const SAVED_CONFIG_SCHEMA = z
  .object({
    preset: z.enum(['study', 'course']),
    dropoutG: z.number().min(0).lt(1),
    dropoutD: z.number().min(0).lt(1),
    data: z.string(),
    limit: positiveInteger.nullable(),
    objective: z.string(),
    epochs: positiveInteger,
    batch: positiveInteger,
    optimizer: z.enum(['adam', 'rmsprop']),
    lrG: z.number().positive(),
    lrD: z.number().positive(),
    beta1: z.number().min(0).lt(1),
    beta2: z.number().min(0).lt(1),
    adamEpsilon: z.number().positive(),
    dSteps: positiveInteger,
    pretrain: z.object({ divergence: z.string(), epochs: positiveInteger }).nullable(),
    fganGLoss: z.enum(['standard', 'alt']),
    gradClip: z.number().positive().nullable(),
    dWeightDecay: z.number().nonnegative(),
    wganWarmup: z.boolean(),
    adaptiveDSteps: z.object({ threshold: z.number(), grace: count, beta: z.number() }).nullable(),
    dp: DP_SCHEMA.nullable(),
    gEma: z.number().gt(0).lt(1).nullable(),
    evalEvery: positiveInteger.nullable(),
    evalN: positiveInteger,
    keepEvery: positiveInteger.nullable(),
    seed: count,
    logEvery: positiveInteger,
  })
  .partial() satisfies z.ZodType<Partial<TrainConfig>>;

/** config.json: the settings, and what the run was trained with, for people and reports. */
const RUN_RECORD_SCHEMA = z.looseObject({
  config: SAVED_CONFIG_SCHEMA,
  objective: z.looseObject({ name: z.string() }).optional(),
});

export type RunRecord = z.infer<typeof RUN_RECORD_SCHEMA> & { config: Partial<TrainConfig> };

/** Whether `runDir` has a config.json (a run was started there). */
export function hasRunRecord(runDir: string): boolean {
  return existsSync(runPaths(runDir).config);
}

/** config.json as written, validated. */
export function readRunRecord(runDir: string): RunRecord {
  return readJsonFile(runPaths(runDir).config, RUN_RECORD_SCHEMA);
}

/** The run's settings, completed with the defaults of their time (a config without a preset is a course-preset run). */
export function readRunConfig(runDir: string): TrainConfig {
  return completeSavedConfig(readRunRecord(runDir).config);
}

export function writeRunRecord(runDir: string, record: { config: TrainConfig } & Record<string, unknown>): void {
  writeFileAtomic(runPaths(runDir).config, `${JSON.stringify(record, null, 2)}\n`);
}

/** privacy.json, as far as readers use it (the trainer writes the whole record). */
const PRIVACY_RECORD_SCHEMA = z.looseObject({
  epsilon: z.number().nonnegative(),
  delta: z.number().positive(),
  noiseMultiplier: z.number().positive(),
  steps: count,
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
