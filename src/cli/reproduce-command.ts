// gankit reproduce: the study's table, as a thin alias for the built-in study
// files in studies/ (run on this machine, one worker).
import { Command, Option } from 'commander';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { studyCommand } from './study-command.js';

const BUDGETS = ['quick', 'standard', 'full'] as const;
type Budget = (typeof BUDGETS)[number];

/** The built-in study file of a budget. */
export const builtInStudy = (budget: Budget) => fileURLToPath(new URL(`../../../studies/reproduce-${budget}.yaml`, import.meta.url));

async function runReproduce(flags: { budget: Budget; out?: string; dryRun?: boolean }): Promise<void> {
  const out = flags.out ?? join('runs', `reproduce-${flags.budget}`);
  await studyCommand().parseAsync(['run', builtInStudy(flags.budget), '--out', out, ...(flags.dryRun ? ['--dry-run'] : [])], { from: 'user' });
}

export function reproduceCommand(): Command {
  return new Command('reproduce')
    .description(
      `the study's table: gankit study run studies/reproduce-BUDGET.yaml --out OUT (train each method, sample, evaluate, write results and the report)`,
    )
    .addOption(
      new Option(
        '--budget <budget>',
        'quick: a few epochs a run, one seed (a smoke test); standard: 20 epochs a run, 3 seeds; full: the study’s 100 epochs, 5 seeds (--dry-run estimates each)',
      )
        .choices(BUDGETS)
        .default('quick'),
    )
    .option('--out <dir>', 'output directory (default runs/reproduce-BUDGET); an existing one is continued')
    .option('--dry-run', 'print the task graph and its estimated cost; run nothing')
    .action(runReproduce);
}
