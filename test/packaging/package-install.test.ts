// The path a user takes: `npm pack` on a fresh clone (no node_modules: prepack
// runs the set-up step, which installs them), `npm install -g` of the tarball
// into a fresh prefix with the npm on the PATH and no warning but npm's own
// allow-scripts notice, then gankit from an empty directory: --version, a tiny
// train, generate and evaluate, serve's bundled page, and doctor reporting the
// native engine wherever OpenBLAS is present. Then the same install and a tiny
// training on Node 22 and 24, fetched from the npm registry as the
// node-<platform>-<arch> package (Node's own release, headers included).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { arch, platform, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { startEngine } from '../../src/engine/engine.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const MAX_TARBALL_BYTES = 10 * 2 ** 20;

/** A copy of the files a fresh clone holds (tracked, and new ones git does not ignore): no node_modules, no dist. */
function cleanCopy(into: string): void {
  const files = execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: root }).toString().split('\0').filter(Boolean);
  for (const file of files) {
    mkdirSync(dirname(join(into, file)), { recursive: true });
    cpSync(join(root, file), join(into, file));
  }
}

/** npm, from npm's cache where it can, with `PATH` led by `nodeBin` (npm runs on the first node of the PATH). */
const npm = (args: string[], cwd: string, nodeBin?: string) =>
  spawnSync('npm', args, {
    cwd,
    encoding: 'utf8',
    env: { ...process.env, npm_config_prefer_offline: 'true', ...(nodeBin ? { PATH: `${nodeBin}:${process.env.PATH}` } : {}) },
  });

const work = tempDir();
/** The tarball `npm pack` makes of a fresh clone; made once, by the first test. */
let tarball = '';

/** Installs the tarball globally into `prefix`; the install's result, or why npm cannot install offline. */
function installGlobally(prefix: string, nodeBin?: string): { stderr: string } | { skip: string } {
  const install = (mode: string) => npm(['install', '-g', '--prefix', prefix, mode, '--no-audit', '--no-fund', tarball], work, nodeBin);
  let installed = install('--offline');
  if (installed.status !== 0 && /ENOTCACHED/.test(installed.stderr)) installed = install('--prefer-offline');
  if (installed.status !== 0 && /ENOTCACHED|EAI_AGAIN|ENOTFOUND|ECONNREFUSED/.test(installed.stderr)) {
    return { skip: 'npm cannot install the tarball offline: its cache lacks the dependencies, and the registry cannot be reached' };
  }
  assert.equal(installed.status, 0, installed.stderr);
  // Nothing but npm 11's notice that gankit's install script is not in allowScripts (the script runs all the same).
  const warnings = installed.stderr.split('\n').filter((line) => /^npm (warn|WARN)/.test(line) && !/^npm warn install-scripts/.test(line));
  assert.deepEqual(warnings, []);
  return { stderr: installed.stderr };
}

