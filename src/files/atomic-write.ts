import { existsSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

/** Writes a file so that readers see the old content or the new, never half of it. */
export function writeFileAtomic(path: string, data: string | Uint8Array): void {
  const temporary = `${path}.tmp-${process.pid}`;
  writeFileSync(temporary, data);
  renameSync(temporary, path);
}

/**
 * Puts the complete directory `temporary` in place of `final`. An old `final`
 * is renamed aside first and removed last, so that at every moment one whole
 * version exists (the new one, or the old one under its aside name).
 */
export function replaceDirectory(temporary: string, final: string): void {
  const aside = join(dirname(final), `.replaced-${basename(final)}`);
  rmSync(aside, { recursive: true, force: true });
  if (existsSync(final)) renameSync(final, aside);
  renameSync(temporary, final);
  rmSync(aside, { recursive: true, force: true });
}
