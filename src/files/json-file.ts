// Files that gankit writes into a run and reads back. A file missing, or
// damaged by a crash, a full disk or an interrupted copy, gets one sentence
// naming it and what is wrong with it, never a stack trace.
import { existsSync, readFileSync } from 'node:fs';
import type { z } from 'zod';
import { DataError } from '../errors.js';

/** The first problem zod found, as "field.path: what was expected". */
export function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue.message.replace(/^Invalid input: /, '')}`;
}

/** A file's bytes; a missing or unreadable one is a DataError naming it. */
export function readFileBytes(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataError(code === 'ENOENT' ? `${path} is missing.` : `${path} cannot be read (${code ?? String(error)}).`);
  }
}

/** Reads a JSON file and validates it against `schema`; a DataError names the file and its first problem. */
export function readJsonFile<T>(path: string, schema: z.ZodType<T>): T {
  const text = readFileBytes(path).toString('utf8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new DataError(`${path} is damaged: it is not valid JSON${text.trim() === '' ? ' (it is empty)' : ' (cut short?)'}.`);
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) throw new DataError(`${path} is damaged: ${firstIssue(parsed.error)}.`);
  return parsed.data;
}

/** The same for a file a run may lack: undefined when it is absent. */
export function readOptionalJsonFile<T>(path: string, schema: z.ZodType<T>): T | undefined {
  return existsSync(path) ? readJsonFile(path, schema) : undefined;
}

/** The same for a record that only informs (a cache, a marker): undefined when it is absent or damaged. */
export function readJsonFileOrNothing<T>(path: string, schema: z.ZodType<T>): T | undefined {
  try {
    return readOptionalJsonFile(path, schema);
  } catch (error) {
    if (error instanceof DataError) return undefined;
    throw error;
  }
}
