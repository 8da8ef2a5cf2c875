// Conditional training: every objective (but BEGAN's autoencoder, refused in
// one sentence) and DP-SGD take a few steps on (image, class) pairs; a run
// resumes from its checkpoint; the penalties take the image's gradient.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { startEngine } from '../../src/engine/engine.js';
import { Rng } from '../../src/engine/rng.js';
import { withClasses } from '../../src/models/class-rows.js';
import { withGradientPenalty } from '../../src/objectives/gradient-penalty.js';
import { UsageError } from '../../src/errors.js';
import { latestCheckpoint, loadCheckpointModels } from '../../src/run/checkpoints.js';
import { readMetrics } from '../../src/run/metrics-log.js';
import { OBJECTIVE_NAMES } from '../../src/objectives/registry.js';
import { configFor } from '../../src/training/train-config.js';
import { resumeTraining, train } from '../../src/training/trainer.js';
import { tempDir } from '../helpers/temp-dir.js';

await startEngine({ quiet: true });

const dir = tempDir();
// 64 images at batch 32: 2 D steps an epoch.
const small = { conditional: true, limit: 64, batch: 32, epochs: 1, logEvery: 1, dSteps: 1 };

test('every objective trains conditionally for a few steps, with finite losses', async () => {
  for (const objective of OBJECTIVE_NAMES.filter((name) => name !== 'began')) {
    const runDir = join(dir, objective.replace(':', '-'));
    const outcome = await train(configFor(objective, small), runDir);
    assert.equal(outcome.position.dSteps, 2, objective);
    for (const line of readMetrics(join(runDir, 'metrics.jsonl'))) assert.ok(Number.isFinite(line.dLoss) && Number.isFinite(line.gLoss), objective);
    const { generator, discriminator } = await loadCheckpointModels(latestCheckpoint(runDir)!);
    assert.deepEqual([generator.inputs[0].shape[1], discriminator.outputs[0].shape[1]], [110, 11], objective);
  }
});

test('a conditional BEGAN is refused in one sentence', async () => {
  await assert.rejects(
    train(configFor('began', small), join(dir, 'began')),
    (error: Error) => error instanceof UsageError && /autoencoder/.test(error.message),
  );
});

test('a conditional DP run steps privately and resumes from its checkpoint', async () => {
  const runDir = join(dir, 'dp');
  const dp = { clip: 1, noise: 1, targetEpsilon: null, delta: null, accountant: 'rdp' as const, conversion: 'improved' as const };
  await train(configFor('nonsaturating', { ...small, dp, dSteps: 1 }), runDir);
  const resumed = await resumeTraining(runDir, { epochs: 2 });
  assert.equal(resumed.position.epoch, 2);
  const lines = readMetrics(join(runDir, 'metrics.jsonl'));
  assert.ok(lines.every((line) => Number.isFinite(line.dLoss) && Number(line.epsilon) > 0));
});

test("a conditional D's gradient penalty is the image's, at images beside their real rows' classes", () => {
  // A linear critic x·w: its image gradient is w's image part, whatever the class.
  const w = tf.tensor2d(new Rng(8).uniforms(794, -0.1, 0.1), [794, 1]);
  const imageNorm = tf.norm(tf.slice(w, [0, 0], [784, 1])).dataSync()[0];
  const seenRows: number[] = [];
  const critic = (rows: tf.Tensor2D) => {
    seenRows.push(rows.shape[1]);
    return tf.matMul(rows, w) as tf.Tensor2D;
  };
  const rows = (seed: number, classes: number[]) => tf.tensor2d(withClasses(new Rng(seed).uniforms(3 * 784, -1, 1), 784, classes), [3, 794]);
  const zero = () => ({ loss: tf.scalar(0), logs: {} });
  const lossOf = withGradientPenalty(zero, 1, ({ real, fake }) => {
    assert.deepEqual([real.shape[1], fake.shape[1]], [784, 784]);
    return tf.add(tf.mul(0.5, real), tf.mul(0.5, fake)) as tf.Tensor2D;
  });
  const { logs } = lossOf({ critic, real: rows(9, [1, 2, 3]), fake: rows(10, [7, 7, 7]), rng: new Rng(11) });
  assert.ok(Math.abs(logs.penalty.dataSync()[0] - (imageNorm - 1) ** 2) < 1e-5);
  assert.deepEqual(seenRows, [794]);
});
