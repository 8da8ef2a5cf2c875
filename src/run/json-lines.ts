// Logs of one JSON object per line (metrics.jsonl, eval-curve.jsonl): appended
// line by line while a run trains, cut back atomically when it resumes.
import { appendFileSync, existsSync, readFileSync } from 'node:fs';
import { writeFileAtomic } from './atomic-write.js';

export function appendJsonLine(path: string, value: object): void {
  appendFileSync(path, `${JSON.stringify(value)}\n`);
}

export function readJsonLines<T>(path: string): T[] {
  if (!existsSync(path)) return [];
  return readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map((line) => JSON.parse(line) as T);
}

/** Keeps the lines `keep` accepts: a resumed run logs the others again. */
export function truncateJsonLines<T>(path: string, keep: (value: T) => boolean): void {
  if (!existsSync(path)) return;
  writeFileAtomic(path, readJsonLines<T>(path).filter(keep).map((value) => `${JSON.stringify(value)}\n`).join(''));
}
