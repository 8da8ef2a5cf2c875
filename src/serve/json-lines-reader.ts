// A JSON-lines log (metrics.jsonl) read in chunks from a byte offset, never
// whole: the runs page and the live stream read logs that grow while a run
// trains, and that can be large.
import { open, stat } from 'node:fs/promises';

const CHUNK_BYTES = 1 << 16;

export interface LinesRead {
  /** The byte offset after the last complete line: where the next read starts. */
  end: number;
  /** Complete lines read. */
  lines: number;
  /** The number (from 1 at `start`) of the first line that is not a JSON object. */
  badLine?: number;
  /** Bytes after the last newline: a line still being written, or cut short. */
  unfinished: boolean;
}

/**
 * Calls `visit` with each complete line's object from byte `start` to `stop`.
 * A line that is not a JSON object is skipped and counted in `badLine`.
 */
async function readJsonLinesFrom(path: string, start: number, stop: number, visit: (value: Record<string, unknown>) => void): Promise<LinesRead> {
  const file = await open(path, 'r');
  let position = start;
  let carried = Buffer.alloc(0);
  let lines = 0;
  let badLine: number | undefined;
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
        else badLine ??= lines;
      }
      carried = text;
    }
  } finally {
    await file.close();
  }
  return { end: position - carried.length, lines, badLine, unfinished: carried.length > 0 };
}

/** The offset of the first line that starts at or after `offset` (after the next newline), for reading a log from the middle. */
async function nextLineStart(path: string, offset: number): Promise<number> {
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

/** What one advance of a cursor read. */
export interface Advance {
  /** The log was replaced or cut back (a resumed run rewrites it): what was read before no longer holds. */
  restarted: boolean;
  /** The first line that is not a JSON object, in words ("line 3", or "line 3 after byte 1048576" in a tail). */
  problem?: string;
  /** Bytes after the last newline: a line still being written, or cut short. */
  unfinished: boolean;
}

/**
 * A reader's place in a growing log: each advance reads the complete lines
 * appended since the last (the first, the last `tailBytes` of the log), at most
 * `maxBytes` of them, so that neither a large log nor a slow reader costs more
 * than that per call.
 */
export class JsonLinesCursor {
  private place: { offset: number; start: number; line: number; inode: number } | undefined;

  constructor(
    private readonly path: string,
    private readonly tailBytes: number,
    private readonly maxBytes = Infinity,
  ) {}

  /** Reads on; undefined while the log does not exist. */
  async advance(visit: (value: Record<string, unknown>) => void): Promise<Advance | undefined> {
    const now = await stat(this.path).catch(() => undefined);
    if (!now) return undefined;
    const restarted = this.place !== undefined && (now.ino !== this.place.inode || now.size < this.place.offset);
    if (!this.place || restarted) {
      const start = await nextLineStart(this.path, Math.max(0, now.size - this.tailBytes));
      this.place = { offset: start, start, line: 0, inode: now.ino };
    }
    const place = this.place;
    const stop = Math.min(now.size, place.offset + this.maxBytes);
    const read = await readJsonLinesFrom(this.path, place.offset, stop, visit);
    const problem =
      read.badLine === undefined ? undefined : `line ${place.line + read.badLine}${place.start > 0 ? ` after byte ${place.start}` : ''} is not a JSON object`;
    // A "line" longer than maxBytes is no log line: it is stepped over (its tail then reads as a bad line).
    place.offset = read.lines === 0 && stop < now.size ? stop : read.end;
    place.line += read.lines;
    return { restarted, problem, unfinished: read.unfinished && stop === now.size };
  }
}
