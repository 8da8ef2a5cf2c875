// Running a study: claim its directory, find the tasks still to do, hand them
// to an executor; and one task, as a worker runs it.
import { hostname } from 'node:os';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataError } from '../errors.js';
import { claimRunner, claimStudyDirectory, clearFailureRecord, clearTaskRecords, studyPaths, writeFailureRecord, writeTaskRecord } from './study-directory.js';
import type { Study } from './study-file.js';
import { isDone, runTask, studyTasks, TaskFailed, TaskStopped, type StudyTask } from './study-tasks.js';
import type { StudyOutcome, TaskEvents } from './executors/executor.js';
import { makeExecutor, type ExecutorName, type ExecutorOptions } from './executors/registry.js';

/** The study's tasks, and those still to do: a task runs when it is not done, or when a task it needs runs (its inputs change). */
export function planStudy(study: Study, dir: string): { tasks: StudyTask[]; toRun: StudyTask[] } {
  const tasks = studyTasks(study);
  const runs = new Set<string>();
  for (const task of tasks) if (task.needs.some((need) => runs.has(need)) || !isDone(study, dir, task)) runs.add(task.id);
  return { tasks, toRun: tasks.filter((task) => runs.has(task.id)) };
}

export interface StudyRun {
  executor: ExecutorName;
  options: ExecutorOptions;
  /** The command line, for the table's heading. */
  command: string;
  events: TaskEvents;
  stop: AbortSignal;
}

/** Runs (or continues) the study into `dir`; `source` names the study file in errors. */
export async function runStudy(study: Study, source: string, dir: string, run: StudyRun): Promise<StudyOutcome & { toRun: StudyTask[] }> {
  claimStudyDirectory(dir, study, source);
  const release = claimRunner(dir, { pid: process.pid, host: hostname(), executor: run.executor, command: run.command, active: true });
  try {
    const { toRun } = planStudy(study, dir);
    // A task that runs again (its inputs ran again, or its feature network changed) starts from no record: neither an
    // old result nor an old failure may stand for it.
    for (const task of toRun) clearTaskRecords(dir, task.id);
    if (!toRun.length) return { done: [], failed: [], stopped: [], skipped: [], toRun };
    const outcome = await makeExecutor(run.executor, run.options).run({ dir, tasks: toRun, events: run.events, stop: run.stop });
    return { ...outcome, toRun };
  } finally {
    release();
  }
}

/**
 * Runs one task, as a worker process (`gankit study task`): records it done, or failed with its message and
 * log. A task done earlier is not run again. Resolves with the exit code: 0, or 130/143 when it was stopped.
 */
export async function runStudyTask(study: Study, dir: string, task: StudyTask, stopSignal: () => number | null): Promise<number> {
  if (isDone(study, dir, task)) {
    process.stderr.write(`gankit: ${task.id} is done already.\n`);
    return 0;
  }
  // Where the worker says it is running the task, for `study status`.
  const marker = studyPaths(dir).running(task.id);
  mkdirSync(dirname(marker), { recursive: true });
  writeFileSync(marker, `${JSON.stringify({ pid: process.pid, host: hostname(), started: new Date().toISOString() })}\n`);
  clearFailureRecord(dir, task.id);
  const started = performance.now();
  try {
    const record = await runTask(study, dir, task, { onLine: (line) => process.stderr.write(`${line}\n`), stopSignal });
    writeTaskRecord(dir, task.id, { ...record, taskSeconds: (performance.now() - started) / 1000 });
    return 0;
  } catch (error) {
    if (error instanceof TaskStopped) return error.exitCode;
    const message = error instanceof Error ? error.message : String(error);
    writeFailureRecord(dir, task.id, { message, log: error instanceof TaskFailed ? error.log : [], at: new Date().toISOString() });
    throw error instanceof TaskFailed ? new DataError(`task ${task.id} failed: ${message}`) : error;
  } finally {
    rmSync(marker, { force: true });
  }
}
