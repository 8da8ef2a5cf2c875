// gankit's error classes, each worded as one sentence for the user, and the
// exit code of each: `main.ts` turns an error into its code, and a study reads
// a task's code back to tell a result (a diverged run) from a failure.

/**
 * A mistake on the command line or in a study file's flags (a flag that
 * conflicts with another, or with the saved run): the command prints its
 * sentence and exits 2, as for any other bad flag.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

/**
 * A problem with the user's data or a run's files, worded as one sentence that
 * names the file and what is wrong with it. The command line prints it without a stack trace.
 */
export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}

/** A run that cannot go on (a loss became NaN): the message is for the user. */
export class TrainingDiverged extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TrainingDiverged';
  }
}

/** Every exit code of `gankit`, in one place. */
export const EXIT_CODES = {
  done: 0,
  /** Bad data, a damaged file, a failed run, or an internal error. */
  failed: 1,
  /** A bad command line or study file (UsageError, or commander's own). */
  usage: 2,
  /** A training that diverged: a study records it as a result, not a failure. */
  diverged: 3,
  /** gankit privacy audit: the empirical ε passed the accountant's, so the run's guarantee does not hold. */
  guaranteeBroken: 4,
  /** Stopped by Ctrl-C after saving its work, as a shell reports it. */
  interrupted: 130,
  /** Stopped by SIGTERM (Slurm's scancel and time limits) after saving its work. */
  terminated: 143,
} as const;

/** The exit code of an error that gankit words itself; undefined for any other (an internal error). */
export function exitCodeOf(error: unknown): number | undefined {
  if (error instanceof UsageError) return EXIT_CODES.usage;
  if (error instanceof TrainingDiverged) return EXIT_CODES.diverged;
  if (error instanceof DataError) return EXIT_CODES.failed;
  return undefined;
}

/**
 * The exit code of a command stopped by `signal` after saving its work, so
 * that a scheduler (Slurm's afterok) never takes a stopped run for a finished one.
 */
export const stopExitCode = (signal: NodeJS.Signals) => (signal === 'SIGINT' ? EXIT_CODES.interrupted : EXIT_CODES.terminated);