test('npm pack on a fresh clone, then npm install -g: gankit trains, generates and evaluates from an empty directory', { timeout: 10 * 60_000 }, async (t) => {
  const source = join(work, 'source');
  cleanCopy(source);
  const packed = npm(['pack', '--pack-destination', work], source);
  if (packed.status !== 0 && /ENOTCACHED|EAI_AGAIN|ENOTFOUND|ECONNREFUSED/.test(packed.stderr)) {
    t.skip("npm pack's set-up cannot install the dependencies: npm's cache lacks them, and the registry cannot be reached");
    return;
  }
  assert.equal(packed.status, 0, packed.stderr);
  tarball = join(work, packed.stdout.trim().split('\n').pop()!);

  // What ships: the compiled code, the feature networks, the addon's sources and its build script, the built-in studies; no tests, bench or docs.
  const entries = execFileSync('tar', ['-tzf', tarball]).toString().trim().split('\n');
  for (const needed of [
    'package/bin/gankit.js',
    'package/dist/src/cli/main.js',
    'package/assets/feature-network/mnist-v3/model.json',
    'package/assets/feature-network/mnist-v3/weights.bin',
    'package/assets/feature-network/mnist-v2/model.json',
    'package/assets/feature-network/mnist-v2/weights.bin',
    'package/assets/feature-network/mnist-v1/weights.bin',
    'package/src/native/gemm.c',
    'package/src/native/optimizers.c',
    'package/src/native/napi-helpers.h',
    'package/src/native/binding.gyp',
    'package/scripts/build-native.mjs',
    'package/studies/reproduce-quick.yaml',
    'package/studies/reproduce-standard.yaml',
    'package/studies/reproduce-full.yaml',
    'package/dist/src/serve/page/index.html',
    'package/dist/src/serve/page/app.js',
    'package/dist/src/serve/page/app.css',
  ]) {
    assert.ok(entries.includes(needed), `${needed} is missing from the tarball`);
  }
  const stray = entries.filter((entry) => /^package\/(test|bench|docs|dist\/test|dist\/bench|runs)\//.test(entry));
  assert.deepEqual(stray, []);
  assert.ok(statSync(tarball).size < MAX_TARBALL_BYTES, `${statSync(tarball).size} bytes`);

  // Offline from npm's cache; where the cache lacks the registry's metadata (a cache filled by npm ci alone), npm may fetch it.
  const prefix = join(work, 'prefix');
  const installed = installGlobally(prefix);
  if ('skip' in installed) {
    t.skip(installed.skip);
    return;
  }

  const empty = join(work, 'empty');
  mkdirSync(empty);
  const gankit = (...args: string[]) => {
    const result = spawnSync(join(prefix, 'bin', 'gankit'), args, { cwd: empty, encoding: 'utf8', env: { ...process.env, GANKIT_THREADS: '1' } });
    assert.equal(result.status, 0, `gankit ${args.join(' ')}: ${result.stderr}`);
    return result.stdout;
  };
  assert.equal(gankit('--version').trim(), JSON.parse(execFileSync('tar', ['-xzOf', tarball, 'package/package.json']).toString()).version);
  gankit('train', '--limit', '128', '--epochs', '1', '--out', 'run');
  assert.match(gankit('generate', '--run', 'run', '--n', '20', '--grid', 'grid.png'), /Wrote a grid of 20/);
  assert.match(gankit('evaluate', '--run', 'run', '--n', '50'), /FID/);
  // gankit serve sends its bundled page from the installed package, and lists the run.
  const server = spawn(join(prefix, 'bin', 'gankit'), ['serve', '--runs', '.', '--port', '0'], { cwd: empty });
  try {
    const url = await new Promise<string>((resolve) => server.stdout.once('data', (chunk: Buffer) => resolve(/http:\/\/\S+\//.exec(chunk.toString())![0])));
    assert.match(await (await fetch(url)).text(), /<script type="module" src="app.js">/);
    assert.equal((await fetch(`${url}app.js`)).status, 200);
    assert.deepEqual(
      ((await (await fetch(`${url}api/runs`)).json()) as { runs: Array<{ path: string }> }).runs.map((r) => r.path),
      ['run'],
    );
  } finally {
    server.kill('SIGTERM');
  }
  // reproduce finds its built-in study files in the installed package.
  assert.match(gankit('reproduce', '--budget', 'quick', '--dry-run'), /19 of 19 tasks to run/);
  const doctor = JSON.parse(gankit('doctor', '--json')) as { engine: { native: boolean; fallbackReason?: string }; gpu: { unavailable?: string } };
  // The GPU backend's 132 MB Dawn is an optional peer: not installed with gankit, and doctor says how to add it.
  assert.match(doctor.gpu.unavailable ?? '', /the optional package webgpu is not installed; add it with `npm install webgpu@/);
  // The installed package built its own addon wherever this checkout's addon works.
  const here = await startEngine({ quiet: true });
  assert.equal(doctor.engine.native, here.native, doctor.engine.fallbackReason);
  if (!here.native) return;

  // A build that fails as on a machine without OpenBLAS (a stand-in node-gyp that removes the addon and
  // reports cblas.h missing): the install step still succeeds, the first command says what is missing,
  // and doctor --rebuild (with npm's real node-gyp) brings the native engine back.
  const buildScript = join(prefix, 'lib', 'node_modules', 'gankit', 'scripts', 'build-native.mjs');
  const failingGyp = join(work, 'failing-node-gyp.cjs');
  writeFileSync(
    failingGyp,
    "const dir = process.argv.find((a) => a.startsWith('--directory=')).slice(12);\n" +
      "require('node:fs').rmSync(dir + '/build/Release', { recursive: true, force: true });\n" +
      "console.error('../gemm.c:8:10: fatal error: cblas.h: No such file or directory'); process.exit(1);\n",
  );
  const failed = spawnSync(process.execPath, [buildScript, '--force', '--install'], {
    encoding: 'utf8',
    env: { ...process.env, npm_config_node_gyp: failingGyp },
  });
  assert.equal(failed.status, 0, failed.stderr);
  const fallback = spawnSync(join(prefix, 'bin', 'gankit'), ['train', '--limit', '64', '--epochs', '1', '--out', 'run2'], { cwd: empty, encoding: 'utf8' });
  assert.equal(fallback.status, 0, fallback.stderr);
  assert.match(
    fallback.stderr,
    /^gankit: using the slower stock wasm matMul because the native addon did not build \(cblas\.h was not found: install OpenBLAS \(apt-get install libopenblas-dev\)\); .*gankit doctor --rebuild/m,
  );
  assert.match(gankit('doctor', '--rebuild'), /engine: native OpenBLAS kernels/);
});

/** The bin directory of Node's latest `major` release for this machine, from the npm registry (cached between runs), or why not. */
function nodeRelease(major: number): { bin: string } | { skip: string } {
  const cache = join(tmpdir(), 'gankit-node-releases');
  mkdirSync(cache, { recursive: true });
  const name = `node-${platform()}-${arch()}`;
  const fetched = npm(['pack', `${name}@${major}`, '--pack-destination', cache], cache);
  if (fetched.status !== 0) return { skip: `Node ${major} cannot be fetched (npm pack ${name}@${major}: ${fetched.stderr.trim().split('\n').pop()})` };
  const archive = join(cache, fetched.stdout.trim().split('\n').pop()!);
  const unpacked = archive.replace(/\.tgz$/, '');
  if (!existsSync(join(unpacked, 'package', 'bin', 'node'))) {
    mkdirSync(unpacked, { recursive: true });
    execFileSync('tar', ['-xzf', archive, '-C', unpacked]);
  }
  return { bin: join(unpacked, 'package', 'bin') };
}

for (const major of [22, 24]) {
  test(`on Node ${major}: npm install -g of the tarball builds the addon for it, and gankit trains`, { timeout: 6 * 60_000 }, async (t) => {
    if (!tarball) {
      t.skip('the first test made no tarball');
      return;
    }
    const node = nodeRelease(major);
    if ('skip' in node) {
      t.skip(node.skip);
      return;
    }
    const prefix = join(work, `prefix-node${major}`);
    const installed = installGlobally(prefix, node.bin);
    if ('skip' in installed) {
      t.skip(installed.skip);
      return;
    }
    const empty = join(work, `empty-node${major}`);
    mkdirSync(empty);
    const gankit = (...args: string[]) => {
      const result = spawnSync(join(node.bin, 'node'), [join(prefix, 'bin', 'gankit'), ...args], {
        cwd: empty,
        encoding: 'utf8',
        env: { ...process.env, GANKIT_THREADS: '1' },
      });
      assert.equal(result.status, 0, `gankit ${args.join(' ')} on Node ${major}: ${result.stderr}`);
      return result;
    };
    const trained = gankit('train', '--limit', '128', '--epochs', '1', '--out', 'run');
    assert.match(trained.stdout, /Finished at epoch 1/);
    assert.deepEqual(readdirSync(join(empty, 'run', 'samples')), ['epoch-001.png']);
    const doctored = gankit('doctor', '--json');
    assert.equal(doctored.stderr, '', `doctor warned on Node ${major}`);
    const doctor = JSON.parse(doctored.stdout) as { node: string; engine: { native: boolean; fallbackReason?: string } };
    assert.match(doctor.node, new RegExp(`^v${major}\\.`));
    // The install built the addon against Node ${major}'s own headers wherever this checkout's addon works.
    assert.equal(doctor.engine.native, (await startEngine({ quiet: true })).native, doctor.engine.fallbackReason);
  });
}
