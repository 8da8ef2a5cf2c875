// The classifier score and the logits' FID against hand computations.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/engine/rng.js';
import { classifierScore, logitFid } from '../../src/metrics/classifier-score.js';

const close = (actual: number, expected: number, tolerance = 1e-9) => assert.ok(Math.abs(actual - expected) < tolerance, `${actual} vs ${expected}`);

test('the classifier score is 1 when every sample predicts alike, and the class count for confident, even predictions', () => {
  close(classifierScore(Float32Array.from([1, 2, 3, 1, 2, 3, 1, 2, 3]), 3), 1);
  // One-hot predictions (logits ±40), each class twice.
  const confident = Float32Array.from({ length: 8 * 4 }, (_, i) => (i % 4 === Math.floor(i / 4) % 4 ? 40 : -40));
  close(classifierScore(confident, 4), 4, 1e-6);
});

test('the classifier score of two samples by hand', () => {
  // p(y|x1) = (0.8, 0.2), p(y|x2) = (0.4, 0.6): the marginal is (0.6, 0.4).
  const logits = Float32Array.from([Math.log(0.8), Math.log(0.2), Math.log(0.4), Math.log(0.6)]);
  const kl1 = 0.8 * Math.log(0.8 / 0.6) + 0.2 * Math.log(0.2 / 0.4);
  const kl2 = 0.4 * Math.log(0.4 / 0.6) + 0.6 * Math.log(0.6 / 0.4);
  close(classifierScore(logits, 2), Math.exp((kl1 + kl2) / 2), 1e-6);
});

test("the logits' FID is 0 between a set and itself, and c²·classes when every logit moves by c", () => {
  const rng = new Rng(4);
  const logits = rng.uniforms(500 * 10, -3, 3);
  close(logitFid(logits, logits, 10), 0, 1e-6);
  const moved = logits.map((v) => v + 0.5);
  // Equal covariances: only the means' distance remains.
  close(logitFid(logits, moved, 10), 10 * 0.25, 1e-4);
});
