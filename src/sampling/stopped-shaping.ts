// A discriminator shaping stopped part-way (Ctrl-C, or SIGTERM from Slurm):
// the partly shaped D, its optimizer, the random stream and the position, so
// that `gankit shape --resume` ends exactly where an uninterrupted shaping would.
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DataError } from '../errors.js';
import type { RngState } from '../engine/rng.js';
import { checkByteLength, loadModel, saveModel, weightBytes } from '../models/model-files.js';
import { readOrder, RNG_STATE, SAVED_OPTIMIZER } from '../run/checkpoints.js';
import { readFileBytes, readJsonFile } from '../files/json-file.js';
import { replaceDirectory } from '../files/atomic-write.js';
import { runPaths } from '../run/run-directory.js';
import { captureOptimizer, restoreOptimizer } from '../engine/optimizer-state.js';
import type { ShapingOptions, ShapingPosition } from './discriminator-shaping.js';

/** What a resumed shaping must keep: its settings (η included, measured with the unshaped D), the run's checkpoint and generator. */
export interface ShapingRecord {
  options: ShapingOptions;
  /** The images shaped on: a source and --limit. */
  data: string;
  limit: number | null;
  seed: number;
  fromCheckpoint: string;
  generator: string;
}

export interface StoppedShaping {
  record: ShapingRecord;
  position: Omit<ShapingPosition, 'order'>;
  rng: RngState;
  /** Shaping time before the stop. */
  seconds: number;
}

const count = z.number().int().nonnegative();
const STATE_SCHEMA = z.object({
  record: z.object({
    options: z.object({
      epochs: z.number().int().positive(),
      lr: z.number().positive(),
      beta1: z.number(),
      beta2: z.number(),
      batch: z.number().int().positive(),
      dropout: z.number().min(0).lt(1),
      cs: z.object({ layer: count, steps: count, rate: z.number(), eta: z.number(), select: z.enum(['last', 'best']) }),
    }),
    data: z.string(),
    limit: count.nullable(),
    seed: count,
    fromCheckpoint: z.string(),
    generator: z.string(),
  }),
  position: z.object({ epoch: count, step: count }),
  rng: RNG_STATE,
  seconds: z.number(),
  optimizer: SAVED_OPTIMIZER,
});

export function hasStoppedShaping(runDir: string): boolean {
  return existsSync(join(runPaths(runDir).stoppedShaping, 'state.json'));
}

/** Writes the stopped shaping into the run whole (a temporary directory renamed into place). */
export async function saveStoppedShaping(
  runDir: string,
  discriminator: tfl.LayersModel,
  optimizer: tf.Optimizer,
  stopped: StoppedShaping & { position: ShapingPosition },
): Promise<void> {
  const final = runPaths(runDir).stoppedShaping;
  const temporary = `${final}.incomplete`;
  rmSync(temporary, { recursive: true, force: true });
  mkdirSync(temporary, { recursive: true });
  await saveModel(discriminator, join(temporary, 'discriminator'));
  const { saved, data } = await captureOptimizer(optimizer);
  writeFileSync(join(temporary, 'optimizer.bin'), data);
  const { order, ...position } = stopped.position;
  writeFileSync(join(temporary, 'order.bin'), new Uint8Array(order.buffer, order.byteOffset, order.byteLength));
  writeFileSync(join(temporary, 'state.json'), JSON.stringify({ ...stopped, position, optimizer: saved }, null, 2));
  replaceDirectory(temporary, final);
}

/**
 * Reads a stopped shaping back: its state, its partly shaped D, and a way to
 * restore its optimizer's state into a fresh optimizer. A damaged one is a DataError.
 */
export async function loadStoppedShaping(runDir: string) {
  const directory = runPaths(runDir).stoppedShaping;
  if (!hasStoppedShaping(runDir)) throw new DataError(`${runDir} has no stopped shaping to resume; start one with gankit shape --run ${runDir}.`);
  const { optimizer: savedOptimizer, ...state } = readJsonFile(join(directory, 'state.json'), STATE_SCHEMA);
  const optimizerFile = join(directory, 'optimizer.bin');
  const optimizerBytes = readFileBytes(optimizerFile);
  checkByteLength(optimizerFile, optimizerBytes, weightBytes(savedOptimizer.specs));
  const order = readOrder(join(directory, 'order.bin'));
  const stopped: StoppedShaping & { position: ShapingPosition } = { ...state, position: { ...state.position, order } };
  return {
    stopped,
    discriminator: await loadModel(join(directory, 'discriminator')),
    restoreOptimizer: (optimizer: tf.Optimizer) => restoreOptimizer(optimizer, savedOptimizer, optimizerBytes),
  };
}

/** Removes a stopped shaping once its shaping is finished. */
export function removeStoppedShaping(runDir: string): void {
  rmSync(runPaths(runDir).stoppedShaping, { recursive: true, force: true });
}
