import { test } from 'node:test';
import assert from 'node:assert/strict';
import { checkTrainConfig, configFor } from '../../src/training/train-config.js';
import { UsageError } from '../../src/errors.js';
import { OBJECTIVE_NAMES } from '../../src/objectives/registry.js';
import { DP_DEFAULTS } from '../../src/privacy/dp-config.js';
import { ADAPTIVE_D_STEPS } from '../../src/training/d-step-schedule.js';
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

test('checkTrainConfig accepts every objective alone, and refuses each broken rule with a UsageError of one sentence', () => {
  for (const objective of OBJECTIVE_NAMES) {
    assert.doesNotThrow(() => checkTrainConfig(configFor(objective)), objective);
  }
  assert.doesNotThrow(() => checkTrainConfig(configFor('nonsaturating', { dp: { ...DP_DEFAULTS, noise: 1 }, pretrain: { divergence: 'js', epochs: 2 } })));
  const refused: Array<[Parameters<typeof checkTrainConfig>[0], RegExp]> = [
    [{ ...configFor('nonsaturating'), objective: 'gann' }, /^Unknown objective "gann"; choose one of nonsaturating, /],
    [configFor('began', { pretrain: { divergence: 'js', epochs: 5 } }), /^--pretrain needs an objective whose D has one output; began uses an autoencoder\.$/],
    [configFor('began', { adaptiveDSteps: ADAPTIVE_D_STEPS }), /^--adaptive-d-steps measures D's accuracy from per-example losses, which began has not/],
    [
      configFor('wgan-gp', { dp: { ...DP_DEFAULTS, noise: 1 } }),
      /^--dp needs a D loss that is a sum over examples, to clip each one; wgan-gp's is not\. Choose one of /,
    ],
    [configFor('nonsaturating', { dp: DP_DEFAULTS }), /^--dp needs --dp-noise σ, or --dp-epsilon ε to calibrate σ\.$/],
    [configFor('nonsaturating', { gEmaStart: 100 }), /^--g-ema-start delays a moving average that is not kept: give --g-ema DECAY too\.$/],
  ];
  for (const [config, message] of refused) {
    assert.throws(
      () => checkTrainConfig(config),
      (error: unknown) => error instanceof UsageError && message.test(error.message) && !error.message.includes('\n'),
      message.source,
    );
  }
});
