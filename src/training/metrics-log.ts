// metrics.jsonl: one JSON object per logging interval.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-write.js';

export interface MetricsLine {
  epoch: number;
  /** D steps since the start of the run. */
  step: number;
  gSteps: number;
  dLoss: number;
  gLoss: number;
  /** Mean D(x) = σ(logit) on real batches, and mean D(G(z)) on fake ones. */
  dReal: number;
  dFake: number;
  stepsPerSecond: number;
  trainSeconds: number;
}

export function appendMetrics(path: string, line: MetricsLine): void {
  appendFileSync(path, `${JSON.stringify(line)}\n`);
}

export function readMetrics(path: string): MetricsLine[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as MetricsLine);
}

/** Drops lines logged after `step`: a resumed run logs them again. */
export function truncateMetrics(path: string, step: number): void {
  const kept = readMetrics(path).filter((line) => line.step <= step);
  writeFileAtomic(path, kept.map((line) => `${JSON.stringify(line)}\n`).join(''));
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

  count(name: string): number {
    return this.sums.get(name)?.count ?? 0;
  }

  reset(): void {
    this.sums.clear();
  }
}
