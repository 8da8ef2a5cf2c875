// Idempotent set-up, run before the tests and the quickstart: install the
// dependencies when node_modules is missing or older than the lockfile,
// compile the TypeScript, and build the native OpenBLAS addon when its
// sources changed. `--force-native` rebuilds the addon regardless (npm run build).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const forceNative = process.argv.includes('--force-native');

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

// 3. The native addon. A failed build is not fatal: gankit falls back to the
// stock kernels and says so when it starts.
const nativeHash = hashOf(['src/native/gemm.c', 'src/native/optimizers.c', 'src/native/napi-helpers.h', 'src/native/binding.gyp']);
const nativeDir = join(root, 'src', 'native');
const nativeStamp = join(nativeDir, 'build', '.gankit-native');
// Build against the headers of the running Node when it ships them, so node-gyp never downloads.
const nodeDir = process.env.npm_config_nodedir || dirname(dirname(process.execPath));
const nodeDirFlag = existsSync(join(nodeDir, 'include', 'node', 'node_api.h')) ? [`--nodedir=${nodeDir}`] : [];
if (forceNative || stale(nativeStamp, nativeHash)) {
  const gyp = join(root, 'node_modules', '.bin', 'node-gyp');
  const build = run(gyp, ['rebuild', `--directory=${nativeDir}`, ...nodeDirFlag], { quiet: true });
  mkdirSync(join(nativeDir, 'build'), { recursive: true });
  if (build.ok) {
    writeFileSync(nativeStamp, nativeHash);
  } else {
    const missing = build.output.includes('cblas.h') ? ' (cblas.h not found: apt-get install libopenblas-dev)' : '';
    process.stderr.write(`gankit setup: the native OpenBLAS addon did not build${missing}; gankit will use the slower stock kernels.\n`);
    // Remember the failure for these sources so every later run does not retry; `npm run build` does.
    writeFileSync(nativeStamp, nativeHash);
  }
}
