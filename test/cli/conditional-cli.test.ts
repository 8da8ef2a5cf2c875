// A conditional run end to end through the command: "draw me a 3" is labelled
// 3 in every file (IDX labels, PNG names), evaluate reads the classes back,
// and what needs a conditional run says so in one sentence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readIdx } from '../../src/data/idx.js';
import { gankit } from '../helpers/gankit-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();
const run = join(dir, 'run');
// Two epochs, both kept: --mixture draws from two checkpoints.
const trained = gankit('train', '--conditional', '--limit', '256', '--epochs', '2', '--keep-every', '1', '--out', run);
assert.equal(trained.code, 0, trained.stderr);

test('generate --class 3 labels every sample 3: the IDX labels file and the PNG names', () => {
  const idx = join(dir, 'threes-images-idx3-ubyte');
  const result = gankit('generate', '--run', run, '--n', '40', '--class', '3', '--format', 'idx', '--out', idx);
  assert.equal(result.code, 0, result.stderr);
  const labels = readIdx(join(dir, 'threes-labels-idx1-ubyte'));
  assert.deepEqual([labels.dims, new Set(labels.values)], [[40], new Set([3])]);
  const pngs = join(dir, 'threes');
  assert.equal(gankit('generate', '--run', run, '--n', '12', '--class', '3', '--out', pngs).code, 0);
  assert.deepEqual(
    readdirSync(pngs).filter((name) => !name.endsWith('-class3.png')),
    [],
  );
  const balanced = join(dir, 'balanced');
  assert.equal(gankit('generate', '--run', run, '--n', '20', '--classes', 'balanced', '--out', balanced).code, 0);
  assert.ok(readdirSync(balanced).includes('13-class3.png'));
});

test('evaluate reads the classes back: label accuracy and per-class scores in eval.json', () => {
  const idx = join(dir, 'all-images-idx3-ubyte');
  assert.equal(gankit('generate', '--run', run, '--n', '200', '--format', 'idx', '--out', idx).code, 0);
  const out = join(dir, 'eval.json');
  const result = gankit('evaluate', '--samples', idx, '--out', out);
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /label accuracy {2,}0\.\d{4}\n/);
  const classes = JSON.parse(readFileSync(out, 'utf8')).classes;
  assert.deepEqual(
    classes.perClass.map((c: { digit: number; samples: number }) => [c.digit, c.samples]),
    Array.from({ length: 10 }, (_, digit) => [digit, 20]),
  );
  assert.ok(classes.labelAccuracy >= 0 && classes.labelAccuracy <= 1);
});

test('generate and evaluate --mixture draw from two kept checkpoints in turn, every class in turn as ever', () => {
  const checkpoints = readdirSync(join(run, 'checkpoints')).filter((name) => name.startsWith('step-'));
  assert.equal(checkpoints.length, 2);
  const idx = join(dir, 'mixture-images-idx3-ubyte');
  const drawn = gankit('generate', '--run', run, '--mixture', checkpoints.join(','), '--n', '40', '--format', 'idx', '--out', idx);
  assert.equal(drawn.code, 0, drawn.stderr);
  assert.match(drawn.stdout, new RegExp(`of ${checkpoints.join(', ')} in turn`));
  assert.deepEqual(
    [...readIdx(join(dir, 'mixture-labels-idx1-ubyte')).values],
    Array.from({ length: 40 }, (_, i) => i % 10),
  );
  const scored = gankit('evaluate', '--run', run, '--mixture', checkpoints.join(','), '--n', '200', '--out', join(dir, 'mixture-eval.json'));
  assert.equal(scored.code, 0, scored.stderr);
  const refused = gankit('generate', '--run', run, '--mixture', checkpoints.join(','), '--n', '10', '--refine', 'cs', '--out', join(dir, 'refused'));
  assert.deepEqual([refused.code, refused.stderr.trim()], [2, 'gankit: --refine cs works on one generator: leave out --mixture.']);
});

test("shaping and collaborative sampling give a conditional D the samples' classes", () => {
  const shaped = gankit('shape', '--run', run, '--epochs', '1', '--limit', '128', '--cs-steps', '2');
  assert.equal(shaped.code, 0, shaped.stderr);
  const out = join(dir, 'cs');
  const cs = gankit('generate', '--run', run, '--n', '10', '--class', '7', '--refine', 'cs', '--cs-steps', '2', '--out', out);
  assert.equal(cs.code, 0, cs.stderr);
  assert.match(cs.stdout, /shaped D\)/);
  assert.deepEqual(
    readdirSync(out).filter((name) => !name.endsWith('-class7.png')),
    [],
  );
});

test('what needs a conditional run, or refuses one, says so in one sentence', () => {
  const plain = join(dir, 'plain');
  assert.equal(gankit('train', '--limit', '64', '--epochs', '1', '--out', plain).code, 0);
  const refusals: Array<[string[], RegExp]> = [
    [
      ['generate', '--run', plain, '--class', '3', '--out', join(dir, 'x')],
      /is not conditional; --class and --classes need a run trained with --conditional\.$/m,
    ],
    [['generate', '--run', run, '--refine', 'drs', '--out', join(dir, 'y')], /--refine drs takes an unconditional run/],
    [['evaluate', '--run', plain, '--n', '100', '--cas', 'short'], /--cas trains a classifier on labelled samples/],
    [['train', '--conditional', '--objective', 'began', '--out', join(dir, 'b')], /autoencoder of the image alone/],
  ];
  for (const [args, message] of refusals) {
    const result = gankit(...args);
    assert.equal(result.code, 2, `${args.join(' ')}: ${result.stderr}`);
    assert.match(result.stderr, message);
  }
});
