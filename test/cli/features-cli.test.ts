// gankit features train --data DIR, and evaluate --data DIR using the network it trained.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { writeIdxUint8 } from '../../src/data/idx.js';
import { loadImageSet } from '../../src/data/image-set.js';
import { toBytes } from '../../src/data/pixels.js';
import { gankit } from '../helpers/gankit-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

/** A small IDX dataset cut from MNIST: `train` and `test` images with labels. */
function writeDataset(dir: string, train: number, test: number): void {
  for (const [split, count, prefix] of [
    ['train', train, 'train'],
    ['test', test, 't10k'],
  ] as const) {
    const set = loadImageSet('mnist', { split, limit: count });
    writeIdxUint8(join(dir, `${prefix}-images-idx3-ubyte`), [count, 28, 28], toBytes(set.pixels, 'symmetric'));
    writeIdxUint8(join(dir, `${prefix}-labels-idx1-ubyte`), [count], Uint8Array.from(set.labels!));
  }
}

test('features train --data DIR trains a network beside the data, and evaluate --data DIR scores with it', () => {
  const data = tempDir();
  writeDataset(data, 1280, 200);
  const samples = join(data, 'samples.idx');
  writeIdxUint8(samples, [50, 28, 28], toBytes(loadImageSet('mnist', { split: 'train', limit: 50 }).pixels, 'symmetric'));

  const before = gankit('evaluate', '--samples', samples, '--data', data);
  assert.equal(before.code, 1);
  assert.match(before.stderr, new RegExp(`has no feature network of its own .*gankit features train --data ${data}`));
  assert.equal(before.stderr.trim().split('\n').length, 1, before.stderr);

  const trained = gankit('features', 'train', '--data', data, '--epochs', '1');
  assert.equal(trained.code, 0, trained.stderr);
  assert.match(trained.stdout, /test accuracy \d+\.\d+% on 200 images/);
  assert.ok(existsSync(join(data, 'feature-network', 'model.json')));

  // The shipped networks are never retrained in place.
  for (const args of [
    ['--data', 'mnist'],
    ['--data', data, '--out', fileURLToPath(new URL('../../../assets/feature-network/mnist-v2', import.meta.url))],
  ]) {
    const refused = gankit('features', 'train', ...args, '--epochs', '1');
    assert.equal(refused.code, 2, refused.stderr);
    assert.match(refused.stderr, /shipped/);
  }

  const after = gankit('evaluate', '--samples', samples, '--data', data, '--json');
  assert.equal(after.code, 0, after.stderr);
  const result = JSON.parse(after.stdout);
  assert.equal(result.features.network, join(data, 'feature-network', 'model.json'));
  assert.equal(result.features.dims, 129);
  assert.equal(result.real.count, 200);
  assert.ok(result.classifier.score >= 1 && result.classifier.score <= 10, JSON.stringify(result.classifier));
});

test('features train --init fine-tunes a shipped network, and training.json says how the network was made', () => {
  const data = tempDir();
  writeDataset(data, 640, 100);
  const out = join(data, 'tuned');
  const tuned = gankit('features', 'train', '--data', data, '--init', 'mnist-v2', '--epochs', '1', '--lr', '3e-4', '--out', out);
  assert.equal(tuned.code, 0, tuned.stderr);
  const accuracy = Number(/test accuracy (\d+\.\d+)%/.exec(tuned.stdout)![1]);
  const record = JSON.parse(readFileSync(join(out, 'training.json'), 'utf8'));
  assert.equal(record.init.network, 'mnist-v2');
  assert.match(record.init.sha256, /^[0-9a-f]{16}$/);
  assert.deepEqual([record.epochs, record.lr, record.outlierWeight, record.stability], [1, 3e-4, 1, 1]);
  assert.equal(record.testAccuracy, accuracy / 100);
});
