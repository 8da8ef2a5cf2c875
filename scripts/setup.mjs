// Idempotent set-up, run before the tests and the quickstart: install the
// dependencies when node_modules is missing or older than the lockfile,
// compile the TypeScript, bundle gankit serve's page, and build the native OpenBLAS addon when its
// sources changed. `--force-native` rebuilds the addon regardless (npm run build);
// `--no-native` leaves it out (npm pack's prepack: the package builds its own at install).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildNative } from './build-native.mjs';

const root = new URL('..', import.meta.url).pathname;
const forceNative = process.argv.includes('--force-native');
const withNative = !process.argv.includes('--no-native');

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { cwd: root, stdio: options.quiet ? 'pipe' : 'inherit', encoding: 'utf8' });
  return { ok: result.status === 0, output: `${result.stdout ?? ''}${result.stderr ?? ''}` };
}

function hashOf(files) {
  const hash = createHash('sha256');
  for (const file of files) hash.update(existsSync(join(root, file)) ? readFileSync(join(root, file)) : '');
  return hash.digest('hex');
}

function stale(stampFile, hash) {
  return !existsSync(stampFile) || readFileSync(stampFile, 'utf8') !== hash;
}

// 1. Dependencies.
const lockHash = hashOf(['package-lock.json']);
const depsStamp = join(root, 'node_modules', '.gankit-deps');
if (stale(depsStamp, lockHash)) {
  process.stderr.write('gankit setup: installing dependencies (npm ci)\n');
  if (!run('npm', ['ci', '--no-audit', '--no-fund']).ok) {
    process.stderr.write('gankit setup: npm ci failed\n');
    process.exit(1);
  }
  writeFileSync(depsStamp, lockHash);
}

// 2. TypeScript (incremental: quick when nothing changed).
if (!run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', root]).ok) {
  process.stderr.write('gankit setup: TypeScript compilation failed\n');
  process.exit(1);
}

// 3. gankit serve's page: type-checked for the browser, then bundled (esbuild: about a second).
if (!run(join(root, 'node_modules', '.bin', 'tsc'), ['-p', join(root, 'src', 'serve', 'page')]).ok) {
  process.stderr.write("gankit setup: the TypeScript of gankit serve's page does not compile\n");
  process.exit(1);
}
// Imported here, not above: esbuild is among the dependencies step 1 installs.
const { bundlePage } = await import('./bundle-page.mjs');
await bundlePage();

// 4. The native addon, when its sources changed (scripts/build-native.mjs).
// A failed build is not fatal: gankit falls back to the stock kernels and says so when it starts.
const native = withNative ? buildNative({ force: forceNative }) : { ok: true };
if (!native.ok) process.stderr.write(`gankit setup: the native OpenBLAS addon did not build: ${native.reason}; gankit will use the slower stock kernels.\n`);
