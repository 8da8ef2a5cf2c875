// A tiny study on the local executor (2 workers): every row measured over two
// seeds with mean ± std; finished tasks reused; a half-done study continued
// (training resumed from its checkpoint); a row re-evaluated when its feature
// network changes; a failed task reported with its dependents left alone; and
// `study cancel` stopping the runner, whose training resumes on the next run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { latestCheckpoint } from '../../src/run/checkpoints.js';
import type { ResultsFile } from '../../src/study/study-results.js';
import { GANKIT_BIN, gankit } from '../helpers/gankit-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const STUDY = `description: A tiny study for the tests.
seeds: 2
runs:
  - name: a
    train: --epochs 1 --limit 320 --g-ema 0.9
    strips: true
  - name: dp
    train: --dp --dp-noise 1 --epochs 1 --limit 640
    note: DP, 1 epoch on 640 images
shapings:
  - name: a-shaped
    run: a
    shape: --no-ema --epochs 1 --limit 128
rows:
  - method: A
    run: a
    generate: --no-ema
  - method: A + EMA
    run: a
  - method: CS + LSI
    run: a
    shaping: a-shaped
    generate: --no-ema --refine cs --sampler lsi
  - method: DP-GAN
    run: dp
evaluation:
  n: 200
`;

const root = tempDir();
const file = join(root, 'tiny.yaml');
writeFileSync(file, STUDY);
const out = join(root, 'study');
const results = () => JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
/** The tasks a `study run` started, from its log lines (stderr is not a terminal here). */
const started = (stderr: string) => [...stderr.matchAll(/^study: start (\S+)/gm)].map((m) => m[1]);

test('a study runs every task, tabulates mean ± std over the seeds, then reuses what is done', () => {
  const first = gankit('study', 'run', file, '--out', out, '--jobs', '2');
  assert.equal(first.code, 0, first.stderr);
  assert.equal(started(first.stderr).length, 2 * (2 + 1 + 4) + 1);
  assert.match(first.stderr, /study: start train-a-seed0 \(1 thread\)/, 'two workers share the two cores');
  const table = results();
  assert.deepEqual(
    table.rows.map((row) => [row.method, row.generator, row.seeds.map((s) => s.seed)]),
    [
      ['A', 'raw', [0, 1]],
      ['A + EMA', 'ema', [0, 1]],
      ['CS + LSI', 'raw', [0, 1]],
      ['DP-GAN', 'raw', [0, 1]],
    ],
  );
  for (const row of table.rows) {
    const fids = row.seeds.map((s) => s.fid!);
    assert.notEqual(fids[0], fids[1], `${row.method}: two seeds, two runs`);
    const mean = (fids[0] + fids[1]) / 2;
    assert.ok(Math.abs(row.spread.fid.mean! - mean) < 1e-9);
    assert.ok(Math.abs(row.spread.fid.std! - Math.abs(fids[0] - fids[1]) / Math.SQRT2) < 1e-9, 'the sample standard deviation');
    assert.equal(row.spread.fid.n, 2);
  }
  assert.notEqual(table.rows[0].seeds[0].fid, table.rows[1].seeds[0].fid, 'the EMA row samples another generator');
  assert.ok(table.rows[2].spread.trainSeconds.mean! > table.rows[0].spread.trainSeconds.mean!, 'CS rows add the shaping time');
  assert.equal(table.rows[0].spread.epsilon.mean, null);
  assert.ok(table.rows[3].spread.epsilon.mean! > 0);
  const markdown = readFileSync(join(out, 'results.md'), 'utf8');
  assert.match(markdown, /^# gankit study run .*tiny\.yaml --out .* --jobs 2$/m);
  assert.match(markdown, /^\| DP-GAN \| raw \| 2 \| [\d.]+ ± [\d.]+ \|/m);
  assert.match(
    markdown,
    /^- CS \+ LSI: train --epochs 1 --limit 320 --g-ema 0\.9; shape --no-ema --epochs 1 --limit 128; generate --no-ema --refine cs --sampler lsi\.$/m,
  );
  assert.equal(readFileSync(join(out, 'results.csv'), 'utf8').trim().split('\n').length, 1 + 4 * 2, 'one line per row and seed');
  // Each row against the baseline (the first row, A), seed by seed, with Student's t over the 2 seeds: t(0.975, 1) = 12.7062.
  assert.equal(table.baseline, 'A');
  assert.equal(table.rows[0].comparison!.fid, null);
  const ema = table.rows[1];
  const differences = [0, 1].map((i) => ema.seeds[i].fid! - table.rows[0].seeds[i].fid!);
  assert.deepEqual(
    ema.comparison!.fid!.perSeed.map((p) => p.difference),
    differences,
  );
  const half = (12.706204736174705 * Math.abs(differences[0] - differences[1])) / Math.SQRT2 / Math.SQRT2;
  const middle = (differences[0] + differences[1]) / 2;
  assert.ok(Math.abs(ema.comparison!.fid!.low! - (middle - half)) < 1e-6 && Math.abs(ema.comparison!.fid!.high! - (middle + half)) < 1e-6);
  assert.match(markdown, /^Against A, seed by seed/m);
  assert.match(markdown, /^\| A \| 2 \| baseline \|/m);
  assert.match(markdown, /^\| A \+ EMA \| 2 \| \*{0,2}[+−][\d.]+ \[[+−]?[\d.]+, [+−]?[\d.]+\]/m);
  assert.match(readFileSync(join(out, 'results.csv'), 'utf8').split('\n')[0], /,fid_vs_baseline,fid_vs_baseline_low,fid_vs_baseline_high,/);
  assert.ok(existsSync(join(out, 'runs', 'a-seed1', 'interpolation.png')));
  // The report: the table, and each metric's per-seed points beside its mean ± std.
  const html = readFileSync(join(out, 'report', 'index.html'), 'utf8');
  assert.match(html, /FID per seed, and mean ± std/);
  assert.match(html, /<td>2<\/td><td class="[a-z]*">[\d.]+ ± [\d.]+<\/td>/);
  assert.match(html, /Δ FID against A, 95% interval/, 'the forest plots');

  const again = gankit('study', 'run', file, '--out', out);
  assert.equal(again.code, 0, again.stderr);
  assert.deepEqual(started(again.stderr), []);
  assert.match(again.stdout, /Every task of the study is done/);
});

test('a half-done study continues: a training resumes from its checkpoint, and what needs it runs again', () => {
  const before = results();
  const written = statSync(join(out, 'results.json')).mtimeMs;
  const checkpoint = readFileSync(join(out, 'runs', 'a-seed0', 'checkpoints', 'latest.json'), 'utf8');
  rmSync(join(out, 'done', 'train-a-seed0.json'));
  // Two workers again, so one thread each again: the same float sums, the same numbers to the last bit.
  const continued = gankit('study', 'run', file, '--out', out, '--jobs', '2');
  assert.equal(continued.code, 0, continued.stderr);
  assert.deepEqual(started(continued.stderr), ['train-a-seed0', 'shape-a-shaped-seed0', 'row-a-seed0', 'row-a-ema-seed0', 'row-cs-lsi-seed0', 'results']);
  assert.equal(readFileSync(join(out, 'runs', 'a-seed0', 'checkpoints', 'latest.json'), 'utf8'), checkpoint, 'the finished training was not trained again');
  assert.ok(statSync(join(out, 'results.json')).mtimeMs > written, 'the table was written again');
  const after = results();
  for (const [i, row] of after.rows.entries()) {
    assert.deepEqual(
      row.seeds.map((s) => s.fid),
      before.rows[i].seeds.map((s) => s.fid),
      `${row.method}: the same seeds give the same samples`,
    );
  }
});

test('a row scored by another feature network is evaluated again, without retraining', () => {
  const record = join(out, 'done', 'row-dp-gan-seed1.json');
  writeFileSync(record, JSON.stringify({ ...JSON.parse(readFileSync(record, 'utf8')), features: { network: 'mnist-v1', sha256: '0123456789abcdef' } }));
  const status = gankit('study', 'status', out);
  assert.match(status.stdout, /^waiting +row-dp-gan-seed1/m);
  const rerun = gankit('study', 'run', file, '--out', out);
  assert.equal(rerun.code, 0, rerun.stderr);
  assert.deepEqual(started(rerun.stderr), ['row-dp-gan-seed1', 'results']);
  assert.equal(JSON.parse(readFileSync(record, 'utf8')).features.network, 'mnist-v3');
  assert.ok(results().rows[3].seeds.every((s) => s.features.network === 'mnist-v3'));
});

test('new evaluation settings score the rows again, without retraining; the runs themselves may not change', () => {
  const before = results();
  const rescored = join(root, 'rescored.yaml');
  writeFileSync(rescored, STUDY.replace('evaluation:\n  n: 200\n', 'evaluation:\n  n: 200\n  k: 5\n'));
  const withK5 = gankit('study', 'run', rescored, '--out', out, '--jobs', '2');
  assert.equal(withK5.code, 0, withK5.stderr);
  assert.ok(
    started(withK5.stderr).every((id) => id.startsWith('row-') || id === 'results'),
    started(withK5.stderr).join(' '),
  );
  assert.equal(started(withK5.stderr).length, 2 * 4 + 1);
  const k5 = results();
  // The same samples: k moves precision and recall, not FID (up to the float sums of another thread count).
  for (const [i, row] of k5.rows.entries()) assert.ok(Math.abs(row.spread.fid.mean! / before.rows[i].spread.fid.mean! - 1) < 1e-8, row.method);
  assert.ok(
    k5.rows.every((row) => row.seeds.every((seed) => seed.evaluation.k === 5)),
    'every row was scored with k = 5',
  );
  const back = gankit('study', 'run', file, '--out', out, '--jobs', '2');
  assert.equal(back.code, 0, back.stderr);
  const scores = (table: ResultsFile) => table.rows.map((row) => row.seeds.map((seed) => [seed.fid, seed.precision, seed.recall, seed.density, seed.coverage]));
  assert.deepEqual(scores(results()).slice(0, 3), scores(before).slice(0, 3), 'k back to 3: the first scores, to the last bit (same threads)');
  const otherRuns = join(root, 'other.yaml');
  writeFileSync(otherRuns, STUDY.replace('--epochs 1 --limit 320', '--epochs 2 --limit 320'));
  const refused = gankit('study', 'run', otherRuns, '--out', out);
  assert.equal(refused.code, 2);
  assert.match(refused.stderr, /holds the results of a different study than .*other\.yaml/);
});

test('a failed task is reported with its log; the tasks that need it are not run; the rest are', () => {
  rmSync(join(out, 'runs', 'dp-seed1', 'checkpoints'), { recursive: true });
  rmSync(join(out, 'done', 'row-dp-gan-seed1.json'));
  const failed = gankit('study', 'run', file, '--out', out);
  assert.equal(failed.code, 1);
  assert.match(failed.stderr, /study: failed row-dp-gan-seed1: gankit generate failed \(exit 1\): .*checkpoint/);
  assert.match(failed.stderr, /study: skipped results/);
  assert.match(failed.stderr, /gankit: study 0 done, 1 failed \(row-dp-gan-seed1\), 1 not run\. `gankit study status/);
  const status = gankit('study', 'status', out, '--json');
  const tasks = JSON.parse(status.stdout) as { counts: Record<string, number>; tasks: Array<{ id: string; state: string; detail: string }> };
  assert.deepEqual(
    tasks.tasks.filter((t) => t.state !== 'done').map((t) => [t.id, t.state]),
    [
      ['row-dp-gan-seed1', 'failed'],
      ['results', 'waiting'],
    ],
  );
  assert.equal(tasks.counts.done, 2 * 7 - 1);
});

