// The gankit command.
import { Command, CommanderError } from 'commander';
import { readFileSync } from 'node:fs';
import { EXIT_CODES, exitCodeOf } from '../errors.js';
import { withBackendOption } from './backend-option.js';
import { doctorCommand } from './doctor-command.js';
import { evaluateCommand } from './evaluate-command.js';
import { featuresCommand } from './features-command.js';
import { generateCommand } from './generate-command.js';
import { privacyCommand } from './privacy-command.js';
import { reportCommand } from './report-command.js';
import { reproduceCommand } from './reproduce-command.js';
import { serveCommand } from './serve-command.js';
import { shapeCommand } from './shape-command.js';
import { studyCommand } from './study-command.js';
import { trainCommand } from './train-command.js';

const { version } = JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')) as { version: string };

/** Commander's own mistakes (an unknown flag, a bad value) start with `gankit:`, as gankit's do; set on every command, as commander does not pass it down. */
function withGankitPrefix(command: Command): Command {
  command.configureOutput({ outputError: (message, write) => write(message.replace(/^error: /, 'gankit: ')) });
  for (const sub of command.commands) withGankitPrefix(sub);
  return command;
}

function buildProgram(): Command {
  const program = new Command('gankit')
    .description('Train, improve and measure GANs: TF.js with a native OpenBLAS matrix product.')
    .version(version, '-v, --version')
    .showSuggestionAfterError()
    .exitOverride();
  const [features, study] = [featuresCommand(), studyCommand()];
  // The commands that compute take --backend (a study's tasks inherit it).
  for (const command of [features.commands.find((sub) => sub.name() === 'train'), study.commands.find((sub) => sub.name() === 'run')])
    withBackendOption(command!);
  for (const command of [
    withBackendOption(trainCommand()),
    withBackendOption(generateCommand()),
    withBackendOption(shapeCommand()),
    withBackendOption(evaluateCommand()),
    features,
    privacyCommand(),
    study,
    withBackendOption(reproduceCommand()),
    reportCommand(),
    withBackendOption(serveCommand()),
    doctorCommand(),
  ])
    program.addCommand(command.exitOverride());
  return withGankitPrefix(program);
}

const IO_ERRORS: Record<string, string> = {
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  EROFS: 'the file system is read-only',
  ENOTDIR: 'a file stands where a directory is needed',
  EISDIR: 'it is a directory',
  EEXIST: 'it already exists',
  ENOENT: 'it does not exist',
};

const REPORT_HINT = 'This is a bug in gankit: please report it with the command you ran (set GANKIT_DEBUG=1 to see where it happened).';

/** Prints the one sentence an error deserves and exits with its code from EXIT_CODES; anything unforeseen is an internal error. */
function exitWith(error: unknown): never {
  if (error instanceof CommanderError) {
    // Commander has printed its one-line message already.
    process.exit(error.exitCode === 0 ? EXIT_CODES.done : EXIT_CODES.usage);
  }
  const code = exitCodeOf(error);
  if (code !== undefined) {
    process.stderr.write(`gankit: ${(error as Error).message}\n`);
    process.exit(code);
  }
  // The file system's refusals (no space, no permission, a file where a directory should be) name the path.
  const io = error as NodeJS.ErrnoException;
  if (io instanceof Error && io.code && io.path && IO_ERRORS[io.code]) {
    process.stderr.write(`gankit: cannot use ${io.path}: ${IO_ERRORS[io.code]} (${io.code}).\n`);
    process.exit(EXIT_CODES.failed);
  }
  const message = error instanceof Error ? error.message : String(error);
  process.stderr.write(`gankit: internal error: ${message}\n${REPORT_HINT}\n`);
  if (process.env.GANKIT_DEBUG === '1' && error instanceof Error) process.stderr.write(`${error.stack}\n`);
  process.exit(EXIT_CODES.failed);
}

// Errors thrown outside the awaited command (a callback, a stray promise) end the same way.
// startEngine removes the handlers the wasm module installs, which would rethrow them as stack traces.
process.on('uncaughtException', exitWith);
process.on('unhandledRejection', exitWith);
try {
  await buildProgram().parseAsync(process.argv);
} catch (error) {
  exitWith(error);
}
