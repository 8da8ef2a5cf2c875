// Progress of long work on stderr: a live bar on a terminal, nothing otherwise
// (logs stay clean; the commands print a line per epoch instead).
import cliProgress from 'cli-progress';

export interface Progress {
  start(total: number, done: number, payload?: Record<string, string>): void;
  update(done: number, payload?: Record<string, string>): void;
  /** New values for the format's fields, the count unchanged. */
  describe(payload: Record<string, string>): void;
  stop(): void;
}

/** cli-progress's own fields, which it fills itself. */
const BUILT_IN_FIELDS = new Set(['bar', 'percentage', 'total', 'value', 'eta', 'eta_formatted', 'duration', 'duration_formatted']);

/**
 * `payload` with a placeholder for every field of `format` it lacks: cli-progress
 * draws a field it has no value for as its raw `{name}` until the first update.
 */
export function startingPayload(format: string, payload: Record<string, string> = {}): Record<string, string> {
  const fields = [...format.matchAll(/\{(\w+)\}/g)].map(([, name]) => name).filter((name) => !BUILT_IN_FIELDS.has(name));
  return { ...Object.fromEntries(fields.map((name) => [name, '…'])), ...payload };
}

export function createProgress(format: string): Progress {
  if (!process.stderr.isTTY) return { start() {}, update() {}, describe() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format, stream: process.stderr, hideCursor: true, etaBuffer: 200, fps: 5, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (total, done, payload) => bar.start(total, done, startingPayload(format, payload)),
    update: (done, payload) => bar.update(done, payload),
    describe: (payload) => bar.update(payload),
    stop: () => bar.stop(),
  };
}
