// How the trainer updates D each step, behind one interface: plainly, or
// privately (DP-SGD wraps the plain update the way Opacus's make_private wraps
// a model and its optimizer). The training loop never asks which.
import type * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../engine/rng.js';
import { discriminatorStep, type GanParts, type StepResult } from './gan-step.js';

export interface DiscriminatorUpdate {
  /** The indices of the next real batch: the next slice of the epoch's shuffled order, or a Poisson sample. */
  realBatch(order: Uint32Array, start: number, rng: Rng): Uint32Array;
  step(gan: GanParts, real: tf.Tensor2D, z: tf.Tensor2D, rng: Rng): Promise<StepResult>;
  /** Why training must stop before one more D step (a spent privacy budget); undefined while it may go on. */
  stopBefore(dStepsTaken: number): string | undefined;
  /** Values the metrics log and the progress line carry after `dSteps` steps (the ε spent). */
  logged(dSteps: number): Record<string, number>;
  /** Writes what the update records beside the checkpoints (privacy.json) for `dSteps` steps. */
  writeRecord(runDir: string, dSteps: number): void;
}

/** The ordinary update: shuffled fixed-size batches, one optimizer step on the batch's mean loss. */
export function plainUpdate(batch: number): DiscriminatorUpdate {
  return {
    realBatch: (order, start) => order.subarray(start, start + batch),
    step: discriminatorStep,
    stopBefore: () => undefined,
    logged: () => ({}),
    writeRecord: () => undefined,
  };
}
