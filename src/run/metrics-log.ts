// metrics.jsonl: one JSON object per logging interval.
import { z } from 'zod';
import { appendJsonLine, readJsonLines, truncateJsonLines } from '../files/json-lines.js';

/** A logged number: JSON writes NaN and ±∞ as null. */
const logged = z.number().nullable().optional();

/** One logging interval: the step it ended at, means over its steps, and the objective's and the update's own values. */
const METRICS_LINE_SCHEMA = z
  .object({
    epoch: z.number(),
    /** D steps since the start of the run. */
    step: z.number().int().nonnegative(),
    gSteps: z.number().int().nonnegative(),
    /** The objective in force (it changes after f-GAN pretraining). */
    objective: z.string().optional(),
    /** Means over the interval; absent when no step of that kind fell in it. */
    dLoss: logged,
    gLoss: logged,
    /** D's mean score on real batches and on fake ones, in the objective's units (σ(logit) for the default). */
    dReal: logged,
    dFake: logged,
    stepsPerSecond: z.number().nullable(),
    trainSeconds: z.number(),
  })
  // The objective's and the update's other logged values (wasserstein, divergence, penalty, k, ε) sit beside the named ones.
  .catchall(z.union([z.number(), z.string(), z.null()]));

export type MetricsLine = z.infer<typeof METRICS_LINE_SCHEMA>;

export function appendMetrics(path: string, line: MetricsLine): void {
  appendJsonLine(path, line);
}

export function readMetrics(path: string): MetricsLine[] {
  return readJsonLines(path, METRICS_LINE_SCHEMA);
}

/** Drops lines logged after `step`: a resumed run logs them again. */
export function truncateMetrics(path: string, step: number): void {
  truncateJsonLines(path, METRICS_LINE_SCHEMA, (line) => line.step <= step);
}
