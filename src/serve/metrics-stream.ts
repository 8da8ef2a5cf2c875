// A run's metrics.jsonl as server-sent events: the lines so far (the last
// TAIL_BYTES of a larger log), then each line within a poll of its being
// appended. A log rewritten in place (a resumed run cuts it back) starts over.
import { JsonLinesCursor } from './json-lines-reader.js';
import { TAIL_BYTES } from './run-index.js';

/** How often the log is checked for growth. */
const POLL_MS = 250;
/** Lines per event, so that a long history arrives in pieces the page can draw as they come. */
const BATCH_LINES = 1000;
/** Bytes of log read per poll: a long history is sent over several polls. */
const BYTES_PER_POLL = 1 << 20;

export type LogEvent = 'points' | 'reset' | 'problem';

/**
 * Follows the log at `path`, calling `send` for each batch of new lines, and
 * reading on only while `ready()` (the client keeps up); returns the function that stops it.
 */
export function followJsonLines(path: string, send: (event: LogEvent, data: unknown) => void, ready: () => boolean): () => void {
  const cursor = new JsonLinesCursor(path, TAIL_BYTES, BYTES_PER_POLL);
  let busy = false;
  let stopped = false;
  const tick = async () => {
    if (busy || stopped || !ready()) return;
    busy = true;
    try {
      // At most BYTES_PER_POLL of lines, held until the reset (if any) is sent before them.
      const lines: object[] = [];
      const read = await cursor.advance((value) => lines.push(value));
      if (stopped || !read) return;
      if (read.restarted) send('reset', {});
      for (let first = 0; first < lines.length; first += BATCH_LINES) send('points', lines.slice(first, first + BATCH_LINES));
      if (read.problem) send('problem', `metrics.jsonl is damaged: ${read.problem}`);
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
