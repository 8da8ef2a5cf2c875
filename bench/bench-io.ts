// What the benchmark scripts share: running the gankit command with its peak
// memory measured, the machine's description, and writing results JSON.
import { spawn, spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineInfo } from '../src/engine/engine.js';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const resultsDir = join(root, 'bench', 'results');

const commandLine = (args: string[]) => ['-r', join(root, 'bench', 'peak-rss.cjs'), join(root, 'bin', 'gankit.js'), ...args];

function finished(args: string[], status: number | null, stdout: string, stderr: string, started: number) {
  if (status !== 0) throw new Error(`gankit ${args.join(' ')} failed:\n${stderr}`);
  const seconds = (performance.now() - started) / 1000;
  const peakRssMb = Number(/PEAK_RSS_KB=(\d+)/.exec(stderr)![1]) / 1024;
  return { seconds, peakRssMb, stdout };
}

/** Runs `gankit ARGS` in a fresh process; wall seconds, peak RSS and stdout. */
export function gankit(args: string[]) {
  const started = performance.now();
  const result = spawnSync(process.execPath, commandLine(args), { encoding: 'utf8' });
  return finished(args, result.status, result.stdout, result.stderr, started);
}

/** A live process's resident memory (Linux), or undefined once it has gone. */
function residentMb(pid: number): number | undefined {
  try {
    const kb = /VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1];
    return kb === undefined ? undefined : Number(kb) / 1024;
  } catch {
    return undefined;
  }
}

/** The same, also reading the process's resident memory every `everyMs` ms: [seconds, MB] pairs. */
export async function gankitWithRss(args: string[], everyMs: number) {
  const started = performance.now();
  const child = spawn(process.execPath, commandLine(args));
  const out: string[] = [];
  const err: string[] = [];
  child.stdout.on('data', (chunk: Buffer) => out.push(chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => err.push(chunk.toString()));
  const rss: [number, number][] = [];
  const timer = setInterval(() => {
    const mb = residentMb(child.pid!);
    if (mb !== undefined) rss.push([(performance.now() - started) / 1000, mb]);
  }, everyMs);
  const status = await new Promise<number | null>((resolve) => child.on('close', resolve));
  clearInterval(timer);
  return { ...finished(args, status, out.join(''), err.join(''), started), rss };
}

export function machineInfo(engine: EngineInfo) {
  return { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, date: new Date().toISOString(), engine };
}

export function save(name: string, data: object): void {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${name}.json`), `${JSON.stringify(data, null, 2)}\n`);
}

/** Best mean over `rounds` of `repeats` calls of `work`, in ms, after one warm-up call. */
export async function bestMs(work: () => void | Promise<void>, repeats: number, rounds: number): Promise<number> {
  await work();
  let best = Infinity;
  for (let r = 0; r < rounds; r++) {
    const start = performance.now();
    for (let s = 0; s < repeats; s++) await work();
    best = Math.min(best, (performance.now() - start) / repeats);
  }
  return best;
}
