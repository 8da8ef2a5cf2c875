// The Slurm executor: each task is an sbatch job that runs `gankit study task
// DIR ID` on a node, after the jobs of the tasks it needs (afterok). The
// study directory must be on a filesystem the nodes share: a probe job, which
// every first task waits for, must see a file written here. The runner then
// watches the queue: a job that fails is reported with its log's last lines,
// and the jobs that wait for it are cancelled (they would pend forever).
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { GANKIT_BIN } from '../gankit-process.js';
import { readFailureRecord, readJobs, readTaskRecord, recordJobs, studyPaths } from '../study-directory.js';
import type { StudyTask } from '../study-tasks.js';
import { dependentsOf, type Executor, type ExecutorJob, type StudyOutcome } from './executor.js';
import { DataError } from '../../errors.js';
import { cancelJobs, finishedJob, queuedJobs, sbatchFlags, shellQuote, submitJob, type QueuedJob, type SlurmOptions } from './slurm.js';

/** Seconds between looks at the queue (GANKIT_SLURM_POLL_SECONDS; the tests look every second). */
const pollSeconds = () => Number(process.env.GANKIT_SLURM_POLL_SECONDS ?? 10);

const LOG_TAIL = 15;
/** How long a job that Slurm says completed may take to show its record here (NFS caches a missing file for up to a minute). */
const RECORD_GRACE_MS = 90_000;
/** Looks at the queue that may fail in a row before the runner gives up. */
const QUEUE_RETRIES = 5;

/** The last lines of a job's log, for a failure report. */
function logTail(log: string): string[] {
  if (!existsSync(log)) return [`(no log at ${log}: the job never started)`];
  return readFileSync(log, 'utf8')
    .split(/[\r\n]/)
    .filter((line) => line.trim() !== '')
    .slice(-LOG_TAIL);
}

/** A path as sbatch's --output reads it: % starts a replacement pattern there. */
const slurmPattern = (path: string) => path.replace(/%/g, '%%');

/** A job script: runs one task with the threads Slurm gave the job. */
function taskScript(dir: string, id: string): string {
  return [
    '#!/bin/sh',
    'export GANKIT_THREADS="${GANKIT_THREADS:-${SLURM_CPUS_PER_TASK:-1}}"',
    // The study's --backend, whatever sbatch exports (--export=NONE exports nothing).
    ...(process.env.GANKIT_BACKEND ? [`export GANKIT_BACKEND=${shellQuote(process.env.GANKIT_BACKEND)}`] : []),
    `exec ${[process.execPath, GANKIT_BIN, 'study', 'task', dir, id].map(shellQuote).join(' ')}`,
    '',
  ].join('\n');
}

/** A job that succeeds only where it sees `file`, which the runner has just written. */
function probeScript(file: string): string {
  return [
    '#!/bin/sh',
    `if [ -f ${shellQuote(file)} ]; then touch ${shellQuote(`${file}.seen`)}; exit 0; fi`,
    `echo "gankit: this node ($(hostname)) cannot see ${file.replace(/["$`\\]/g, '')}: the study directory must be on a filesystem the nodes share." >&2`,
    'exit 1',
    '',
  ].join('\n');
}

export function slurmExecutor(options: SlurmOptions): Executor {
  return {
    async run({ dir, tasks, events, stop }: ExecutorJob): Promise<StudyOutcome> {
      const paths = studyPaths(dir);
      mkdirSync(paths.logs, { recursive: true });
      const common = ['--chdir', dir, ...sbatchFlags(options)];
      const queue = queuedJobs();
      const earlier = readJobs(dir);
      // The probe: a file written here, which a job on a node must see.
      const probeFile = join(paths.logs, `probe-${randomBytes(6).toString('hex')}`);
      writeFileSync(probeFile, `${new Date().toISOString()}\n`);
      const probe = submitJob(probeScript(probeFile), [...common, '--job-name=gankit-probe', `--output=${slurmPattern(`${probeFile}.log`)}`]);
      const jobOf = new Map<string, string>();
      for (const task of tasks) {
        const queued = earlier[task.id];
        // A job from an earlier `study run` that is still queued or running is waited for, not submitted twice.
        if (queued && queue.has(queued) && !queue.get(queued)!.reason.startsWith('DependencyNeverSatisfied')) {
          jobOf.set(task.id, queued);
          events.onStart?.(task, `job ${queued}, submitted earlier`);
          continue;
        }
        const after = task.needs.map((need) => jobOf.get(need)).filter((job): job is string => job !== undefined);
        const dependency = `--dependency=afterok:${(after.length ? after : [probe]).join(':')}`;
        const job = submitJob(taskScript(dir, task.id), [
          ...common,
          `--job-name=gankit-${task.id}`,
          `--output=${slurmPattern(join(paths.logs, `${task.id}.log`))}`,
          '--open-mode=append',
          dependency,
          '--kill-on-invalid-dep=yes',
        ]);
        jobOf.set(task.id, job);
        recordJobs(dir, { [task.id]: job });
        events.onStart?.(task, `job ${job}`);
      }
      events.onMessage?.(`submitted ${tasks.length} task(s) and a probe job (${probe}); logs in ${paths.logs}/`);
      return watch(dir, tasks, jobOf, { probe, probeFile }, events, stop);
    },
  };
}

