// A run's metrics.jsonl as server-sent events: the lines so far (the last
// TAIL_BYTES of a larger log), then each line within a poll of its being
// appended. A log rewritten in place (a resumed run cuts it back) starts over.
import { stat } from 'node:fs/promises';
import { nextLineStart, readJsonLinesFrom } from './json-lines-reader.js';
import { TAIL_BYTES } from './run-index.js';

/** How often the log is checked for growth. */
const POLL_MS = 250;
/** Lines per event, so that a long history arrives in pieces the page can draw as they come. */
const BATCH_LINES = 1000;

export type LogEvent = 'points' | 'reset' | 'problem';

/** Follows the log at `path`, calling `send` for each batch of new lines; returns the function that stops it. */
export function followJsonLines(path: string, send: (event: LogEvent, data: unknown) => void): () => void {
  let file: { offset: number; line: number; inode: number } | undefined;
  let busy = false;
  let stopped = false;
  const tick = async () => {
    if (busy || stopped) return;
    busy = true;
    try {
      const now = await stat(path).catch(() => undefined);
      if (!now) return;
      if (file && (now.ino !== file.inode || now.size < file.offset)) {
        file = undefined;
        send('reset', {});
      }
      file ??= { offset: await nextLineStart(path, Math.max(0, now.size - TAIL_BYTES)), line: 0, inode: now.ino };
      if (now.size === file.offset) return;
      const batch: object[] = [];
      const read = await readJsonLinesFrom(path, file.offset, now.size, file.line, (value) => {
        batch.push(value);
        if (batch.length === BATCH_LINES) send('points', batch.splice(0));
      });
      if (batch.length && !stopped) send('points', batch);
      if (read.problem && !stopped) send('problem', `metrics.jsonl is damaged: ${read.problem}`);
      file.offset = read.end;
      file.line += read.lines;
    } catch {
      // The log vanished or was replaced mid-read: the next poll reads it afresh.
    } finally {
      busy = false;
    }
  };
  const timer = setInterval(() => void tick(), POLL_MS);
  void tick();
  return () => {
    stopped = true;
    clearInterval(timer);
  };
}
