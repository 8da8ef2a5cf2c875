// Where a study stands, task by task, from its records, its workers' markers
// and, where it used Slurm, the queue; and cancelling it.
import { existsSync } from 'node:fs';
import { DataError } from '../errors.js';
import { hostname } from 'node:os';
import { readFailureRecord, readJobs, readRunnerRecord, readRunningMarker, readStudyDirectory, runnerAlive, studyPaths } from './study-directory.js';
import { planStudy } from './study-runner.js';
import type { StudyTask } from './study-tasks.js';
import { cancelJobs, hasSlurm, queuedJobs, type QueuedJob } from './executors/slurm.js';
import { latestCheckpoint } from '../run/checkpoints.js';
import { processAlive } from '../run/run-state.js';
import { hasStoppedShaping } from '../run/stopped-shaping.js';

export const TASK_STATES = ['done', 'running', 'queued', 'failed', 'stopped', 'waiting'] as const;
export type TaskState = (typeof TASK_STATES)[number];

export interface TaskStatus {
  task: StudyTask;
  state: TaskState;
  /** The Slurm job, a failure's message, why a job waits, ... */
  detail: string;
}

/** A task with saved work to resume: a half-trained run, a stopped shaping. */
function hasSavedWork(dir: string, task: StudyTask): boolean {
  if (task.seed === null) return false;
  const runDir = studyPaths(dir).run(task.name, task.seed);
  return (task.kind === 'train' && existsSync(runDir) && latestCheckpoint(runDir) !== undefined) || (task.kind === 'shape' && hasStoppedShaping(runDir));
}

/** `stale`: the plan would run the task (it is not done, or what it needs runs again). */
function statusOf(dir: string, task: StudyTask, stale: boolean, job: string | undefined, queue: Map<string, QueuedJob>): TaskStatus {
  const jobText = job ? `job ${job}` : '';
  if (!stale) return { task, state: 'done', detail: jobText };
  const queued = job ? queue.get(job) : undefined;
  if (queued?.state === 'RUNNING' || queued?.state === 'COMPLETING') return { task, state: 'running', detail: jobText };
  if (queued) return { task, state: 'queued', detail: `${jobText}, ${queued.reason}` };
  const marker = readRunningMarker(dir, task.id);
  if (marker && marker.host === hostname() && processAlive(marker.pid)) return { task, state: 'running', detail: `pid ${marker.pid} since ${marker.started}` };
  const failure = readFailureRecord(dir, task.id);
  if (failure) return { task, state: 'failed', detail: failure.message };
  if (hasSavedWork(dir, task)) return { task, state: 'stopped', detail: 'its saved work resumes on the next study run' };
  return { task, state: 'waiting', detail: '' };
}

/** Every task's state, in the study's order; `note` says where Slurm could not be asked. */
export function studyStatus(dir: string): { statuses: TaskStatus[]; note?: string } {
  const study = readStudyDirectory(dir);
  const { tasks, toRun } = planStudy(study, dir);
  const jobs = readJobs(dir);
  let queue = new Map<string, QueuedJob>();
  let note: string | undefined;
  if (Object.keys(jobs).length) {
    try {
      if (!hasSlurm()) throw new DataError('Slurm’s commands are not on the PATH');
      queue = queuedJobs();
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      note = `the study has Slurm jobs, but the queue could not be read (${error.message.replace(/\.$/, '')}): queued and running jobs show as waiting or stopped`;
    }
  }
  const stale = new Set(toRun.map((task) => task.id));
  return { statuses: tasks.map((task) => statusOf(dir, task, stale.has(task.id), jobs[task.id], queue)), note };
}

/** Cancels what runs the study: its queued and running Slurm jobs, and a local runner (whose workers save their work). What it did, in words. */
export function cancelStudy(dir: string): string[] {
  readStudyDirectory(dir);
  const done: string[] = [];
  const jobs = readJobs(dir);
  if (Object.keys(jobs).length && hasSlurm()) {
    const queue = queuedJobs();
    const live = Object.values(jobs).filter((job) => queue.has(job));
    cancelJobs(live);
    if (live.length) done.push(`cancelled ${live.length} Slurm job(s): ${live.join(', ')}`);
  }
  const runner = readRunnerRecord(dir);
  if (runner?.executor === 'local' && runnerAlive(runner)) {
    process.kill(runner.pid, 'SIGTERM');
    done.push(`asked the local runner (pid ${runner.pid}) to stop; its workers save their work first`);
  }
  return done;
}
