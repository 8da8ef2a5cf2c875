// Slurm's commands, as the study uses them: sbatch to submit a task's job,
// squeue for what is queued or running (sacct needs an accounting database
// that a small cluster may lack), scancel to cancel.
import { spawnSync } from 'node:child_process';
import { userInfo } from 'node:os';
import { DataError } from '../../errors.js';

export interface SlurmOptions {
  partition?: string;
  /** Each job's time limit, in Slurm's formats (e.g. 2:00:00). */
  time?: string;
  cpusPerTask?: number;
  /** Memory per node, e.g. 8G. */
  mem?: string;
  /** Passed to every sbatch as they are. */
  sbatchArgs: string[];
}

export interface QueuedJob {
  /** PENDING, RUNNING, COMPLETING, ... */
  state: string;
  /** Why it waits: Dependency, Resources, DependencyNeverSatisfied, ... */
  reason: string;
}

/** Whether Slurm's client commands are on the PATH. */
export const hasSlurm = () =>
  spawnSync('sh', ['-c', 'command -v sbatch && command -v squeue && command -v scancel && command -v scontrol'], { stdio: 'ignore' }).status === 0;

function slurm(command: string, args: string[], input?: string): string {
  const result = spawnSync(command, args, { encoding: 'utf8', input });
  if (result.error) throw new DataError(`${command} could not run (${result.error.message}).`);
  if (result.status !== 0) throw new DataError(`${command} failed (exit ${result.status}): ${result.stderr.trim().split('\n').pop() ?? ''}`);
  return result.stdout;
}

/** Submits a job script; its job id. */
export function submitJob(script: string, args: string[]): string {
  // --parsable prints "id" or "id;cluster".
  return slurm('sbatch', ['--parsable', ...args], script)
    .trim()
    .split(';')[0];
}

/** sbatch's flags for the options. */
export function sbatchFlags(options: SlurmOptions): string[] {
  return [
    ...(options.partition ? [`--partition=${options.partition}`] : []),
    ...(options.time ? [`--time=${options.time}`] : []),
    ...(options.cpusPerTask ? [`--cpus-per-task=${options.cpusPerTask}`] : []),
    ...(options.mem ? [`--mem=${options.mem}`] : []),
    ...options.sbatchArgs,
  ];
}

/** This user's jobs in the queue, by job id. */
export function queuedJobs(): Map<string, QueuedJob> {
  const lines = slurm('squeue', ['--noheader', '--user', userInfo().username, '--format', '%i|%T|%r']).split('\n');
  return new Map(
    lines
      .filter((line) => line.includes('|'))
      .map((line) => {
        const [id, state, reason] = line.trim().split('|');
        return [id, { state, reason }];
      }),
  );
}

/** A job that has left the queue, while Slurm still remembers it (MinJobAge, 5 min by default): its state and exit code. */
export function finishedJob(id: string): { state: string; exitCode: string } | undefined {
  const result = spawnSync('scontrol', ['show', 'job', '--oneliner', id], { encoding: 'utf8' });
  if (result.status !== 0) return undefined;
  const state = /\bJobState=(\S+)/.exec(result.stdout)?.[1];
  return state ? { state, exitCode: /\bExitCode=(\S+)/.exec(result.stdout)?.[1] ?? '?' } : undefined;
}

export function cancelJobs(ids: string[]): void {
  if (ids.length) slurm('scancel', ids);
}

/** A shell word: the job scripts quote every path and argument. */
export const shellQuote = (word: string) => `'${word.replace(/'/g, `'\\''`)}'`;
