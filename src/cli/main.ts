// The gankit command.
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { DataError } from '../data/data-error.js';
import { TrainingDiverged } from '../training/trainer.js';
import { evaluateCommand } from './evaluate-command.js';
import { featuresCommand } from './features-command.js';
import { generateCommand } from './generate-command.js';
import { privacyCommand } from './privacy-command.js';
import { reportCommand } from './report-command.js';
import { reproduceCommand } from './reproduce-command.js';
import { shapeCommand } from './shape-command.js';
import { trainCommand } from './train-command.js';

const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Exit codes: 0 done, 1 bad data or a failed run, 2 bad command line. */
function buildProgram(): Command {
  const program = new Command('gankit')
    .description('Train, improve and measure GANs: TF.js with a native OpenBLAS matrix product.')
    .version(version, '-v, --version')
    .showSuggestionAfterError()
    .exitOverride();
  for (const command of [trainCommand(), generateCommand(), shapeCommand(), evaluateCommand(), featuresCommand(), privacyCommand(), reproduceCommand(), reportCommand()]) program.addCommand(command.exitOverride());
  return program;
}

try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Commander has printed its one-line message already.
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  if (error instanceof DataError || error instanceof TrainingDiverged) {
    process.stderr.write(`gankit: ${error.message}\n`);
    process.exit(1);
  }
  throw error;
}
