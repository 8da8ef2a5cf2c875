import { Command, Option } from 'commander';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { BUDGETS, reproducePlan, type Budget } from '../reproduce/plan.js';
import { reproduce, summedTaskSeconds } from '../reproduce/reproduce.js';
import { writeResults } from '../reproduce/results-table.js';
import { writeReport } from '../report/report.js';
import { createProgress } from './progress.js';

interface ReproduceFlags {
  budget: Budget;
  out?: string;
}

async function runReproduce(flags: ReproduceFlags): Promise<void> {
  const out = flags.out ?? join('runs', `reproduce-${flags.budget}`);
  const plan = reproducePlan(flags.budget);
  const progress = createProgress('reproduce |{bar}| {value}/{total} tasks | {task} | {line}');
  const log = !process.stderr.isTTY;
  let started = false;
  const rows = await reproduce(plan, out, {
    onTask(index, total, label, skipped) {
      if (!started) progress.start(total, index, { task: label, line: '' });
      started = true;
      progress.update(index, { task: label, line: skipped ? 'done earlier' : '' });
      if (log) process.stderr.write(`reproduce: task ${index + 1}/${total}: ${label}${skipped ? ' (done earlier)' : ''}\n`);
    },
    onLine: (line) => (log ? process.stderr.write(`  ${line}\n`) : progress.describe({ line: line.slice(0, 60) })),
  }).finally(() => progress.stop());
  const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`;
  const command = `gankit reproduce --budget ${flags.budget}${flags.out ? ` --out ${flags.out}` : ''}`;
  writeResults(out, plan, rows, command, machine, summedTaskSeconds(out));
  const report = await writeReport(out, join(out, 'report'));
  process.stdout.write(`Results: ${join(out, 'results.md')} (.csv, .json); report: ${report}\n`);
}

export function reproduceCommand(): Command {
  return new Command('reproduce')
    .description("the study's table: train each method, sample, evaluate against MNIST test, write results and the report")
    .addOption(
      new Option(
        '--budget <budget>',
        "quick: ≤ 30 min on 2 cores; standard: 20 epochs a run, about 2 hours; full: the study's 100 epochs (the table says which)",
      )
        .choices(BUDGETS)
        .default('quick'),
    )
    .option('--out <dir>', 'output directory (default runs/reproduce-BUDGET); an existing one is continued')
    .action(runReproduce);
}
