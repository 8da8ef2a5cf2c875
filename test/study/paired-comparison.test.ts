import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bootstrapInterval, pairedDifference, studentInterval } from '../../src/study/paired-comparison.js';
import { differenceVerdict, formatDifference } from '../../src/study/study-results.js';

const close = (actual: number, expected: number, tolerance: number, what: string) =>
  assert.ok(Math.abs(actual - expected) <= tolerance, `${what}: ${actual} vs ${expected}`);

test("Student's t interval, by hand: differences 1, 2, 3 have mean 2, sd 1, and t(0.975, 2) = 4.302653", () => {
  const half = 4.302652729749462 / Math.sqrt(3);
  const [low, high] = studentInterval([1, 2, 3]);
  close(low, 2 - half, 1e-12, 'low');
  close(high, 2 + half, 1e-12, 'high');
  // Two seeds: t(0.975, 1) = 12.7062; differences 10 and 14 have sd 2√2, se 2.
  const [low2, high2] = studentInterval([10, 14]);
  close(low2, 12 - 12.706204736174705 * 2, 1e-9, 'low, n = 2');
  close(high2, 12 + 12.706204736174705 * 2, 1e-9, 'high, n = 2');
});

test('differences are paired by seed; a seed either side lacks is left out; one seed gives no interval', () => {
  const row = [
    { seed: 0, value: 101 },
    { seed: 1, value: 202 },
    { seed: 2, value: 303 },
    { seed: 3, value: 404 },
  ];
  const baseline = [
    { seed: 2, value: 300 },
    { seed: 1, value: 200 },
    { seed: 0, value: 100 },
    { seed: 3, value: null },
  ];
  const difference = pairedDifference(row, baseline)!;
  assert.deepEqual(difference.perSeed, [
    { seed: 0, difference: 1 },
    { seed: 1, difference: 2 },
    { seed: 2, difference: 3 },
  ]);
  assert.equal(difference.mean, 2);
  assert.equal(difference.method, 'student-t');
  assert.deepEqual([difference.low, difference.high], studentInterval([1, 2, 3]));
  assert.equal(difference.separates, false, 'the interval [−0.48, 4.48] holds 0');
  const clear = pairedDifference(
    row.slice(0, 3),
    baseline.map((b) => ({ ...b, value: b.value === null ? null : b.value - 10 })),
  )!;
  assert.equal(clear.separates, true, 'differences 11, 12, 13 lie clear of 0');
  const same = pairedDifference(
    [0, 1].map((seed) => ({ seed, value: 7 })),
    [0, 1].map((seed) => ({ seed, value: 5 })),
  )!;
  assert.deepEqual([same.low, same.high, same.separates], [2, 2, false], 'a zero-width interval claims nothing');
  const single = pairedDifference([{ seed: 0, value: 5 }], [{ seed: 0, value: 3 }])!;
  assert.deepEqual([single.mean, single.low, single.high, single.method, single.separates], [2, null, null, null, false]);
  assert.equal(pairedDifference([{ seed: 0, value: 5 }], [{ seed: 1, value: 3 }]), null);
});

test("the bootstrap interval matches the exact bootstrap distribution's 2.5% and 97.5% points, and repeats", () => {
  const values = [0, 1, 2, 4, 8];
  // Every one of the 5^5 resamples, equally likely: the distribution the bootstrap samples from.
  const means: number[] = [];
  for (let code = 0; code < 5 ** 5; code++) {
    let sum = 0;
    for (let i = 0, c = code; i < 5; i++, c = Math.floor(c / 5)) sum += values[c % 5];
    means.push(sum / 5);
  }
  means.sort((a, b) => a - b);
  const exact = (q: number) => means[Math.round(q * (means.length - 1))];
  const [low, high] = bootstrapInterval(values, 0);
  // Resampled means move in steps of 0.2; 10,000 resamples land within a step of the exact points.
  close(low, exact(0.025), 0.2 + 1e-9, 'low');
  close(high, exact(0.975), 0.2 + 1e-9, 'high');
  assert.deepEqual(bootstrapInterval(values, 0), [low, high], 'the same seed, the same interval');
  const difference = pairedDifference(
    values.map((value, seed) => ({ seed, value })),
    values.map((_, seed) => ({ seed, value: 0 })),
  )!;
  assert.equal(difference.method, 'bootstrap');
  assert.deepEqual([difference.low, difference.high], [low, high]);
});

test("a separating difference is better or worse by the metric's direction; tiny values print without a sign", () => {
  const lower = pairedDifference(
    [0, 1, 2].map((seed) => ({ seed, value: 10 + seed })),
    [0, 1, 2].map((seed) => ({ seed, value: 20 })),
  );
  assert.equal(differenceVerdict(lower, 'fid'), 'better', 'a lower FID');
  assert.equal(differenceVerdict(lower, 'recall'), 'worse', 'a lower recall');
  assert.equal(formatDifference(lower, 'fid'), '−9.0 [−11.5, −6.5]');
  const tiny = pairedDifference([{ seed: 0, value: 1.00001 }], [{ seed: 0, value: 1 }]);
  assert.equal(formatDifference(tiny, 'fid'), '0.0');
  assert.equal(differenceVerdict(tiny, 'fid'), '');
});
