// A study's output directory: the study it was made for (study.json), one
// record per finished or failed task, the runs, the rows' grids and
// evaluations, the Slurm jobs and logs, and the table. Every file a study
// writes or reads is named here.
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { hostname } from 'node:os';
import { dirname, join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { DataError, UsageError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { readJsonFileOrNothing, readOptionalJsonFile } from '../files/json-file.js';
import { processAlive } from '../run/run-state.js';
import { methodSlug, parseStudy, type Study } from './study-file.js';

export function studyPaths(dir: string) {
  return {
    /** The study the directory was made for, as parsed (so that a worker reads exactly what the runner checked). */
    study: join(dir, 'study.json'),
    done: join(dir, 'done'),
    failed: join(dir, 'failed'),
    logs: join(dir, 'logs'),
    /** Slurm job ids by task id. */
    jobs: join(dir, 'jobs.json'),
    /** A worker's process while it runs a task. */
    running: (id: string) => join(dir, 'running', `${id}.json`),
    /** The latest runner's process and command line. */
    runner: join(dir, 'runner.json'),
    runs: join(dir, 'runs'),
    /** Run or shaping NAME trained with seed S. */
    run: (name: string, seed: number) => join(dir, 'runs', `${name}-seed${seed}`),
    rowSamples: (method: string, seed: number) => join(dir, 'samples', `${methodSlug(method)}-seed${seed}`),
    rowGrid: (method: string, seed: number) => join(dir, 'grids', `${methodSlug(method)}-seed${seed}.png`),
    rowEvaluation: (method: string, seed: number) => join(dir, 'evaluations', `${methodSlug(method)}-seed${seed}.json`),
    results: (extension: 'json' | 'md' | 'csv') => join(dir, `results.${extension}`),
    report: join(dir, 'report'),
  };
}

/** The names of the folders a study directory holds that hold no runs (its runs are in runs/). */
export function studyFolderNamesWithoutRuns(): string[] {
  const paths = studyPaths('');
  const perTask = [paths.running('id'), paths.rowSamples('method', 0), paths.rowGrid('method', 0), paths.rowEvaluation('method', 0)];
  return [paths.done, paths.failed, paths.logs, paths.report, ...perTask.map((file) => dirname(file))];
}

/** Task ids: train-RUN-seedS, shape-SHAPING-seedS, row-METHOD-seedS, results. */
export const taskId = (kind: 'train' | 'shape' | 'row', name: string, seed: number) => `${kind}-${kind === 'row' ? methodSlug(name) : name}-seed${seed}`;

/** A study without what only scores and describes its runs: the evaluation, the baseline, the description and the notes. */
function runsOf(study: Study) {
  const { evaluation: _evaluation, baseline: _baseline, description: _description, ...rest } = study;
  const unnoted = <T extends { note?: string }>(entries: T[]) => entries.map(({ note: _note, ...entry }) => entry);
  return { ...rest, runs: unnoted(rest.runs), shapings: unnoted(rest.shapings), rows: unnoted(rest.rows) };
}

/** Whether `grown` keeps every seed, run, shaping and row of `saved` as they were: it may only add to them. */
function extendsStudy(saved: Study, grown: Study): boolean {
  const [before, after] = [runsOf(saved), runsOf(grown)];
  const kept = <T>(old: T[], now: T[]) => old.every((entry) => now.some((other) => isDeepStrictEqual(entry, other)));
  return kept(before.seeds, after.seeds) && kept(before.runs, after.runs) && kept(before.shapings, after.shapings) && kept(before.rows, after.rows);
}

/**
 * Refuses a directory made for another study, or one that holds something else (an old reproduce's output). A study
 * that differs only in its evaluation, baseline, description or notes is the same runs: its rows are scored again.
 * A study that adds seeds, runs, shapings or rows (a sweep that grows, a headline given more seeds) continues: what
 * it had stays done.
 */
export function checkStudyDirectory(dir: string, study: Study, source: string): void {
  const paths = studyPaths(dir);
  if (existsSync(paths.study)) {
    if (!extendsStudy(readStudyDirectory(dir), study)) {
      throw new UsageError(`${dir} holds the results of a different study than ${source}; give another --out (or remove ${dir}) rather than mix the two.`);
    }
    return;
  }
  if (existsSync(paths.done)) {
    throw new UsageError(`${dir} was written by gankit reproduce before study files existed, and cannot be continued: give another --out (or remove ${dir}).`);
  }
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new UsageError(`${dir} is not empty and holds no study: give a new or empty --out.`);
}

/** Makes `dir` the study's directory, or checks that it already is. */
export function claimStudyDirectory(dir: string, study: Study, source: string): void {
  checkStudyDirectory(dir, study, source);
  const paths = studyPaths(dir);
  if (existsSync(paths.study) && isDeepStrictEqual(readStudyDirectory(dir), study)) return;
  // New, or new evaluation settings or words: the table is written again (and the rows it needs scored again).
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(paths.study, `${JSON.stringify(study, null, 2)}\n`);
  rmSync(join(paths.done, 'results.json'), { force: true });
}

/** The study a directory was made for. */
export function readStudyDirectory(dir: string): Study {
  const file = studyPaths(dir).study;
  if (!existsSync(file)) throw new UsageError(`${dir} is not a study directory (it has no study.json): give the --out of a gankit study run.`);
  return parseStudy(readFileSync(file, 'utf8'), file, DataError);
}

const TASK_RECORD = z.looseObject({ taskSeconds: z.number() });
const FAILURE_RECORD = z.strictObject({ message: z.string(), log: z.array(z.string()), at: z.string() });
export type FailureRecord = z.infer<typeof FAILURE_RECORD>;

/** A finished task's record; undefined where it is absent or damaged (a task cut off mid-write runs again). */
export const readTaskRecord = (dir: string, id: string): (Record<string, unknown> & { taskSeconds: number }) | undefined =>
  readJsonFileOrNothing(join(studyPaths(dir).done, `${id}.json`), TASK_RECORD);

export function writeTaskRecord(dir: string, id: string, record: object): void {
  const paths = studyPaths(dir);
  mkdirSync(paths.done, { recursive: true });
  writeFileAtomic(join(paths.done, `${id}.json`), `${JSON.stringify(record, null, 2)}\n`);
  clearFailureRecord(dir, id);
}

export function readFailureRecord(dir: string, id: string): FailureRecord | undefined {
  try {
    return readOptionalJsonFile(join(studyPaths(dir).failed, `${id}.json`), FAILURE_RECORD);
  } catch (error) {
    if (error instanceof DataError) return { message: (error as Error).message, log: [], at: '' };
    throw error;
  }
}

export function writeFailureRecord(dir: string, id: string, failure: FailureRecord): void {
  const paths = studyPaths(dir);
  mkdirSync(paths.failed, { recursive: true });
  writeFileAtomic(join(paths.failed, `${id}.json`), `${JSON.stringify(failure, null, 2)}\n`);
}

export const clearFailureRecord = (dir: string, id: string) => rmSync(join(studyPaths(dir).failed, `${id}.json`), { force: true });

/** Forgets a task's result and failure, before it runs again. */
export function clearTaskRecords(dir: string, id: string): void {
  rmSync(join(studyPaths(dir).done, `${id}.json`), { force: true });
  clearFailureRecord(dir, id);
}

/** The wall time of every finished task's last attempt, summed: what the study cost (a resumed task counts from its resume). */
export function summedTaskSeconds(dir: string): number {
  const done = studyPaths(dir).done;
  if (!existsSync(done)) return 0;
  return readdirSync(done)
    .filter((name) => name.endsWith('.json'))
    .reduce((sum, name) => sum + (readTaskRecord(dir, name.slice(0, -'.json'.length))?.taskSeconds ?? 0), 0);
}

const JOBS = z.record(z.string(), z.string());

/** The Slurm job of each submitted task (the latest submission). */
export const readJobs = (dir: string): Record<string, string> => readOptionalJsonFile(studyPaths(dir).jobs, JOBS) ?? {};

export function recordJobs(dir: string, jobs: Record<string, string>): void {
  writeFileAtomic(studyPaths(dir).jobs, `${JSON.stringify({ ...readJobs(dir), ...jobs }, null, 2)}\n`);
}

/** The latest `study run`: its process, executor, command line (the table's heading), and whether it still runs. */
const RUNNER = z.strictObject({ pid: z.number(), host: z.string(), executor: z.string(), command: z.string(), active: z.boolean() });
export type RunnerRecord = z.infer<typeof RUNNER>;

/** The latest runner's record; undefined where it is absent or damaged (it only informs `status`, `cancel` and the table's heading). */
export const readRunnerRecord = (dir: string): RunnerRecord | undefined => readJsonFileOrNothing(studyPaths(dir).runner, RUNNER);

/** Whether a runner record names a `study run` that is still running on this host. */
export const runnerAlive = (runner: RunnerRecord | undefined): runner is RunnerRecord =>
  !!runner && runner.active && runner.host === hostname() && runner.pid !== process.pid && processAlive(runner.pid);

/**
 * Makes this process the study's runner; refuses while another live one (on this host) runs it, since two runners
 * would run the same tasks at once. Returns the release, which leaves the record (its command heads the table) inactive.
 */
export function claimRunner(dir: string, runner: RunnerRecord): () => void {
  const paths = studyPaths(dir);
  // O_EXCL: of two runners starting at once, one gets the lock and the other waits for the record.
  const lock = `${paths.runner}.lock`;
  let fd: number;
  try {
    fd = openSync(lock, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    throw new UsageError(`another gankit study run is starting in ${dir} (${lock} exists; remove it if no study run is running).`);
  }
  try {
    const current = readRunnerRecord(dir);
    if (runnerAlive(current)) {
      throw new UsageError(`another gankit study run (pid ${current.pid}) is running the study in ${dir}; \`gankit study cancel ${dir}\` stops it.`);
    }
    writeFileAtomic(paths.runner, `${JSON.stringify(runner)}\n`);
  } finally {
    closeSync(fd);
    rmSync(lock, { force: true });
  }
  return () => writeFileAtomic(paths.runner, `${JSON.stringify({ ...runner, active: false })}\n`);
}

const RUNNING = z.strictObject({ pid: z.number(), host: z.string(), started: z.string() });

/** The worker running a task, where one says it is. */
export const readRunningMarker = (dir: string, id: string): z.infer<typeof RUNNING> | undefined => readJsonFileOrNothing(studyPaths(dir).running(id), RUNNING);
