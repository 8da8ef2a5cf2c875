// The PRV accountant against Opacus's, and against the RDP bound it tightens.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { prvEpsilon } from '../../src/privacy/prv-accountant.js';
import { rdpEpsilon } from '../../src/privacy/rdp-accountant.js';

test("PRV's ε upper bound matches Opacus's PRVAccountant: q = 0.04, σ = 1.5, 2,249 steps, δ = 1e-5 → 6.7774", () => {
  const bounds = prvEpsilon(0.04, 1.5, 2249, 1e-5);
  assert.ok(Math.abs(bounds.upper - 6.7774) < 5e-4, `${bounds.upper}`);
  assert.ok(bounds.lower < bounds.estimate && bounds.estimate < bounds.upper);
  assert.ok(bounds.upper < rdpEpsilon(0.04, 1.5, 2249, 1e-5).epsilon);
});

test('PRV ε grows with the steps and falls with the noise', () => {
  const base = prvEpsilon(0.01, 1.0, 500, 1e-5).upper;
  assert.ok(prvEpsilon(0.01, 1.0, 1000, 1e-5).upper > base);
  assert.ok(prvEpsilon(0.01, 2.0, 500, 1e-5).upper < base);
});
