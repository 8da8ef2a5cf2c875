// The runs and studies under the served directory, and what the runs page and
// a run's page show of each. A damaged file never hides a run: the run is
// listed with what could be read and the first problem, in one sentence.
import { existsSync, readdirSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DataError } from '../data/data-error.js';
import { headlineScores } from '../metrics/evaluation.js';
import { latestCheckpoint } from '../run/checkpoints.js';
import { readEvaluationFile, readPrivacyRecord, readRunRecord, runPaths } from '../run/run-directory.js';
import { readRunState } from '../run/run-state.js';
import { studyPaths } from '../study/study-directory.js';
import { COLUMNS, formatSpread, generatorLabel, methodLabel, METRICS, readResultsFile } from '../study/study-results.js';
import { readEpochScores } from '../training/epoch-scores.js';
import type { RunDetail, RunSummary, StudyTable } from './api-types.js';
import { nextLineStart, readJsonLinesFrom } from './json-lines-reader.js';
import { relativeName } from './served-paths.js';

/** How deep runs are looked for (a study's runs sit at DIR/study/runs/NAME). */
const MAX_DEPTH = 6;
/** At most this many runs are listed: the listing's time stays bounded. */
export const MAX_RUNS = 2000;
/** A larger metrics.jsonl is summarised from its last this-many bytes. */
export const TAIL_BYTES = 16 << 20;
/** Directories of a run or a study that hold no runs. */
const NOT_RUNS = new Set([
  'checkpoints',
  'samples',
  'shaped',
  'shaping-stopped',
  'grids',
  'evaluations',
  'logs',
  'done',
  'failed',
  'running',
  'report',
  'node_modules',
]);
const LOGGED_LAST = ['dLoss', 'gLoss', 'dReal', 'dFake'];

/** Run directories (config.json) and study directories (study.json or results.json) under `root`; symbolic links are not followed. */
export function findRunsAndStudies(root: string): { runs: string[]; studies: string[] } {
  const runs: string[] = [];
  const studies: string[] = [];
  const visit = (dir: string, depth: number) => {
    if (runs.length >= MAX_RUNS) return;
    if (existsSync(runPaths(dir).config)) {
      runs.push(dir);
      return;
    }
    // A study directory, or an older reproduce output (a results table without study.json).
    if (existsSync(studyPaths(dir).study) || existsSync(studyPaths(dir).results('json'))) studies.push(dir);
    if (depth === MAX_DEPTH) return;
    let entries;
    try {
      entries = readdirSync(dir, { withFileTypes: true });
    } catch {
      return;
    }
    for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
      if (entry.isDirectory() && !entry.name.startsWith('.') && !NOT_RUNS.has(entry.name)) visit(join(dir, entry.name), depth + 1);
    }
  };
  visit(root, 0);
  return { runs, studies };
}

/** Collects the first problem of the reads it wraps; a reader's DataError becomes that problem and undefined. */
function problemCollector(root: string) {
  let problem: string | undefined;
  return {
    read<T>(reader: () => T): T | undefined {
      try {
        return reader();
      } catch (error) {
        if (!(error instanceof DataError)) throw error;
        // Paths relative to the served directory: the page shows them.
        problem ??= error.message.split(`${root}/`).join('');
        return undefined;
      }
    },
    note(message: string) {
      problem ??= message;
    },
    get problem() {
      return problem;
    },
  };
}

interface MetricsTail {
  last: Record<string, unknown> | undefined;
  problem?: string;
  unfinished: boolean;
}

const tails = new Map<string, { size: number; mtimeMs: number; tail: MetricsTail }>();

/** The last line of metrics.jsonl and its first damaged line, read in chunks and remembered while the file stays the same. */
async function metricsTail(path: string): Promise<MetricsTail> {
  if (!existsSync(path)) return { last: undefined, unfinished: false };
  const { size, mtimeMs } = statSync(path);
  const known = tails.get(path);
  if (known && known.size === size && known.mtimeMs === mtimeMs) return known.tail;
  let last: Record<string, unknown> | undefined;
  const read = await readJsonLinesFrom(path, await nextLineStart(path, Math.max(0, size - TAIL_BYTES)), size, 0, (value) => (last = value));
  const tail = { last, problem: read.problem && `metrics.jsonl is damaged: ${read.problem}`, unfinished: read.unfinished };
  tails.set(path, { size, mtimeMs, tail });
  return tail;
}

