// The canaries of gankit privacy audit: made the same from the same seed, written
// after the base images (bytes exactly, labels appended), and scored only when finite.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { loadImageSet, type ImageSet } from '../../src/data/image-set.js';
import { toBytes } from '../../src/data/pixels.js';
import { DataError } from '../../src/errors.js';
import { attackSizes, auditFinding, craftCanaries, writeCanaryTrainingSet } from '../../src/privacy/canary-audit.js';
import { tempDir } from '../helpers/temp-dir.js';

const IMAGE = 784;

test('canaries are black-and-white, each in with probability ½, and the same for the same seed', () => {
  const canaries = craftCanaries(1000, 3);
  assert.deepEqual(craftCanaries(1000, 3), canaries);
  assert.notDeepEqual(craftCanaries(1000, 4).included, canaries.included);
  assert.ok(canaries.bytes.every((b) => b === 0 || b === 255));
  const included = canaries.included.filter(Boolean).length;
  assert.ok(included > 440 && included < 560, `${included}`);
  assert.ok(canaries.labels.every((label) => label < 10) && new Set(canaries.labels).size === 10);
});

test('the audited training set is the base images, bytes exactly, then the included canaries with their classes', () => {
  const base = loadImageSet('mnist', { split: 'train', limit: 50 });
  const canaries = craftCanaries(100, 0);
  const directory = join(tempDir(), 'data');
  const count = writeCanaryTrainingSet(directory, base, canaries);
  const members = canaries.included.flatMap((inside, i) => (inside ? [i] : []));
  const written = loadImageSet(directory, { split: 'train' });
  assert.equal(count, 50 + members.length);
  assert.equal(written.count, count);
  assert.deepEqual(toBytes(written.pixels.subarray(0, 50 * IMAGE), 'symmetric'), toBytes(base.pixels, 'symmetric'));
  const last = members.at(-1)!;
  assert.deepEqual(toBytes(written.pixels.subarray((count - 1) * IMAGE), 'symmetric'), canaries.bytes.subarray(last * IMAGE, (last + 1) * IMAGE));
  assert.deepEqual(Array.from(written.labels!.subarray(0, 50)), Array.from(base.labels!));
  assert.deepEqual(
    Array.from(written.labels!.subarray(50)),
    members.map((i) => canaries.labels[i]),
  );
  // Unlabelled data gets no labels file.
  const unlabelled: ImageSet = { ...base, labels: undefined };
  const bare = join(tempDir(), 'bare');
  writeCanaryTrainingSet(bare, unlabelled, canaries);
  assert.ok(!existsSync(join(bare, 'train-labels-idx1-ubyte')));
});

test('the attacks are fixed by the count alone, and a diverged D (non-finite scores) is refused', () => {
  assert.deepEqual(attackSizes(1000), [5, 10, 25, 50, 100, 250]);
  assert.deepEqual(attackSizes(100), [1, 2, 5, 10, 25]);
  const canaries = craftCanaries(100, 0);
  const scores = Float32Array.from(canaries.included, (inside) => (inside ? 1 : 0));
  const { bound, detectable } = auditFinding(scores, canaries, 1e-5, 0.95);
  // A perfect separation is as strong as the attacks get.
  assert.ok(Math.abs(bound.epsilon - detectable) < 1e-9 && bound.correct === bound.guesses);
  scores[7] = NaN;
  assert.throws(() => auditFinding(scores, canaries, 1e-5, 0.95), DataError);
});