test('study cancel stops the local runner; its training saves a checkpoint and resumes on the next run', async () => {
  const dir = join(root, 'cancelled');
  const long = join(root, 'long.yaml');
  writeFileSync(long, 'seeds: 1\nruns:\n  - name: long\n    train: --epochs 40 --limit 320\nrows:\n  - method: Long\n    run: long\nevaluation:\n  n: 100\n');
  const runner = spawn(process.execPath, [GANKIT_BIN, 'study', 'run', long, '--out', dir], { env: { ...process.env, GANKIT_THREADS: '1' } });
  let stderr = '';
  runner.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => runner.on('close', resolve));
  const runDir = join(dir, 'runs', 'long-seed0');
  while (!(existsSync(join(runDir, 'checkpoints')) && latestCheckpoint(runDir))) await sleep(100);
  const cancel = gankit('study', 'cancel', dir);
  assert.equal(cancel.code, 0, cancel.stderr);
  assert.match(cancel.stdout, /asked the local runner \(pid \d+\) to stop; its workers save their work first/);
  assert.equal(await exited, 143, stderr);
  assert.match(stderr, /study: stopped train-long-seed0/);
  assert.match(gankit('study', 'status', dir).stdout, /^stopped +train-long-seed0 +its saved work resumes on the next study run$/m);
  const resumed = gankit('study', 'run', long, '--out', dir);
  assert.equal(resumed.code, 0, resumed.stderr);
  assert.match(resumed.stderr, /train-long-seed0: Resuming .* at epoch \d+/);
  assert.match(gankit('study', 'status', dir).stdout, /3\/3 tasks done/);
});
