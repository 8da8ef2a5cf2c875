// Checkpoints of a training run: both models and G's moving average when kept
// (standard TF.js artifacts), both optimizers, the RNGs and the position in the epoch. Each is written into a
// temporary directory and renamed into place; `latest.json` is then replaced
// atomically, so a crash at any moment leaves the previous checkpoint usable.
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import { z } from 'zod';
import { DataError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { readJsonFile } from '../files/json-file.js';
import { checkModelFiles, loadModel, saveModel } from '../models/model-files.js';
import { runPaths } from './run-directory.js';
import {
  readOptimizerBytes,
  readOrder,
  restoreOptimizerState,
  RNG_STATE,
  SAVED_OPTIMIZER,
  writeDirectoryWhole,
  writeOptimizerState,
  writeOrder,
} from './saved-state.js';

export interface CheckpointParts {
  generator: tfl.LayersModel;
  discriminator: tfl.LayersModel;
  /** G's moving average, when the run keeps one. */
  generatorEma: tfl.LayersModel | null;
  generatorOptimizer: tf.Optimizer;
  discriminatorOptimizer: tf.Optimizer;
  position: TrainingPosition;
  /** This epoch's shuffled order of the training images. */
  order: Uint32Array;
  /** Keep this checkpoint when newer ones are written (a scored epoch). */
  keep: boolean;
}

export interface CheckpointModels {
  generator: tfl.LayersModel;
  discriminator: tfl.LayersModel;
  generatorEma: tfl.LayersModel | null;
}

const count = z.number().int().nonnegative();
/** The adaptive D-step schedule's state. */
const D_STEP_SCHEDULE_STATE = z.object({
  rung: count,
  /** The accuracy's moving average; null before the first G step. */
  accuracy: z.number().nullable(),
  gStepsSinceChange: count,
});
export type DStepScheduleState = z.infer<typeof D_STEP_SCHEDULE_STATE>;

/** Where training stands; enough to continue exactly where it stopped. */
const TRAINING_POSITION = z.object({
  /** The epoch in progress, from 0. */
  epoch: count,
  /** D steps already taken in that epoch. */
  stepInEpoch: count,
  /** D and G steps taken since the start. */
  dSteps: count,
  gSteps: count,
  /** D steps since the last G step. */
  dStepsSinceG: count,
  rng: RNG_STATE,
  /** The dropout masks' stream (absent in checkpoints from before dropout, which drew no masks). */
  dropoutRng: RNG_STATE.optional(),
  /** The adaptive D-step schedule's state, when the run uses it. */
  dStepSchedule: D_STEP_SCHEDULE_STATE.optional(),
  /** The objective's own state (BEGAN's k_t). */
  objectiveState: z.record(z.string(), z.number()).optional(),
  /** Training time so far, excluding checkpoints and sample grids. */
  trainSeconds: z.number().nonnegative(),
});
export type TrainingPosition = z.infer<typeof TRAINING_POSITION>;

const STATE_FILE_SCHEMA = z.object({
  position: TRAINING_POSITION,
  optimizers: z.object({ generator: SAVED_OPTIMIZER, discriminator: SAVED_OPTIMIZER }),
});
type StateFile = z.infer<typeof STATE_FILE_SCHEMA>;

const KEEP = 2;
/** A file whose presence spares a checkpoint from pruning. */
const KEEP_MARKER = 'keep';
const GENERATOR_EMA = 'generator-ema';
const LATEST = 'latest.json';
const ORDER = 'order.bin';
const STATE = 'state.json';
const optimizerFile = (directory: string, which: 'generator' | 'discriminator') => join(directory, `optimizer-${which}.bin`);

export function checkpointsDirectory(runDir: string): string {
  return runPaths(runDir).checkpoints;
}

/** A checkpoint's name as the user gives it (--checkpoint): step- and its digits. */
export const CHECKPOINT_NAME = /^step-\d{9}$/;

/** The newest checkpoint, which latest.json names; undefined before the first. A damaged latest.json is a DataError. */
export function latestCheckpoint(runDir: string): string | undefined {
  const pointer = join(checkpointsDirectory(runDir), LATEST);
  if (!existsSync(pointer)) return undefined;
  const { name } = readJsonFile(pointer, z.object({ name: z.string().regex(CHECKPOINT_NAME, 'a checkpoint name, step-NNNNNNNNN') }));
  return join(checkpointsDirectory(runDir), name);
}

/** Reads everything a checkpoint holds except the models' graphs: a DataError names the first damaged file. */
export function checkCheckpoint(directory: string): void {
  if (!existsSync(directory)) throw new DataError(`${directory} is missing: the run's latest.json names it.`);
  const state = readStateFile(directory);
  checkModelFiles(join(directory, 'generator'));
  checkModelFiles(join(directory, 'discriminator'));
  if (hasGeneratorEma(directory)) checkModelFiles(join(directory, GENERATOR_EMA));
  for (const which of ['generator', 'discriminator'] as const) readOptimizerBytes(optimizerFile(directory, which), state.optimizers[which]);
  readOrder(join(directory, ORDER));
}

/** The checkpoint directories of a run (step-NNNNNNNNN), newest first; checkCheckpoint tells which read back whole. */
function completeCheckpoints(runDir: string): string[] {
  const root = checkpointsDirectory(runDir);
  if (!existsSync(root)) return [];
  return readdirSync(root)
    .filter((entry) => CHECKPOINT_NAME.test(entry))
    .sort()
    .reverse()
    .map((entry) => join(root, entry));
}

/**
 * The checkpoint a resume starts from: the newest one that reads back whole.
 * Damaged newer ones are renamed damaged-step-…; `skipped` says, one sentence
 * each, why they were passed over.
 */
export function resumableCheckpoint(runDir: string): { directory?: string; skipped: string[] } {
  const skipped: string[] = [];
  let latest: string | undefined;
  try {
    latest = latestCheckpoint(runDir);
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    skipped.push(error.message);
  }
  const candidates = [...new Set([...(latest ? [latest] : []), ...completeCheckpoints(runDir)])];
  for (const directory of candidates) {
    try {
      checkCheckpoint(directory);
      return { directory, skipped };
    } catch (error) {
      if (!(error instanceof DataError)) throw error;
      // Set aside under a name no reader takes for a checkpoint, so that later pruning counts only good ones.
      const aside = `damaged-${basename(directory)}`;
      const setAside = existsSync(directory);
      if (setAside) renameSync(directory, join(dirname(directory), aside));
      skipped.push(`${error.message}${setAside ? ` (set aside as ${aside})` : ''}`);
    }
  }
  return { skipped };
}

/** The newest complete checkpoint older than `directory`, by name, for a message that offers it. */
export function previousCompleteCheckpoint(runDir: string, directory: string): string | undefined {
  return completeCheckpoints(runDir)
    .filter((candidate) => basename(candidate) < basename(directory))
    .find((candidate) => {
      try {
        checkCheckpoint(candidate);
        return true;
      } catch {
        return false;
      }
    });
}

/** The name of the checkpoint written after `dSteps` D steps. */
export function checkpointName(dSteps: number): string {
  return `step-${String(dSteps).padStart(9, '0')}`;
}

export async function saveCheckpoint(runDir: string, parts: CheckpointParts): Promise<string> {
  const root = checkpointsDirectory(runDir);
  const name = checkpointName(parts.position.dSteps);
  const final = join(root, name);
  // A checkpoint rewritten at the same step (a DP run stopping at an epoch's end) stays kept if it was.
  const keep = parts.keep || existsSync(join(final, KEEP_MARKER));
  await writeDirectoryWhole(join(root, `.incomplete-${name}`), final, async (directory) => {
    await saveModel(parts.generator, join(directory, 'generator'));
    await saveModel(parts.discriminator, join(directory, 'discriminator'));
    if (parts.generatorEma) await saveModel(parts.generatorEma, join(directory, GENERATOR_EMA));
    if (keep) writeFileSync(join(directory, KEEP_MARKER), '');
    const optimizers = {
      generator: await writeOptimizerState(optimizerFile(directory, 'generator'), parts.generatorOptimizer),
      discriminator: await writeOptimizerState(optimizerFile(directory, 'discriminator'), parts.discriminatorOptimizer),
    };
    writeOrder(join(directory, ORDER), parts.order);
    writeFileSync(join(directory, STATE), JSON.stringify({ position: parts.position, optimizers }, null, 2));
  });
  writeFileAtomic(join(root, LATEST), JSON.stringify({ name }));
  // Keep the newest few checkpoints up to this one, and those marked to keep.
  const older = readdirSync(root)
    .filter((entry) => CHECKPOINT_NAME.test(entry) && entry <= name)
    .sort();
  for (const old of older.slice(0, Math.max(0, older.length - KEEP))) {
    if (!existsSync(join(root, old, KEEP_MARKER))) rmSync(join(root, old), { recursive: true });
  }
  return final;
}

/** Whether a checkpoint holds G's moving average. */
export function hasGeneratorEma(directory: string): boolean {
  return existsSync(join(directory, GENERATOR_EMA, 'model.json'));
}

/** Where a checkpoint keeps G's moving average, or G itself: a TF.js model directory a browser can load. */
export function generatorDirectory(checkpoint: string, movingAverage: boolean): string {
  return join(checkpoint, movingAverage ? GENERATOR_EMA : 'generator');
}

/** Loads the models of a checkpoint directory. */
export async function loadCheckpointModels(directory: string): Promise<CheckpointModels> {
  return {
    generator: await loadModel(generatorDirectory(directory, false)),
    discriminator: await loadModel(join(directory, 'discriminator')),
    generatorEma: hasGeneratorEma(directory) ? await loadModel(generatorDirectory(directory, true)) : null,
  };
}

function readStateFile(directory: string): StateFile {
  return readJsonFile(join(directory, STATE), STATE_FILE_SCHEMA);
}

/** Reads the position and order of a checkpoint. */
export function restoreTrainingState(directory: string): { position: TrainingPosition; order: Uint32Array } {
  const { position } = readStateFile(directory);
  return { position, order: readOrder(join(directory, ORDER)) };
}

/** Restores both optimizers' state from a checkpoint into the given ones. */
export async function restoreOptimizers(directory: string, optimizers: { generator: tf.Optimizer; discriminator: tf.Optimizer }): Promise<void> {
  const state = readStateFile(directory);
  for (const which of ['generator', 'discriminator'] as const) {
    await restoreOptimizerState(optimizerFile(directory, which), state.optimizers[which], optimizers[which]);
  }
}
