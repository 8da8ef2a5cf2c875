import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEngine } from '../../src/engine/engine.js';
import { latestCheckpoint, loadCheckpointModels } from '../../src/run/checkpoints.js';
import { readEpochScores } from '../../src/run/eval-curve.js';
import { readMetrics } from '../../src/run/metrics-log.js';
import { TRAIN_DEFAULTS, type TrainConfig } from '../../src/run/run-config.js';
import { resumeTraining, train } from '../../src/training/trainer.js';
import { TrainingDiverged, UsageError } from '../../src/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

await startEngine({ quiet: true });

// 320 images at batch 64: 5 D steps per epoch.
const config: TrainConfig = { ...TRAIN_DEFAULTS, limit: 320, epochs: 2, logEvery: 2, seed: 3 };

async function finalWeights(runDir: string): Promise<Float32Array[]> {
  const { generator, discriminator } = await loadCheckpointModels(latestCheckpoint(runDir)!);
  return [...generator.getWeights(), ...discriminator.getWeights()].map((w) => w.dataSync() as Float32Array);
}

test('a run writes config.json, metrics.jsonl, a grid per epoch and checkpoints', async () => {
  const runDir = join(tempDir(), 'run');
  const outcome = await train(config, runDir);
  assert.equal(outcome.status, 'completed');
  assert.deepEqual({ epoch: outcome.position.epoch, d: outcome.position.dSteps, g: outcome.position.gSteps }, { epoch: 2, d: 10, g: 10 });
  const saved = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
  assert.equal(saved.config.lrG, 2e-4);
  assert.equal(saved.data.stepsPerEpoch, 5);
  assert.deepEqual(readdirSync(join(runDir, 'samples')).sort(), ['epoch-001.png', 'epoch-002.png']);
  const metrics = readMetrics(join(runDir, 'metrics.jsonl'));
  assert.deepEqual(
    metrics.map((m) => m.step),
    [2, 4, 5, 6, 8, 10],
  );
  for (const line of metrics) {
    for (const key of ['dLoss', 'gLoss', 'dReal', 'dFake', 'stepsPerSecond'] as const) assert.ok(Number.isFinite(line[key]), key);
    assert.ok(line.dReal! > 0 && line.dReal! < 1 && line.dFake! > 0 && line.dFake! < 1);
  }
  const checkpoint = latestCheckpoint(runDir)!;
  for (const file of ['generator/model.json', 'generator/weights.bin', 'discriminator/model.json', 'optimizer-generator.bin', 'state.json']) {
    assert.ok(existsSync(join(checkpoint, file)), file);
  }
});

test('the same seed gives the same run', async () => {
  const a = join(tempDir(), 'a');
  const b = join(tempDir(), 'b');
  await train({ ...config, epochs: 1 }, a);
  await train({ ...config, epochs: 1 }, b);
  assert.deepEqual(await finalWeights(a), await finalWeights(b));
});

test('--resume after a finished epoch, or after a stop mid-epoch, reaches the same weights as an uninterrupted run', async () => {
  const uninterrupted = join(tempDir(), 'whole');
  await train(config, uninterrupted);
  const expected = await finalWeights(uninterrupted);

  const byEpoch = join(tempDir(), 'by-epoch');
  await train({ ...config, epochs: 1 }, byEpoch);
  await resumeTraining(byEpoch, { epochs: config.epochs });
  assert.deepEqual(await finalWeights(byEpoch), expected);

  const stopped = join(tempDir(), 'stopped');
  let steps = 0;
  const outcome = await train(config, stopped, { hooks: { onStep: () => steps++, stopRequested: () => steps === 3 } });
  assert.equal(outcome.status, 'stopped');
  assert.deepEqual({ epoch: outcome.position.epoch, step: outcome.position.stepInEpoch }, { epoch: 0, step: 3 });
  await resumeTraining(stopped, { epochs: config.epochs });
  assert.deepEqual(await finalWeights(stopped), expected);
  // The log of a resumed run is the log of the uninterrupted one, step for step.
  const steps1 = readMetrics(join(uninterrupted, 'metrics.jsonl')).map((m) => m.step);
  const steps2 = readMetrics(join(stopped, 'metrics.jsonl')).map((m) => m.step);
  assert.deepEqual(
    steps2.filter((s) => s !== 3),
    steps1,
  );
});

test('a run refuses to overwrite another, and --resume needs a run', async () => {
  const runDir = join(tempDir(), 'run');
  await assert.rejects(resumeTraining(runDir), /holds no run to resume/);
  await train({ ...config, epochs: 1 }, runDir);
  await assert.rejects(train(config, runDir), /already holds a run; pass --resume/);
});

