// metrics.jsonl: one JSON object per logging interval.
import { appendJsonLine, readJsonLines, truncateJsonLines } from '../files/json-lines.js';

export interface MetricsLine {
  epoch: number;
  /** D steps since the start of the run. */
  step: number;
  gSteps: number;
  /** The objective in force (it changes after f-GAN pretraining). */
  objective?: string;
  /** Means over the interval; absent when no step of that kind fell in it. */
  dLoss?: number;
  gLoss?: number;
  /** D's mean score on real batches and on fake ones, in the objective's units (σ(logit) for the default). */
  dReal?: number;
  dFake?: number;
  stepsPerSecond: number;
  trainSeconds: number;
  /** The objective's other logged values: wasserstein, divergence, penalty, convergence, k. */
  [logged: string]: number | string | undefined;
}

export function appendMetrics(path: string, line: MetricsLine): void {
  appendJsonLine(path, line);
}

export function readMetrics(path: string): MetricsLine[] {
  return readJsonLines<MetricsLine>(path);
}

/** Drops lines logged after `step`: a resumed run logs them again. */
export function truncateMetrics(path: string, step: number): void {
  truncateJsonLines<MetricsLine>(path, (line) => line.step <= step);
}

/** Running means over one logging interval. */
export class IntervalMeans {
  private sums = new Map<string, { total: number; count: number }>();

  add(name: string, value: number): void {
    const entry = this.sums.get(name) ?? { total: 0, count: 0 };
    entry.total += value;
    entry.count += 1;
    this.sums.set(name, entry);
  }

  mean(name: string): number {
    const entry = this.sums.get(name);
    return entry && entry.count > 0 ? entry.total / entry.count : NaN;
  }

  /** Every mean of the interval, by name. */
  means(): Record<string, number> {
    return Object.fromEntries([...this.sums.keys()].map((name) => [name, this.mean(name)]));
  }

  count(name: string): number {
    return this.sums.get(name)?.count ?? 0;
  }

  reset(): void {
    this.sums.clear();
  }
}
