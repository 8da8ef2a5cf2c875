// Runs the gankit command itself as a child process: the study's tasks and
// workers, and doctor's re-check after a rebuild.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** This installation's gankit entry point. */
export const GANKIT_BIN = fileURLToPath(new URL('../../../bin/gankit.js', import.meta.url));

export interface GankitOptions {
  /** Extra environment (e.g. GANKIT_THREADS) on top of this process's. */
  env?: Record<string, string>;
  /** Each non-empty line the child writes to stderr: its progress. */
  onLine?: (line: string) => void;
  /**
   * Runs the child in its own process group, and sends the group the signal named by the abort's reason
   * (SIGTERM by default) when this aborts: the child and its own children each get it once.
   */
  stop?: AbortSignal;
}

/** The child's exit: its code (null when a signal ended it), stdout, the tail of its stderr, and the wall seconds. */
export interface GankitExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderrTail: string[];
  seconds: number;
}

const TAIL_LINES = 20;

/** Runs `gankit ARGS` to its end. */
export function runGankit(args: string[], options: GankitOptions = {}): Promise<GankitExit> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const { stop } = options;
    const child = spawn(process.execPath, [GANKIT_BIN, ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, ...options.env },
      detached: !!stop,
    });
    const signalGroup = () => {
      if (child.pid && child.exitCode === null && child.signalCode === null)
        process.kill(-child.pid, (stop?.reason as NodeJS.Signals | undefined) ?? 'SIGTERM');
    };
    stop?.addEventListener('abort', signalGroup, { once: true });
    let stdout = '';
    const tail: string[] = [];
    let partial = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => {
      // Progress bars redraw with \r: each redraw counts as a line.
      const lines = (partial + chunk.toString()).split(/[\r\n]/);
      partial = lines.pop() ?? '';
      for (const line of lines.filter((l) => l.trim() !== '')) {
        tail.push(line);
        if (tail.length > TAIL_LINES) tail.shift();
        options.onLine?.(line);
      }
    });
    child.on('error', reject);
    child.on('close', (code, signal) => {
      stop?.removeEventListener('abort', signalGroup);
      if (partial.trim()) tail.push(partial);
      resolve({ code, signal, stdout, stderrTail: tail, seconds: (performance.now() - started) / 1000 });
    });
  });
}
