// The pieces every resumable job of a run saves its state with: a directory
// written whole, an optimizer's state as bytes with its description, an epoch's
// image order, and the schemas of a random stream's and an optimizer's state.
// Training's checkpoints and a stopped shaping are both made of them.
import type * as tf from '@tensorflow/tfjs-core';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { z } from 'zod';
import { captureOptimizer, restoreOptimizer, type SavedOptimizer } from '../engine/optimizer-state.js';
import type { RngState } from '../engine/rng.js';
import { DataError } from '../errors.js';
import { replaceDirectory } from '../files/atomic-write.js';
import { readFileBytes } from '../files/json-file.js';
import { checkByteLength, WEIGHT_SPEC, weightBytes } from '../models/model-files.js';

const count = z.number().int().nonnegative();
/** A seeded stream's state, as Rng.state() gives it. */
export const RNG_STATE = z.object({ words: z.tuple([count, count, count, count]), spareNormal: z.number().nullable() }) satisfies z.ZodType<RngState>;
/** An optimizer's state description, as captureOptimizer gives it. */
export const SAVED_OPTIMIZER = z.object({
  specs: z.array(WEIGHT_SPEC),
  adamPowers: z.tuple([z.number(), z.number()]).optional(),
}) satisfies z.ZodType<SavedOptimizer>;

/** Fills a fresh `temporary` directory with `fill`, then puts it in place of `final`: readers see the old whole or the new. */
export async function writeDirectoryWhole(temporary: string, final: string, fill: (directory: string) => Promise<void>): Promise<void> {
  rmSync(temporary, { recursive: true, force: true });
  mkdirSync(temporary, { recursive: true });
  await fill(temporary);
  replaceDirectory(temporary, final);
}

/** Writes an optimizer's state into `file`; its description goes into the job's state file. */
export async function writeOptimizerState(file: string, optimizer: tf.Optimizer): Promise<SavedOptimizer> {
  const { saved, data } = await captureOptimizer(optimizer);
  writeFileSync(file, data);
  return saved;
}

/** An optimizer state's bytes, checked against their description: a DataError names a damaged file. */
export function readOptimizerBytes(file: string, saved: SavedOptimizer): Uint8Array {
  const bytes = readFileBytes(file);
  checkByteLength(file, bytes, weightBytes(saved.specs));
  return bytes;
}

/** Restores an optimizer's state from `file` into `optimizer`. */
export async function restoreOptimizerState(file: string, saved: SavedOptimizer, optimizer: tf.Optimizer): Promise<void> {
  await restoreOptimizer(optimizer, saved, readOptimizerBytes(file, saved));
}

/** Writes an epoch's shuffled image order (order.bin). */
export function writeOrder(file: string, order: Uint32Array): void {
  writeFileSync(file, new Uint8Array(order.buffer, order.byteOffset, order.byteLength));
}

/** An epoch's shuffled image order (order.bin): whole 32-bit indices, or a DataError naming the file. */
export function readOrder(file: string): Uint32Array {
  const bytes = readFileBytes(file);
  if (bytes.byteLength % 4 !== 0) throw new DataError(`${file} is damaged: its length is not a whole number of image indices.`);
  return new Uint32Array(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength));
}
