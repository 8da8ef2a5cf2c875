// A discriminator shaping stopped part-way (Ctrl-C, or SIGTERM from Slurm):
// the partly shaped D, its optimizer, the random stream and the position, so
// that `gankit shape --resume` ends exactly where an uninterrupted shaping
// would. Saved with the same pieces as training's checkpoints.
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DataError } from '../errors.js';
import { readJsonFile } from '../files/json-file.js';
import { restoreOptimizer } from '../engine/optimizer-state.js';
import { loadModel, saveModel } from '../models/model-files.js';
import { runPaths } from './run-directory.js';
import { readOptimizerBytes, readOrder, RNG_STATE, SAVED_OPTIMIZER, writeDirectoryWhole, writeOptimizerState, writeOrder } from './saved-state.js';

const count = z.number().int().nonnegative();

/** A shaping's settings: D's Adam and batches, and the collaborative sampling it shapes for. */
const SHAPING_OPTIONS_SCHEMA = z.object({
  epochs: z.number().int().positive(),
  /** Adam's learning rate: 1e-5, as in the official code. */
  lr: z.number().positive(),
  beta1: z.number(),
  beta2: z.number(),
  batch: z.number().int().positive(),
  /** D's dropout rate in training, the run's: shaping updates D as training did. */
  dropout: z.number().min(0).lt(1),
  cs: z.object({ layer: count, steps: count, rate: z.number(), eta: z.number(), select: z.enum(['last', 'best']) }),
});
export type ShapingOptions = z.infer<typeof SHAPING_OPTIONS_SCHEMA>;

/** What a resumed shaping must keep: its settings (η included, measured with the unshaped D), the run's checkpoint and generator. */
const SHAPING_RECORD_SCHEMA = z.object({
  options: SHAPING_OPTIONS_SCHEMA,
  /** The images shaped on: a source and --limit. */
  data: z.string(),
  limit: count.nullable(),
  seed: count,
  fromCheckpoint: z.string(),
  generator: z.string(),
});
export type ShapingRecord = z.infer<typeof SHAPING_RECORD_SCHEMA>;

const STATE_SCHEMA = z.object({
  record: SHAPING_RECORD_SCHEMA,
  /** The epoch in progress, from 1, and the steps already taken in it. */
  position: z.object({ epoch: count, step: count }),
  rng: RNG_STATE,
  /** Shaping time before the stop. */
  seconds: z.number(),
  optimizer: SAVED_OPTIMIZER,
});

/** Where shaping stands: enough to continue exactly where it stopped. */
export interface ShapingPosition {
  /** The epoch in progress, from 1, and the steps already taken in it. */
  epoch: number;
  step: number;
  /** That epoch's shuffled order of the images. */
  order: Uint32Array;
}

export type StoppedShaping = Omit<z.infer<typeof STATE_SCHEMA>, 'optimizer' | 'position'> & { position: ShapingPosition };

const STATE = 'state.json';
const ORDER = 'order.bin';
const OPTIMIZER = 'optimizer.bin';
const DISCRIMINATOR = 'discriminator';

export function hasStoppedShaping(runDir: string): boolean {
  return existsSync(join(runPaths(runDir).stoppedShaping, STATE));
}

/** Writes the stopped shaping into the run whole (a temporary directory renamed into place). */
export async function saveStoppedShaping(runDir: string, discriminator: tfl.LayersModel, optimizer: tf.Optimizer, stopped: StoppedShaping): Promise<void> {
  const final = runPaths(runDir).stoppedShaping;
  await writeDirectoryWhole(`${final}.incomplete`, final, async (directory) => {
    await saveModel(discriminator, join(directory, DISCRIMINATOR));
    const saved = await writeOptimizerState(join(directory, OPTIMIZER), optimizer);
    const { order, ...position } = stopped.position;
    writeOrder(join(directory, ORDER), order);
    writeFileSync(join(directory, STATE), JSON.stringify({ ...stopped, position, optimizer: saved }, null, 2));
  });
}

/**
 * Reads a stopped shaping back: its state, its partly shaped D, and a way to
 * restore its optimizer's state into a fresh optimizer. A damaged one is a DataError.
 */
export async function loadStoppedShaping(runDir: string) {
  const directory = runPaths(runDir).stoppedShaping;
  if (!hasStoppedShaping(runDir)) throw new DataError(`${runDir} has no stopped shaping to resume; start one with gankit shape --run ${runDir}.`);
  const { optimizer: savedOptimizer, ...state } = readJsonFile(join(directory, STATE), STATE_SCHEMA);
  const optimizerBytes = readOptimizerBytes(join(directory, OPTIMIZER), savedOptimizer);
  const stopped: StoppedShaping = { ...state, position: { ...state.position, order: readOrder(join(directory, ORDER)) } };
  return {
    stopped,
    discriminator: await loadModel(join(directory, DISCRIMINATOR)),
    restoreOptimizer: (optimizer: tf.Optimizer) => restoreOptimizer(optimizer, savedOptimizer, optimizerBytes),
  };
}

/** Removes a stopped shaping once its shaping is finished. */
export function removeStoppedShaping(runDir: string): void {
  rmSync(runPaths(runDir).stoppedShaping, { recursive: true, force: true });
}
