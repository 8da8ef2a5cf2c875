// The runs and studies under the served directory, and what the runs page and
// a run's page show of each. A damaged file never hides a run: the run is
// listed with what could be read and the first problem, in one sentence.
import { existsSync, readdirSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DataError } from '../errors.js';
import { headlineScores } from '../metrics/evaluation.js';
import { generatorDirectory, hasGeneratorEma, latestCheckpoint } from '../run/checkpoints.js';
import { epochGrid, epochGrids, readEvaluationFile, readPrivacyRecord, runFolderNames, runPaths } from '../run/run-directory.js';
import { readRunRecord } from '../run/run-record.js';
import { readRunState } from '../run/run-state.js';
import { studyFolderNamesWithoutRuns, studyPaths } from '../study/study-directory.js';
import { COLUMNS, formatSpread, generatorLabel, methodLabel, METRICS, readResultsFile, shownMetrics, type Metric } from '../study/study-results.js';
import { readEpochScores } from '../run/eval-curve.js';
import type { RunDetail, RunsIndex, RunSummary, StudyTable } from './api-types.js';
import { JsonLinesCursor } from './json-lines-reader.js';
import { fileUrl, leadsOutside, relativeName } from './served-paths.js';

/** How deep runs are looked for (a study's runs sit at DIR/study/runs/NAME). */
const MAX_DEPTH = 6;
/** At most this many runs are listed, and directories looked into: the listing's time stays bounded. */
const MAX_RUNS = 2000;
const MAX_DIRECTORIES = 20_000;
/** A larger metrics.jsonl is summarised from its last this-many bytes. */
export const TAIL_BYTES = 16 << 20;
/** Directories of a run or a study that hold no runs. */
const NOT_RUNS = new Set([...runFolderNames(), ...studyFolderNamesWithoutRuns(), 'node_modules']);
const LOGGED_LAST = ['dLoss', 'gLoss', 'dReal', 'dFake'];

