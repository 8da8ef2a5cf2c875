// JSON files that gankit writes into a run and reads back. A file damaged by a
// crash, a full disk or an interrupted copy gets one sentence naming the file
// and what is wrong with it, never a stack trace.
import { existsSync, readFileSync } from 'node:fs';
import type { z } from 'zod';
import { DataError } from '../data/data-error.js';

/** The first problem zod found, as "field.path: what was expected". */
function firstIssue(error: z.ZodError): string {
  const issue = error.issues[0];
  const where = issue.path.length ? `${issue.path.join('.')}: ` : '';
  return `${where}${issue.message.replace(/^Invalid input: /, '')}`;
}

/** Parses `text` (read from `path`) against `schema`; a DataError names the file and the first problem. */
export function parseJsonText<T>(path: string, text: string, schema: z.ZodType<T>): T {
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

/** Reads and validates a JSON file; a missing, unreadable or malformed one is a DataError naming it. */
export function readJsonFile<T>(path: string, schema: z.ZodType<T>): T {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataError(code === 'ENOENT' ? `${path} is missing.` : `${path} cannot be read (${code ?? String(error)}).`);
  }
  return parseJsonText(path, text, schema);
}

/** The same for a file a run may lack: undefined when it is absent. */
export function readOptionalJsonFile<T>(path: string, schema: z.ZodType<T>): T | undefined {
  return existsSync(path) ? readJsonFile(path, schema) : undefined;
}
