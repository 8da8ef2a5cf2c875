// A study's free flags are the gankit commands' own: they are checked by those
// commands' parsers before anything runs, so that a typo fails the study file
// at once rather than a job hours later. The study sets the flags that tie a
// task to its place (--out, --run, --seed, --n, ...) itself.
import { CommanderError, type Command } from 'commander';
import { generateCommand } from '../cli/generate-command.js';
import { shapeCommand } from '../cli/shape-command.js';
import { trainCommand, trainSettingsFrom } from '../cli/train-command.js';
import type { TrainConfig } from '../run/run-config.js';
import { UsageError } from '../errors.js';

/** The flags each command's task sets, with why the study file may not. */
const RESERVED: Record<'train' | 'shape' | 'generate', Record<string, string>> = {
  train: { '--out': 'the study places each run', '--resume': 'the study resumes a half-trained run itself', '--seed': "the seeds come from the study's seeds" },
  shape: { '--run': 'the shaping names its run', '--resume': 'the study resumes a stopped task itself', '--seed': "the seeds come from the study's seeds" },
  generate: {
    '--run': 'the row names its run',
    '--out': 'the study places the samples',
    '--grid': 'the study draws each row a grid',
    '--n': 'evaluation.n sets the number of samples',
    '--seed': "the seeds come from the study's seeds",
    '--format': 'the study evaluates PNG samples',
  },
};

/** Parses `args` with a command's own parser without running it: its flags and the command, or a CommanderError. */
function parseWith(command: Command, args: string[]): { flags: Record<string, unknown>; command: Command } {
  let parsed: { flags: Record<string, unknown>; command: Command } | undefined;
  command
    .exitOverride()
    .configureOutput({ writeErr: () => undefined, writeOut: () => undefined })
    .action((flags: Record<string, unknown>, self: Command) => {
      parsed = { flags, command: self };
    });
  command.parse(args, { from: 'user' });
  return parsed!;
}

/** Runs `parse`; the command's own complaint, as "gankit KIND: what is wrong", is the error. */
function asCommand<T>(kind: keyof typeof RESERVED, parse: () => T): T {
  try {
    return parse();
  } catch (error) {
    if (!(error instanceof CommanderError || error instanceof UsageError)) throw error;
    const complaint = error.message
      .replace(/^error: /, '')
      .replace(/\s*\n\s*/g, ' ')
      .replace(/\.$/, '');
    throw new Error(`gankit ${kind} ${complaint}`, { cause: error });
  }
}

/** The flags of a command, parsed as the command would. */
function parseFlags(kind: keyof typeof RESERVED, args: string[]): { flags: Record<string, unknown>; command: Command } {
  const reserved = args.map((arg) => arg.split('=')[0]).find((flag) => RESERVED[kind][flag]);
  if (reserved) throw new Error(`${reserved} is set by the study: ${RESERVED[kind][reserved]}`);
  const placeholder = kind === 'train' ? ['--out', 'run'] : ['--run', 'run'];
  const command = kind === 'train' ? trainCommand() : kind === 'shape' ? shapeCommand() : generateCommand();
  return asCommand(kind, () => parseWith(command, [...args, ...placeholder]));
}

/** A run's training settings, as `gankit train FLAGS` would resolve them. */
export function trainConfigOf(args: string[]): TrainConfig {
  const { flags, command } = parseFlags('train', args);
  return asCommand('train', () => trainSettingsFrom(flags as Parameters<typeof trainSettingsFrom>[0], command).config);
}

/** `gankit shape FLAGS` parsed: epochs, limit, ... */
export const shapeFlagsOf = (args: string[]) => parseFlags('shape', args).flags as { epochs: number; limit?: number };

/** `gankit generate FLAGS` parsed: sampler, refine, ema, ... */
export const generateFlagsOf = (args: string[]) => parseFlags('generate', args).flags as { sampler: string; refine: string; ema: boolean };

/** The flags of a study's entries, as its file holds them (study-file.ts parses the file, then asks here). */
interface StudyFlags {
  runs: Array<{ train: string[] }>;
  shapings: Array<{ shape: string[] }>;
  rows: Array<{ generate: string[] }>;
}

/** The first entry whose flags its command refuses: where, and the command's complaint. */
export function checkStudyFlags(study: StudyFlags): { path: Array<string | number>; message: string } | undefined {
  const checks = [
    ...study.runs.map((run, i) => ({ path: ['runs', i, 'train'], check: () => trainConfigOf(run.train) })),
    ...study.shapings.map((shaping, i) => ({ path: ['shapings', i, 'shape'], check: () => shapeFlagsOf(shaping.shape) })),
    ...study.rows.map((row, i) => ({ path: ['rows', i, 'generate'], check: () => generateFlagsOf(row.generate) })),
  ];
  for (const { path, check } of checks) {
    try {
      check();
    } catch (error) {
      return { path, message: (error as Error).message };
    }
  }
  return undefined;
}
