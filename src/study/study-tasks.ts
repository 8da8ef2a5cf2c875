// A study's task graph, and what each task does. Per seed: train each run,
// shape a copy of a trained run's D, then sample and evaluate each row; last,
// the table. A task is one `gankit study task DIR ID` process whichever
// executor runs it; it runs gankit's own commands and records its result in
// DIR/done/ atomically, so that a finished task is never run again and a
// stopped one resumes (a training from its checkpoint, a shaping from its
// stopped state).
import { cpSync, existsSync, rmdirSync, rmSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { dirname } from 'node:path';
import type { EvaluationResult } from '../metrics/evaluation.js';
import { identifyFeatureNetwork, scoredBy } from '../metrics/feature-extractor.js';
import { hasGeneratorEma, latestCheckpoint } from '../run/checkpoints.js';
import { readPrivacyRecord, runPaths } from '../run/run-directory.js';
import { hasRunRecord, readRunConfig } from '../run/run-record.js';
import { hasStoppedShaping } from '../run/stopped-shaping.js';
import { readMetrics } from '../run/metrics-log.js';
import { runGankit, type GankitExit } from './gankit-process.js';
import { EXIT_CODES, stopExitCode } from '../errors.js';
import { readRunnerRecord, readTaskRecord, studyPaths, taskId } from './study-directory.js';
import type { Study } from './study-file.js';
import { generateFlagsOf } from './study-flags.js';
import { writeStudyResults, type SeedResult } from './study-results.js';

export type TaskKind = 'train' | 'shape' | 'row' | 'results';

export interface StudyTask {
  id: string;
  kind: TaskKind;
  /** The run, shaping or row (its method) it is for; '' for the table. */
  name: string;
  /** The seed it is for; null for the table. */
  seed: number | null;
  /** What it does, in words. */
  label: string;
  /** Tasks that must be done first. */
  needs: string[];
}

/** The id of the task that writes the table. */
export const RESULTS_TASK = 'results';

/** Every task of the study, each after the tasks it needs. */
export function studyTasks(study: Study): StudyTask[] {
  const trains: StudyTask[] = [];
  const shapes: StudyTask[] = [];
  const rows: StudyTask[] = [];
  for (const seed of study.seeds) {
    const task = (kind: 'train' | 'shape' | 'row', name: string, label: string, needs: string[]): StudyTask => ({
      id: taskId(kind, name, seed),
      kind,
      name,
      seed,
      label: `${label}, seed ${seed}`,
      needs,
    });
    trains.push(...study.runs.map((run) => task('train', run.name, `train ${run.name}`, [])));
    shapes.push(...study.shapings.map((s) => task('shape', s.name, `shape ${s.name} (a copy of ${s.run})`, [taskId('train', s.run, seed)])));
    rows.push(
      ...study.rows.map((row) =>
        task('row', row.method, `sample and evaluate ${row.method}`, [
          taskId('train', row.run, seed),
          ...(row.shaping ? [taskId('shape', row.shaping, seed)] : []),
        ]),
      ),
    );
  }
  const results: StudyTask = { id: RESULTS_TASK, kind: 'results', name: '', seed: null, label: 'write the table and the report', needs: rows.map((t) => t.id) };
  return [...trains, ...shapes, ...rows, results];
}

/** A task whose command was stopped (Ctrl-C, SIGTERM from scancel or a time limit): not a failure, and not done. */
export class TaskStopped extends Error {
  constructor(readonly exitCode: number) {
    super('stopped');
  }
}

/** A task whose command failed: its message and the last lines it wrote. */
export class TaskFailed extends Error {
  constructor(
    message: string,
    readonly log: string[],
  ) {
    super(message);
  }
}

/** How a task's commands run: where their lines go, and whether a stop signal came (its exit code) between two of them. */
export interface TaskIo {
  onLine?: (line: string) => void;
  stopSignal?: () => number | null;
}

/** Exit codes of a command stopped by Ctrl-C or SIGTERM after saving its work, as a shell reports them. */
export const STOPPED_EXIT_CODES: ReadonlySet<number> = new Set([EXIT_CODES.interrupted, EXIT_CODES.terminated]);

/**
 * Runs one gankit command of a task; a stop or a failure ends the task. A training that diverged is a result, not a
 * failure. A command killed by another signal (SIGKILL from the out-of-memory killer, SIGSEGV) failed: its work is not saved.
 */
async function step(args: string[], io: TaskIo): Promise<GankitExit> {
  const stopped = io.stopSignal?.();
  if (stopped) throw new TaskStopped(stopped);
  const exit = await runGankit(args, { onLine: io.onLine });
  if (exit.code === 0 || (args[0] === 'train' && exit.code === EXIT_CODES.diverged)) return exit;
  if (exit.signal === 'SIGINT' || exit.signal === 'SIGTERM') throw new TaskStopped(stopExitCode(exit.signal));
  if (exit.code !== null && STOPPED_EXIT_CODES.has(exit.code)) throw new TaskStopped(exit.code);
  const last = exit.signal
    ? `killed by ${exit.signal}${exit.signal === 'SIGKILL' ? ' (out of memory?)' : ''}`
    : (exit.stderrTail.at(-1)?.replace(/^gankit: /, '') ?? `exit ${exit.code}`);
  throw new TaskFailed(`gankit ${args[0]} failed (${exit.signal ?? `exit ${exit.code}`}): ${last}`, exit.stderrTail);
}

/** Whether a finished task's record still stands: a row scored by another feature network, or with other evaluation settings, is evaluated again. */
function recordStands(study: Study, task: StudyTask, record: Record<string, unknown>): boolean {
  if (task.kind !== 'row') return true;
  const row = record as Partial<SeedResult>;
  return scoredBy(row.features, identifyFeatureNetwork()) && isDeepStrictEqual(row.evaluation, study.evaluation);
}

/** Removes a directory once it is empty (other workers may still be writing into it). */
function rmEmptyDirectory(dir: string): void {
  try {
    rmdirSync(dir);
  } catch (error) {
    if (!['ENOTEMPTY', 'EEXIST', 'ENOENT'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
  }
}

const trainSeconds = (runDir: string) => readMetrics(runPaths(runDir).metrics).at(-1)?.trainSeconds ?? NaN;

/**
 * Runs a task of the study in `dir` and returns its record (the caller writes it). Throws TaskStopped
 * or TaskFailed when one of its commands stops or fails.
 */
export async function runTask(study: Study, dir: string, task: StudyTask, io: TaskIo = {}): Promise<object> {
  const paths = studyPaths(dir);
  if (task.kind === 'results') {
    writeStudyResults(study, dir, readRunnerRecord(dir)?.command ?? `gankit study run --out ${dir}`);
    // The report as `gankit report` writes it, a command like every other task's.
    await step(['report', '--runs', dir, '--out', paths.report], io);
    return {};
  }
  const seed = task.seed!;
  if (task.kind === 'train') {
    const run = study.runs.find((r) => r.name === task.name)!;
    const runDir = paths.run(run.name, seed);
    const resume = hasRunRecord(runDir) ? ['--resume'] : [];
    const trained = await step(['train', ...run.train, '--seed', String(seed), '--out', runDir, ...resume], io);
    // The rows sample the last good checkpoint of a run that diverged, and say so.
    const diverged = trained.code === EXIT_CODES.diverged ? trained.stderrTail.at(-1)!.replace(/^gankit: /, '') : null;
    // The raw G, which the Gaussian and LSI rows sample too.
    if (run.strips) await step(['generate', '--run', runDir, '--no-ema', '--interpolate', runPaths(runDir).interpolation], io);
    return { trainSeconds: trainSeconds(runDir), diverged };
  }
  if (task.kind === 'shape') {
    const shaping = study.shapings.find((s) => s.name === task.name)!;
    const copy = paths.run(shaping.name, seed);
    if (hasStoppedShaping(copy)) {
      const { seconds } = await step(['shape', '--run', copy, '--resume'], io);
      return { shapingSeconds: seconds };
    }
    // A copy of the trained run, so that each shaped D has its own run directory.
    rmSync(copy, { recursive: true, force: true });
    cpSync(paths.run(shaping.run, seed), copy, { recursive: true });
    const { seconds } = await step(['shape', '--run', copy, ...shaping.shape, '--seed', String(seed)], io);
    return { shapingSeconds: seconds };
  }
  const row = study.rows.find((r) => r.method === task.name)!;
  const runDir = paths.run(row.shaping ?? row.run, seed);
  const samples = paths.rowSamples(row.method, seed);
  const evaluationFile = paths.rowEvaluation(row.method, seed);
  const n = String(study.evaluation.n);
  const generated = await step(
    ['generate', '--run', runDir, ...row.generate, '--n', n, '--seed', String(seed), '--out', samples, '--grid', paths.rowGrid(row.method, seed)],
    io,
  );
  const { real, k } = study.evaluation;
  // Scored against the real images the run was trained on (MNIST unless its --data said otherwise).
  const { data, conditional } = readRunConfig(paths.run(row.run, seed));
  const cas = study.evaluation.cas && conditional ? ['--cas', study.evaluation.cas] : [];
  const evaluated = await step(
    ['evaluate', '--samples', samples, '--data', data, '--real', real, '--k', String(k), ...cas, '--json', '--out', evaluationFile],
    io,
  );
  rmSync(samples, { recursive: true, force: true });
  rmEmptyDirectory(dirname(samples));
  const evaluation = JSON.parse(evaluated.stdout) as EvaluationResult;
  const latest = latestCheckpoint(runDir);
  const shapingRecord = row.shaping ? readTaskRecord(dir, taskId('shape', row.shaping, seed)) : undefined;
  const result: SeedResult = {
    method: row.method,
    seed,
    run: `${row.shaping ?? row.run}-seed${seed}`,
    generator: generateFlagsOf(row.generate).ema && latest && hasGeneratorEma(latest) ? 'ema' : 'raw',
    fid: evaluation.fid,
    precision: evaluation.precision,
    recall: evaluation.recall,
    density: evaluation.density,
    coverage: evaluation.coverage,
    classifierScore: evaluation.classifier?.score ?? null,
    logitFid: evaluation.classifier?.logitFid ?? null,
    labelAccuracy: evaluation.classes?.labelAccuracy ?? null,
    cas: evaluation.cas?.generated.accuracy ?? null,
    trainSeconds: trainSeconds(paths.run(row.run, seed)) + Number(shapingRecord?.shapingSeconds ?? 0),
    samplingSeconds: generated.seconds,
    epsilon: readPrivacyRecord(paths.run(row.run, seed))?.epsilon ?? null,
    diverged: (readTaskRecord(dir, taskId('train', row.run, seed))?.diverged as string | null | undefined) ?? null,
    features: { network: evaluation.features.network, sha256: evaluation.features.sha256 },
    evaluation: study.evaluation,
  };
  return result;
}

/** Whether the task is done: recorded, and its record still stands. */
export function isDone(study: Study, dir: string, task: StudyTask): boolean {
  const record = readTaskRecord(dir, task.id);
  return record !== undefined && recordStands(study, task, record) && (task.kind !== 'results' || existsSync(studyPaths(dir).results('json')));
}
