// Conditional training: every objective (but BEGAN's autoencoder, refused in
// one sentence) and DP-SGD take a few steps on (image, class) pairs; a run
// resumes from its checkpoint; the epoch grids' rows are the classes.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { startEngine } from '../../src/engine/engine.js';
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
