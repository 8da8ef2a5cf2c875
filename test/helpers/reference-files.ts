// The binary files the tests exchange with their PyTorch references in bench/reference/: arrays written
// end to end in the machine's byte order, float64 results read back.
import { readFileSync, writeFileSync } from 'node:fs';

/** Writes `arrays` one after another into `path`, as their raw bytes. */
export function writeArrays(path: string, arrays: Array<Float32Array | Uint32Array>): void {
  writeFileSync(path, Buffer.concat(arrays.map((a) => Buffer.from(a.buffer, a.byteOffset, a.byteLength))));
}

/** The float64 values of `path`. */
export function readFloat64(path: string): Float64Array {
  const bytes = readFileSync(path);
  // A copy of its own bytes: a Buffer may sit at an offset of a larger, shared one.
  return new Float64Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
