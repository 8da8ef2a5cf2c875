// Fuzzed inputs: seeded random mutations of a valid IDX file (plain and gzip)
// and of a valid PNG must each load or fail with one DataError sentence: no
// other exception, no hang, no allocation sized by a header the file cannot
// back. A gzip bomb stops at the inflation cap.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { DataError } from '../../src/errors.js';
import { MAX_INFLATED_BYTES, parseIdx } from '../../src/data/idx.js';
import { loadImageSet } from '../../src/data/image-set.js';
import { encodeGrayPng } from '../../src/data/png-codec.js';
import { Rng } from '../../src/engine/rng.js';
import { tempDir } from '../helpers/temp-dir.js';

const MUTATIONS = 200;
/** A mutated file must be answered within this time: far more than any valid one of this size needs. */
const HANG_MS = 2000;

function idxImages(count: number): Buffer {
  const header = Buffer.alloc(16);
  header.writeUInt32BE(0x00000803, 0);
  [count, 28, 28].forEach((size, d) => header.writeUInt32BE(size, 4 + 4 * d));
  return Buffer.concat([header, Buffer.from(Array.from({ length: count * 784 }, (_, i) => (i * 31) % 256))]);
}

/** One seeded mutation: flipped bytes, a cut, inserted bytes, a 32-bit field overwritten (often a size), or a repeated stretch. */
function mutate(bytes: Buffer, rng: Rng): Buffer {
  const out = Buffer.from(bytes);
  const at = () => rng.integer(Math.max(1, out.length));
  switch (rng.integer(5)) {
    case 0:
      for (let i = 1 + rng.integer(8); i > 0; i--) out[at()] = rng.integer(256);
      return out;
    case 1:
      return out.subarray(0, at());
    case 2: {
      const position = at();
      return Buffer.concat([
        out.subarray(0, position),
        Buffer.from(Array.from({ length: 1 + rng.integer(64) }, () => rng.integer(256))),
        out.subarray(position),
      ]);
    }
    case 3: {
      // Mostly the header's fields (sizes, magic, PNG's width and height).
      const position = Math.min(rng.integer(32), out.length - 4);
      if (position >= 0) out.writeUInt32BE([0, 1, 0xffffffff, 0x7fffffff, rng.nextUint32()][rng.integer(5)], position);
      return out;
    }
    default: {
      const start = at();
      return Buffer.concat([out, out.subarray(start, start + rng.integer(256))]);
    }
  }
}

/** Runs `load` on a mutated input: it returns or throws a one-line DataError, within HANG_MS. */
function expectSentenceOrSuccess(load: () => unknown, what: string): void {
  const started = performance.now();
  try {
    load();
  } catch (error) {
    assert.ok(error instanceof DataError, `${what}: ${error instanceof Error ? error.stack : String(error)}`);
    assert.ok(!error.message.includes('\n'), `${what}: not one line: ${error.message}`);
  }
  assert.ok(performance.now() - started < HANG_MS, `${what} took ${(performance.now() - started).toFixed(0)} ms`);
}

test(`${MUTATIONS} mutations each of an IDX file, plain and gzip, load or get one sentence`, () => {
  const valid = idxImages(20);
  const rng = new Rng(11);
  const dir = tempDir();
  for (const gzip of [false, true]) {
    const source = gzip ? gzipSync(valid) : valid;
    for (let i = 0; i < MUTATIONS; i++) {
      const mutated = mutate(source, rng);
      const set = join(dir, `${gzip ? 'gz' : 'plain'}-${i}`);
      mkdirSync(set);
      writeFileSync(join(set, gzip ? 'train-images-idx3-ubyte.gz' : 'train-images-idx3-ubyte'), mutated);
      expectSentenceOrSuccess(() => loadImageSet(set), `${gzip ? 'gzip' : 'plain'} mutation ${i}`);
      rmSync(set, { recursive: true });
    }
  }
});

test(`${MUTATIONS} mutations of a PNG image load or get one sentence`, () => {
  const pixels = Uint8Array.from({ length: 784 }, (_, i) => (i * 7) % 256);
  const valid = Buffer.from(encodeGrayPng({ width: 28, height: 28, pixels }));
  const rng = new Rng(12);
  const dir = tempDir();
  for (let i = 0; i < MUTATIONS; i++) {
    const set = join(dir, `png-${i}`);
    mkdirSync(set);
    writeFileSync(join(set, 'sample.png'), mutate(valid, rng));
    expectSentenceOrSuccess(() => loadImageSet(set), `PNG mutation ${i}`);
    rmSync(set, { recursive: true });
  }
});

test('a PNG header claiming 65535×65535 pixels is refused before any pixel is decoded', () => {
  const valid = Buffer.from(encodeGrayPng({ width: 28, height: 28, pixels: new Uint8Array(784) }));
  valid.writeUInt32BE(65535, 16);
  valid.writeUInt32BE(65535, 20);
  const set = tempDir();
  writeFileSync(join(set, 'huge.png'), valid);
  assert.throws(
    () => loadImageSet(set),
    (error: Error) => error instanceof DataError && /claims 65535×65535 pixels/.test(error.message),
  );
});

test('a gzip bomb (1 MB that inflates past the cap) gets one sentence', () => {
  // Concatenated gzip members inflate one after another: 17 of 64 MiB of zeros each.
  const member = gzipSync(Buffer.alloc(64 * 2 ** 20), { level: 9 });
  const bomb = Buffer.concat(Array.from({ length: Math.ceil(MAX_INFLATED_BYTES / (64 * 2 ** 20)) + 1 }, () => member));
  assert.ok(bomb.length < 2 ** 21, `${bomb.length} bytes`);
  assert.throws(
    () => parseIdx(bomb, 'bomb.gz'),
    (error: Error) => error instanceof DataError && /bomb\.gz inflates to more than 1 GiB/.test(error.message),
  );
});
