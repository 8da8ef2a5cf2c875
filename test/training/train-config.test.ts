import { test } from 'node:test';
import assert from 'node:assert/strict';
import { configFor } from '../../src/training/train-config.js';
import { completeSavedConfig, PRESETS, TRAIN_DEFAULTS } from '../../src/run/run-config.js';

test("the study preset is the default: dropout 0.3 in G and D, the course optimizer, PyTorch's Adam ε", () => {
  const config = configFor('nonsaturating');
  assert.equal(config.preset, 'study');
  assert.deepEqual([config.dropoutG, config.dropoutD], [0.3, 0.3]);
  assert.deepEqual([config.lrG, config.beta1, config.beta2, config.adamEpsilon], [2e-4, 0.9, 0.999, 1e-8]);
  assert.deepEqual({ ...configFor('nonsaturating', { preset: 'course' }), preset: 'study', ...PRESETS.study }, config);
});

test("precedence: defaults < preset < the objective's paper settings < flags", () => {
  const course = configFor('wgan-gp', { preset: 'course' });
  assert.deepEqual([course.dropoutG, course.dropoutD], [0, 0]);
  // The objective's paper settings override the defaults, whatever the preset.
  assert.deepEqual([course.lrG, course.beta1, course.beta2, course.dSteps], [1e-4, 0.5, 0.9, 5]);
  const flagged = configFor('wgan-gp', { preset: 'course', dropoutD: 0.1, beta1: 0.2, dSteps: undefined });
  assert.deepEqual([flagged.dropoutG, flagged.dropoutD, flagged.beta1, flagged.dSteps], [0, 0.1, 0.2, 5]);
  const study = configFor('lsgan', { dropoutG: 0 });
  assert.deepEqual([study.dropoutG, study.dropoutD, study.beta1], [0, 0.3, 0.5]);
});

test("BEGAN's autoencoder D has no dropout", () => {
  const began = configFor('began', { dropoutD: 0.3 });
  assert.deepEqual([began.dropoutG, began.dropoutD], [0.3, 0]);
});

test("a config.json from before presets is a course run with TF.js's Adam ε", () => {
  const { preset, dropoutG, dropoutD, adamEpsilon, ...older } = TRAIN_DEFAULTS;
  const completed = completeSavedConfig({ ...older, epochs: 3 });
  assert.deepEqual([completed.preset, completed.dropoutG, completed.dropoutD, completed.adamEpsilon], ['course', 0, 0, 1e-7]);
  assert.equal(completed.epochs, 3);
  assert.deepEqual(completeSavedConfig(configFor('nonsaturating')), configFor('nonsaturating'));
  assert.ok(preset && dropoutG && dropoutD && adamEpsilon);
});
