import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const GANKIT_BIN = fileURLToPath(new URL('../../../bin/gankit.js', import.meta.url));

/** Runs the gankit command (one OpenBLAS thread, so parallel test files do not fight). */
export function gankitWith(env: Record<string, string>, ...args: string[]) {
  const result = spawnSync(process.execPath, [GANKIT_BIN, ...args], { encoding: 'utf8', env: { ...process.env, GANKIT_THREADS: '1', ...env } });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

export const gankit = (...args: string[]) => gankitWith({}, ...args);
