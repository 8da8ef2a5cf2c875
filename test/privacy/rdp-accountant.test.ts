// The RDP accountant and noise calibration against the test vectors of
// Opacus's and TF Privacy's own tests.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { calibrateNoise } from '../../src/privacy/noise-calibration.js';
import { rdpEpsilon, RDP_ORDERS, subsampledGaussianRdp } from '../../src/privacy/rdp-accountant.js';

const near = (actual: number, expected: number, tolerance: number) => assert.ok(Math.abs(actual - expected) <= tolerance, `${actual} vs ${expected}`);

test('the orders are 1.1 to 10.9 in steps of 0.1, then 12 to 63', () => {
  assert.equal(RDP_ORDERS.length, 99 + 52);
  near(RDP_ORDERS[0], 1.1, 1e-12);
  near(RDP_ORDERS[98], 10.9, 1e-12);
  assert.deepEqual([RDP_ORDERS[99], RDP_ORDERS.at(-1)], [12, 63]);
});

test('ε of the Poisson-subsampled Gaussian matches Opacus and TF Privacy', () => {
  near(rdpEpsilon(0.04, 1.5, 2250, 1e-5).epsilon, 7.32911117143, 1e-9);
  const mnist = rdpEpsilon(150 / 60000, 1.3, 6000, 1e-5);
  near(mnist.epsilon, 0.7242234026, 1e-9);
  assert.equal(mnist.order, 19);
  const large = rdpEpsilon(100 / 100000, 1.0, 30000, 1e-7);
  near(large.epsilon, 1.4154988495, 1e-9);
  assert.equal(large.order, 13);
  near(rdpEpsilon(256 / 60000, 1.1, 14063, 1e-5).epsilon, 2.5966555287, 1e-9);
  // The classic conversion, which TF Privacy's tutorial reports as 3.01.
  near(rdpEpsilon(256 / 60000, 1.1, 14063, 1e-5, 'classic').epsilon, 3.0083810468, 1e-9);
});

test('the edge cases of one step: no sampling spends nothing, full batches are the plain Gaussian α/(2σ²)', () => {
  assert.equal(subsampledGaussianRdp(0, 1, 5), 0);
  near(subsampledGaussianRdp(1, 2, 5), 5 / 8, 1e-15);
  // Integer and fractional orders agree where they meet.
  near(subsampledGaussianRdp(0.01, 1.2, 3.0000001), subsampledGaussianRdp(0.01, 1.2, 3), 1e-6);
});

test("noise calibration matches Opacus's get_noise_multiplier", () => {
  near(
    calibrateNoise(8, (sigma) => rdpEpsilon(0.04, sigma, Math.floor(90 / 0.04), 1e-5)),
    1.416,
    5e-5,
  );
  near(
    calibrateNoise(8, (sigma) => rdpEpsilon(0.04, sigma, 2000, 1e-5)),
    1.3562,
    5e-5,
  );
  assert.throws(() => calibrateNoise(1e-9, (sigma) => rdpEpsilon(1, sigma, 1e9, 1e-5)), /budget is too small/);
});
