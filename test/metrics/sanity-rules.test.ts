// The metric sanity suite (npm run bench:metrics) on smaller sets: the shipped
// default feature network passes every rule but the widened suite's known faults,
// and mnist-v1 fails the junk rules it was retired for (so the rules can fail).
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEngine } from '../../src/engine/engine.js';
import { loadImageSet } from '../../src/data/image-set.js';
import { loadFeatureExtractor } from '../../src/metrics/feature-extractor.js';
import { sanityChecks, scoreSanitySets } from '../../bench/metric-sanity-rules.js';

await startEngine({ quiet: true });
const COUNT = 2000;
const train = loadImageSet('mnist', { split: 'train' });
const real = loadImageSet('mnist', { split: 'test', limit: COUNT });

/**
 * What mnist-v2 gets wrong in the widened suite (issue 26, "a ruler that holds at the junk end"): random Bézier
 * strokes score like digits of a few classes, warped soft specks like digits of one, random grey blocks keep some
 * precision, and σ = 0.1 pixel noise costs a third of real digits' precision. A network that fixes them empties
 * this list.
 */
const V2_KNOWN_FAULTS = {
  junkPrecisionAtMost005: ['random strokes', 'random blocks', 'warped specks'],
  junkRecallAtMost005: ['random strokes'],
  junkFidAboveEveryCleanClassSet: ['random strokes', 'warped specks'],
  mildNoiseKeepsMostPrecision: ['gaussian noise σ=0.1'],
};

test(`mnist-v2 passes every sanity rule on sets of ${COUNT}, but for its known faults`, async () => {
  const checks = sanityChecks(scoreSanitySets(train, real, COUNT, await loadFeatureExtractor('mnist-v2'), false));
  for (const [rule, breaking] of Object.entries(checks)) {
    assert.deepEqual(breaking, V2_KNOWN_FAULTS[rule as keyof typeof V2_KNOWN_FAULTS] ?? [], `${rule} broken by ${breaking.join(', ')}`);
  }
});

test(`mnist-v1 breaks the junk rules on sets of ${COUNT}`, async () => {
  const checks = sanityChecks(scoreSanitySets(train, real, COUNT, await loadFeatureExtractor('mnist-v1'), false));
  assert.ok(checks.junkPrecisionAtMost005.includes('3% salt on black'), JSON.stringify(checks));
  assert.ok(checks.junkFidAboveEveryCleanClassSet.includes('uniform noise'), JSON.stringify(checks));
});
