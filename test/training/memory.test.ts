// One process's memory stays flat: a training run leaves no tensor behind.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { startEngine } from '../../src/engine/engine.js';
import { configFor } from '../../src/training/train-config.js';
import { type TrainConfig } from '../../src/run/run-config.js';
import { resumeTraining, train } from '../../src/training/trainer.js';
import { tempDir } from '../helpers/temp-dir.js';

await startEngine({ quiet: true });

const CASES: Array<{ name: string; objective: string; overrides: Partial<TrainConfig> }> = [
  { name: 'the study preset with the generator EMA', objective: 'nonsaturating', overrides: { gEma: 0.999 } },
  { name: 'WGAN-GP (its gradient penalty)', objective: 'wgan-gp', overrides: {} },
  {
    name: 'a private run',
    objective: 'nonsaturating',
    overrides: { dp: { clip: 1, noise: 1, delta: 1e-5, targetEpsilon: null, accountant: 'rdp', conversion: 'improved' } },
  },
];

for (const { name, objective, overrides } of CASES) {
  test(`a --limit epoch of ${name} leaves tf.memory() as it found it`, async () => {
    const config = configFor(objective, { limit: 256, epochs: 1, seed: 1, ...overrides });
    const before = tf.memory();
    await train(config, tempDir());
    const after = tf.memory();
    assert.equal(after.numTensors, before.numTensors, `tensors ${before.numTensors} → ${after.numTensors}`);
    assert.equal(after.numBytes, before.numBytes, `bytes ${before.numBytes} → ${after.numBytes}`);
  });
}

test('resuming a run leaves tf.memory() as it found it', async () => {
  const runDir = tempDir();
  await train(configFor('nonsaturating', { limit: 256, epochs: 1, seed: 1, gEma: 0.999 }), runDir);
  const before = tf.memory();
  await resumeTraining(runDir, { epochs: 2 });
  assert.equal(tf.memory().numTensors, before.numTensors);
  assert.equal(tf.memory().numBytes, before.numBytes);
});
