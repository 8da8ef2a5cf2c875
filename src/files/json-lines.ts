// Logs of one JSON object per line (metrics.jsonl, eval-curve.jsonl): appended
// line by line while a run trains, cut back atomically when it resumes.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import type { z } from 'zod';
import { DataError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';
import { firstIssue } from './json-file.js';

export function appendJsonLine(path: string, value: object): void {
  appendFileSync(path, `${JSON.stringify(value)}\n`);
}

/** Each line of a log as written, with its value as `schema` reads it. */
function parseJsonLines<T>(path: string, schema: z.ZodType<T>): { text: string; value: T }[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  return lines.flatMap((line, index) => {
    if (line.trim() === '') return [];
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      const unfinished = index === lines.length - 1 && !text.endsWith('\n');
      if (unfinished) return [];
    }
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      throw new DataError(`${path} is damaged: line ${index + 1} is not a JSON object.`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw new DataError(`${path} is damaged: line ${index + 1}: ${firstIssue(parsed.error)}.`);
    return [{ text: line, value: parsed.data }];
  });
}

/**
 * The objects of a log, checked by `schema`. A last line cut short (the process
 * died while appending it) is left out, as the resumed run writes it again; any
 * other line that is not a JSON object `schema` accepts is a DataError naming the file and the line.
 */
export function readJsonLines<T>(path: string, schema: z.ZodType<T>): T[] {
  return parseJsonLines(path, schema).map(({ value }) => value);
}

/** Keeps the lines `keep` accepts, byte for byte: a resumed run logs the others again. */
export function truncateJsonLines<T>(path: string, schema: z.ZodType<T>, keep: (value: T) => boolean): void {
  if (!existsSync(path)) return;
  const kept = parseJsonLines(path, schema).filter(({ value }) => keep(value));
  writeFileAtomic(path, kept.map(({ text }) => `${text}\n`).join(''));
}
