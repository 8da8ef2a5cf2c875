// Parsers for flag values: each rejects a bad value with one sentence.
import { InvalidArgumentError } from 'commander';
import { existsSync, statSync } from 'node:fs';
import { DataError, UsageError } from '../errors.js';

/** Refuses flags that conflict past the parser: one sentence, exit code 2, as commander's own mistakes. */
export function usage(message: string): never {
  throw new UsageError(message);
}

/** Refuses a --runs that is not a directory: a missing input, so exit code 1, as a missing data file. */
export function requireRunsDirectory(path: string): void {
  if (!existsSync(path) || !statSync(path).isDirectory()) {
    throw new DataError(`${path} is not a directory: --runs takes a run, or the directory your runs are in (gankit train --out puts them there).`);
  }
}

export function positiveInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n) || n < 1) {
    throw new InvalidArgumentError('It must be a positive integer.');
  }
  return n;
}

export function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!/^\d+$/.test(value.trim()) || !Number.isSafeInteger(n)) throw new InvalidArgumentError('It must be an integer ≥ 0.');
  return n;
}

export function positiveNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0) throw new InvalidArgumentError('It must be a number > 0.');
  return n;
}

export function nonNegativeNumber(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0) throw new InvalidArgumentError('It must be a number ≥ 0.');
  return n;
}

/** In [0, 1): Adam's β, a dropout rate. */
export function fraction(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n < 0 || n >= 1) throw new InvalidArgumentError('It must be in [0, 1).');
  return n;
}

/** In (0, 1): a moving average's decay. */
export function decay(value: string): number {
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0 || n >= 1) throw new InvalidArgumentError('It must be in (0, 1), e.g. 0.999.');
  return n;
}

export function integerInRange(min: number, max: number): (value: string) => number {
  return (value) => {
    const n = Number(value);
    if (!/^\d+$/.test(value.trim()) || n < min || n > max) throw new InvalidArgumentError(`It must be an integer from ${min} to ${max}.`);
    return n;
  };
}
