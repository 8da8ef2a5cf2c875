// How a study's tasks get run: every executor takes the tasks still to do, in
// an order where each comes after the tasks it needs, starts each as a
// `gankit study task DIR ID` process somewhere, and says how each ended.
import type { StudyTask } from '../study-tasks.js';

export type TaskEnd = 'done' | 'failed' | 'stopped' | 'skipped';

export interface TaskEvents {
  /** A task started (local) or was submitted (Slurm). */
  onStart?(task: StudyTask, detail?: string): void;
  /** A line of a running task's own output. */
  onLine?(task: StudyTask, line: string): void;
  /** A task ended; a failure carries its message and the last lines of its log. */
  onEnd?(task: StudyTask, end: TaskEnd, detail?: { message: string; log: string[] }): void;
  /** Anything else the executor has to say. */
  onMessage?(line: string): void;
}

export interface ExecutorJob {
  dir: string;
  /** The tasks to run, each after those it needs; needs outside this list are done. */
  tasks: StudyTask[];
  events: TaskEvents;
  /** Aborted on Ctrl-C or SIGTERM, with the signal's name as its reason. */
  stop: AbortSignal;
}

export interface StudyOutcome {
  done: string[];
  failed: string[];
  stopped: string[];
  /** Not run: a task they need failed or stopped. */
  skipped: string[];
}

export interface Executor {
  run(job: ExecutorJob): Promise<StudyOutcome>;
}

/** The tasks that need `id`, directly or through others. */
export function dependentsOf(tasks: StudyTask[], id: string): StudyTask[] {
  const found = new Set<string>([id]);
  for (const task of tasks) if (task.needs.some((need) => found.has(need))) found.add(task.id);
  found.delete(id);
  return tasks.filter((task) => found.has(task.id));
}
