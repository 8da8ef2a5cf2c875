import { Command } from 'commander';
import { writeReport } from '../report/report.js';
import { requireRunsDirectory } from './arguments.js';

async function runReport(flags: { runs: string; out: string }): Promise<void> {
  requireRunsDirectory(flags.runs);
  const path = await writeReport(flags.runs, flags.out);
  process.stdout.write(`Report: ${path} (self-contained: open it from disk)\n`);
}

export function reportCommand(): Command {
  return new Command('report')
    .description('an HTML report of runs: results table, curves, sample grids, interpolation strips, class histograms')
    .requiredOption('--runs <dir>', 'a reproduce output directory, a directory of runs, or one run')
    .requiredOption('--out <dir>', 'where to write index.html')
    .action(runReport);
}
