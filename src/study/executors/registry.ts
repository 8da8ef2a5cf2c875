// The executors, found by name (`gankit study run --executor NAME`).
import type { Executor } from './executor.js';
import { localExecutor } from './local-executor.js';
import { slurmExecutor } from './slurm-executor.js';
import type { SlurmOptions } from './slurm.js';

export interface ExecutorOptions {
  /** Worker processes of the local executor. */
  jobs: number;
  slurm: SlurmOptions;
}

const EXECUTORS = {
  local: (options: ExecutorOptions) => localExecutor(options.jobs),
  slurm: (options: ExecutorOptions) => slurmExecutor(options.slurm),
} satisfies Record<string, (options: ExecutorOptions) => Executor>;

export type ExecutorName = keyof typeof EXECUTORS;
export const EXECUTOR_NAMES = Object.keys(EXECUTORS) as ExecutorName[];

export const makeExecutor = (name: ExecutorName, options: ExecutorOptions): Executor => EXECUTORS[name](options);
