// `--arch dcgan` end to end through the command: a private conditional run
// trains, resumes from its checkpoint (its D's class-map layer and G's moving
// average load back), draws labelled and refined samples, and the settings
// the DCGAN has no part for are refused in one sentence.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gankit } from '../helpers/gankit-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const dir = tempDir();

test('a private conditional DCGAN run trains, resumes and draws the class asked for', () => {
  const run = join(dir, 'run');
  const flags = ['--arch', 'dcgan', '--conditional', '--dp', '--dp-noise', '1', '--d-steps', '1', '--limit', '128', '--batch', '64', '--g-ema', '0.9'];
  const trained = gankit('train', ...flags, '--epochs', '1', '--out', run);
  assert.equal(trained.code, 0, trained.stderr);
  const record = JSON.parse(readFileSync(join(run, 'config.json'), 'utf8'));
  assert.deepEqual([record.config.arch, record.config.dropoutD, record.config.classInD], ['dcgan', 0, 'concat']);
  assert.match(record.models.discriminator, /^DCGAN \(Bie et al\. 2023\): 28×28×\(1 \+ 10 class maps\)→Conv 128×14×14/);
  assert.ok(existsSync(join(run, 'privacy.json')));
  const resumed = gankit('train', '--resume', '--epochs', '2', '--out', run);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr + resumed.stdout, /Finished at epoch 2/);
  const out = join(dir, 'sevens');
  const drawn = gankit('generate', '--run', run, '--n', '6', '--class', '7', '--out', out);
  assert.equal(drawn.code, 0, drawn.stderr);
  assert.equal(readdirSync(out).filter((name) => name.endsWith('-class7.png')).length, 6);
  // Collaborative sampling refines a DCGAN at its pixels: the default there, the only layer it takes.
  const refined = gankit('generate', '--run', run, '--n', '2', '--refine', 'cs', '--cs-steps', '1', '--out', join(dir, 'refined'));
  assert.equal(refined.code, 0, refined.stderr);
  assert.match(refined.stdout, /CS \(layer 0,/);
  const hidden = gankit('generate', '--run', run, '--n', '2', '--refine', 'cs', '--cs-layer', '2', '--out', join(dir, 'hidden'));
  assert.equal(hidden.code, 2);
  assert.match(hidden.stderr, /refined at its pixels only/);
});

test('the DCGAN refuses dropout, a projection D and an autoencoder D, each in one sentence', () => {
  const refusals: Array<[string[], RegExp]> = [
    [['--dropout-d', '0.3'], /--arch dcgan has no dropout/],
    [['--conditional', '--class-in-d', 'projection'], /ten maps beside the image/],
    [['--objective', 'began'], /autoencoder/],
  ];
  for (const [flags, message] of refusals) {
    const result = gankit('train', '--arch', 'dcgan', ...flags, '--limit', '64', '--epochs', '1', '--out', join(dir, 'refused'));
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, message);
    assert.ok(!existsSync(join(dir, 'refused')));
  }
});
