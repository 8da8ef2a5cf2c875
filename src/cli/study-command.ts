// gankit study run | status | cancel (and task, what each worker runs): many
// runs, declared in a study file, on this machine or on a Slurm cluster.
import { Command, Option } from 'commander';
import { cpus } from 'node:os';
import { resolve } from 'node:path';
import { criticalPathSeconds, estimateTaskSeconds } from '../study/cost-estimate.js';
import { checkStudyDirectory, readStudyDirectory, studyPaths } from '../study/study-directory.js';
import { readStudyFile, type Study } from '../study/study-file.js';
import { planStudy, runStudy, runStudyTask } from '../study/study-runner.js';
import { cancelStudy, studyStatus, TASK_STATES } from '../study/study-status.js';
import { studyTasks, type StudyTask } from '../study/study-tasks.js';
import type { TaskEvents } from '../study/executors/executor.js';
import { EXECUTOR_NAMES, type ExecutorName } from '../study/executors/registry.js';
import { hasSlurm, queuedJobs } from '../study/executors/slurm.js';
import { stopExitCode, UsageError } from '../errors.js';
import { positiveInteger } from './arguments.js';
import { createProgress } from './progress.js';

interface RunFlags {
  out: string;
  executor: ExecutorName;
  jobs: number;
  dryRun?: boolean;
  slurmPartition?: string;
  slurmTime?: string;
  slurmCpusPerTask?: number;
  slurmMem?: string;
  sbatchArg: string[];
}

const minutes = (seconds: number) =>
  seconds < 90 ? `${seconds.toFixed(0)} s` : seconds < 5400 ? `${(seconds / 60).toFixed(0)} min` : `${(seconds / 3600).toFixed(1)} h`;

/** --dry-run: the task graph, each task's estimated cost, and the total. */
function printPlan(study: Study, dir: string, flags: RunFlags): void {
  const { tasks, toRun } = planStudy(study, dir);
  const seconds = estimateTaskSeconds(study, tasks);
  const pending = new Set(toRun.map((task) => task.id));
  const lines = tasks.map((task) => {
    const after = task.needs.length ? ` after ${task.needs.length > 3 ? `${task.needs.length} tasks` : task.needs.join(', ')}` : '';
    return `  ${pending.has(task.id) ? ' ' : '✓'} ${task.id.padEnd(40)} ${minutes(seconds.get(task.id)!).padStart(7)}  ${task.label}${after}`;
  });
  const total = toRun.reduce((sum, task) => sum + seconds.get(task.id)!, 0);
  const workers = flags.executor === 'local' ? flags.jobs : null;
  // Workers share the cores: the local pool's tasks run about jobs × slower each, so its wall time is the summed time.
  const wall =
    workers === null
      ? `on Slurm, at least ${minutes(criticalPathSeconds(toRun, seconds))} (the longest chain of tasks), given free nodes like this project's bench machine`
      : `with ${workers} worker(s) sharing ${cpus().length} cores, about ${minutes(Math.max(total, criticalPathSeconds(toRun, seconds)))}`;
  process.stdout.write(
    [
      `Study: ${study.runs.length} run(s), ${study.shapings.length} shaping(s) and ${study.rows.length} row(s), over ${study.seeds.length} seed(s) (${study.seeds.join(', ')}).`,
      `Tasks (✓: done in ${dir}):`,
      ...lines,
      `${toRun.length} of ${tasks.length} tasks to run, about ${minutes(total)} of tasks on a 2-core machine like the bench's (estimated from its measured step times); ${wall}.`,
      'Nothing was submitted (--dry-run).',
      '',
    ].join('\n'),
  );
}

/** Progress of a study: a bar on a terminal, a line per task otherwise. */
function studyEvents(total: number): { events: TaskEvents; finish: () => void } {
  const progress = createProgress('study |{bar}| {value}/{total} tasks | {task} | {line}');
  const log = !process.stderr.isTTY;
  let ended = 0;
  progress.start(total, 0, { task: '', line: '' });
  const say = (line: string) => (log ? process.stderr.write(`${line}\n`) : progress.describe({ line: line.slice(0, 70) }));
  return {
    events: {
      onStart: (task, detail) => {
        if (log) process.stderr.write(`study: start ${task.id}${detail ? ` (${detail})` : ''}\n`);
        else progress.describe({ task: task.label.slice(0, 50), line: detail ?? '' });
      },
      onLine: (task, line) =>
        log ? process.stderr.write(`  ${task.id}: ${line}\n`) : progress.describe({ task: task.label.slice(0, 50), line: line.slice(0, 70) }),
      onEnd: (task, end, detail) => {
        ended += 1;
        progress.update(ended);
        if (log || end !== 'done') process.stderr.write(`${log ? '' : '\n'}study: ${end} ${task.id}${detail ? `: ${detail.message}` : ''}\n`);
        if (detail?.log.length) process.stderr.write(`${detail.log.map((line) => `    | ${line}`).join('\n')}\n`);
      },
      onMessage: say,
    },
    finish: () => progress.stop(),
  };
}

