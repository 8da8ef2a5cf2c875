// Runs a reproduce plan through the gankit command, one child process a task,
// and keeps a record of each finished task in OUT/done/: a stopped reproduce
// skips what is done and resumes a half-trained run from its checkpoint.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { z } from 'zod';
import { DataError } from '../data/data-error.js';
import { writeFileAtomic } from '../run/atomic-write.js';
import { readJsonFile, readOptionalJsonFile } from '../run/json-file.js';
import { hasRunRecord, readPrivacyRecord, runPaths } from '../run/run-directory.js';
import { hasGeneratorEma, latestCheckpoint } from '../run/checkpoints.js';
import { readMetrics } from '../training/metrics-log.js';
import type { EvaluationResult } from '../metrics/evaluation.js';
import { identifyFeatureNetwork, scoredBy, type FeatureNetworkIdentity } from '../metrics/feature-extractor.js';
import type { GeneratorKind } from '../training/trained-run.js';
import { VANILLA, type Plan, type RowSpec } from './plan.js';

const GANKIT_BIN = fileURLToPath(new URL('../../../bin/gankit.js', import.meta.url));

export interface ResultRow {
  method: string;
  run: string;
  fid: number;
  precision: number;
  recall: number;
  density: number;
  coverage: number;
  /** The classifier score of the samples, and the FID of the logits (null in records from before they were kept). */
  classifierScore: number | null;
  logitFid: number | null;
  /** Training of the run, plus shaping for the CS rows. */
  trainSeconds: number;
  /** Drawing the evaluated samples. */
  samplingSeconds: number;
  /** ε spent, for the private run. */
  epsilon: number | null;
  /** Which of the run's generators sampled: raw G, or its moving average. */
  generator: GeneratorKind;
  /** Budget cuts and settings, in words. */
  note: string;
  /** The feature network that scored the row (absent in records from before v2: they were scored by mnist-v1). */
  features?: Pick<FeatureNetworkIdentity, 'network' | 'sha256'>;
}

export interface ReproduceHooks {
  /** A task starts: its position in the plan, and what it does. */
  onTask?(index: number, total: number, label: string, skipped: boolean): void;
  /** A line of the running task's own output. */
  onLine?(line: string): void;
}

/** Runs `gankit ARGS`; resolves with stdout and the wall seconds, rejects with its last error line. */
function gankit(args: string[], onLine?: (line: string) => void): Promise<{ stdout: string; seconds: number }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [GANKIT_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
      const lines = chunk
        .toString()
        .split('\n')
        .filter((line) => line.trim() !== '');
      if (lines.length) onLine?.(lines[lines.length - 1]);
    });
    child.on('error', reject);
    child.on('close', (code) => {
      if (code === 0) resolve({ stdout, seconds: (performance.now() - started) / 1000 });
      else reject(new Error(`gankit ${args.join(' ')} failed (exit ${code}): ${stderr.trim().split('\n').pop()}`));
    });
  });
}

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** Where reproduce keeps a row's sample grid, and its evaluation (the report reads both). */
export const rowGridFile = (outDir: string, method: string) => join(outDir, 'grids', `${slug(method)}.png`);
export const rowEvaluationFile = (outDir: string, method: string) => join(outDir, 'evaluations', `${slug(method)}.json`);

interface Task {
  id: string;
  label: string;
  run(): Promise<object>;
  /** Whether a finished task's record still stands; when not, the task runs again. */
  stillValid?(record: object): boolean;
}

