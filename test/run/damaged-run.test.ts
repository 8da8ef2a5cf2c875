// A run directory damaged the ways disks and interrupted copies damage them:
// every command that reads it answers with one sentence and the right exit
// code, leaves the run as it found it, and `train --resume` falls back to the
// newest checkpoint that reads back whole.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { gankit } from '../helpers/gankit-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const root = tempDir();
const base = join(root, 'base', 'run');
// 128 images, batch 64: two D steps an epoch; checkpoints step-000000002 and step-000000004 remain.
const trained = gankit('train', '--limit', '128', '--epochs', '2', '--log-every', '1', '--out', base);
const NEWEST = 'step-000000004';
const PREVIOUS = 'step-000000002';

type CommandName = 'generate' | 'evaluate' | 'shape' | 'report' | 'resume';
const outside = tempDir();
const commands: Record<CommandName, (run: string) => string[]> = {
  generate: (run) => ['generate', '--run', run, '--n', '10', '--grid', join(outside, 'grid.png')],
  evaluate: (run) => ['evaluate', '--run', run, '--n', '50', '--out', join(outside, 'eval.json')],
  shape: (run) => ['shape', '--run', run, '--limit', '64'],
  report: (run) => ['report', '--runs', join(run, '..'), '--out', join(outside, 'report')],
  resume: (run) => ['train', '--resume', '--out', run, '--epochs', '3'],
};

/** Every file of a directory with its content hash. */
function snapshot(dir: string): Record<string, string> {
  const files: Record<string, string> = {};
  const walk = (path: string) => {
    for (const entry of readdirSync(path)) {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) walk(full);
      else files[relative(dir, full)] = createHash('sha256').update(readFileSync(full)).digest('hex');
    }
  };
  walk(dir);
  return files;
}

/** Expected: the exit code and the stderr sentence; a failing command must leave the run untouched. */
type Expectation = { code: 0 | 1 | 2; stderr?: RegExp };

function checkCase(name: string, damage: (run: string) => void, expected: Partial<Record<CommandName, Expectation>>) {
  test(`damaged run: ${name}`, () => {
    assert.equal(trained.code, 0, trained.stderr);
    for (const [command, expectation] of Object.entries(expected) as [CommandName, Expectation][]) {
      const run = join(tempDir(), 'run');
      cpSync(base, run, { recursive: true });
      damage(run);
      const before = snapshot(run);
      const result = gankit(...commands[command](run));
      const context = `${command}: ${result.stderr}`;
      assert.equal(result.code, expectation.code, context);
      if (expectation.stderr) assert.match(result.stderr, expectation.stderr, context);
      assert.doesNotMatch(result.stderr, /\n\s+at |internal error/, context);
      if (expectation.code !== 0) {
        assert.equal(
          result.stderr
            .trim()
            .split('\n')
            .filter((line) => line.startsWith('gankit:')).length,
          1,
          context,
        );
        assert.deepEqual(snapshot(run), before, `${command} changed the run`);
      }
    }
  });
}

const every = (expectation: Expectation) =>
  Object.fromEntries((Object.keys(commands) as CommandName[]).map((command) => [command, expectation])) as Record<CommandName, Expectation>;
const newest = (run: string, ...path: string[]) => join(run, 'checkpoints', NEWEST, ...path);
const cutInHalf = (file: string) => truncateSync(file, Math.floor(statSync(file).size / 2));
/** The commands that load the newest checkpoint refuse it and name the previous; a resume falls back to that one. */
/** A resume sets a damaged checkpoint aside (renamed), so that pruning never counts it among the good ones. */
const damagedNewest = (sentence: RegExp, setAside = true) =>
  ({
    generate: { code: 1, stderr: new RegExp(`${sentence.source}.* pass --checkpoint ${PREVIOUS}`) },
    evaluate: { code: 1, stderr: sentence },
    shape: { code: 1, stderr: sentence },
    report: { code: 0 },
    resume: { code: 0, stderr: new RegExp(`${sentence.source}${setAside ? `.*\\(set aside as damaged-${NEWEST}\\)` : ''}.*Resuming from ${PREVIOUS} instead`) },
  }) as const;

checkCase(
  'config.json cut short',
  (run) => cutInHalf(join(run, 'config.json')),
  every({ code: 1, stderr: /config\.json is damaged: it is not valid JSON \(cut short\?\)/ }),
);

checkCase(
  'config.json with a setting of the wrong type',
  (run) => {
    const file = join(run, 'config.json');
    const record = JSON.parse(readFileSync(file, 'utf8'));
    writeFileSync(file, JSON.stringify({ ...record, config: { ...record.config, batch: '64' } }));
  },
  every({ code: 1, stderr: /config\.json is damaged: config\.batch: expected number/ }),
);

checkCase(
  'latest.json names a checkpoint that is gone',
  (run) => rmSync(newest(run), { recursive: true }),
  damagedNewest(new RegExp(`${NEWEST} is missing`), false),
);

checkCase(
  'a weights.bin cut short',
  (run) => cutInHalf(newest(run, 'generator', 'weights.bin')),
  damagedNewest(/weights\.bin is damaged: it holds \d+ bytes where \d+ are expected \(cut short\?\)/),
);

checkCase(
  'a model.json that is not a model',
  (run) => writeFileSync(newest(run, 'discriminator', 'model.json'), JSON.stringify({ format: 'layers-model', weightsManifest: [] })),
  damagedNewest(/model\.json is damaged: modelTopology/),
);

checkCase(
  'an empty checkpoint directory',
  (run) => {
    rmSync(join(run, 'checkpoints'), { recursive: true });
    mkdirSync(join(run, 'checkpoints'));
  },
  {
    generate: { code: 1, stderr: /has no checkpoint yet; continue its training with gankit train --resume/ },
    evaluate: { code: 1, stderr: /has no checkpoint yet/ },
    shape: { code: 1, stderr: /has no checkpoint yet/ },
    report: { code: 0 },
    resume: { code: 0, stderr: /has no complete checkpoint: training starts again from step 0/ },
  },
);

checkCase(
  'a metrics.jsonl whose last line is cut',
  (run) => {
    const file = join(run, 'metrics.jsonl');
    truncateSync(file, statSync(file).size - 20);
  },
  { report: { code: 0 }, resume: { code: 0 }, generate: { code: 0 } },
);

// run.json names who trains the run; a damaged one blocks nothing and is written anew.
checkCase('a run.json cut short', (run) => cutInHalf(join(run, 'run.json')), { resume: { code: 0 }, generate: { code: 0 } });

test('--out naming a file, not a directory, is a command-line mistake', () => {
  const file = join(tempDir(), 'not-a-directory');
  writeFileSync(file, 'x');
  const result = gankit('train', '--limit', '128', '--epochs', '1', '--out', file);
  assert.equal(result.code, 2, result.stderr);
  assert.match(result.stderr, /^gankit: --out .* is a file; give a directory for the run\.\n$/);
});
