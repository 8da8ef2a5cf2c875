// Logs of one JSON object per line (metrics.jsonl, eval-curve.jsonl): appended
// line by line while a run trains, cut back atomically when it resumes.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { DataError } from '../errors.js';
import { writeFileAtomic } from './atomic-write.js';

export function appendJsonLine(path: string, value: object): void {
  appendFileSync(path, `${JSON.stringify(value)}\n`);
}

/**
 * The objects of a log. A last line cut short (the process died while
 * appending it) is left out, as the resumed run writes it again; any other
 * line that is not a JSON object is a DataError naming the file and the line.
 */
export function readJsonLines<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  const text = readFileSync(path, 'utf8');
  const lines = text.split('\n');
  const values: T[] = [];
  lines.forEach((line, index) => {
    if (line.trim() === '') return;
    try {
      const value: unknown = JSON.parse(line);
      if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new SyntaxError('not an object');
      values.push(value as T);
    } catch {
      const unfinished = index === lines.length - 1 && !text.endsWith('\n');
      if (!unfinished) throw new DataError(`${path} is damaged: line ${index + 1} is not a JSON object.`);
    }
  });
  return values;
}

/** Keeps the lines `keep` accepts: a resumed run logs the others again. */
export function truncateJsonLines<T>(path: string, keep: (value: T) => boolean): void {
  if (!existsSync(path)) return;
  writeFileAtomic(
    path,
    readJsonLines<T>(path)
      .filter(keep)
      .map((value) => `${JSON.stringify(value)}\n`)
      .join(''),
  );
}
