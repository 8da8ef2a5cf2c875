// gankit privacy audit end to end on a small DP run (1,000 MNIST images plus
// about 200 of 400 canaries, 20 epochs at batch 64): an honest run's bound stays
// below its accountant's ε, and a run whose noise was switched off while its
// accountant was told σ = 4 is caught (the audit exits 4).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { EXIT_CODES } from '../../src/errors.js';
import { makeAccountant } from '../../src/privacy/accountant.js';
import { gankit } from '../helpers/gankit-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const CLAIMED_NOISE = 4;
const audit = (out: string, noise: number) =>
  gankit(
    'privacy',
    'audit',
    '--out',
    out,
    '--canaries',
    '400',
    '--limit',
    '1000',
    '--',
    '--dp',
    '--dp-noise',
    String(noise),
    '--epochs',
    '20',
    '--preset',
    'course',
  );
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

test('an honest DP run passes its audit: the empirical ε stays below the accountant’s', () => {
  const out = join(tempDir(), 'audit');
  const result = audit(out, CLAIMED_NOISE);
  assert.equal(result.code, 0, result.stderr);
  const report = readJson(join(out, 'audit.json'));
  assert.equal(report.holds, true);
  assert.ok(report.empiricalEpsilon <= report.accountantEpsilon && report.accountantEpsilon < 1.5, JSON.stringify(report));
  assert.match(result.stdout, /No violation found: this audit detects ε up to \d/);
  assert.ok(report.detectableEpsilon > report.accountantEpsilon, 'the audit could have caught a violation');
});

test('the audit catches a run whose noise was off while its accountant was told σ = 4', () => {
  const out = join(tempDir(), 'audit');
  // σ = 1e-9: the clipped gradients go through as they are.
  const trained = audit(out, 1e-9);
  assert.equal(trained.code, 0, trained.stderr);
  // What the accountant of a σ = 4 run would have written for the same steps.
  const privacyFile = join(out, 'run', 'privacy.json');
  const privacy = readJson(privacyFile);
  const told = makeAccountant('rdp', privacy.samplingRate, privacy.delta, 'improved')(CLAIMED_NOISE, privacy.steps).epsilon;
  writeFileSync(privacyFile, JSON.stringify({ ...privacy, noiseMultiplier: CLAIMED_NOISE, epsilon: told }));
  // A rerun finds the run finished and scores it again.
  const rerun = audit(out, 1e-9);
  assert.equal(rerun.code, EXIT_CODES.guaranteeBroken, rerun.stderr);
  const report = readJson(join(out, 'audit.json'));
  assert.equal(report.holds, false);
  assert.equal(report.accountantEpsilon, told);
  assert.ok(report.empiricalEpsilon > told, JSON.stringify(report));
  assert.match(rerun.stdout, /The guarantee is broken/);
  // Other canaries would not be the ones the run trained with.
  const other = gankit('privacy', 'audit', '--out', out, '--canaries', '300', '--limit', '1000', '--', '--dp', '--dp-noise', '1e-9');
  assert.equal(other.code, 1);
  assert.match(other.stderr, /holds an audit with other settings/);
});

test('the audit refuses train flags it sets itself, a run without --dp, and passes on gankit train’s refusals', () => {
  const out = join(tempDir(), 'audit');
  for (const [flags, pattern] of [
    [['--dp', '--dp-noise', '1', '--limit', '50'], /--limit is the audit's to set/],
    [['--epochs', '1'], /The audit tests a DP run/],
    [['--dp', '--dp-noise', '1', '--eval-every', '1'], /--eval-every scores against a test split/],
    // gankit train's own refusal, passed on.
    [['--dp', '--epochs', '1'], /gankit train: --dp needs --dp-noise σ/],
  ] as const) {
    const result = gankit('privacy', 'audit', '--out', out, '--limit', '100', '--', ...flags);
    assert.equal(result.code, 2);
    assert.match(result.stderr, pattern);
  }
  const few = gankit('privacy', 'audit', '--out', out, '--canaries', '99', '--', '--dp', '--dp-noise', '1');
  assert.equal(few.code, 2);
  assert.match(few.stderr, /--canaries must be at least 100/);
});
