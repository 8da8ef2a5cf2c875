// The metric sanity suite (npm run bench:metrics) on smaller sets: the shipped
// default feature network, with P-precision and P-recall, passes every rule, and
// mnist-v1 fails the junk rules it was retired for (so the rules can fail).
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

test(`mnist-v3 passes every sanity rule on sets of ${COUNT}`, async () => {
  const checks = sanityChecks(await scoreSanitySets(train, real, COUNT, await loadFeatureExtractor('mnist-v3'), false));
  for (const [rule, breaking] of Object.entries(checks)) assert.deepEqual(breaking, [], `${rule} broken by ${breaking.join(', ')}`);
});

test(`mnist-v1 breaks the junk rules on sets of ${COUNT}`, async () => {
  const checks = sanityChecks(await scoreSanitySets(train, real, COUNT, await loadFeatureExtractor('mnist-v1'), false));
  assert.ok(checks.junkFidAboveEveryCleanClassSet.includes('uniform noise'), JSON.stringify(checks));
  assert.ok(checks.junkRecallAtMost005.includes('random strokes'), JSON.stringify(checks));
});
