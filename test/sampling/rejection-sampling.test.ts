import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/engine/rng.js';
import { drsScore, RejectionSampler } from '../../src/sampling/rejection-sampling.js';
import { percentile } from '../../src/metrics/statistics.js';

test('F(x) = s − log(1 − exp(s − ε)) with s = D̃(x) − D̃*, stable near and far from the maximum', () => {
  for (const s of [-0.001, -0.3, -2, -10]) {
    const direct = s - Math.log(1 - Math.exp(s - 1e-6));
    assert.ok(Math.abs(drsScore(s + 3, 3, 1e-6) - direct) < 1e-9 * Math.max(1, Math.abs(direct)));
  }
  assert.ok(Number.isFinite(drsScore(5, 5, 1e-6)), 'finite at the maximum itself');
  assert.ok(Math.abs(drsScore(-800, 0, 1e-6) - -800) < 1e-9, 'F → s far below the maximum');
});

test('γ sits at the chosen percentile of F, so that proposal is accepted with probability ½', () => {
  const logits = Array.from({ length: 1001 }, (_, i) => -5 + i / 100);
  const sampler = new RejectionSampler(logits, { burnIn: logits.length, gammaPercentile: 95, epsilon: 1e-6 });
  const at95 = logits[950];
  assert.ok(Math.abs(drsScore(at95, 5, 1e-6) - sampler.gamma) < 1e-9);
  assert.ok(Math.abs(sampler.acceptance(at95) - 0.5) < 1e-9);
  // Acceptance grows with the logit.
  assert.ok(sampler.acceptance(-5) < sampler.acceptance(0) && sampler.acceptance(0) < sampler.acceptance(5));
  assert.equal(percentile([3, 1, 2], 50), 2);
});

test('a logit above the burn-in maximum raises D̃*, and the acceptance rate is counted', () => {
  const sampler = new RejectionSampler([0, 1, 2], { burnIn: 3, gammaPercentile: 50, epsilon: 1e-6 });
  const before = sampler.acceptance(2);
  sampler.acceptance(10);
  assert.ok(sampler.acceptance(2) < before, 'a higher maximum lowers everyone else');
  const rng = new Rng(1);
  let kept = 0;
  for (let i = 0; i < 1000; i++) if (sampler.accept(-50, rng)) kept++;
  assert.equal(sampler.proposed, 1000);
  assert.equal(sampler.accepted, kept);
  assert.ok(sampler.acceptanceRate < 0.01, 'far-below proposals are almost never kept');
});
