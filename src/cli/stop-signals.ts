// Ctrl-C, and SIGTERM (what Slurm's scancel and time limits send), for the
// commands that save their work before they stop: the first signal asks to
// stop after the current step; a second Ctrl-C quits at once.
export interface StopSignals {
  /** Whether a stop was asked for (the command polls it between steps). */
  requested(): boolean;
  /** Removes the handlers. */
  release(): void;
}

/** Installs the handlers; `what` finishes the sentence printed on the first signal. */
export function onStopSignals(what: string): StopSignals {
  let stop = false;
  const handler = (signal: NodeJS.Signals) => {
    if (stop) process.exit(signal === 'SIGINT' ? 130 : 143);
    stop = true;
    process.stderr.write(`\ngankit: ${signal === 'SIGINT' ? 'Ctrl-C' : signal}: ${what} (Ctrl-C again to quit at once)\n`);
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    requested: () => stop,
    release: () => {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