test('a loss that becomes non-finite stops the run and keeps the last good checkpoint', async () => {
  const runDir = join(tempDir(), 'diverging');
  // A huge learning rate sends the weights, then the logits, to infinity within the first epoch.
  const diverging = train({ ...config, lrD: 1e36, lrG: 1e36 }, runDir);
  await assert.rejects(diverging, (error: unknown) => {
    assert.ok(error instanceof TrainingDiverged);
    assert.match(error.message, /loss became NaN or infinite at epoch 1, step \d+; the last good checkpoint is kept in .*step-000000000/);
    return true;
  });
  assert.match(latestCheckpoint(runDir)!, /step-000000000$/);
});

function checkpointState(runDir: string): { position: { rng: unknown; dropoutRng?: unknown }; order: Buffer } {
  const checkpoint = latestCheckpoint(runDir)!;
  return { position: JSON.parse(readFileSync(join(checkpoint, 'state.json'), 'utf8')).position, order: readFileSync(join(checkpoint, 'order.bin')) };
}

test('both presets draw the same latents and shuffles for the same seed; dropout draws from a stream of its own', async () => {
  const study = join(tempDir(), 'study');
  const course = join(tempDir(), 'course');
  await train({ ...config, epochs: 1 }, study);
  await train({ ...config, epochs: 1, preset: 'course', dropoutG: 0, dropoutD: 0 }, course);
  const [a, b] = [checkpointState(study), checkpointState(course)];
  assert.deepEqual(a.position.rng, b.position.rng);
  assert.deepEqual(a.order, b.order);
  assert.notDeepEqual(a.position.dropoutRng, b.position.dropoutRng);
  assert.notDeepEqual(await finalWeights(study), await finalWeights(course));
});

test('--g-ema keeps a moving average of G, checkpointed beside it, and a resumed run reaches the same average', async () => {
  const emaConfig = { ...config, gEma: 0.9 };
  const whole = join(tempDir(), 'ema-whole');
  await train(emaConfig, whole);
  const resumed = join(tempDir(), 'ema-resumed');
  await train({ ...emaConfig, epochs: 1 }, resumed);
  await resumeTraining(resumed, { epochs: emaConfig.epochs });
  const averages = await Promise.all(
    [whole, resumed].map(async (dir) => (await loadCheckpointModels(latestCheckpoint(dir)!)).generatorEma!.getWeights().map((w) => w.dataSync())),
  );
  assert.deepEqual(averages[0], averages[1]);
  const { generator, generatorEma } = await loadCheckpointModels(latestCheckpoint(whole)!);
  assert.notDeepEqual(generatorEma!.getWeights()[0].dataSync(), generator.getWeights()[0].dataSync());
});

test('a run whose --g-ema-start is not before its last G step says its average never started', async () => {
  const messages: string[] = [];
  const late = (gEmaStart: number) =>
    train({ ...config, gEma: 0.9, gEmaStart, epochs: 1 }, join(tempDir(), `ema-from-${gEmaStart}`), { hooks: { onMessage: (m) => messages.push(m) } });
  await late(4);
  assert.deepEqual(messages, []);
  await late(5);
  assert.deepEqual(messages, [
    "G's moving average never started: --g-ema-start 5 is not before the run's last G step (5), so it is a copy of G. Give a smaller start.",
  ]);
});

test("--eval-every and --keep-every both keep their epochs' checkpoints; the scores name them", async () => {
  const runDir = join(tempDir(), 'kept');
  await train({ ...config, epochs: 4, evalEvery: 2, keepEvery: 3, evalN: 200 }, runDir);
  const kept = readdirSync(join(runDir, 'checkpoints'))
    .filter((name) => name.startsWith('step-'))
    .sort();
  // 5 D steps an epoch: epochs 2, 3 and 4 (scored, kept, newest), and epoch 3 is also among the newest two.
  assert.deepEqual(kept, ['step-000000010', 'step-000000015', 'step-000000020']);
  assert.deepEqual(
    readEpochScores(runDir).map((s) => [s.epoch, s.checkpoint]),
    [
      [2, 'step-000000010'],
      [4, 'step-000000020'],
    ],
  );
});

test('resuming with another preset or dropout is refused with one sentence', async () => {
  const runDir = join(tempDir(), 'refuse');
  await train({ ...config, epochs: 1 }, runDir);
  await assert.rejects(
    resumeTraining(runDir, { preset: 'course' }),
    (error: Error) => error instanceof UsageError && /trained with preset = "study"; a resume can change only --epochs/.test(error.message),
  );
  await assert.rejects(resumeTraining(runDir, { dropoutD: 0.5, lrG: 1 }), /dropoutD = 0.3, lrG = 0.0002/);
  // The settings a resume applies, and values equal to the saved ones, pass.
  const resumed = await resumeTraining(runDir, { epochs: 2, logEvery: 1, preset: 'study', dropoutD: 0.3 });
  assert.equal(resumed.position.epoch, 2);
  assert.equal(readMetrics(join(runDir, 'metrics.jsonl')).filter((line) => line.step > 5).length, 5);
});
