// A study's output directory: the study it was made for (study.json), one
// record per finished or failed task, the runs, the rows' grids and
// evaluations, the Slurm jobs and logs, and the table. Every file a study
// writes or reads is named here.
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { isDeepStrictEqual } from 'node:util';
import { z } from 'zod';
import { DataError } from '../data/data-error.js';
import { UsageError } from '../usage-error.js';
import { writeFileAtomic } from '../run/atomic-write.js';
import { readOptionalJsonFile } from '../run/json-file.js';
import { parseStudy, type Study } from './study-file.js';

const slug = (text: string) =>
  text
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

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
    rowSamples: (method: string, seed: number) => join(dir, 'samples', `${slug(method)}-seed${seed}`),
    rowGrid: (method: string, seed: number) => join(dir, 'grids', `${slug(method)}-seed${seed}.png`),
    rowEvaluation: (method: string, seed: number) => join(dir, 'evaluations', `${slug(method)}-seed${seed}.json`),
    results: (extension: 'json' | 'md' | 'csv') => join(dir, `results.${extension}`),
    report: join(dir, 'report'),
  };
}

/** Task ids: train-RUN-seedS, shape-SHAPING-seedS, row-METHOD-seedS, results. */
export const taskId = (kind: 'train' | 'shape' | 'row', name: string, seed: number) => `${kind}-${kind === 'row' ? slug(name) : name}-seed${seed}`;

/** Makes `dir` the study's directory, or checks that it already is: a directory made for another study is refused. */
export function claimStudyDirectory(dir: string, study: Study, source: string): void {
  const paths = studyPaths(dir);
  if (existsSync(paths.study)) {
    if (!isDeepStrictEqual(readStudyDirectory(dir), study)) {
      throw new UsageError(`${dir} holds the results of a different study than ${source}; give another --out (or remove ${dir}) rather than mix the two.`);
    }
    return;
  }
  if (existsSync(dir) && readdirSync(dir).length > 0) throw new UsageError(`${dir} is not empty and holds no study: give a new or empty --out.`);
  mkdirSync(dir, { recursive: true });
  writeFileAtomic(paths.study, `${JSON.stringify(study, null, 2)}\n`);
}

/** The study a directory was made for. */
export function readStudyDirectory(dir: string): Study {
  const file = studyPaths(dir).study;
  if (!existsSync(file)) throw new UsageError(`${dir} is not a study directory (it has no study.json): give the --out of a gankit study run.`);
  return parseStudy(readFileSync(file, 'utf8'), file);
}

const TASK_RECORD = z.looseObject({ taskSeconds: z.number() });
const FAILURE_RECORD = z.strictObject({ message: z.string(), log: z.array(z.string()), at: z.string() });
export type FailureRecord = z.infer<typeof FAILURE_RECORD>;

/** A finished task's record; undefined where it is absent or damaged (a task cut off mid-write runs again). */
export function readTaskRecord(dir: string, id: string): (Record<string, unknown> & { taskSeconds: number }) | undefined {
  try {
    return readOptionalJsonFile(join(studyPaths(dir).done, `${id}.json`), TASK_RECORD);
  } catch (error) {
    if (error instanceof DataError) return undefined;
    throw error;
  }
}

export function writeTaskRecord(dir: string, id: string, record: object): void {
  const paths = studyPaths(dir);
  mkdirSync(paths.done, { recursive: true });
  writeFileAtomic(join(paths.done, `${id}.json`), `${JSON.stringify(record, null, 2)}\n`);
  rmSync(join(paths.failed, `${id}.json`), { force: true });
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

/** The wall time of every finished task, summed: what the study cost, however often it was stopped and resumed. */
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

/** The latest `study run`: its process, executor, and command line (the table's heading). */
const RUNNER = z.strictObject({ pid: z.number(), host: z.string(), executor: z.string(), command: z.string() });
export type RunnerRecord = z.infer<typeof RUNNER>;

export const readRunnerRecord = (dir: string) => readOptionalJsonFile(studyPaths(dir).runner, RUNNER);

const RUNNING = z.strictObject({ pid: z.number(), host: z.string(), started: z.string() });

/** The worker running a task, where one says it is. */
export function readRunningMarker(dir: string, id: string): z.infer<typeof RUNNING> | undefined {
  try {
    return readOptionalJsonFile(studyPaths(dir).running(id), RUNNING);
  } catch (error) {
    if (error instanceof DataError) return undefined;
    throw error;
  }
}
export const writeRunnerRecord = (dir: string, runner: RunnerRecord) => writeFileAtomic(studyPaths(dir).runner, `${JSON.stringify(runner)}\n`);
