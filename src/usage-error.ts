/**
 * A mistake on the command line (a flag that conflicts with another, or with
 * the saved run), found past the argument parser: the command prints its one
 * sentence and exits 2, as for any other bad flag.
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
