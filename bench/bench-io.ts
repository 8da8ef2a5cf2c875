// What the benchmark scripts share: running the gankit command with its peak
// memory measured, the machine's description, and writing results JSON.
import { spawnSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EngineInfo } from '../src/engine/engine.js';

export const root = fileURLToPath(new URL('../../', import.meta.url));
export const resultsDir = join(root, 'bench', 'results');

/** Runs `gankit ARGS` in a fresh process; wall seconds, peak RSS and stdout. */
export function gankit(args: string[]) {
  const started = performance.now();
  const result = spawnSync(process.execPath, ['-r', join(root, 'bench', 'peak-rss.cjs'), join(root, 'bin', 'gankit.js'), ...args], {
    encoding: 'utf8',
  });
  if (result.status !== 0) throw new Error(`gankit ${args.join(' ')} failed:\n${result.stderr}`);
  const seconds = (performance.now() - started) / 1000;
  const peakRssMb = Number(/PEAK_RSS_KB=(\d+)/.exec(result.stderr)![1]) / 1024;
  return { seconds, peakRssMb, stdout: result.stdout };
}

export function machineInfo(engine: EngineInfo) {
  return { cpus: cpus().length, cpu: cpus()[0]?.model, node: process.version, date: new Date().toISOString(), engine };
}

export function save(name: string, data: object): void {
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(join(resultsDir, `${name}.json`), `${JSON.stringify(data, null, 2)}\n`);
}
