// Ctrl-C, and SIGTERM (what Slurm's scancel and time limits send), for the
// commands that save their work before they stop: the first signal asks to
// stop after the current step; a second Ctrl-C quits at once.
import { stopExitCode } from '../errors.js';

export interface StopSignals {
  /** Whether a stop was asked for (the command polls it between steps). */
  requested(): boolean;
  /**
   * The exit code of a command that stopped early and saved its work: 130
   * after Ctrl-C, 143 after SIGTERM, as a shell reports them, so that a
   * scheduler (Slurm's afterok) never takes a stopped run for a finished one.
   */
  exitCode(): number;
  /** Removes the handlers. */
  release(): void;
}

/** Installs the handlers; `what` finishes the sentence printed on the first signal. */
export function onStopSignals(what: string): StopSignals {
  let stop: NodeJS.Signals | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (stop) process.exit(stopExitCode(signal));
    stop = signal;
    process.stderr.write(`\ngankit: ${signal === 'SIGINT' ? 'Ctrl-C' : signal}: ${what} (Ctrl-C again to quit at once)\n`);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    requested: () => stop !== undefined,
    exitCode: () => (stop ? stopExitCode(stop) : 0),
    release: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
