import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseIdx } from '../../src/data/idx.js';
import { readGrayPng } from '../../src/data/png-codec.js';
import { gankit, gankitWith } from '../helpers/gankit-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

function assertOneSentence(stderr: string) {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line, got:\n${stderr}`);
  // One prefix for every mistake, commander's and gankit's alike.
  assert.match(stderr, /^gankit: /);
  assert.doesNotMatch(stderr, /\n\s+at /, 'no stack trace');
}

test('--version and --help on each command', () => {
  const version = gankit('--version');
  assert.equal(version.code, 0);
  assert.equal(version.stdout.trim(), JSON.parse(readFileSync(new URL('../../../package.json', import.meta.url), 'utf8')).version);
  for (const command of ['train', 'generate']) {
    const help = gankit(command, '--help');
    assert.equal(help.code, 0);
    assert.match(help.stdout, /Usage: gankit /);
  }
});

test('unknown or invalid flags get one sentence and exit code 2', () => {
  for (const args of [
    ['train', '--out', 'x', '--bogus'],
    ['train', '--out', 'x', '--epochs', 'zero'],
    ['train', '--out', 'x', '--beta1', '1.5'],
    ['train', '--out', 'x', '--objective', 'nope'],
    ['train', '--out', 'x', '--preset', 'nope'],
    ['train', '--out', 'x', '--dropout-d', '1'],
    ['train', '--out', 'x', '--dropout-g', '-0.1'],
    ['train', '--out', 'x', '--g-ema', '0'],
    ['train', '--out', 'x', '--g-ema', '1.5'],
    ['generate', '--run', 'x', '--pixels', 'weird'],
    ['frobnicate'],
  ]) {
    const result = gankit(...args);
    assert.equal(result.code, 2, args.join(' '));
    assertOneSentence(result.stderr);
  }
});

test('GANKIT_BACKEND: empty counts as unset; a bad value is one sentence, exit code 2', () => {
  const bad = gankitWith({ GANKIT_BACKEND: 'gpu' }, 'train', '--out', join(tempDir(), 'run'));
  assert.equal(bad.code, 2);
  assertOneSentence(bad.stderr);
  assert.match(bad.stderr, /'gpu' from env 'GANKIT_BACKEND' is invalid\. Allowed choices are cpu, webgpu, auto/);
  const empty = gankitWith({ GANKIT_BACKEND: '' }, 'train', '--limit', '64', '--epochs', '1', '--out', join(tempDir(), 'run'));
  assert.equal(empty.code, 0, empty.stderr);
});

test('settings that conflict past the parser are command-line mistakes too: one sentence, exit code 2', () => {
  const out = join(tempDir(), 'run');
  // Small runs: a mistake that slipped through would train briefly and fail the test, not hang it.
  const small = ['--out', out, '--limit', '64', '--epochs', '1'];
  for (const [env, args] of [
    [{ GANKIT_THREADS: 'many' }, ['train', ...small]],
    [{ GANKIT_THREADS: 'many', GANKIT_NATIVE: '0' }, ['train', ...small]],
    [{}, ['train', ...small, '--dp']],
    [{}, ['train', ...small, '--dp', '--dp-noise', '1', '--objective', 'wgan-gp']],
    [{}, ['privacy', '--q', '0.001', '--epsilon', '1e-9', '--steps', '1000000000']],
    [{}, ['evaluate', '--layer', 'x', '--samples', out]],
  ] as const) {
    const result = gankitWith(env, ...args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assertOneSentence(result.stderr);
  }
  assert.ok(!existsSync(out), 'a refused run leaves no run directory behind');
});

test('bad data gets one sentence naming the file, and exit code 1', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), Buffer.from([1, 2, 3, 4, 5, 6, 7, 8]));
  const result = gankit('train', '--data', dir, '--out', join(dir, 'run'));
  assert.equal(result.code, 1);
  assertOneSentence(result.stderr);
  assert.match(result.stderr, /train-images-idx3-ubyte is not an IDX file/);
});

test('GANKIT_NATIVE=0 runs the stock kernels with one notice on how to get the fast path', () => {
  const dir = tempDir();
  const result = gankitWith({ GANKIT_NATIVE: '0' }, 'train', '--limit', '64', '--epochs', '1', '--out', join(dir, 'run'));
  assert.equal(result.code, 0, result.stderr);
  assert.equal(result.notices.length, 1);
  assert.match(
    result.notices[0],
    /GANKIT_NATIVE=0 is set; for the fast path, install OpenBLAS and a C compiler \(apt-get install libopenblas-dev build-essential\), then run `gankit doctor --rebuild`/,
  );
});

test('train, then generate PNGs, an IDX file and a grid with both pixel mappings', () => {
  const dir = tempDir();
  const run = join(dir, 'run');
  const trained = gankit('train', '--limit', '128', '--epochs', '1', '--out', run);
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stdout, /Finished at epoch 1/);
  // A finished run resumed again (npm run quickstart twice) trains nothing and rewrites nothing.
  const before = ['metrics.jsonl', 'run.json'].map((file) => readFileSync(join(run, file), 'utf8'));
  const again = gankit('train', '--limit', '128', '--epochs', '1', '--out', run, '--resume');
  assert.equal(again.code, 0, again.stderr);
  assert.match(again.stdout, /already finished its 1 epoch: nothing to train/);
  assert.doesNotMatch(`${again.stdout}${again.stderr}`, /Resuming|Finished at/);
  assert.deepEqual(
    ['metrics.jsonl', 'run.json'].map((file) => readFileSync(join(run, file), 'utf8')),
    before,
  );

  const pngs = join(dir, 'pngs');
  const generated = gankit('generate', '--run', run, '--n', '25', '--out', pngs, '--grid', join(dir, 'grid.png'));
  assert.equal(generated.code, 0, generated.stderr);
  const names = readdirSync(pngs).sort((a, b) => parseInt(a) - parseInt(b));
  assert.deepEqual(
    names,
    Array.from({ length: 25 }, (_, i) => `${i}.png`),
  );
  const image = readGrayPng(join(pngs, '0.png'));
  assert.deepEqual([image.width, image.height], [28, 28]);
  const grid = readGrayPng(join(dir, 'grid.png'));
  assert.deepEqual([grid.width, grid.height], [2 + 10 * 30, 2 + 3 * 30]);

  const clamped = join(dir, 'clamped');
  assert.equal(gankit('generate', '--run', run, '--n', '25', '--out', clamped, '--pixels', 'clamp').code, 0);
  // Same seed, same latents: clamp maps x to 255·x where symmetric maps it to 255·(x+1)/2.
  const symmetricPixels = image.pixels;
  const clampPixels = readGrayPng(join(clamped, '0.png')).pixels;
  for (let i = 0; i < 784; i++) {
    const x = (symmetricPixels[i] / 255) * 2 - 1;
    assert.ok(Math.abs(clampPixels[i] - Math.max(0, Math.min(255, 255 * x))) <= 3, `pixel ${i}`);
  }

  const idx = join(dir, 'samples-idx3-ubyte');
  assert.equal(gankit('generate', '--run', run, '--n', '25', '--format', 'idx', '--out', idx).code, 0);
  const parsed = parseIdx(readFileSync(idx), idx);
  assert.deepEqual(parsed.dims, [25, 28, 28]);
  assert.deepEqual(Array.from(parsed.values.subarray(0, 784)), Array.from(symmetricPixels));
  assert.ok(existsSync(join(run, 'samples', 'epoch-001.png')));
});

test('doctor tells an sbatch without a cluster from a missing one', () => {
  const bin = tempDir();
  writeFileSync(join(bin, 'sbatch'), '#!/bin/sh\necho "sbatch: fatal: Could not establish a configuration source" >&2\nexit 1\n', { mode: 0o755 });
  const doctor = gankitWith({ PATH: `${bin}:${process.env.PATH}` }, 'doctor');
  assert.equal(doctor.code, 0, doctor.stderr);
  assert.match(
    doctor.stdout,
    /^Slurm client \(studies on a cluster\): sbatch is on the PATH but fails: "sbatch: fatal: Could not establish a configuration source" \(usually no cluster/m,
  );
  const json = JSON.parse(gankitWith({ PATH: `${bin}:${process.env.PATH}` }, 'doctor', '--json').stdout);
  assert.deepEqual(json.services.slurm, { error: 'sbatch: fatal: Could not establish a configuration source' });
});

test("off a terminal, each epoch's line says what metrics.jsonl's line ending that epoch says", () => {
  const run = join(tempDir(), 'run');
  // 3 steps an epoch, a line every 2: epoch 1 ends on a 1-step interval, epoch 2 on a step that was just logged.
  const trained = gankit('train', '--limit', '192', '--epochs', '2', '--log-every', '2', '--out', run);
  assert.equal(trained.code, 0, trained.stderr);
  const lines = readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line));
  for (const epoch of [1, 2]) {
    const logged = lines.find((line) => line.epoch === epoch);
    assert.ok(logged, `metrics.jsonl has a line ending epoch ${epoch}`);
    const [d, g, dReal, dFake] = [logged.dLoss, logged.gLoss, logged.dReal, logged.dFake].map((value: number) => value.toFixed(3));
    assert.match(trained.stderr, new RegExp(`^epoch ${epoch}/2: D ${d} G ${g} D\\(x\\) ${dReal} D\\(G\\(z\\)\\) ${dFake}$`, 'm'));
  }
});