/** Follows the jobs until each has left the queue; cancels the dependents of a failed one. */
async function watch(
  dir: string,
  tasks: StudyTask[],
  jobOf: Map<string, string>,
  probe: { probe: string; probeFile: string },
  events: ExecutorJob['events'],
  stop: AbortSignal,
): Promise<StudyOutcome> {
  const outcome: StudyOutcome = { done: [], failed: [], stopped: [], skipped: [] };
  const open = new Set(tasks.map((task) => task.id));
  // When each job was first seen out of the queue without a record: a shared filesystem may show a node's record late.
  const goneSince = new Map<string, number>();
  const end = (task: StudyTask, kind: keyof StudyOutcome, detail?: { message: string; log: string[] }) => {
    open.delete(task.id);
    outcome[kind].push(task.id);
    events.onEnd?.(task, kind, detail);
  };
  const cancelDependents = (task: StudyTask) => {
    const dependents = dependentsOf(tasks, task.id).filter((t) => open.has(t.id));
    cancelJobs(dependents.map((t) => jobOf.get(t.id)!));
    for (const dependent of dependents) end(dependent, 'skipped');
  };
  /** How a job that left the queue without a record ended, or undefined while its record may still appear. */
  const judge = (task: StudyTask, job: string): { kind: 'failed' | 'stopped'; message: string } | undefined => {
    const since = goneSince.get(task.id) ?? Date.now();
    goneSince.set(task.id, since);
    const waited = Date.now() - since;
    const finished = finishedJob(job);
    if (finished?.state === 'COMPLETED') {
      if (waited < RECORD_GRACE_MS) return undefined;
      return { kind: 'failed', message: `job ${job} completed, but its record never appeared in ${studyPaths(dir).done}: do the nodes share that filesystem?` };
    }
    // Two looks, so that a record written just after the first is seen.
    if (waited < pollSeconds() * 1000) return undefined;
    const failure = readFailureRecord(dir, task.id);
    if (failure) return { kind: 'failed', message: failure.message };
    if (finished?.state === 'OUT_OF_MEMORY') return { kind: 'failed', message: `job ${job} ran out of memory (raise --slurm-mem)` };
    if (finished?.state === 'FAILED' || finished?.state === 'NODE_FAIL')
      return { kind: 'failed', message: `job ${job} ${finished.state === 'NODE_FAIL' ? 'lost its node' : `failed (exit ${finished.exitCode})`}` };
    const how = finished ? finished.state.toLowerCase().replace(/_/g, ' ') : 'left the queue unfinished (cancelled, out of time or memory, or killed)';
    return { kind: 'stopped', message: `job ${job} ${how}` };
  };
  let probeChecked = false;
  let queueErrors = 0;
  while (open.size && !stop.aborted) {
    let queue: Map<string, QueuedJob>;
    try {
      queue = queuedJobs();
      queueErrors = 0;
    } catch (error) {
      // A busy controller may not answer one look; the jobs go on meanwhile.
      if (!(error instanceof DataError) || ++queueErrors >= QUEUE_RETRIES) throw error;
      await sleep(pollSeconds() * 1000, undefined, { signal: stop }).catch(() => undefined);
      continue;
    }
    if (!probeChecked && !queue.has(probe.probe)) {
      probeChecked = true;
      // The probe succeeds only where it saw the runner's file; its state says so without relying on this host's view.
      const state = finishedJob(probe.probe)?.state;
      if (state !== 'COMPLETED' && !existsSync(`${probe.probeFile}.seen`)) {
        const message = `the probe job ${probe.probe} did not see ${probe.probeFile}: the study directory must be on a filesystem the nodes share`;
        events.onMessage?.(`${message}; cancelling the study's jobs.`);
        cancelJobs([...open].map((id) => jobOf.get(id)!));
        for (const task of tasks.filter((t) => open.has(t.id))) end(task, 'skipped');
        outcome.failed.push('probe');
        break;
      }
    }
    for (const task of tasks) {
      // Ended already, possibly earlier in this pass (the dependents of a failed task).
      if (!open.has(task.id)) continue;
      const job = jobOf.get(task.id)!;
      if (readTaskRecord(dir, task.id)) {
        end(task, 'done');
        continue;
      }
      if (queue.has(job) && !queue.get(job)!.reason.startsWith('DependencyNeverSatisfied')) continue;
      const verdict = judge(task, job);
      if (!verdict) continue;
      end(task, verdict.kind, { message: verdict.message, log: logTail(join(studyPaths(dir).logs, `${task.id}.log`)) });
      cancelDependents(task);
    }
    if (open.size) await sleep(pollSeconds() * 1000, undefined, { signal: stop }).catch(() => undefined);
  }
  return outcome;
}
