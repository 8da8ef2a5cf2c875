// Checkpoints of a training run: both models and G's moving average when kept
// (standard TF.js artifacts), both optimizers, the RNGs and the position in the epoch. Each is written into a
// temporary directory and renamed into place; `latest.json` is then replaced
// atomically, so a crash at any moment leaves the previous checkpoint usable.
import type * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RngState } from '../engine/rng.js';
import type { DStepScheduleState } from './d-step-schedule.js';
import { loadModel, saveModel } from '../models/model-files.js';
import { writeFileAtomic } from './atomic-write.js';
import { captureOptimizer, restoreOptimizer, type SavedOptimizer } from './optimizer-state.js';

/** Where training stands; enough to continue exactly where it stopped. */
export interface TrainingPosition {
  /** The epoch in progress, from 0. */
  epoch: number;
  /** D steps already taken in that epoch. */
  stepInEpoch: number;
  /** D and G steps taken since the start. */
  dSteps: number;
  gSteps: number;
  /** D steps since the last G step. */
  dStepsSinceG: number;
  rng: RngState;
  /** The dropout masks' stream (absent in checkpoints from before dropout, which drew no masks). */
  dropoutRng?: RngState;
  /** The adaptive D-step schedule's state, when the run uses it. */
  dStepSchedule?: DStepScheduleState;
  /** The objective's own state (BEGAN's k_t). */
  objectiveState?: Record<string, number>;
  /** Training time so far, excluding checkpoints and sample grids. */
  trainSeconds: number;
}

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

interface StateFile {
  position: TrainingPosition;
  optimizers: { generator: SavedOptimizer; discriminator: SavedOptimizer };
}

const KEEP = 2;
/** A file whose presence spares a checkpoint from pruning. */
const KEEP_MARKER = 'keep';
const GENERATOR_EMA = 'generator-ema';

export function checkpointsDirectory(runDir: string): string {
  return join(runDir, 'checkpoints');
}

/** The directory of the newest complete checkpoint, or undefined. */
export function latestCheckpoint(runDir: string): string | undefined {
  const pointer = join(checkpointsDirectory(runDir), 'latest.json');
  if (!existsSync(pointer)) return undefined;
  const { name } = JSON.parse(readFileSync(pointer, 'utf8')) as { name: string };
  return join(checkpointsDirectory(runDir), name);
}

/** The name of the checkpoint written after `dSteps` D steps. */
export function checkpointName(dSteps: number): string {
  return `step-${String(dSteps).padStart(9, '0')}`;
}

/** A checkpoint's name as the user gives it (--checkpoint): step- and its digits. */
export const CHECKPOINT_NAME = /^step-\d{9}$/;

export async function saveCheckpoint(runDir: string, parts: CheckpointParts): Promise<string> {
  const root = checkpointsDirectory(runDir);
  const name = checkpointName(parts.position.dSteps);
  const temporary = join(root, `.incomplete-${name}`);
  rmSync(temporary, { recursive: true, force: true });
  mkdirSync(temporary, { recursive: true });
  await saveModel(parts.generator, join(temporary, 'generator'));
  await saveModel(parts.discriminator, join(temporary, 'discriminator'));
  if (parts.generatorEma) await saveModel(parts.generatorEma, join(temporary, GENERATOR_EMA));
  // A checkpoint rewritten at the same step (a DP run stopping at an epoch's end) stays kept if it was.
  if (parts.keep || existsSync(join(root, name, KEEP_MARKER))) writeFileSync(join(temporary, KEEP_MARKER), '');
  const g = await captureOptimizer(parts.generatorOptimizer);
  const d = await captureOptimizer(parts.discriminatorOptimizer);
  writeFileSync(join(temporary, 'optimizer-generator.bin'), g.data);
  writeFileSync(join(temporary, 'optimizer-discriminator.bin'), d.data);
  writeFileSync(join(temporary, 'order.bin'), new Uint8Array(parts.order.buffer, parts.order.byteOffset, parts.order.byteLength));
  const state: StateFile = { position: parts.position, optimizers: { generator: g.saved, discriminator: d.saved } };
  writeFileSync(join(temporary, 'state.json'), JSON.stringify(state, null, 2));

  const final = join(root, name);
  rmSync(final, { recursive: true, force: true });
  renameSync(temporary, final);
  writeFileAtomic(join(root, 'latest.json'), JSON.stringify({ name }));
  // Keep the newest few complete checkpoints, and those marked to keep.
  const complete = readdirSync(root).filter((entry) => entry.startsWith('step-')).sort();
  for (const old of complete.slice(0, Math.max(0, complete.length - KEEP))) {
    if (!existsSync(join(root, old, KEEP_MARKER))) rmSync(join(root, old), { recursive: true });
  }
  return final;
}

/** Whether a checkpoint holds G's moving average. */
export function hasGeneratorEma(directory: string): boolean {
  return existsSync(join(directory, GENERATOR_EMA, 'model.json'));
}

/** Loads the models of a checkpoint directory. */
export async function loadCheckpointModels(directory: string): Promise<CheckpointModels> {
  return {
    generator: await loadModel(join(directory, 'generator')),
    discriminator: await loadModel(join(directory, 'discriminator')),
    generatorEma: hasGeneratorEma(directory) ? await loadModel(join(directory, GENERATOR_EMA)) : null,
  };
}

function readStateFile(directory: string): StateFile {
  return JSON.parse(readFileSync(join(directory, 'state.json'), 'utf8')) as StateFile;
}

/** Reads the position and order of a checkpoint. */
export function restoreTrainingState(directory: string): { position: TrainingPosition; order: Uint32Array } {
  const state = readStateFile(directory);
  const orderBytes = readFileSync(join(directory, 'order.bin'));
  const order = new Uint32Array(orderBytes.buffer.slice(orderBytes.byteOffset, orderBytes.byteOffset + orderBytes.byteLength));
  // Checkpoints from before n_critic schedules lack dStepsSinceG; they all took one D step per G step.
  return { position: { ...state.position, dStepsSinceG: state.position.dStepsSinceG ?? 0 }, order };
}

/** Restores both optimizers' state from a checkpoint into the given ones. */
export async function restoreOptimizers(directory: string, optimizers: { generator: tf.Optimizer; discriminator: tf.Optimizer }): Promise<void> {
  const state = readStateFile(directory);
  await restoreOptimizer(optimizers.generator, state.optimizers.generator, readFileSync(join(directory, 'optimizer-generator.bin')));
  await restoreOptimizer(optimizers.discriminator, state.optimizers.discriminator, readFileSync(join(directory, 'optimizer-discriminator.bin')));
}
