// run.json: which process trains a run, its last sign of life, and how the run
// ended; shape.json, the same for a shaping of its D. `train` and `shape` refuse
// a run another live process holds for the same job; tools that watch runs read
// this record instead of guessing from the files.
import { closeSync, existsSync, openSync, rmSync, statSync } from 'node:fs';
import { hostname } from 'node:os';
import { z } from 'zod';
import { DataError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { readJsonFile } from '../files/json-file.js';
import { runPaths } from './run-directory.js';

/** `training` while a live process holds the job (for shape.json too: the record's format is one). */
const OUTCOMES = ['training', 'finished', 'stopped', 'failed'] as const;
export type RunOutcome = (typeof OUTCOMES)[number];

const RUN_STATE_SCHEMA = z.object({
  state: z.enum(OUTCOMES),
  pid: z.number().int().positive(),
  host: z.string(),
  started: z.string(),
  heartbeat: z.string(),
  /** Why a run stopped or failed, in one sentence. */
  reason: z.string().optional(),
});
export type RunState = z.infer<typeof RUN_STATE_SCHEMA>;

/** A holder silent for this long is taken for dead (a process on another host, or a reused pid). */
const STALE_MS = 10 * 60 * 1000;
/** How often a holding process refreshes its heartbeat at most. */
const HEARTBEAT_MS = 20 * 1000;

/** Whether a process of this host is alive (one of another user's counts). */
export function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** The jobs that hold a run, each in its own record: its training, and a shaping of its D. */
export type RunJob = 'training' | 'shaping';

const stateFile = (runDir: string, job: RunJob) => (job === 'training' ? runPaths(runDir).state : runPaths(runDir).shapingState);

/** Whether the process that recorded `state` still holds its job: on this host, ask the OS; anywhere, a fresh heartbeat. */
function holderAlive(state: RunState): boolean {
  const fresh = Date.now() - Date.parse(state.heartbeat) < STALE_MS;
  return state.host === hostname() ? fresh && processAlive(state.pid) : fresh;
}

/**
 * The state of the run's `job` as readers should see it; undefined for runs made before its record existed.
 * A job recorded as held whose process is gone (killed, or its machine lost) reads as stopped.
 */
export function readRunState(runDir: string, job: RunJob = 'training'): RunState | undefined {
  const file = stateFile(runDir, job);
  if (!existsSync(file)) return undefined;
  const state = readJsonFile(file, RUN_STATE_SCHEMA);
  if (state.state === 'training' && !holderAlive(state)) {
    return { ...state, state: 'stopped', reason: `its ${job} process ended without recording why (killed, or its machine was lost)` };
  }
  return state;
}

/** The job's state, where a damaged record counts as none: it names no process that could hold the run, and is rewritten. */
export function readStateOrNothing(runDir: string, job: RunJob = 'training'): RunState | undefined {
  try {
    return readRunState(runDir, job);
  } catch (error) {
    if (error instanceof DataError) return undefined;
    throw error;
  }
}

/** This process's hold on a run while it trains or shapes it. */
export interface RunClaim {
  /** Refreshes the heartbeat (cheap to call every step: it writes at most every 20 s). */
  beat(): void;
  /** Records how the run ended. */
  finish(outcome: Exclude<RunOutcome, 'training'>, reason?: string): void;
  /** Records that the job failed, with the error's message as the reason. */
  fail(error: unknown): void;
}

/** A claim lock this old was left by a process that died between its check and its write. */
const LOCK_STALE_MS = 10 * 1000;

/** How long ago the lock was taken; 0 when it has just gone. */
function lockAge(lock: string): number {
  try {
    return Date.now() - statSync(lock).mtimeMs;
  } catch {
    return 0;
  }
}

/**
 * Runs `critical` holding the record's lock (DIR/run.json.lock), created exclusively, so that two
 * processes starting together never both pass the check and both write.
 */
function withClaimLock<T>(file: string, critical: () => T): T {
  const lock = `${file}.lock`;
  for (let waited = 0; ; waited += 10) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      const age = lockAge(lock);
      if (age > LOCK_STALE_MS) rmSync(lock, { force: true });
      else if (waited > LOCK_STALE_MS) throw new DataError(`${lock} stays held: another gankit is claiming this run.`);
      else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 10);
    }
  }
  try {
    return critical();
  } finally {
    rmSync(lock, { force: true });
  }
}

/**
 * Marks the run as held by this process for `job`; a DataError when another live
 * process holds it for that job, or when `precondition` (checked under the same lock) throws.
 */
export function claimRun(runDir: string, precondition?: () => void, job: RunJob = 'training'): RunClaim {
  const file = stateFile(runDir, job);
  const started = new Date().toISOString();
  let lastBeat = 0;
  const write = (state: RunOutcome, reason?: string) => {
    const record: RunState = { state, pid: process.pid, host: hostname(), started, heartbeat: new Date().toISOString(), ...(reason ? { reason } : {}) };
    writeFileAtomic(file, `${JSON.stringify(record, null, 2)}\n`);
    lastBeat = Date.now();
  };
  withClaimLock(file, () => {
    // A holder whose process is gone reads as stopped.
    const current = readStateOrNothing(runDir, job);
    if (current?.state === 'training' && !(current.pid === process.pid && current.host === hostname())) {
      throw new DataError(
        `${runDir} is being ${job === 'training' ? 'trained' : 'shaped'} by process ${current.pid} on ${current.host} (last heartbeat ${current.heartbeat}); wait for it to end, or stop it first.`,
      );
    }
    precondition?.();
    write('training');
  });
  return {
    beat: () => {
      if (Date.now() - lastBeat >= HEARTBEAT_MS) write('training');
    },
    finish: (outcome, reason) => write(outcome, reason),
    fail: (error) => write('failed', error instanceof Error ? error.message : String(error)),
  };
}