async function runCommand(file: string, flags: RunFlags, command: Command): Promise<void> {
  const study = readStudyFile(file);
  if (flags.executor === 'slurm' && !hasSlurm()) {
    throw new UsageError(
      '--executor slurm needs Slurm’s sbatch, squeue, scancel and scontrol on the PATH; none was submitted. Run on the cluster’s login node.',
    );
  }
  // A cluster that does not answer is found before the study directory is made.
  if (flags.executor === 'slurm' && !flags.dryRun) queuedJobs();
  const slurmFlags = ['slurmPartition', 'slurmTime', 'slurmCpusPerTask', 'slurmMem', 'sbatchArg'].filter((key) => command.getOptionValueSource(key) === 'cli');
  if (flags.executor !== 'slurm' && slurmFlags.length) throw new UsageError('the --slurm-… and --sbatch-arg flags apply to --executor slurm.');
  if (flags.executor !== 'local' && command.getOptionValueSource('jobs') === 'cli')
    throw new UsageError('--jobs sets the local executor’s workers; Slurm runs as many jobs as the cluster gives.');
  // Jobs run in the study directory (sbatch --chdir): every path they get is absolute.
  flags.out = resolve(flags.out);
  if (flags.dryRun) {
    checkStudyDirectory(flags.out, study, file);
    printPlan(study, flags.out, flags);
    return;
  }
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) process.exit(stopExitCode(signal));
    process.stderr.write(
      `\ngankit: ${signal === 'SIGINT' ? 'Ctrl-C' : signal}: ${flags.executor === 'local' ? 'stopping the workers; each saves its work' : 'no longer watching; the jobs stay queued'} (again to quit at once)\n`,
    );
    // The workers get SIGINT or SIGTERM, which trainings and shapings stop on after saving their work.
    controller.abort(signal === 'SIGINT' ? 'SIGINT' : 'SIGTERM');
  };
  // A closed terminal (SIGHUP) stops the runner as SIGTERM does.
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, onSignal);
  const total = studyTasks(study).length;
  const { events, finish } = studyEvents(total);
  // What the user typed (gankit study run …, or gankit reproduce …): the table's heading.
  const commandLine = `gankit ${process.argv.slice(2).join(' ')}`;
  try {
    const outcome = await runStudy(study, file, flags.out, {
      executor: flags.executor,
      options: {
        jobs: flags.jobs,
        slurm: {
          partition: flags.slurmPartition,
          time: flags.slurmTime,
          cpusPerTask: flags.slurmCpusPerTask,
          mem: flags.slurmMem,
          sbatchArgs: flags.sbatchArg,
        },
      },
      command: commandLine,
      events,
      stop: controller.signal,
    }).finally(finish);
    const paths = studyPaths(flags.out);
    const ended = outcome.done.length + outcome.failed.length + outcome.stopped.length + outcome.skipped.length;
    if (!outcome.toRun.length)
      process.stdout.write(`Every task of the study is done. Results: ${paths.results('md')} (.csv, .json); report: ${paths.report}/index.html\n`);
    else if (outcome.failed.length || outcome.stopped.length || outcome.skipped.length || ended < outcome.toRun.length) {
      const parts = [
        `${outcome.done.length} done`,
        outcome.failed.length ? `${outcome.failed.length} failed (${outcome.failed.join(', ')})` : '',
        outcome.stopped.length ? `${outcome.stopped.length} stopped` : '',
        outcome.skipped.length ? `${outcome.skipped.length} not run` : '',
        ended < outcome.toRun.length ? `${outcome.toRun.length - ended} still queued on Slurm` : '',
      ].filter(Boolean);
      process.stderr.write(
        `gankit: study ${parts.join(', ')}. \`gankit study status ${flags.out}\` shows each task; running \`gankit study run\` again continues with what is not done.\n`,
      );
      process.exitCode = controller.signal.aborted ? stopExitCode(controller.signal.reason as NodeJS.Signals) : 1;
    } else process.stdout.write(`Ran ${outcome.done.length} task(s). Results: ${paths.results('md')} (.csv, .json); report: ${paths.report}/index.html\n`);
  } finally {
    for (const signal of signals) process.off(signal, onSignal);
  }
}

