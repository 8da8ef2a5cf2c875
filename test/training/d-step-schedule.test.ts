import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dStepSchedule } from '../../src/training/d-step-schedule.js';

const constant = { dSteps: 5, wganWarmup: false, adaptiveDSteps: null };

test("a constant n_D, and WGAN's warm-up of 100 D steps for the first 25 G steps and every 500th", () => {
  const fixed = dStepSchedule(constant);
  assert.deepEqual(
    [0, 1, 500].map((g) => fixed.dStepsBefore(g)),
    [5, 5, 5],
  );
  assert.equal(fixed.measuresAccuracy, false);
  const warm = dStepSchedule({ ...constant, wganWarmup: true });
  assert.deepEqual(
    [0, 24, 25, 499, 500, 501, 1000].map((g) => warm.dStepsBefore(g)),
    [100, 100, 5, 5, 100, 5, 100],
  );
});

test('the adaptive schedule climbs the ladder when the averaged accuracy on fakes falls to the threshold, after each grace period', () => {
  const settings = { threshold: 0.6, grace: 3, beta: 0.5 };
  const schedule = dStepSchedule({ ...constant, dSteps: 1, adaptiveDSteps: settings });
  assert.equal(schedule.measuresAccuracy, true);
  const seen: number[] = [];
  // The average: 1, then 0.5·1 + 0.5·0.2 = 0.6, 0.4, … ; it is at or below 0.6 from the second G step on.
  for (const accuracy of [1, 0.2, 0.2, 0.2, 0.2, 0.2, 0.2]) {
    schedule.afterGStep(accuracy);
    seen.push(schedule.dStepsBefore(0));
  }
  // Grace 3: the first rise at the third G step, the next three G steps later.
  assert.deepEqual(seen, [1, 1, 2, 2, 2, 5, 5]);
  // While D is accurate, n_D stays.
  const confident = dStepSchedule({ ...constant, dSteps: 10, adaptiveDSteps: settings });
  for (let i = 0; i < 10; i++) confident.afterGStep(0.9);
  assert.equal(confident.dStepsBefore(0), 10);
});

test('the adaptive schedule continues from its saved state', () => {
  const settings = { threshold: 0.6, grace: 1, beta: 0.9 };
  const config = { ...constant, dSteps: 1, adaptiveDSteps: settings };
  const whole = dStepSchedule(config);
  const first = dStepSchedule(config);
  const accuracies = [0.5, 0.4, 0.9, 0.3, 0.2, 0.8];
  accuracies.forEach((a) => whole.afterGStep(a));
  accuracies.slice(0, 3).forEach((a) => first.afterGStep(a));
  const resumed = dStepSchedule(config, first.state());
  accuracies.slice(3).forEach((a) => resumed.afterGStep(a));
  assert.deepEqual(resumed.state(), whole.state());
});
