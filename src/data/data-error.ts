/**
 * A problem with the user's data, worded as one sentence that names the file
 * and what is wrong with it. The command line prints it without a stack trace.
 */
export class DataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DataError';
  }
}