/** Run directories (config.json) and study directories (study.json or results.json) under `root`; symbolic links are not followed. */
export function findRunsAndStudies(root: string): { runs: string[]; studies: string[] } {
  const runs: string[] = [];
  const studies: string[] = [];
  let directories = 0;
  const visit = (dir: string, depth: number) => {
    if (runs.length >= MAX_RUNS || ++directories > MAX_DIRECTORIES) return;
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

/**
 * A problem a reader met: a damaged file (DataError), or one the file system
 * refused (a directory where a file should be, no permission) at `path` when the error does not say where.
 */
function problemOf(error: unknown, root: string, path?: string): string {
  const io = error as NodeJS.ErrnoException;
  if (!(error instanceof DataError) && !(io instanceof Error && io.code)) throw error;
  const message = error instanceof DataError ? error.message : `${io.path ?? path ?? 'a file'} cannot be read (${io.code})`;
  // Paths relative to the served directory: the page shows them.
  return message.split(`${root}/`).join('');
}

/** Collects the first problem of the reads it wraps; a failed read becomes that problem and undefined. */
function problemCollector(root: string) {
  let problem: string | undefined;
  const note = (message: string | undefined) => (problem ??= message);
  return {
    read<T>(reader: () => T): T | undefined {
      try {
        return reader();
      } catch (error) {
        note(problemOf(error, root));
        return undefined;
      }
    },
    async readAsync<T>(path: string, reader: (path: string) => Promise<T>): Promise<T | undefined> {
      try {
        return await reader(path);
      } catch (error) {
        note(problemOf(error, root, path));
        return undefined;
      }
    },
    note,
    get problem() {
      return problem;
    },
  };
}

/** What the listing knows of a run's metrics.jsonl: its reader's place, its last line, its first damaged line. */
interface MetricsTail {
  cursor: JsonLinesCursor;
  last?: Record<string, unknown>;
  problem?: string;
  unfinished: boolean;
}

/** By path: each listing reads only what a log gained since the last (its tail, the first time). */
const tails = new Map<string, MetricsTail>();

async function metricsTail(path: string): Promise<MetricsTail> {
  let tail = tails.get(path);
  if (!tail) tails.set(path, (tail = { cursor: new JsonLinesCursor(path, TAIL_BYTES), unfinished: false }));
  let last: Record<string, unknown> | undefined;
  const read = await tail.cursor.advance((value) => (last = value));
  if (!read) return { ...tail, last: undefined, problem: undefined, unfinished: false };
  if (read.restarted) Object.assign(tail, { last: undefined, problem: undefined });
  tail.last = last ?? tail.last;
  tail.problem ??= read.problem && `metrics.jsonl is damaged: ${read.problem}`;
  tail.unfinished = read.unfinished;
  return tail;
}

const numbersOf = (record: Record<string, unknown> | undefined, keys: string[]) =>
  Object.fromEntries(keys.flatMap((key) => (typeof record?.[key] === 'number' ? [[key, record[key] as number]] : [])));

/** A run whose files link outside the served directory is not read: one sentence says why. */
export function linkedOut(root: string, dir: string): string | undefined {
  const paths = runPaths(dir);
  const outside = [paths.config, paths.state, paths.metrics, paths.evalCurve, paths.eval, paths.privacy, paths.samples, paths.checkpoints].find((path) =>
    leadsOutside(root, path),
  );
  return outside && `${relativeName(root, outside)} links outside the served directory, so the run is not read`;
}

/** What the runs page shows of one run. */
export async function summariseRun(root: string, dir: string): Promise<RunSummary> {
  const identity = { path: relativeName(root, dir), name: basename(dir) };
  const outside = linkedOut(root, dir);
  if (outside) return { ...identity, state: 'unknown', last: {}, damaged: outside };
  const reads = problemCollector(root);
  const record = reads.read(() => readRunRecord(dir));
  const state = reads.read(() => readRunState(dir));
  const evaluation = reads.read(() => readEvaluationFile(runPaths(dir).eval));
  const privacy = reads.read(() => readPrivacyRecord(dir));
  const tail = await reads.readAsync(runPaths(dir).metrics, metricsTail);
  reads.note(tail?.problem);
  if (tail?.unfinished && state?.state !== 'training') reads.note('metrics.jsonl is damaged: its last line is cut short (a resumed training writes it again)');
  const config = record?.config;
  const loggedEpsilon = tail?.last?.epsilon;
  return {
    ...identity,
    state: state?.state ?? 'unknown',
    ...(state?.reason ? { reason: state.reason } : {}),
    objective: record?.objective?.name ?? config?.objective,
    preset: config?.preset,
    epoch: typeof tail?.last?.epoch === 'number' ? tail.last.epoch : undefined,
    epochs: config?.epochs,
    epsilon: privacy?.epsilon ?? (typeof loggedEpsilon === 'number' ? loggedEpsilon : undefined),
    last: numbersOf(tail?.last, LOGGED_LAST),
    scores: evaluation && headlineScores(evaluation),
    damaged: reads.problem,
  };
}

/** Every run and study under `root`, for the runs page. */
export async function listRuns(root: string, given: string): Promise<RunsIndex> {
  const found = findRunsAndStudies(root);
  const runs: RunSummary[] = [];
  for (const dir of found.runs) runs.push(await summariseRun(root, dir));
  // Runs gone since the last listing take their place in the log cache with them.
  const logs = new Set(found.runs.map((dir) => runPaths(dir).metrics));
  for (const path of tails.keys()) if (!logs.has(path)) tails.delete(path);
  return { root: given, runs, studies: found.studies.map((dir) => studyTable(root, dir)) };
}

/** A study directory's results table, formatted as the report formats it. */
export function studyTable(root: string, dir: string): StudyTable {
  const path = relativeName(root, dir);
  const headingsOf = (metrics: readonly Metric[]) => ['method', 'G', 'n', ...metrics.map((m) => COLUMNS[m].heading), 'settings'];
  const headings = headingsOf(shownMetrics(METRICS, []));
  const reads = problemCollector(root);
  const file = studyPaths(dir).results('json');
  if (leadsOutside(root, file)) reads.note(`${relativeName(root, file)} links outside the served directory, so it is not read`);
  const results = reads.problem ? undefined : reads.read(() => readResultsFile(dir));
  if (!results) {
    return { path, description: '', headings, rows: [], problem: reads.problem ?? 'No results table yet: the study has not finished.' };
  }
  const metrics = shownMetrics(METRICS, results.rows);
  return {
    path,
    description: results.description,
    headings: headingsOf(metrics),
    rows: results.rows.map((row) => ({
      method: methodLabel(row),
      generator: generatorLabel(row),
      n: row.seeds.length,
      cells: metrics.map((m) => formatSpread(row.spread[m], m)),
      note: row.note,
    })),
  };
}

/** The generator a browser should load: the newest checkpoint's moving average, else its G. */
function browserGenerator(root: string, dir: string): RunDetail['generator'] {
  const checkpoint = latestCheckpoint(dir);
  if (!checkpoint) return undefined;
  const ema = hasGeneratorEma(checkpoint);
  const model = join(generatorDirectory(checkpoint, ema), 'model.json');
  return {
    checkpoint: basename(checkpoint),
    kind: ema ? 'ema' : 'raw',
    modelUrl: fileUrl(root, model),
  };
}

/** Everything a run's page shows apart from the live metrics; the run must not link outside (runDirectory checks). */
export async function describeRun(root: string, dir: string): Promise<RunDetail> {
  const summary = await summariseRun(root, dir);
  const reads = problemCollector(root);
  reads.note(summary.damaged);
  const evaluation = reads.read(() => readEvaluationFile(runPaths(dir).eval));
  const detail = {
    config: reads.read(() => readRunRecord(dir))?.config ?? {},
    privacy: reads.read(() => readPrivacyRecord(dir)),
    evaluation: evaluation && { ...headlineScores(evaluation), histogram: evaluation.modes?.histogram, classesCovered: evaluation.modes?.classesCovered },
    evalCurve: (reads.read(() => readEpochScores(dir)) ?? []).map((score) => ({ epoch: score.epoch, ...headlineScores(score) })),
    grids: (reads.read(() => epochGrids(dir)) ?? []).map((epoch) => ({ epoch, url: fileUrl(root, epochGrid(dir, epoch)) })),
    generator: reads.read(() => browserGenerator(root, dir)),
  };
  return { ...detail, summary: { ...summary, damaged: reads.problem } };
}