/** Every task of the plan, in order: training, shaping, interpolation strips, then the rows. */
function tasks(plan: Plan, outDir: string, onLine?: (line: string) => void): Task[] {
  const runs = join(outDir, 'runs');
  const runDir = (name: string) => join(runs, name);
  const trainSeconds = (name: string) => readMetrics(runPaths(runDir(name)).metrics).at(-1)?.trainSeconds ?? NaN;
  // Read from the shaping's record, which may come from an earlier, stopped reproduce.
  const shapingSeconds = (name: string) => readJsonFile(recordFile(outDir, `shape-${name}`), z.object({ shapingSeconds: z.number() })).shapingSeconds;
  const training: Task[] = plan.runs.map((spec) => ({
    id: `train-${spec.name}`,
    label: `train ${spec.name} (${spec.note})`,
    async run() {
      const resume = hasRunRecord(runDir(spec.name)) ? ['--resume'] : [];
      await gankit(['train', ...spec.args, '--out', runDir(spec.name), ...resume], onLine);
      return { trainSeconds: trainSeconds(spec.name) };
    },
  }));
  const shaping: Task[] = plan.shapings.map((spec) => ({
    id: `shape-${spec.name}`,
    label: `shape D for ${spec.epochs} epoch(s)${spec.limit ? ` on ${spec.limit} images` : ''}`,
    async run() {
      // A copy of the vanilla run, so that each shaped D has its own run directory.
      rmSync(runDir(spec.name), { recursive: true, force: true });
      cpSync(runDir(VANILLA), runDir(spec.name), { recursive: true });
      const limit = spec.limit ? ['--limit', String(spec.limit)] : [];
      // The CS rows refine the raw G, so D is shaped against it.
      const { seconds } = await gankit(['shape', '--run', runDir(spec.name), '--no-ema', '--epochs', String(spec.epochs), ...limit], onLine);
      return { shapingSeconds: seconds };
    },
  }));
  const strips: Task = {
    id: 'interpolation',
    label: 'interpolation strips of the vanilla run',
    async run() {
      // The raw G, which the LSI rows sample too.
      await gankit(['generate', '--run', runDir(VANILLA), '--no-ema', '--interpolate', join(runDir(VANILLA), 'interpolation.png')], onLine);
      return {};
    },
  };
  // A row scored by another feature network, or recorded before the classifier's views were kept, is sampled
  // and evaluated again; its runs are not retrained.
  const today = identifyFeatureNetwork();
  const scoredByToday = (record: object) => scoredBy((record as ResultRow).features, today) && 'logitFid' in record;
  const rows: Task[] = plan.rows.map((row: RowSpec) => ({
    id: `row-${slug(row.method)}`,
    label: `sample and evaluate: ${row.method}`,
    stillValid: scoredByToday,
    async run() {
      const source = row.shaping ?? row.run;
      const samples = join(outDir, 'samples', slug(row.method));
      const refine = row.shaping ? ['--refine', 'cs'] : [];
      const generator = row.generator === 'raw' ? ['--no-ema'] : [];
      const latest = latestCheckpoint(runDir(source));
      if (row.generator === 'ema' && !(latest && hasGeneratorEma(latest))) {
        throw new Error(`${runDir(source)} keeps no moving average of G (it was trained before reproduce kept one): reproduce into a new --out.`);
      }
      const grid = rowGridFile(outDir, row.method);
      const generated = await gankit(
        ['generate', '--run', runDir(source), '--n', String(plan.samples), '--sampler', row.sampler, ...refine, ...generator, '--out', samples, '--grid', grid],
        onLine,
      );
      const evalFile = rowEvaluationFile(outDir, row.method);
      const evaluated = JSON.parse((await gankit(['evaluate', '--samples', samples, '--json', '--out', evalFile], onLine)).stdout) as EvaluationResult;
      rmSync(samples, { recursive: true, force: true });
      const spec = plan.runs.find((r) => r.name === row.run)!;
      const shapingSpec = plan.shapings.find((s) => s.name === row.shaping);
      const result: ResultRow = {
        method: row.method,
        run: row.run,
        fid: evaluated.fid,
        precision: evaluated.precision,
        recall: evaluated.recall,
        density: evaluated.density,
        coverage: evaluated.coverage,
        classifierScore: evaluated.classifier?.score ?? null,
        logitFid: evaluated.classifier?.logitFid ?? null,
        trainSeconds: trainSeconds(row.run) + (row.shaping ? shapingSeconds(row.shaping) : 0),
        samplingSeconds: generated.seconds,
        epsilon: readPrivacyRecord(runDir(row.run))?.epsilon ?? null,
        generator: row.generator,
        features: { network: evaluated.features.network, sha256: evaluated.features.sha256 },
        note: [
          spec.note,
          row.generator === 'ema' ? "sampled from G's moving average" : '',
          row.sampler !== 'gaussian' ? `${row.sampler} sampler` : '',
          shapingSpec ? `CS K=50 on layer 3, D shaped ${shapingSpec.epochs} epoch(s)${shapingSpec.limit ? ` on ${shapingSpec.limit} images` : ''}` : '',
        ]
          .filter(Boolean)
          .join('; '),
      };
      return result;
    },
  }));
  return [...training, ...shaping, strips, ...rows];
}

/** Where a finished task keeps its result. */
const recordFile = (outDir: string, id: string) => join(outDir, 'done', `${id}.json`);

/** A finished task's record; undefined where it is absent or damaged, so that the task runs again. */
function readTaskRecord(file: string): { taskSeconds?: number } | undefined {
  try {
    return readOptionalJsonFile(file, z.looseObject({ taskSeconds: z.number().optional() }));
  } catch (error) {
    if (error instanceof DataError) return undefined;
    throw error;
  }
}

/** The wall time of every finished task, summed: what the plan cost, however often it was stopped and resumed. */
export function summedTaskSeconds(outDir: string): number {
  const done = join(outDir, 'done');
  return readdirSync(done)
    .filter((name) => name.endsWith('.json'))
    .reduce((sum, name) => sum + (readTaskRecord(join(done, name))?.taskSeconds ?? 0), 0);
}

/** Runs (or continues) the plan into `outDir`; the rows of the table, in the plan's order. */
export async function reproduce(plan: Plan, outDir: string, hooks: ReproduceHooks = {}): Promise<ResultRow[]> {
  mkdirSync(join(outDir, 'done'), { recursive: true });
  const all = tasks(plan, outDir, hooks.onLine);
  const rows: ResultRow[] = [];
  for (const [index, task] of all.entries()) {
    const record = recordFile(outDir, task.id);
    const recorded = readTaskRecord(record);
    const done = recorded !== undefined && (task.stillValid?.(recorded) ?? true);
    hooks.onTask?.(index, all.length, task.label, done);
    let result: object;
    if (done) {
      result = recorded;
    } else {
      const started = performance.now();
      result = { ...(await task.run()), taskSeconds: (performance.now() - started) / 1000 };
      writeFileAtomic(record, `${JSON.stringify(result, null, 2)}\n`);
    }
    if (task.id.startsWith('row-')) rows.push(result as ResultRow);
  }
  return rows;
}
