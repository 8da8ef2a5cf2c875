import { spawnSync } from 'node:child_process';
import { GANKIT_BIN } from '../../src/study/gankit-process.js';

export { GANKIT_BIN };

/** The one-line notice of a machine without the native addon: printed by every command there, and not what a test checks. */
const FALLBACK_NOTICE = /^gankit: using the slower stock wasm matMul because .*\n/gm;

/**
 * Runs the gankit command (one OpenBLAS thread, so parallel test files do not
 * fight); its stderr without the fallback engine's notice (kept apart in
 * `notices`), so that the same assertions hold with and without OpenBLAS.
 */
export function gankitWith(env: Record<string, string>, ...args: string[]) {
  const result = spawnSync(process.execPath, [GANKIT_BIN, ...args], { encoding: 'utf8', env: { ...process.env, GANKIT_THREADS: '1', ...env } });
  const notices = result.stderr.match(FALLBACK_NOTICE) ?? [];
  return { code: result.status, stdout: result.stdout, stderr: result.stderr.replace(FALLBACK_NOTICE, ''), notices };
}

export const gankit = (...args: string[]) => gankitWith({}, ...args);
