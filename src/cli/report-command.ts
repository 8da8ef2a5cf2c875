import { Command } from 'commander';
import { writeReport } from '../report/report.js';

async function runReport(flags: { runs: string; out: string }): Promise<void> {
  const path = await writeReport(flags.runs, flags.out);
  process.stdout.write(`Report: ${path} (self-contained: open it from disk)\n`);
}

export function reportCommand(): Command {
  return new Command('report')
    .description('an HTML report of runs: results table, curves, sample grids, interpolation strips, class histograms')
    .requiredOption('--runs <dir>', 'a reproduce output directory, or a directory of runs')
    .requiredOption('--out <dir>', 'where to write index.html')
    .action(runReport);
}
