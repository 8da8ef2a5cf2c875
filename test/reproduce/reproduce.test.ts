// The reproduce runner on a tiny plan: every row measured, finished tasks
// reused, a half-done plan continued (a training run resumed from its checkpoint).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../../src/reproduce/plan.js';
import { BUDGETS, reproducePlan } from '../../src/reproduce/plan.js';
import { reproduce, summedTaskSeconds } from '../../src/reproduce/reproduce.js';
import { writeResults } from '../../src/reproduce/results-table.js';
import { tempDir } from '../helpers/temp-dir.js';

process.env.GANKIT_THREADS = '1';

const plan: Plan = {
  budget: 'quick',
  runs: [
    { name: 'vanilla', args: ['--epochs', '1', '--limit', '320', '--g-ema', '0.9'], note: '1 epoch on 320 images' },
    { name: 'dp', args: ['--dp', '--dp-noise', '1', '--epochs', '1', '--limit', '640'], note: 'DP, 1 epoch on 640 images' },
  ],
  shapings: [{ name: 'shaped-1', epochs: 1, limit: 128 }],
  rows: [
    { method: 'Vanilla GAN', run: 'vanilla', sampler: 'gaussian', generator: 'raw' },
    { method: 'Vanilla + EMA', run: 'vanilla', sampler: 'gaussian', generator: 'ema' },
    { method: 'CS + LSI', run: 'vanilla', shaping: 'shaped-1', sampler: 'lsi', generator: 'raw' },
    { method: 'DP-GAN', run: 'dp', sampler: 'gaussian', generator: 'raw' },
  ],
  samples: 200,
};

test('every budget covers every row of the study, plus the EMA row; only that row samples the EMA', () => {
  for (const budget of BUDGETS) {
    const { rows, runs } = reproducePlan(budget);
    const methods = rows.map((row) => row.method);
    assert.equal(methods.length, 11);
    assert.deepEqual(
      rows.filter((row) => row.generator === 'ema').map((row) => row.method),
      ['Vanilla + EMA'],
    );
    assert.ok(runs.find((run) => run.name === 'vanilla')!.args.includes('--g-ema'));
    for (const expected of ['Vanilla GAN', 'CS, 1 shaping epoch', 'CS, 5 shaping epochs', 'Vanilla + LSI', 'CS + LSI', 'CS + LSI-variant', 'WGAN', 'WGAN-GP']) {
      assert.ok(methods.includes(expected), `${budget}: ${expected}`);
    }
    assert.ok(methods.some((m) => m.startsWith('f-GAN')) && methods.some((m) => m.startsWith('DP-GAN')));
  }
});

test('reproduce measures every row, then reuses what is done and continues what is not', async () => {
  const out = tempDir();
  const first: Array<[string, boolean]> = [];
  const rows = await reproduce(plan, out, { onTask: (_i, _n, label, skipped) => first.push([label, skipped]) });
  assert.equal(first.length, 2 + 1 + 1 + 4);
  assert.ok(first.every(([, skipped]) => !skipped));
  assert.deepEqual(
    rows.map((row) => row.method),
    ['Vanilla GAN', 'Vanilla + EMA', 'CS + LSI', 'DP-GAN'],
  );
  assert.deepEqual(
    rows.map((row) => row.generator),
    ['raw', 'ema', 'raw', 'raw'],
  );
  assert.notEqual(rows[0].fid, rows[1].fid, 'the EMA row samples another generator');
  for (const row of rows) assert.ok(Number.isFinite(row.fid) && row.fid > 0 && row.samplingSeconds > 0, JSON.stringify(row));
  assert.ok(rows[2].trainSeconds > rows[0].trainSeconds, 'CS rows add the shaping time');
  assert.equal(rows[0].epsilon, null);
  assert.ok(rows[3].epsilon! > 0);
  assert.match(rows[2].note, /lsi sampler; CS K=50/);
  assert.match(rows[1].note, /sampled from G's moving average/);

  // Everything done: nothing runs again.
  const second: boolean[] = [];
  const again = await reproduce(plan, out, { onTask: (_i, _n, _label, skipped) => second.push(skipped) });
  assert.ok(second.every(Boolean));
  assert.deepEqual(again, rows);

  // A reproduce stopped after training began and before the CS row: those two run again, the training by --resume.
  const checkpointBefore = readFileSync(join(out, 'runs', 'vanilla', 'checkpoints', 'latest.json'), 'utf8');
  rmSync(join(out, 'done', 'train-vanilla.json'));
  rmSync(join(out, 'done', 'row-cs-lsi.json'));
  const third: Array<[string, boolean]> = [];
  const continued = await reproduce(plan, out, { onTask: (_i, _n, label, skipped) => third.push([label, skipped]) });
  assert.deepEqual(
    third.filter(([, skipped]) => !skipped).map(([label]) => label),
    ['train vanilla (1 epoch on 320 images)', 'sample and evaluate: CS + LSI'],
  );
  assert.equal(readFileSync(join(out, 'runs', 'vanilla', 'checkpoints', 'latest.json'), 'utf8'), checkpointBefore);
  assert.equal(continued[2].fid, rows[2].fid, 'the same seeds give the same samples');

  // A row scored by another feature network is sampled and evaluated again, and nothing else runs.
  assert.deepEqual(rows[3].features!.network, 'mnist-v2');
  const dpRecord = join(out, 'done', 'row-dp-gan.json');
  writeFileSync(dpRecord, JSON.stringify({ ...JSON.parse(readFileSync(dpRecord, 'utf8')), features: { network: 'mnist-v1', sha256: '0123456789abcdef' } }));
  const fourth: Array<[string, boolean]> = [];
  const reevaluated = await reproduce(plan, out, { onTask: (_i, _n, label, skipped) => fourth.push([label, skipped]) });
  assert.deepEqual(
    fourth.filter(([, skipped]) => !skipped).map(([label]) => label),
    ['sample and evaluate: DP-GAN'],
  );
  assert.deepEqual(reevaluated[3].features, rows[3].features);
  assert.equal(reevaluated[3].fid, rows[3].fid, 'the same samples, scored by the same network as at first');

  const taskSeconds = summedTaskSeconds(out);
  assert.ok(taskSeconds > continued[0].trainSeconds, `tasks ${taskSeconds} s`);
  writeResults(out, plan, continued, 'test', 'test machine', taskSeconds);
  assert.match(readFileSync(join(out, 'results.md'), 'utf8'), /Cost: [\d.]+ min of tasks in all/);
  for (const file of ['results.md', 'results.csv', 'results.json']) assert.ok(existsSync(join(out, file)));
  assert.match(readFileSync(join(out, 'results.md'), 'utf8'), /\| DP-GAN \| raw \| [\d.]+ \|/);
  assert.match(readFileSync(join(out, 'results.md'), 'utf8'), /\| Vanilla \+ EMA \| EMA \| [\d.]+ \|/);
  assert.equal(readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n').length, 5);
});
