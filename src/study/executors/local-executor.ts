// The local executor: a pool of N worker processes on this machine, each with
// an equal share of its cores (GANKIT_THREADS), so that the workers never
// oversubscribe them. A task starts once every task it needs is done.
import { cpus } from 'node:os';
import { runGankit } from '../gankit-process.js';
import { readFailureRecord } from '../study-directory.js';
import { STOPPED_EXIT_CODES, type StudyTask } from '../study-tasks.js';
import { dependentsOf, type Executor, type ExecutorJob, type StudyOutcome } from './executor.js';

export function localExecutor(jobs: number): Executor {
  const threads = Math.max(1, Math.floor(cpus().length / jobs));
  return {
    async run({ dir, tasks, events, stop }: ExecutorJob): Promise<StudyOutcome> {
      const outcome: StudyOutcome = { done: [], failed: [], stopped: [], skipped: [] };
      const waiting = [...tasks];
      const running = new Map<string, Promise<void>>();
      const pending = new Set(tasks.map((task) => task.id));
      const ready = (task: StudyTask) => task.needs.every((need) => !pending.has(need) || outcome.done.includes(need));
      const skip = (id: string) => {
        for (const dependent of dependentsOf(tasks, id)) {
          const at = waiting.indexOf(dependent);
          if (at < 0) continue;
          waiting.splice(at, 1);
          outcome.skipped.push(dependent.id);
          events.onEnd?.(dependent, 'skipped');
        }
      };
      const work = async (task: StudyTask) => {
        events.onStart?.(task, `${threads} thread${threads > 1 ? 's' : ''}`);
        const exit = await runGankit(['study', 'task', dir, task.id], {
          env: { GANKIT_THREADS: String(threads) },
          onLine: (line) => events.onLine?.(task, line),
          stop,
        });
        if (exit.code === 0) {
          outcome.done.push(task.id);
          events.onEnd?.(task, 'done');
        } else if (exit.code !== null && STOPPED_EXIT_CODES.has(exit.code)) {
          outcome.stopped.push(task.id);
          events.onEnd?.(task, 'stopped');
          skip(task.id);
        } else {
          const failure = readFailureRecord(dir, task.id) ?? {
            message: `the worker ${exit.signal ? `was killed by ${exit.signal}` : `exited with code ${exit.code}`}`,
            log: exit.stderrTail,
          };
          outcome.failed.push(task.id);
          events.onEnd?.(task, 'failed', failure);
          skip(task.id);
        }
      };
      while (waiting.length || running.size) {
        while (!stop.aborted && running.size < jobs) {
          const next = waiting.find(ready);
          if (!next) break;
          waiting.splice(waiting.indexOf(next), 1);
          running.set(
            next.id,
            work(next).finally(() => running.delete(next.id)),
          );
        }
        if (!running.size) break;
        await Promise.race(running.values());
      }
      // Stopped before they started.
      for (const task of waiting) outcome.skipped.push(task.id);
      return outcome;
    },
  };
}
