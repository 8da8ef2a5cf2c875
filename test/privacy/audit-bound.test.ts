// One-run auditing's bound (src/privacy/audit-bound.ts): against closed forms,
// and against bench/reference/audit_bound.py (the paper's formula with scipy's
// binomial), skipped where python3-scipy is absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { auditPValue, bestAttack, epsilonLowerBound, guessesAt } from '../../src/privacy/audit-bound.js';

const REFERENCE = fileURLToPath(new URL('../../../bench/reference/audit_bound.py', import.meta.url));
const scipyMissing = spawnSync('/usr/bin/python3', ['-c', 'import scipy'], { encoding: 'utf8' }).status !== 0;

test('all r guesses right: the p-value is p_ε^r and the bound solves p_ε^r = 1 − confidence (δ = 0)', () => {
  const guesses = { canaries: 100, guesses: 10, correct: 10 };
  const p = 1 / (1 + Math.exp(-2));
  assert.ok(Math.abs(auditPValue(guesses, 2, 0) - p ** 10) < 1e-12);
  const q = 0.05 ** (1 / 10);
  assert.ok(Math.abs(epsilonLowerBound(guesses, 0, 0.95) - Math.log(q / (1 - q))) < 1e-5);
});

test('guesses no better than a coin bound nothing, and δ only lowers the bound', () => {
  assert.equal(epsilonLowerBound({ canaries: 1000, guesses: 200, correct: 100 }, 0, 0.95), 0);
  const strong = { canaries: 1000, guesses: 200, correct: 190 };
  assert.ok(epsilonLowerBound(strong, 1e-3, 0.95) < epsilonLowerBound(strong, 0, 0.95));
  assert.ok(epsilonLowerBound(strong, 0, 0.99) < epsilonLowerBound(strong, 0, 0.95));
});

test('the attack guesses the k top scores in and the k lowest out, and tries each k at a Bonferroni share of the confidence', () => {
  const scores = [9, 1, 8, 2, 7, 3];
  const included = [true, false, true, false, false, true];
  // Top 2: canaries 0 and 2 (both in); bottom 2: canaries 1 and 3 (both out).
  assert.deepEqual(guessesAt(scores, included, 2), { canaries: 6, guesses: 4, correct: 4 });
  // Top 3 adds canary 4 (out): wrong; bottom 3 adds canary 5 (in): wrong.
  assert.deepEqual(guessesAt(scores, included, 3), { canaries: 6, guesses: 6, correct: 4 });
  // 40 canaries, the 20 in scored highest: k = 20 (all 40 guesses right) beats k = 10, each tested at 97.5%.
  const ranked = Array.from({ length: 40 }, (_, i) => 40 - i);
  const best = bestAttack(
    ranked,
    ranked.map((_, i) => i < 20),
    [10, 20],
    0,
    0.95,
  );
  assert.equal(best.k, 20);
  const perfect = { canaries: 40, guesses: 40, correct: 40 };
  assert.equal(best.epsilon, epsilonLowerBound(perfect, 0, 0.975));
  assert.ok(best.epsilon > 0 && best.epsilon < epsilonLowerBound(perfect, 0, 0.95));
});

test('p-values and bounds match the scipy reference', { skip: scipyMissing && "Debian's python3-scipy is not installed: no reference to compare with" }, () => {
  const cases = [
    { m: 1000, r: 100, v: 80, epsilon: 1, delta: 1e-5, confidence: 0.95 },
    { m: 1000, r: 500, v: 300, epsilon: 0.3, delta: 1e-5, confidence: 0.95 },
    { m: 5000, r: 2500, v: 1500, epsilon: 0.5, delta: 1e-5, confidence: 0.99 },
    { m: 200, r: 100, v: 96, epsilon: 2, delta: 1e-4, confidence: 0.95 },
    { m: 400, r: 20, v: 12, epsilon: 0.1, delta: 0, confidence: 0.9 },
  ];
  const run = spawnSync('/usr/bin/python3', [REFERENCE], { input: cases.map((c) => JSON.stringify(c)).join('\n'), encoding: 'utf8' });
  assert.equal(run.status, 0, run.stderr);
  const expected = run.stdout
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { p: number; bound: number });
  cases.forEach(({ m, r, v, epsilon, delta, confidence }, i) => {
    const guesses = { canaries: m, guesses: r, correct: v };
    const p = auditPValue(guesses, epsilon, delta);
    assert.ok(Math.abs(p - expected[i].p) <= 1e-9 + 1e-7 * expected[i].p, `case ${i}: p ${p} vs ${expected[i].p}`);
    assert.ok(Math.abs(epsilonLowerBound(guesses, delta, confidence) - expected[i].bound) < 1e-5, `case ${i}: bound vs ${expected[i].bound}`);
  });
});
