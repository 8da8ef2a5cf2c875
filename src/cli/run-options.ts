// Flags shared by the commands that sample a trained run (generate, evaluate,
// shape): which checkpoint, and which of its generators; generate and evaluate
// may also draw from several checkpoints in turn (--mixture). Their parsed
// values are openRun's options as they are.
import type { Command } from 'commander';
import { UsageError } from '../errors.js';

export interface RunFlags {
  /** false with --no-ema. */
  ema: boolean;
  checkpoint?: string;
  /** --mixture's checkpoints (generate and evaluate). */
  mixture?: string[];
}

export function addRunOptions(command: Command): Command {
  return command
    .option('--no-ema', 'the raw generator, even where the run keeps a moving average of it (which is used by default)')
    .option('--checkpoint <name>', "a kept checkpoint of the run (e.g. a scored epoch's, named in its eval-curve.jsonl) instead of the newest");
}

/** Sampling from several checkpoints' generators in turn: the mixture of Private Post-GAN Boosting (Neunhoeffer et al. 2021) without its reweighting. */
export function addMixtureOption(command: Command): Command {
  return command.option(
    '--mixture <checkpoints>',
    "kept checkpoints of the run, comma-separated, whose generators draw the samples in turn (each every class); costs no privacy: they are the run's own outputs",
    (value: string) => value.split(',').map((name) => name.trim()),
  );
}

/** How messages name the generators sampled: '' for one, else " of step-A, step-B in turn". */
export function describeMixture(flags: RunFlags): string {
  return flags.mixture ? ` of ${flags.mixture.join(', ')} in turn` : '';
}

/** Refuses --mixture with --checkpoint, and with sampling that needs one generator (`alone`: why, e.g. '--refine cs'). */
export function checkMixture(flags: RunFlags, alone?: string): void {
  if (!flags.mixture) return;
  if (flags.checkpoint) throw new UsageError('Give --checkpoint or --mixture, not both.');
  if (flags.mixture.some((name) => name === '')) throw new UsageError('--mixture has an empty checkpoint name: give names separated by single commas.');
  if (new Set(flags.mixture).size < flags.mixture.length) throw new UsageError('--mixture names a checkpoint twice.');
  if (flags.mixture.length < 2) throw new UsageError('--mixture needs two checkpoints or more; for one, give --checkpoint.');
  if (alone) throw new UsageError(`${alone} works on one generator: leave out --mixture.`);
}
