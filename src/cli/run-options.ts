// Flags shared by the commands that sample a trained run (generate, evaluate,
// shape): which checkpoint, and which of its generators. Their parsed values
// are openRun's options as they are.
import type { Command } from 'commander';

export interface RunFlags {
  /** false with --no-ema. */
  ema: boolean;
  checkpoint?: string;
}

export function addRunOptions(command: Command): Command {
  return command
    .option('--no-ema', 'the raw generator, even where the run keeps a moving average of it (which is used by default)')
    .option('--checkpoint <name>', "a kept checkpoint of the run (e.g. a scored epoch's, named in its eval-curve.jsonl) instead of the newest");
}
