// The IDX format of MNIST, Fashion-MNIST, EMNIST and KMNIST: a magic number
// 0x0000TTDD (T: element type, D: number of dimensions), D big-endian uint32
// sizes, then the elements, big-endian. Files may be gzip-compressed.
import { readFileSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { DataError } from '../errors.js';

export type IdxValues = Uint8Array | Int8Array | Int16Array | Int32Array | Float32Array | Float64Array;

export interface IdxArray {
  dims: number[];
  values: IdxValues;
}

const ELEMENT_TYPES: Record<number, { bytes: number; read: (view: DataView, offset: number) => number; make: (n: number) => IdxValues }> = {
  0x08: { bytes: 1, read: (v, o) => v.getUint8(o), make: (n) => new Uint8Array(n) },
  0x09: { bytes: 1, read: (v, o) => v.getInt8(o), make: (n) => new Int8Array(n) },
  0x0b: { bytes: 2, read: (v, o) => v.getInt16(o), make: (n) => new Int16Array(n) },
  0x0c: { bytes: 4, read: (v, o) => v.getInt32(o), make: (n) => new Int32Array(n) },
  0x0d: { bytes: 4, read: (v, o) => v.getFloat32(o), make: (n) => new Float32Array(n) },
  0x0e: { bytes: 8, read: (v, o) => v.getFloat64(o), make: (n) => new Float64Array(n) },
};

/** The most a gzip input may inflate to: EMNIST's largest file is 547 MB; a gzip bomb stops here. */
export const MAX_INFLATED_BYTES = 2 ** 30;

function isGzip(bytes: Uint8Array): boolean {
  return bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Parses IDX bytes; `name` is used in error messages. */
export function parseIdx(raw: Uint8Array, name: string): IdxArray {
  let bytes = raw;
  if (isGzip(raw)) {
    try {
      bytes = gunzipSync(raw, { maxOutputLength: MAX_INFLATED_BYTES });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ERR_BUFFER_TOO_LARGE') {
        throw new DataError(`${name} inflates to more than ${MAX_INFLATED_BYTES / 2 ** 30} GiB, more than gankit reads from one file.`);
      }
      throw new DataError(`${name} is not a valid gzip file (${(error as Error).message}).`);
    }
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (bytes.length < 4) throw new DataError(`${name} is truncated: it has ${bytes.length} bytes, fewer than an IDX header.`);
  const magic = view.getUint32(0);
  const type = ELEMENT_TYPES[bytes[2]];
  const rank = bytes[3];
  if (bytes[0] !== 0 || bytes[1] !== 0 || !type || rank === 0) {
    throw new DataError(
      `${name} is not an IDX file: its magic number is 0x${magic.toString(16).padStart(8, '0')}, ` + 'expected 0x00000803 for images or 0x00000801 for labels.',
    );
  }
  const headerBytes = 4 + 4 * rank;
  if (bytes.length < headerBytes) {
    throw new DataError(`${name} is truncated: its header needs ${headerBytes} bytes, the file has ${bytes.length}.`);
  }
  const dims = Array.from({ length: rank }, (_, d) => view.getUint32(4 + 4 * d));
  const count = dims.reduce((a, b) => a * b, 1);
  const expected = headerBytes + count * type.bytes;
  if (bytes.length < expected) {
    throw new DataError(`${name} is truncated: its header announces ${dims.join('×')} elements (${expected} bytes), the file has ${bytes.length} bytes.`);
  }
  let values: IdxValues;
  if (type.bytes === 1 && bytes[2] === 0x08) {
    values = bytes.slice(headerBytes, expected);
  } else {
    values = type.make(count);
    for (let i = 0; i < count; i++) values[i] = type.read(view, headerBytes + i * type.bytes);
  }
  return { dims, values };
}

/** Reads an IDX file, plain or gzip. */
export function readIdx(path: string): IdxArray {
  let raw: Buffer;
  try {
    raw = readFileSync(path);
  } catch (error) {
    throw new DataError(`${path} cannot be read (${(error as NodeJS.ErrnoException).code ?? (error as Error).message}).`);
  }
  return parseIdx(raw, path);
}

/** Writes unsigned bytes as an IDX file (type 0x08). */
export function writeIdxUint8(path: string, dims: number[], values: Uint8Array): void {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(0x0800 | dims.length, 0);
  dims.forEach((size, d) => header.writeUInt32BE(size, 4 + 4 * d));
  writeFileSync(path, Buffer.concat([header, values]));
}
