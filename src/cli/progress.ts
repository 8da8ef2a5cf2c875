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

export function createProgress(format: string): Progress {
  if (!process.stderr.isTTY) return { start() {}, update() {}, describe() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    { format, stream: process.stderr, hideCursor: true, etaBuffer: 200, fps: 5, clearOnComplete: false },
    cliProgress.Presets.shades_classic,
  );
  return {
    start: (total, done, payload) => bar.start(total, done, payload),
    update: (done, payload) => bar.update(done, payload),
    describe: (payload) => bar.update(payload),
    stop: () => bar.stop(),
  };
}
