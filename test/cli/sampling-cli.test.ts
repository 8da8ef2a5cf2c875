import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { readGrayPng } from '../../src/data/png-codec.js';
import { SAMPLER_NAMES } from '../../src/sampling/latent-samplers.js';
import { gankit } from '../helpers/gankit-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();
const run = join(dir, 'run');
// With G's moving average, which sampling and shaping use unless --no-ema.
const trained = gankit('train', '--limit', '256', '--epochs', '2', '--g-ema', '0.9', '--out', run);
assert.equal(trained.code, 0, trained.stderr);

test('every sampler writes its samples; --interpolate writes one strip per row', () => {
  for (const sampler of SAMPLER_NAMES) {
    const out = join(dir, sampler);
    const result = gankit('generate', '--run', run, '--n', '20', '--sampler', sampler, '--out', out);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(readdirSync(out).length, 20, sampler);
    assert.match(result.stdout, new RegExp(`with ${sampler}`));
  }
  const strip = join(dir, 'strip.png');
  assert.equal(gankit('generate', '--run', run, '--interpolate', strip, '--lsi-steps', '8').code, 0);
  const image = readGrayPng(strip);
  assert.deepEqual([image.width, image.height], [2 + 8 * 30, 2 + 10 * 30]);
});

test('--refine cs reports the D scores before and after; drs reports its acceptance rate', () => {
  const cs = gankit('generate', '--run', run, '--n', '50', '--sampler', 'lsi', '--refine', 'cs', '--cs-steps', '5', '--grid', join(dir, 'cs.png'));
  assert.equal(cs.code, 0, cs.stderr);
  assert.match(cs.stdout, /lsi \+ CS \(layer 3, K=5, λ=0\.1, η=0\.\d+, unshaped D\)/);
  const [, before, after] = /meanScoreBefore ([\d.]+), meanScoreAfter ([\d.]+)/.exec(cs.stdout)!;
  assert.ok(Number(after) >= Number(before));
  const drs = gankit('generate', '--run', run, '--n', '30', '--refine', 'drs', '--drs-burn-in', '300', '--out', join(dir, 'drs'));
  assert.equal(drs.code, 0, drs.stderr);
  assert.equal(readdirSync(join(dir, 'drs')).length, 30);
  const rate = Number(/acceptanceRate ([\d.]+)/.exec(drs.stdout)![1]);
  assert.ok(rate > 0 && rate <= 1, `${rate}`);
});

test('gankit shape saves a shaped D that generate --refine cs then uses', () => {
  const shaped = gankit('shape', '--run', run, '--epochs', '1', '--limit', '128', '--cs-steps', '2');
  assert.equal(shaped.code, 0, shaped.stderr);
  assert.ok(existsSync(join(run, 'shaped', 'discriminator', 'model.json')));
  assert.ok(existsSync(join(run, 'shaped', 'shaping.json')));
  const cs = gankit('generate', '--run', run, '--n', '10', '--refine', 'cs', '--cs-steps', '2', '--grid', join(dir, 'shaped.png'));
  assert.equal(cs.code, 0, cs.stderr);
  assert.match(cs.stdout, /shaped D\)/);
  // D was shaped against the moving average: refining the raw G with it is refused.
  const mismatched = gankit('generate', '--run', run, '--no-ema', '--n', '10', '--refine', 'cs', '--grid', join(dir, 'raw.png'));
  assert.equal(mismatched.code, 2);
  assert.match(mismatched.stderr, /D was shaped against its G's moving average; drop --no-ema, or shape again\.$/m);
});

test('bad sampling flags get one sentence and exit code 2', () => {
  for (const args of [
    ['--cs-layer', '7'],
    ['--sampler', 'sobol'],
    ['--lsi-steps', '0'],
    ['--refine', 'magic'],
  ]) {
    const result = gankit('generate', '--run', run, '--n', '5', '--grid', join(dir, 'x.png'), ...args);
    assert.equal(result.code, 2, args.join(' '));
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
});