const numbersOf = (record: Record<string, unknown> | undefined, keys: string[]) =>
  Object.fromEntries(keys.flatMap((key) => (typeof record?.[key] === 'number' ? [[key, record[key] as number]] : [])));

/** What the runs page shows of one run. */
export async function summariseRun(root: string, dir: string): Promise<RunSummary> {
  const reads = problemCollector(root);
  const record = reads.read(() => readRunRecord(dir));
  const state = reads.read(() => readRunState(dir));
  const evaluation = reads.read(() => readEvaluationFile(runPaths(dir).eval));
  const privacy = reads.read(() => readPrivacyRecord(dir));
  const tail = await metricsTail(runPaths(dir).metrics);
  if (tail.problem) reads.note(tail.problem);
  if (tail.unfinished && state?.state !== 'training') reads.note('metrics.jsonl is damaged: its last line is cut short (a resumed training writes it again)');
  const config = record?.config;
  const loggedEpsilon = tail.last?.epsilon;
  return {
    path: relativeName(root, dir),
    name: basename(dir),
    state: state?.state ?? 'unknown',
    ...(state?.reason ? { reason: state.reason } : {}),
    objective: record?.objective?.name ?? config?.objective,
    preset: config?.preset,
    epoch: typeof tail.last?.epoch === 'number' ? tail.last.epoch : undefined,
    epochs: config?.epochs,
    epsilon: privacy?.epsilon ?? (typeof loggedEpsilon === 'number' ? loggedEpsilon : undefined),
    last: numbersOf(tail.last, LOGGED_LAST),
    scores: evaluation && headlineScores(evaluation),
    damaged: reads.problem,
  };
}

/** A study directory's results table, formatted as the report formats it. */
export function studyTable(root: string, dir: string): StudyTable {
  const path = relativeName(root, dir);
  const headings = ['method', 'G', 'n', ...METRICS.map((m) => COLUMNS[m].heading), 'settings'];
  const reads = problemCollector(root);
  const results = reads.read(() => readResultsFile(dir));
  if (!results) {
    return { path, description: '', headings, rows: [], problem: reads.problem ?? 'No results table yet: the study has not finished.' };
  }
  return {
    path,
    description: results.description,
    headings,
    rows: results.rows.map((row) => ({
      method: methodLabel(row),
      generator: generatorLabel(row),
      n: row.seeds.length,
      cells: METRICS.map((m) => formatSpread(row.spread[m], m)),
      note: row.note,
    })),
  };
}

/** The epochs with a sample grid. */
function gridEpochs(dir: string): number[] {
  const samples = runPaths(dir).samples;
  if (!existsSync(samples)) return [];
  return readdirSync(samples)
    .map((file) => /^epoch-(\d+)\.png$/.exec(file))
    .flatMap((match) => (match ? [Number(match[1])] : []))
    .sort((a, b) => a - b);
}

/** The generator a browser should load: the newest checkpoint's moving average, else its G. */
function browserGenerator(root: string, dir: string): RunDetail['generator'] {
  const checkpoint = latestCheckpoint(dir);
  if (!checkpoint) return undefined;
  const kind = existsSync(join(checkpoint, 'generator-ema', 'model.json')) ? 'ema' : 'raw';
  const model = join(checkpoint, kind === 'ema' ? 'generator-ema' : 'generator', 'model.json');
  return { checkpoint: basename(checkpoint), kind, modelUrl: `/files/${relativeName(root, model).split('/').map(encodeURIComponent).join('/')}` };
}

/** Everything a run's page shows apart from the live metrics. */
export async function describeRun(root: string, dir: string): Promise<RunDetail> {
  const reads = problemCollector(root);
  const evaluation = reads.read(() => readEvaluationFile(runPaths(dir).eval));
  return {
    summary: await summariseRun(root, dir),
    config: reads.read(() => readRunRecord(dir))?.config ?? {},
    privacy: reads.read(() => readPrivacyRecord(dir)),
    evaluation: evaluation && { ...headlineScores(evaluation), histogram: evaluation.modes?.histogram, classesCovered: evaluation.modes?.classesCovered },
    evalCurve: (reads.read(() => readEpochScores(dir)) ?? []).map((score) => ({ epoch: score.epoch, ...headlineScores(score) })),
    grids: gridEpochs(dir),
    generator: reads.read(() => browserGenerator(root, dir)),
  };
}
