// Builds the native OpenBLAS addon (src/native) with node-gyp, against the
// running Node's own headers so that nothing is downloaded. Used by the
// package's install script, by `npm run setup`/`build` in a checkout, and by
// `gankit doctor --rebuild`. A failed build is not fatal: gankit runs on the
// stock kernels, and the reason is kept in src/native/build/build-failure.txt
// for the first command to print, since npm hides an install script's output.
//
//   node scripts/build-native.mjs [--force] [--install]
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const nativeDir = join(root, 'src', 'native');
const SOURCES = ['gemm.c', 'optimizers.c', 'dense.c', 'thread-team.c', 'thread-team.h', 'napi-helpers.h', 'binding.gyp'];
const STAMP = join(nativeDir, 'build', '.gankit-native');
/** Why the last build failed, in one line; absent after a good build. */
export const FAILURE_FILE = join(nativeDir, 'build', 'build-failure.txt');

const sourcesHash = () => {
  const hash = createHash('sha256');
  for (const file of SOURCES) hash.update(readFileSync(join(nativeDir, file)));
  return hash.digest('hex');
};

/** node-gyp: the one npm hands to install scripts, a local one, or the one bundled with the npm on the PATH. */
function findNodeGyp() {
  const candidates = [process.env.npm_config_node_gyp, join(root, 'node_modules', 'node-gyp', 'bin', 'node-gyp.js')];
  const npm = spawnSync('sh', ['-c', 'command -v npm'], { encoding: 'utf8' }).stdout.trim();
  if (npm) candidates.push(join(dirname(realpathSync(npm)), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  return candidates.find((path) => path && existsSync(path));
}

/** The first cause a failed build's output shows, with how to add what is missing. */
function failureReason(output) {
  if (/cblas\.h/.test(output)) return 'cblas.h was not found: install OpenBLAS (apt-get install libopenblas-dev)';
  if (/lopenblas|cannot find -lopenblas/.test(output)) return 'libopenblas was not found: install OpenBLAS (apt-get install libopenblas-dev)';
  if (/not found: (cc|gcc|make)|No such file or directory.*\b(cc|gcc|make)\b|command not found/.test(output)) {
    return 'no C compiler or make was found: install them (apt-get install build-essential)';
  }
  const last = output
    .trim()
    .split('\n')
    .filter((line) => /error/i.test(line))
    .pop();
  return `node-gyp failed${last ? ` (${last.trim().slice(0, 200)})` : ''}`;
}

/** Builds the addon when its sources changed since the last build (or always, with `force`); returns { ok, reason }. */
export function buildNative({ force = false } = {}) {
  mkdirSync(join(nativeDir, 'build'), { recursive: true });
  const hash = sourcesHash();
  if (!force && existsSync(STAMP) && readFileSync(STAMP, 'utf8') === hash) {
    return existsSync(FAILURE_FILE) ? { ok: false, reason: readFileSync(FAILURE_FILE, 'utf8').trim() } : { ok: true };
  }
  const gyp = findNodeGyp();
  let result;
  if (!gyp) {
    result = { ok: false, reason: 'node-gyp was not found (it comes with npm)' };
  } else {
    // The running Node's headers, where it ships them, so node-gyp never downloads.
    const nodeDir = process.env.npm_config_nodedir || dirname(dirname(process.execPath));
    const nodeDirFlag = existsSync(join(nodeDir, 'include', 'node', 'node_api.h')) ? [`--nodedir=${nodeDir}`] : [];
    const build = spawnSync(process.execPath, [gyp, 'rebuild', `--directory=${nativeDir}`, ...nodeDirFlag], { encoding: 'utf8' });
    const output = `${build.stdout ?? ''}${build.stderr ?? ''}${build.error ? String(build.error) : ''}`;
    result = build.status === 0 ? { ok: true } : { ok: false, reason: failureReason(output) };
  }
  mkdirSync(join(nativeDir, 'build'), { recursive: true });
  if (result.ok) rmSync(FAILURE_FILE, { force: true });
  else writeFileSync(FAILURE_FILE, `${result.reason}\n`);
  // Remember the outcome for these sources, so later runs do not retry; --force does.
  writeFileSync(STAMP, hash);
  return result;
}

if (process.argv[1] && realpathSync(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const result = buildNative({ force: process.argv.includes('--force') });
  if (!result.ok) process.stderr.write(`gankit: the native OpenBLAS addon did not build: ${result.reason}. gankit will use the slower stock kernels.\n`);
  // At install, a failed build must not fail the installation.
  process.exit(result.ok || process.argv.includes('--install') ? 0 : 1);
}
