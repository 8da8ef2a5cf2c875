// A tiny study (2 runs × 2 seeds) through --executor slurm on a real one-node
// Slurm cluster started for this file: a training job killed mid-training
// (scancel's SIGTERM) checkpoints, its dependents are cancelled, `status` and
// `cancel` work, and a second `study run` resubmits only what is not done,
// resuming that training, until the table holds mean ± std over both seeds.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { latestCheckpoint } from '../../src/run/checkpoints.js';
import { readJobs } from '../../src/study/study-directory.js';
import type { ResultsFile } from '../../src/study/study-results.js';
import { GANKIT_BIN } from '../helpers/gankit-cli.js';
import { startLocalSlurm } from '../helpers/local-slurm.js';
import { tempDir } from '../helpers/temp-dir.js';

const STUDY = `seeds: 2
runs:
  - name: a
    train: --epochs 1 --limit 256
  - name: b
    train: --objective wgan --epochs 30 --limit 256
rows:
  - method: A
    run: a
  - method: B
    run: b
evaluation:
  n: 100
`;

const cluster = startLocalSlurm();

test('a tiny study on a real Slurm cluster: killed, cancelled, resumed, tabulated', { skip: cluster.skip }, async () => {
  const env = { SLURM_CONF: cluster.conf!, GANKIT_SLURM_POLL_SECONDS: '1' };
  const root = tempDir();
  writeFileSync(join(root, 'tiny.yaml'), STUDY);
  const out = join(root, 'study');
  // Paths relative to the runner's directory: the jobs, which run in the study directory, get them resolved.
  const args = ['study', 'run', 'tiny.yaml', '--out', 'study', '--executor', 'slurm', '--slurm-cpus-per-task', '1'];
  const gankitIn = (...command: string[]) => {
    const result = spawnSync(process.execPath, [GANKIT_BIN, ...command], { cwd: root, encoding: 'utf8', env: { ...process.env, GANKIT_THREADS: '1', ...env } });
    return { code: result.status, stdout: result.stdout, stderr: result.stderr };
  };
  const inBackground = () => {
    const child = spawn(process.execPath, [GANKIT_BIN, ...args], { cwd: root, env: { ...process.env, ...env } });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    return { exited: new Promise<{ code: number | null; stderr: string }>((resolve) => child.on('close', (code) => resolve({ code, stderr }))) };
  };
  const squeue = () => spawnSync('squeue', ['--noheader', '--format', '%i %T'], { encoding: 'utf8', env: { ...process.env, ...env } }).stdout;

  // 1. Kill a training job mid-training: it checkpoints; the jobs that wait for it are cancelled.
  const first = inBackground();
  const runB = join(out, 'runs', 'b-seed0');
  while (!(existsSync(join(runB, 'checkpoints')) && latestCheckpoint(runB))) await sleep(100);
  const status = gankitIn('study', 'status', 'study');
  assert.match(status.stdout, /^running +train-b-seed0 +job \d+$/m, status.stdout);
  assert.match(status.stdout, /^queued +row-b-seed0 +job \d+, Dependency$/m);
  const killed = readJobs(out)['train-b-seed0'];
  assert.equal(spawnSync('scancel', [killed], { env: { ...process.env, ...env } }).status, 0);
  const stopped = await first.exited;
  assert.equal(stopped.code, 1, stopped.stderr);
  assert.match(stopped.stderr, new RegExp(`study: stopped train-b-seed0: job ${killed} cancelled`));
  assert.match(stopped.stderr, /study: skipped row-b-seed0/);
  assert.match(stopped.stderr, /study: skipped results/);
  assert.match(stopped.stderr, /study: done train-a-seed1/);
  const log = readFileSync(join(out, 'logs', 'train-b-seed0.log'), 'utf8');
  assert.match(log, /SIGTERM: stopping after this step and writing a checkpoint/);
  const afterKill = gankitIn('study', 'status', 'study');
  assert.match(afterKill.stdout, /^stopped +train-b-seed0 +its saved work resumes on the next study run$/m);

  // 2. Cancel: the study's queued jobs go; nothing else of the cluster is touched.
  const second = inBackground();
  while (readJobs(out)['train-b-seed0'] === killed) await sleep(100);
  const cancelled = gankitIn('study', 'cancel', 'study');
  assert.equal(cancelled.code, 0, cancelled.stderr);
  assert.match(cancelled.stdout, /^cancelled \d+ Slurm job\(s\): \d+/);
  assert.equal((await second.exited).code, 1);
  assert.equal(squeue().trim(), '', 'no job of the study is left queued');
  assert.match(gankitIn('study', 'cancel', 'study').stdout, /Nothing of .* is queued or running/);

  // 3. Run again: only what is not done is submitted; the killed training resumes from its checkpoint.
  const done = readdirSync(join(out, 'done')).map((name) => name.replace(/\.json$/, ''));
  const final = gankitIn(...args);
  assert.equal(final.code, 0, final.stderr);
  const submitted = [...final.stderr.matchAll(/^study: start (\S+) \(job \d+\)$/gm)].map((m) => m[1]);
  assert.ok(!submitted.some((id) => done.includes(id)), `resubmitted a done task: ${submitted}`);
  assert.ok(submitted.includes('train-b-seed0') && submitted.includes('results'));
  assert.match(readFileSync(join(out, 'logs', 'train-b-seed0.log'), 'utf8'), /Resuming .*b-seed0 at epoch \d+, step \d+/);
  const results = JSON.parse(readFileSync(join(out, 'results.json'), 'utf8')) as ResultsFile;
  for (const row of results.rows) {
    assert.equal(row.spread.fid.n, 2, row.method);
    assert.ok(row.spread.fid.std! > 0, `${row.method}: a spread over two seeds`);
  }
  assert.match(readFileSync(join(out, 'results.md'), 'utf8'), /^\| B \| raw \| 2 \| [\d.]+ ± [\d.]+ \|/m);
  assert.match(gankitIn('study', 'status', 'study').stdout, /9\/9 tasks done: 9 done\./);
});
