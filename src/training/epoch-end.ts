// The work at the end of each epoch besides the checkpoint: the fixed-z sample
// grid, and which checkpoints are kept for sampling later.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { deriveRng } from '../engine/rng.js';
import { takeValues } from '../engine/tensor-values.js';
import { writeGridPng } from '../data/sample-grid.js';
import { rowsWithClasses } from '../models/class-condition.js';
import { plannedClasses } from '../models/class-rows.js';
import { LATENT_SIZE } from '../models/gan-models.js';
import { generatorForward } from '../models/dcgan-forward.js';
import type { TrainConfig } from '../run/run-config.js';
import { epochGrid } from '../run/run-directory.js';
import type { GeneratorKind } from '../run/trained-run.js';
import type { GanParts } from './gan-step.js';

const GRID_SIDE = 10;

/** The latents of every epoch's grid: the same for the whole run, so the grids show G change; in a conditional GAN, one row per class. */
export function gridLatents(seed: number, conditional: boolean): tf.Tensor2D {
  const count = GRID_SIDE * GRID_SIDE;
  const z = deriveRng(seed, 'sample-grid').normals(count * LATENT_SIZE);
  return rowsWithClasses(z, LATENT_SIZE, conditional ? plannedClasses({ kind: 'balanced', block: GRID_SIDE }, 0, count) : null);
}

/** The generator that samples: G's moving average when the run keeps one. */
export function samplingGenerator(gan: GanParts): { generator: tfl.LayersModel; kind: GeneratorKind } {
  return gan.generatorEma ? { generator: gan.generatorEma.model, kind: 'ema' } : { generator: gan.generator, kind: 'raw' };
}

/** Whether the checkpoint after `epoch` (from 1) is kept for sampling later: every scored one, and every --keep-every-th. */
export function keepsEpoch(config: TrainConfig, epoch: number): boolean {
  return [config.keepEvery, config.evalEvery].some((every) => every !== null && epoch % every === 0);
}

export async function writeEpochGrid(runDir: string, generator: tfl.LayersModel, gridZ: tf.Tensor2D, epoch: number): Promise<void> {
  const images = await takeValues(tf.tidy(() => generatorForward(generator, gridZ)));
  writeGridPng(epochGrid(runDir, epoch), images, GRID_SIDE * GRID_SIDE, { columns: GRID_SIDE });
}
