// src/run/ owns every file of a run: no other module spells a run file's name;
// they ask src/run for the path (runPaths and the readers and writers beside it).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const src = fileURLToPath(new URL('../../../src/', import.meta.url));

/** The names of a run's files and folders, as a quoted literal of their own or a path segment. */
const RUN_FILE_NAMES = [
  'config.json',
  'run.json',
  'shape.json',
  'metrics.jsonl',
  'eval-curve.jsonl',
  'eval.json',
  'privacy.json',
  'latest.json',
  'order.bin',
  'state.json',
  'shaping.json',
  'optimizer.bin',
  'optimizer-generator.bin',
  'optimizer-discriminator.bin',
  'generator-ema',
  'interpolation.png',
  'shaped',
  'shaping-stopped',
].map((name) => name.replace(/[.]/g, '\\.'));
const SPELLED = new RegExp(`['\`](${RUN_FILE_NAMES.join('|')})['\`]|/(samples|checkpoints|shaped)/`);

test('the pattern finds a run file spelled as a literal or a path, and not in prose', () => {
  assert.match(`join(runDir, 'metrics.jsonl')`, SPELLED);
  assert.match('`${runDir}/samples/`', SPELLED);
  assert.doesNotMatch(`'holds no runs (directories with config.json)'`, SPELLED);
});

test('no module outside src/run/ spells the name of a run file', () => {
  const outside = readdirSync(src, { recursive: true, encoding: 'utf8' })
    .map((file) => file.split('\\').join('/'))
    .filter((file) => file.endsWith('.ts') && !file.startsWith('run/'));
  assert.ok(outside.length > 50, `read ${outside.length} modules`);
  const spelled = outside.flatMap((file) =>
    readFileSync(join(src, file), 'utf8')
      .split('\n')
      .flatMap((line, index) => (SPELLED.test(line) && !line.trim().startsWith('//') ? [`src/${file}:${index + 1}: ${line.trim()}`] : [])),
  );
  assert.deepEqual(spelled, []);
});
