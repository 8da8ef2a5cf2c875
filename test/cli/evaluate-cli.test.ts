import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { encodeGrayPng } from '../../src/data/png-codec.js';
import { shippedNetworkFile } from '../../src/metrics/feature-extractor.js';
import { gankit } from '../helpers/gankit-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();
const run = join(dir, 'run');
assert.equal(gankit('train', '--limit', '128', '--epochs', '1', '--out', run).code, 0);

test('evaluate a PNG folder and a run: a table, and eval.json with every metric', () => {
  const samples = join(dir, 'samples');
  assert.equal(gankit('generate', '--run', run, '--n', '200', '--out', samples).code, 0);
  const result = gankit('evaluate', '--samples', samples);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /FID\s+\d+\.\d{3}/);
  assert.match(result.stdout, /P-precision \(k=3\)/);
  const written = JSON.parse(readFileSync(join(samples, 'eval.json'), 'utf8'));
  for (const key of ['fid', 'precision', 'recall', 'density', 'coverage', 'seconds']) assert.equal(typeof written[key], 'number', key);
  assert.deepEqual(Object.keys(written.knn), ['precision', 'recall']);
  assert.equal(written.samples.count, 200);
  assert.equal(written.real.count, 10000);
  assert.equal(written.features.network, 'mnist-v3');
  assert.equal(written.features.layer, 'features');
  assert.match(written.features.sha256, /^[0-9a-f]{16}$/);
  assert.ok(written.classifier.score >= 1 && written.classifier.realScore > 9 && written.classifier.logitFid > 0, JSON.stringify(written.classifier));
  assert.equal(written.modes.histogram.length, 10);

  const fromRun = gankit('evaluate', '--run', run, '--n', '100', '--json');
  assert.equal(fromRun.code, 0, fromRun.stderr);
  assert.equal(JSON.parse(fromRun.stdout).samples.count, 100);
  assert.equal(JSON.parse(readFileSync(join(run, 'eval.json'), 'utf8')).samples.count, 100);
});

test('--memorisation and --features/--layer with any layers model', () => {
  const samples = join(dir, 'samples');
  const result = gankit('evaluate', '--samples', samples, '--memorisation', '--json', '--out', join(dir, 'm.json'));
  assert.equal(result.code, 0, result.stderr);
  const m = JSON.parse(result.stdout).memorisation;
  assert.ok(m.sampleToTrain.p1 > 0 && m.trainToTrain.p50 > 0 && m.fractionBelowTrainP1 >= 0 && m.fractionBelowTrainP1 <= 1);
  const v1 = JSON.parse(gankit('evaluate', '--samples', samples, '--features', 'mnist-v1', '--json', '--out', join(dir, 'v1.json')).stdout);
  assert.deepEqual([v1.features.network, v1.features.dims], ['mnist-v1', 128]);
  const network = shippedNetworkFile('mnist-v2');
  const custom = gankit('evaluate', '--samples', samples, '--features', network, '--layer', 'logits', '--json', '--out', join(dir, 'c.json'));
  assert.equal(custom.code, 0, custom.stderr);
  const parsed = JSON.parse(custom.stdout);
  assert.equal(parsed.features.dims, 10);
  assert.equal(parsed.modes, undefined);
  const missing = gankit('evaluate', '--samples', samples, '--features', network, '--layer', 'nope');
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /has no layer "nope"; its layers are image, conv1, leaky1/);
});

test('bad input to evaluate: one sentence each', () => {
  const empty = join(dir, 'empty');
  mkdirSync(empty);
  const small = join(dir, 'small');
  mkdirSync(small);
  for (let i = 0; i < 3; i++) writeFileSync(join(small, `${i}.png`), encodeGrayPng({ width: 28, height: 28, pixels: new Uint8Array(784) }));
  const wrong = join(dir, 'wrong');
  mkdirSync(wrong);
  for (let i = 0; i < 10; i++) writeFileSync(join(wrong, `${i}.png`), encodeGrayPng({ width: 32, height: 32, pixels: new Uint8Array(1024) }));
  // Bad files exit 1; a command-line mistake exits 2.
  const cases: Array<[string[], RegExp, number]> = [
    [['--samples', empty], /holds neither .* nor any \.png image/, 1],
    [['--samples', small], /has 3 images; the k-NN metrics need at least 6/, 1],
    [['--samples', wrong], /holds 32×32 images but .* holds 28×28/, 1],
    [['--samples', small, '--run', run], /Give exactly one of --samples and --run/, 2],
  ];
  for (const [args, pattern, code] of cases) {
    const result = gankit('evaluate', ...args);
    assert.equal(result.code, code, args.join(' '));
    assert.match(result.stderr, pattern);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
});
