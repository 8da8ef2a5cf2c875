// kill -9 at random moments: a small run is killed again and again, each time
// followed by --resume. Every checkpoint the run points at reads back whole,
// and the final weights equal an uninterrupted run's, bit for bit.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../../src/engine/rng.js';
import { checkCheckpoint, latestCheckpoint } from '../../src/run/checkpoints.js';
import { hasRunRecord } from '../../src/run/run-record.js';
import { readRunState } from '../../src/run/run-state.js';
import { GANKIT_BIN, gankit } from '../helpers/gankit-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

// 192 images, batch 64: three D steps and one checkpoint an epoch.
const SETTINGS = ['--limit', '192', '--epochs', '6', '--log-every', '1', '--seed', '7'];
const KILLS = 12;

/** The step of the last line in the run's metrics.jsonl (one line a step here), 0 before the first. */
function loggedStep(run: string): number {
  const path = join(run, 'metrics.jsonl');
  if (!existsSync(path)) return 0;
  const lines = readFileSync(path, 'utf8').trim().split('\n');
  try {
    return (JSON.parse(lines.at(-1)!) as { step: number }).step;
  } catch {
    return 0;
  }
}

/**
 * Starts `gankit ARGS` and sends SIGKILL `extraMs` after the run has logged
 * `step` (at once if it already has: a kill in the start-up); resolves with
 * the exit code, or 'killed'. Moments chosen by progress, not by the clock,
 * land alike on a fast engine and a slow one.
 */
function runAndKill(args: string[], run: string, step: number, extraMs: number): Promise<number | 'killed'> {
  const child = spawn(process.execPath, [GANKIT_BIN, ...args], { env: { ...process.env, GANKIT_THREADS: '1' }, stdio: 'ignore' });
  let timer: NodeJS.Timeout | undefined;
  const poll = setInterval(() => {
    if (timer === undefined && loggedStep(run) >= step) timer = setTimeout(() => child.kill('SIGKILL'), extraMs);
  }, 5);
  return new Promise((resolve) =>
    child.on('exit', (code, signal) => {
      clearInterval(poll);
      clearTimeout(timer);
      resolve(signal === 'SIGKILL' ? 'killed' : (code ?? -1));
    }),
  );
}

/** The newest checkpoint: its binary files' hashes, and its state without the training time (which differs). */
function checkpointContent(run: string) {
  const directory = latestCheckpoint(run)!;
  const hash = (file: string) =>
    createHash('sha256')
      .update(readFileSync(join(directory, file)))
      .digest('hex')
      .slice(0, 16);
  const state = JSON.parse(readFileSync(join(directory, 'state.json'), 'utf8'));
  return {
    name: directory.split('/').pop(),
    files: ['generator/weights.bin', 'discriminator/weights.bin', 'optimizer-generator.bin', 'optimizer-discriminator.bin', 'order.bin'].map(hash),
    state: { ...state, position: { ...state.position, trainSeconds: 0 } },
  };
}

test(`kill -9 at ${KILLS} random moments, each followed by --resume, ends where an uninterrupted run ends`, async () => {
  const whole = join(tempDir(), 'whole');
  const uninterrupted = gankit('train', ...SETTINGS, '--out', whole);
  assert.equal(uninterrupted.code, 0, uninterrupted.stderr);

  const run = join(tempDir(), 'killed');
  const rng = new Rng(2024);
  let kills = 0;
  const progress = new Set<string>();
  for (let attempt = 0; attempt < KILLS; attempt++) {
    const args = ['train', ...SETTINGS, '--out', run, ...(hasRunRecord(run) ? ['--resume'] : [])];
    // 0 to 4 steps past the last checkpoint, then up to 300 ms more: in the start-up, a step, a log line or a checkpoint.
    const checkpointed = latestCheckpoint(run) ? Number(/\d+$/.exec(latestCheckpoint(run)!)![0]) : 0;
    const outcome = await runAndKill(args, run, checkpointed + rng.integer(5), 300 * rng.uniform());
    if (outcome === 'killed') kills += 1;
    else assert.equal(outcome, 0, `attempt ${attempt} exited with ${outcome}`);
    const latest = latestCheckpoint(run);
    if (latest) assert.doesNotThrow(() => checkCheckpoint(latest), `the checkpoint after kill ${kills} is half-written`);
    if (latest) progress.add(latest);
    if (outcome === 'killed' && hasRunRecord(run)) assert.notEqual(readRunState(run)?.state, 'training', 'a killed run still reads as training');
  }
  assert.ok(kills >= 10, `only ${kills} of ${KILLS} attempts were killed before they finished`);
  // The kills fell during training too, not only during start-up: the run moved through several checkpoints.
  assert.ok(progress.size >= 3, `the killed run only reached ${[...progress].join(', ')}`);
  const finished = gankit('train', ...SETTINGS, '--out', run, ...(hasRunRecord(run) ? ['--resume'] : []));
  assert.equal(finished.code, 0, finished.stderr);
  assert.equal(readRunState(run)?.state, 'finished');
  assert.deepEqual(checkpointContent(run), checkpointContent(whole));
});
