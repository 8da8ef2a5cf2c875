import { test } from 'node:test';
import assert from 'node:assert/strict';
import { deriveRng, Rng } from '../../src/engine/rng.js';

test('the same seed gives the same numbers; another seed or stream gives others', () => {
  assert.deepEqual(new Rng(42).normals(10), new Rng(42).normals(10));
  assert.notDeepEqual(new Rng(42).normals(10), new Rng(43).normals(10));
  assert.notDeepEqual(deriveRng(42, 'weights').normals(10), deriveRng(42, 'training').normals(10));
});

test('a restored state continues the same sequence, mid Box–Muller pair included', () => {
  const rng = new Rng(5);
  rng.normal();
  const saved = JSON.parse(JSON.stringify(rng.state()));
  const expected = rng.normals(7);
  assert.deepEqual(Rng.fromState(saved).normals(7), expected);
});

test('uniforms and normals have the right moments; permutations are permutations', () => {
  const rng = new Rng(9);
  const n = 200_000;
  const u = rng.uniforms(n, 0, 1);
  const z = rng.normals(n);
  const mean = (a: Float32Array) => a.reduce((s, v) => s + v, 0) / a.length;
  const variance = (a: Float32Array) => mean(a.map((v) => v * v)) - mean(a) ** 2;
  // Five standard errors.
  assert.ok(Math.abs(mean(u) - 0.5) < 5 * Math.sqrt(1 / 12 / n));
  assert.ok(Math.abs(mean(z)) < 5 / Math.sqrt(n));
  assert.ok(Math.abs(variance(z) - 1) < 5 * Math.sqrt(2 / n));
  const order = Array.from(rng.permutation(1000)).sort((a, b) => a - b);
  assert.deepEqual(
    order,
    Array.from({ length: 1000 }, (_, i) => i),
  );
});

/** Draws through `nextUint32` only, as a test's replaying subclass does. */
class MethodOnlyRng extends Rng {
  override drawFromState(): boolean {
    return false;
  }
}

test("bernoulliIndices makes uniform()'s decisions from the same draws, and leaves the state where that loop would", () => {
  // Rates from DP's batch-64 Poisson sample to ones where most indices are chosen, and the rate 1·2⁻⁵³ edge.
  for (const [count, rate] of [
    [60_000, 64 / 60_000],
    [5_000, 0.5],
    [300, 0.97],
    [1_000, 2 ** -53],
  ]) {
    const unrolled = new Rng(21);
    const method = new MethodOnlyRng(21);
    const loop = new Rng(21);
    const expected: number[] = [];
    for (let i = 0; i < count; i++) if (loop.uniform() < rate) expected.push(i);
    assert.deepEqual(Array.from(unrolled.bernoulliIndices(count, rate)), expected, `rate ${rate}`);
    assert.deepEqual(Array.from(method.bernoulliIndices(count, rate)), expected, `rate ${rate}, drawn by the method`);
    assert.deepEqual(unrolled.state(), loop.state());
    assert.deepEqual(method.state(), loop.state());
  }
  // Near rate·count examples are chosen: 64 expected from 60,000 at 64/60,000, well within five standard deviations.
  assert.ok(Math.abs(new Rng(3).bernoulliIndices(60_000, 64 / 60_000).length - 64) < 5 * 8);
});
