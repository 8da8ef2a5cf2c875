// The training options of the study preset from the command line: generator
// EMA, scoring during training with kept checkpoints, refused resumes; the
// progress bar on a terminal.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readEpochScores } from '../../src/run/eval-curve.js';
import { GANKIT_BIN, gankit } from '../helpers/gankit-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

test('--eval-every scores and keeps every N-th epoch; generate and evaluate sample a kept checkpoint, EMA or raw', () => {
  const run = join(tempDir(), 'run');
  // 640 images: 10 D steps an epoch.
  const trained = gankit('train', '--limit', '640', '--epochs', '3', '--g-ema', '0.99', '--eval-every', '1', '--eval-n', '200', '--out', run);
  assert.equal(trained.code, 0, trained.stderr);
  const scores = readEpochScores(run);
  assert.deepEqual(
    scores.map((s) => [s.epoch, s.checkpoint, s.generator]),
    [
      [1, 'step-000000010', 'ema'],
      [2, 'step-000000020', 'ema'],
      [3, 'step-000000030', 'ema'],
    ],
  );
  for (const s of scores) assert.ok(Number.isFinite(s.fid) && s.fid > 0 && s.precision >= 0 && s.recall >= 0, JSON.stringify(s));
  // Scored checkpoints outlive the two-newest pruning; the unscored first one does not.
  const checkpoints = readdirSync(join(run, 'checkpoints'))
    .filter((name) => name.startsWith('step-'))
    .sort();
  assert.deepEqual(checkpoints, ['step-000000010', 'step-000000020', 'step-000000030']);
  assert.ok(existsSync(join(run, 'checkpoints', 'step-000000030', 'generator-ema', 'model.json')));

  const grid = join(run, 'first.png');
  const generated = gankit('generate', '--run', run, '--checkpoint', 'step-000000010', '--grid', grid, '--n', '10');
  assert.equal(generated.code, 0, generated.stderr);
  assert.match(generated.stdout, /from G's moving average/);
  assert.ok(existsSync(grid));
  const raw = gankit('generate', '--run', run, '--no-ema', '--grid', grid, '--n', '10');
  assert.match(raw.stdout, /from G with gaussian/);
  for (const name of ['step-000000005', 'latest.json', '../checkpoints']) {
    const missing = gankit('generate', '--run', run, '--checkpoint', name, '--grid', grid);
    assert.equal(missing.code, 1, name);
    assert.match(missing.stderr, /has no checkpoint .*; its kept ones are named step-NNNNNNNNN/);
    assert.doesNotMatch(missing.stderr, /\n\s+at /);
  }

  const refused = gankit('train', '--out', run, '--resume', '--epochs', '4', '--preset', 'course');
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /trained with preset = "study"; a resume can change only --epochs and --log-every \(other settings would train another model\)/);
});

test('on a terminal, the progress bar never shows its template: every field has a value from the start', (t) => {
  if (spawnSync('script', ['--version']).error) {
    t.skip('util-linux script is absent: no pseudo-terminal to draw the bar on');
    return;
  }
  const run = join(tempDir(), 'run');
  const command = [process.execPath, GANKIT_BIN, 'train', '--limit', '128', '--epochs', '1', '--out', run].map((word) => `'${word}'`).join(' ');
  // script runs the command on a pseudo-terminal and copies what it draws to stdout.
  const drawn = spawnSync('script', ['-qefc', command, '/dev/null'], { encoding: 'utf8', env: { ...process.env, GANKIT_THREADS: '1' } });
  assert.equal(drawn.status, 0, drawn.stdout);
  assert.match(drawn.stdout, /epoch …/, 'the bar was drawn before the first step, with placeholders');
  assert.doesNotMatch(drawn.stdout, /\{\w+\}/);
});
