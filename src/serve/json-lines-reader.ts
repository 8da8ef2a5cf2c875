// A JSON-lines log (metrics.jsonl) read in chunks from a byte offset, never
// whole: the runs page and the live stream read logs that grow while a run
// trains, and that can be large.
import { open } from 'node:fs/promises';

const CHUNK_BYTES = 1 << 16;

export interface LinesRead {
  /** The byte offset after the last complete line: where the next read starts. */
  end: number;
  /** Lines read, counting from the file's first line when `firstLine` was given right. */
  lines: number;
  /** The first line that is not a JSON object, in one sentence. */
  problem?: string;
  /** Bytes after the last newline: a line still being written, or cut short. */
  unfinished: boolean;
}

/**
 * Calls `visit` with each complete line's object from byte `start` to `stop`
 * (the file's size when read began), `firstLine` being the number of the line at `start`.
 * A line that is not a JSON object is skipped and named in `problem`.
 */
export async function readJsonLinesFrom(
  path: string,
  start: number,
  stop: number,
  firstLine: number,
  visit: (value: Record<string, unknown>) => void,
): Promise<LinesRead> {
  const file = await open(path, 'r');
  let position = start;
  let carried = Buffer.alloc(0);
  let lines = 0;
  let problem: string | undefined;
  try {
    while (position < stop) {
      const chunk = Buffer.alloc(Math.min(CHUNK_BYTES, stop - position));
      const { bytesRead } = await file.read(chunk, 0, chunk.length, position);
      if (bytesRead === 0) break;
      position += bytesRead;
      let text = Buffer.concat([carried, chunk.subarray(0, bytesRead)]);
      for (let newline = text.indexOf(10); newline >= 0; newline = text.indexOf(10)) {
        const line = text.subarray(0, newline).toString('utf8');
        text = text.subarray(newline + 1);
        lines += 1;
        if (line.trim() === '') continue;
        let value: unknown;
        try {
          value = JSON.parse(line);
        } catch {
          value = undefined;
        }
        if (typeof value === 'object' && value !== null && !Array.isArray(value)) visit(value as Record<string, unknown>);
        else problem ??= `line ${firstLine + lines} is not a JSON object`;
      }
      carried = text;
    }
  } finally {
    await file.close();
  }
  return { end: position - carried.length, lines, problem, unfinished: carried.length > 0 };
}

/** The offset of the first line that starts at or after `offset` (after the next newline), for reading a log from the middle. */
export async function nextLineStart(path: string, offset: number): Promise<number> {
  if (offset === 0) return 0;
  const file = await open(path, 'r');
  try {
    const chunk = Buffer.alloc(CHUNK_BYTES);
    for (let position = offset - 1; ; position += CHUNK_BYTES) {
      const { bytesRead } = await file.read(chunk, 0, CHUNK_BYTES, position);
      if (bytesRead === 0) return position;
      const newline = chunk.subarray(0, bytesRead).indexOf(10);
      if (newline >= 0) return position + newline + 1;
    }
  } finally {
    await file.close();
  }
}
