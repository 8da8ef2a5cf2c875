import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { spawn } from 'node:child_process';
import { cpSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { startEngine } from '../../src/engine/engine.js';
import { Rng } from '../../src/engine/rng.js';
import { loadImageSet } from '../../src/data/image-set.js';
import { mlpForward } from '../../src/models/mlp-forward.js';
import { collaborativeSample, csGradient, meanRealScore } from '../../src/sampling/collaborative-sampling.js';
import { shapeDiscriminator } from '../../src/sampling/discriminator-shaping.js';
import { loadShapedDiscriminator, saveShapedDiscriminator } from '../../src/run/shaped-discriminator.js';
import { TRAIN_DEFAULTS } from '../../src/run/run-config.js';
import { train } from '../../src/training/trainer.js';
import { openRun } from '../../src/run/trained-run.js';
import { runPaths } from '../../src/run/run-directory.js';
import { claimRun, readRunState } from '../../src/run/run-state.js';
import { GANKIT_BIN, gankit } from '../helpers/gankit-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

await startEngine({ quiet: true });

// A briefly trained run: D already tells digits from G's early blobs.
const runDir = join(tempDir(), 'run');
await train({ ...TRAIN_DEFAULTS, limit: 640, epochs: 2, seed: 1 }, runDir);
const run = await openRun(runDir);
const z = tf.tensor2d(new Rng(2).normals(64 * 100), [64, 100]);

const mean = (values: Float32Array) => values.reduce((s, v) => s + v, 0) / values.length;

test('the refiners score with D in eval mode: a run trained with dropout refines the same latents the same way twice', async () => {
  assert.equal(run.config.dropoutD, 0.3);
  const options = { layer: 3, steps: 10, rate: 0.1, eta: 0.999, select: 'last' as const };
  const [a, b] = [
    await collaborativeSample(run.generator, run.discriminator, z, options),
    await collaborativeSample(run.generator, run.discriminator, z, options),
  ];
  assert.deepEqual(Array.from(a.scoresBefore), Array.from(b.scoresBefore));
  assert.deepEqual(Array.from(a.images), Array.from(b.images));
  // η, CS's default threshold, is D's mean score on real images, also in eval mode.
  const real = tf.tensor2d(loadImageSet('mnist', { limit: 100 }).pixels, [100, 784]);
  assert.equal(await meanRealScore(run.discriminator, real), await meanRealScore(run.discriminator, real));
});

test('refinement raises the mean D score, on each layer and on the pixels', async () => {
  for (const layer of [3, 1, 0]) {
    const result = await collaborativeSample(run.generator, run.discriminator, z, { layer, steps: 20, rate: 0.1, eta: 0.999, select: 'last' });
    assert.ok(mean(result.scoresAfter) > mean(result.scoresBefore), `layer ${layer}: ${mean(result.scoresBefore)} → ${mean(result.scoresAfter)}`);
    assert.ok(result.images.every((v) => v >= -1 && v <= 1));
  }
});

test('samples already at or above η are left unchanged; the others stop once they reach it', async () => {
  const initial = await collaborativeSample(run.generator, run.discriminator, z, { layer: 3, steps: 0, rate: 0.1, eta: 1, select: 'last' });
  const eta = Float32Array.from(initial.scoresBefore).sort()[32];
  const result = await collaborativeSample(run.generator, run.discriminator, z, { layer: 3, steps: 30, rate: 0.1, eta, select: 'last' });
  for (let i = 0; i < 64; i++) {
    const image = (r: typeof result) => Array.from(r.images.subarray(i * 784, (i + 1) * 784));
    if (initial.scoresBefore[i] >= eta) {
      assert.equal(result.stepsTaken[i], 0);
      assert.deepEqual(image(result), image(initial));
    } else {
      assert.ok(result.stepsTaken[i] > 0);
      // A sample stopped early has crossed η at its last step.
      if (result.stepsTaken[i] < 30) assert.ok(result.scoresAfter[i] >= eta);
    }
  }
});

test('--cs-select best keeps, per sample, the highest score seen', async () => {
  const last = await collaborativeSample(run.generator, run.discriminator, z, { layer: 3, steps: 15, rate: 0.5, eta: 0.999, select: 'last' });
  const best = await collaborativeSample(run.generator, run.discriminator, z, { layer: 3, steps: 15, rate: 0.5, eta: 0.999, select: 'best' });
  for (let i = 0; i < 64; i++) {
    assert.ok(best.scoresAfter[i] >= last.scoresAfter[i] - 1e-6);
    assert.ok(best.scoresAfter[i] >= best.scoresBefore[i] - 1e-6);
  }
});

test('the refinement gradient matches central finite differences', async () => {
  const activation = tf.tidy(() => mlpForward(run.generator, tf.slice(z, [0, 0], [3, 100]), { to: 6 }));
  const loss = (x: tf.Tensor2D) =>
    tf.tidy(() => tf.sum(tf.softplus(tf.neg(mlpForward(run.discriminator, mlpForward(run.generator, x, { from: 6 }))))).dataSync()[0]);
  const analytic = (await csGradient(run.generator, run.discriminator, 3, activation)).dataSync();
  const values = activation.dataSync();
  const order = Array.from(analytic.keys()).sort((a, b) => Math.abs(analytic[b]) - Math.abs(analytic[a]));
  for (const index of order.slice(0, 6)) {
    const h = 1e-2;
    const at = (delta: number) => {
      const shifted = values.slice();
      shifted[index] += delta;
      return loss(tf.tensor2d(shifted, activation.shape));
    };
    const numeric = (at(h) - at(-h)) / (2 * h);
    assert.ok(Math.abs(numeric - analytic[index]) < 0.05 * Math.abs(analytic[index]) + 1e-4, `[${index}] ${analytic[index]} vs ${numeric}`);
  }
});

const SHAPING = { epochs: 1, lr: 1e-5, beta1: 0.9, beta2: 0.999, batch: 64, cs: { layer: 3, steps: 5, rate: 0.1, eta: 0.9, select: 'last' as const } };

test('shaping fine-tunes D against refined samples; the shaped D is saved in the run and found again', async () => {
  const shapedRun = await openRun(runDir);
  const before = shapedRun.discriminator.getWeights()[0].dataSync().slice();
  const images = loadImageSet('mnist', { limit: 128 });
  const losses: number[] = [];
  const options = { ...SHAPING, dropout: shapedRun.config.dropoutD };
  await shapeDiscriminator(shapedRun.generator, shapedRun.discriminator, images, new Rng(3), tf.train.adam(options.lr), options, {
    onStep: (p) => losses.push(p.loss),
  });
  assert.equal(losses.length, 2);
  assert.ok(losses.every(Number.isFinite));
  const after = shapedRun.discriminator.getWeights()[0].dataSync();
  assert.notDeepEqual(Array.from(after), Array.from(before));
  assert.equal(await loadShapedDiscriminator(runDir), undefined);
  await saveShapedDiscriminator(runDir, shapedRun.discriminator, { epochs: 1 });
  const loaded = await loadShapedDiscriminator(runDir);
  assert.deepEqual(Array.from(loaded!.getWeights()[0].dataSync()), Array.from(after));
});

test('gankit shape stopped by SIGTERM and resumed ends with the D an uninterrupted shaping makes', async () => {
  const shape = (run: string, ...args: string[]) => gankit('shape', '--run', run, '--limit', '320', '--epochs', '2', '--cs-steps', '3', ...args);
  const copy = (name: string) => {
    const dir = join(tempDir(), name);
    cpSync(runDir, dir, { recursive: true, filter: (path) => !path.includes('shaped') });
    return dir;
  };
  const whole = copy('whole');
  assert.equal(shape(whole).code, 0);
  // SIGTERM once the first epoch's line shows: the shaping stops after the step in progress and saves itself.
  const stopped = copy('stopped');
  const child = spawn(process.execPath, [GANKIT_BIN, 'shape', '--run', stopped, '--limit', '320', '--epochs', '2', '--cs-steps', '3'], {
    env: { ...process.env, GANKIT_THREADS: '1' },
  });
  let output = '';
  child.stdout.on('data', (chunk) => (output += chunk));
  child.stderr.on('data', (chunk) => {
    if (!output.includes('signalled') && /shape epoch 1\/2/.test(String(chunk))) {
      output += 'signalled';
      child.kill('SIGTERM');
    }
  });
  // Stopped, not finished: the exit code a shell gives SIGTERM, after the work is saved.
  assert.equal(await new Promise((resolve) => child.on('exit', resolve)), 143);
  assert.match(output, /Stopped at shaping epoch \d, step \d+\. gankit shape --run .* --resume continues it/);
  assert.equal(gankit('shape', '--run', stopped, '--resume', '--lr', '1').code, 2);
  const resumed = gankit('shape', '--run', stopped, '--resume');
  assert.equal(resumed.code, 0, resumed.stderr);
  const weights = async (dir: string) => (await loadShapedDiscriminator(dir))!.getWeights().map((w) => Array.from(w.dataSync()));
  assert.deepEqual(await weights(stopped), await weights(whole));
  assert.ok(!existsSync(runPaths(stopped).stoppedShaping));
});

test('a second gankit shape of a run being shaped is refused before it changes anything; the run can be trained meanwhile', () => {
  const dir = join(tempDir(), 'held');
  cpSync(runDir, dir, { recursive: true, filter: (path) => !path.includes('shaped') });
  // This process holds the run's shaping, as a live `gankit shape` would.
  const claim = claimRun(dir, undefined, 'shaping');
  const shape = () => gankit('shape', '--run', dir, '--limit', '128', '--cs-steps', '2');
  const refused = shape();
  assert.equal(refused.code, 1);
  assert.match(refused.stderr, new RegExp(`is being shaped by process ${process.pid} on .*; wait for it to end, or stop it first\\.`));
  assert.ok(!existsSync(runPaths(dir).shaped));
  assert.equal(readRunState(dir)?.state, 'finished', "the training's own record is untouched");
  claim.finish('stopped');
  assert.equal(shape().code, 0);
  assert.equal(readRunState(dir, 'shaping')?.state, 'finished');
});
