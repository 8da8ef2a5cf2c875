// DP training end to end on a small subset: the accounting in privacy.json,
// the ε budget stopping the run, and the guard rails.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEngine } from '../../src/engine/engine.js';
import { UsageError } from '../../src/errors.js';
import { prvEpsilon } from '../../src/privacy/prv-accountant.js';
import { rdpEpsilon } from '../../src/privacy/rdp-accountant.js';
import { latestCheckpoint, loadCheckpointModels } from '../../src/run/checkpoints.js';
import { readMetrics } from '../../src/run/metrics-log.js';
import { configFor } from '../../src/training/train-config.js';
import { DP_DEFAULTS, type DpConfig } from '../../src/privacy/dp-config.js';
import { resumeTraining, train } from '../../src/training/trainer.js';
import { gankit } from '../helpers/gankit-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

await startEngine({ quiet: true });

const DP: DpConfig = { ...DP_DEFAULTS, noise: 1.1 };
// 640 images at batch 64: q = 0.1, 10 D steps an epoch, δ = 1e-3 (the power of ten below 1/640).
const small = (dp: Partial<DpConfig> = {}, objective = 'nonsaturating') =>
  configFor(objective, { limit: 640, epochs: 2, seed: 4, logEvery: 5, dp: { ...DP, ...dp } });

test('a DP run takes n_D = 10 D steps per G step, logs ε, and records the accountant in privacy.json', async () => {
  const runDir = tempDir();
  const outcome = await train(small(), runDir);
  assert.equal(outcome.status, 'completed');
  assert.equal(outcome.position.dSteps, 20);
  assert.equal(outcome.position.gSteps, 2);
  const privacy = JSON.parse(readFileSync(join(runDir, 'privacy.json'), 'utf8'));
  const expected = rdpEpsilon(0.1, 1.1, 20, 1e-3);
  assert.equal(privacy.epsilon, expected.epsilon);
  assert.equal(privacy.delta, 1e-3);
  assert.deepEqual([privacy.noiseMultiplier, privacy.clip, privacy.samplingRate, privacy.steps], [1.1, 1, 0.1, 20]);
  assert.match(privacy.protects, /single training image/);
  const metrics = readMetrics(join(runDir, 'metrics.jsonl'));
  assert.equal(metrics.at(-1)!.epsilon, expected.epsilon);
  // Poisson sampling: the realised batches vary around q·N = 64.
  const batches = metrics.map((line) => line.realBatch as number);
  assert.ok(batches.every((b) => b > 40 && b < 90) && new Set(batches).size > 1, `${batches}`);
});

test('with the PRV accountant, privacy.json reports its upper bound', async () => {
  const runDir = tempDir();
  await train({ ...small({ accountant: 'prv' }), epochs: 1 }, runDir);
  const privacy = JSON.parse(readFileSync(join(runDir, 'privacy.json'), 'utf8'));
  assert.equal(privacy.epsilon, prvEpsilon(0.1, 1.1, 10, 1e-3).upper);
  assert.match(privacy.accountant, /^prv/);
});

test('a target ε calibrates σ for the planned steps, and a smaller one stops the run before it is passed', async () => {
  const calibrated = tempDir();
  await train(small({ noise: null, targetEpsilon: 5 }), calibrated);
  const privacy = JSON.parse(readFileSync(join(calibrated, 'privacy.json'), 'utf8'));
  assert.ok(privacy.epsilon <= 5 && privacy.epsilon > 4.95, `ε ${privacy.epsilon}`);
  const budget = tempDir();
  const outcome = await train(small({ noise: 1.1, targetEpsilon: 2 }), budget);
  assert.equal(outcome.status, 'budget-spent');
  const spent = JSON.parse(readFileSync(join(budget, 'privacy.json'), 'utf8'));
  assert.ok(spent.epsilon <= 2 && rdpEpsilon(0.1, 1.1, spent.steps + 1, 1e-3).epsilon > 2 && spent.steps < 20, JSON.stringify(spent));
});

test('guard rails: losses that are not sums over examples, a δ of 1/N or more, and resuming with other σ, C or q', async () => {
  await assert.rejects(train(small({}, 'wgan-gp'), tempDir()), (error: Error) => error instanceof UsageError && /sum over examples/.test(error.message));
  await assert.rejects(train(small({ delta: 0.01 }), tempDir()), (error: Error) => error instanceof UsageError && /not below 1\/N/.test(error.message));
  const runDir = tempDir();
  await train({ ...small(), epochs: 1 }, runDir);
  for (const changes of [{ dp: { noise: 2 } }, { dp: { clip: 0.5 } }, { batch: 32 }]) {
    await assert.rejects(resumeTraining(runDir, { epochs: 2, ...changes }), /void the privacy accounting/);
  }
  const resumed = await resumeTraining(runDir, { epochs: 2, dp: { noise: 1.1 } });
  assert.equal(resumed.position.dSteps, 20);
});

test('the command line: --dp-sampling shuffled and stray --dp- flags are refused; gankit privacy prints ε or σ', () => {
  const shuffled = gankit('train', '--dp', '--dp-noise', '1', '--dp-sampling', 'shuffled', '--out', join(tempDir(), 'run'));
  assert.equal(shuffled.code, 2);
  assert.match(shuffled.stderr, /Poisson sampling/);
  const stray = gankit('train', '--dp-noise', '1', '--out', join(tempDir(), 'run'));
  assert.equal(stray.code, 2);
  assert.match(stray.stderr, /--dp-noise applies to DP training/);
  const epsilon = JSON.parse(gankit('privacy', '--q', '0.04', '--sigma', '1.5', '--steps', '2250', '--json').stdout);
  assert.ok(Math.abs(epsilon.epsilon - 7.32911117143) < 1e-9 && epsilon.order === 3.9);
  const sigma = JSON.parse(gankit('privacy', '--q', '0.04', '--epsilon', '8', '--epochs', '90', '--json').stdout);
  assert.ok(Math.abs(sigma.sigma - 1.416) < 5e-5, `σ ${sigma.sigma}`);
});

test('the adaptive D-step schedule: logged, checkpointed (a resumed run reaches the same weights), refused without per-example losses', async () => {
  const adaptive = { ...small(), adaptiveDSteps: { threshold: 0.99, grace: 1, beta: 0.5 }, dSteps: 1 };
  const whole = tempDir();
  await train(adaptive, whole);
  const metrics = readMetrics(join(whole, 'metrics.jsonl'));
  // A threshold of 0.99 climbs the ladder at almost every G step: the log shows n_D rising.
  const nD = metrics.map((line) => line.nD).filter((value): value is number => typeof value === 'number');
  assert.ok(nD[0] < nD.at(-1)! && metrics.some((line) => typeof line.fakeAccuracy === 'number'), JSON.stringify(metrics));
  const resumed = tempDir();
  await train({ ...adaptive, epochs: 1 }, resumed);
  await resumeTraining(resumed, { epochs: adaptive.epochs });
  const weights = async (dir: string) => (await loadCheckpointModels(latestCheckpoint(dir)!)).discriminator.getWeights().map((w) => Array.from(w.dataSync()));
  assert.deepEqual(await weights(resumed), await weights(whole));
  await assert.rejects(
    train({ ...configFor('wgan-gp', { limit: 640, epochs: 1 }), adaptiveDSteps: adaptive.adaptiveDSteps }, tempDir()),
    (error: Error) => error instanceof UsageError && /--adaptive-d-steps measures D's accuracy/.test(error.message),
  );
});