async function taskCommand(dir: string, id: string): Promise<void> {
  const study = readStudyDirectory(dir);
  const task = studyTasks(study).find((t: StudyTask) => t.id === id);
  if (!task) throw new UsageError(`the study in ${dir} has no task ${id}.`);
  // A stop signal reaches this worker and the command it runs alike (a process group, a Slurm job): the command saves
  // its work and exits, and the worker waits for it. One that comes between two commands stops the task there.
  let stopCode: number | null = null;
  const stop = (signal: NodeJS.Signals) => (stopCode ??= stopExitCode(signal));
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  for (const signal of signals) process.on(signal, stop);
  // A runner that is gone leaves this worker's stderr without a reader: the task goes on, its lines are lost.
  process.stderr.on('error', () => undefined);
  try {
    process.exitCode = await runStudyTask(study, dir, task, () => stopCode);
  } finally {
    for (const signal of signals) process.off(signal, stop);
  }
}

function statusCommand(dir: string, flags: { json?: boolean }): void {
  const { statuses, note } = studyStatus(dir);
  if (note) process.stderr.write(`gankit: ${note}.\n`);
  const counts = Object.fromEntries(TASK_STATES.map((state) => [state, statuses.filter((s) => s.state === state).length]));
  if (flags.json) {
    const tasks = statuses.map((s) => ({ id: s.task.id, state: s.state, detail: s.detail }));
    process.stdout.write(`${JSON.stringify({ counts, tasks }, null, 2)}\n`);
    return;
  }
  const lines = statuses.map((s) => `${s.state.padEnd(8)} ${s.task.id.padEnd(40)} ${s.detail}`);
  const summary = TASK_STATES.filter((state) => counts[state]).map((state) => `${counts[state]} ${state}`);
  process.stdout.write(`${lines.join('\n')}\n${counts.done}/${statuses.length} tasks done: ${summary.join(', ')}.\n`);
}

function cancelCommand(dir: string): void {
  const done = cancelStudy(dir);
  process.stdout.write(done.length ? `${done.join('; ')}.\n` : `Nothing of ${dir} is queued or running.\n`);
}

export function studyCommand(): Command {
  const study = new Command('study').description(
    'many runs from a study file (runs × seeds, shapings, rows): run them here or on Slurm, and tabulate mean ± std',
  );
  study
    .command('run')
    .description('run (or continue) a study: train, shape, sample and evaluate every row for every seed, then write the table and the report')
    .argument('<file>', 'study file (YAML or JSON; see studies/ for the built-in ones)')
    .requiredOption('--out <dir>', 'study directory; running again continues it (it must be on a filesystem the nodes share, for Slurm)')
    .addOption(new Option('--executor <name>', 'local: a pool of worker processes here; slurm: one sbatch job a task').choices(EXECUTOR_NAMES).default('local'))
    .option('--jobs <n>', 'local workers; they share the cores (GANKIT_THREADS = cores / n each)', positiveInteger, 1)
    .option('--dry-run', 'print the task graph and its estimated cost; run nothing')
    .option('--slurm-partition <name>', 'sbatch --partition')
    .option('--slurm-time <limit>', "sbatch --time, each job's limit (a training job stopped by it checkpoints, and resumes on the next study run)")
    .option('--slurm-cpus-per-task <n>', 'sbatch --cpus-per-task (the job’s GANKIT_THREADS)', positiveInteger)
    .option('--slurm-mem <size>', 'sbatch --mem, e.g. 4G')
    .option(
      '--sbatch-arg <arg>',
      'passed to every sbatch as it is (repeat it), e.g. --sbatch-arg=--account=lab',
      (value: string, all: string[]) => [...all, value],
      [],
    )
    .action(runCommand);
  study
    .command('status')
    .description('each task: done, running, queued, failed, stopped or waiting; and a summary')
    .argument('<dir>', 'study directory')
    .option('--json', 'as JSON')
    .action(statusCommand);
  study
    .command('cancel')
    .description("cancel the study's Slurm jobs, or stop its local runner (work is saved)")
    .argument('<dir>', 'study directory')
    .action(cancelCommand);
  study.command('task', { hidden: true }).description('run one task of a study (what each worker runs)').argument('<dir>').argument('<id>').action(taskCommand);
  // Bad flags end as every command's do: one line, exit 2.
  for (const command of study.commands) command.exitOverride();
  return study;
}
