// The training loop: D steps on shuffled real batches against fresh fakes, a G
// step after every n_D D steps (the schedule's), epoch after epoch. It works on
// an explicit state in memory and returns where and why it stopped; what a run
// keeps on disk (logs, grids, scores, checkpoints) happens in the events its caller gives.
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../engine/rng.js';
import type { ImageSet } from '../data/image-set.js';
import { realDiscriminatorInput, rowsWithClasses } from '../models/class-condition.js';
import { pairedClasses, uniformClasses } from '../models/class-rows.js';
import { LATENT_SIZE } from '../models/gan-models.js';
import type { Objective } from '../objectives/objective.js';
import type { TrainingPosition } from '../run/checkpoints.js';
import type { DStepSchedule } from './d-step-schedule.js';
import type { DiscriminatorUpdate } from './discriminator-update.js';
import { fakeAccuracy, generatorStep, type GanParts } from './gan-step.js';

/** Everything the loop changes as it trains. */
export interface TrainingState {
  gan: GanParts;
  /** The batches', latents' and shuffles' stream. */
  rng: Rng;
  position: TrainingPosition;
  /** This epoch's shuffled order of the training images. */
  order: Uint32Array;
  schedule: DStepSchedule;
  update: DiscriminatorUpdate;
}

/** What the loop trains on and for how long. */
export interface LoopPlan {
  images: ImageSet;
  batch: number;
  epochs: number;
  stepsPerEpoch: number;
  /** The objective of each epoch (f-GAN pretraining first, when asked for). */
  objectiveAt(epoch: number): Objective;
}

/** What one D step (and the G step after it, when one was due) measured. */
export interface StepTaken {
  dLoss: number;
  /** The objective's logged values of the D step (dReal, dFake, ...). */
  logs: Record<string, number>;
  /** Absent when no G step followed this D step. */
  gLoss?: number;
  /** D's accuracy on a fresh generated batch and the next n_D, when the schedule measures it. */
  fakeAccuracy?: number;
  nextDSteps?: number;
}

/** Where the caller keeps what the loop does. */
export interface LoopEvents {
  afterStep(step: StepTaken): void;
  /** After an epoch's last step; the position already points at the next epoch, with a new order. */
  endOfEpoch(): Promise<void>;
  /** Before the loop returns early (stopped, or budget spent): save the work. */
  beforeEarlyEnd(): Promise<void>;
  /** Polled after every step; true ends the loop (Ctrl-C). */
  stopRequested(): boolean;
}

/** Why the loop returned. A divergence returns at once, with nothing saved, from the position where the loss became non-finite. */
export type LoopEnd = { status: 'completed' } | { status: 'stopped' } | { status: 'budget-spent'; reason: string } | { status: 'diverged'; network: 'D' | 'G' };

/** G's inputs: `count` latents, each with a class drawn uniformly beside it in a conditional GAN (`paired`: the two halves' classes alike). */
function latents(rng: Rng, count: number, conditional: boolean, paired = false): tf.Tensor2D {
  const z = rng.normals(count * LATENT_SIZE);
  return rowsWithClasses(z, LATENT_SIZE, conditional ? (paired ? pairedClasses : uniformClasses)(rng, count) : null);
}

/** The G step after D's, and the schedule's measurement of D on a fresh generated batch. */
async function takeGeneratorStep(state: TrainingState, batch: number): Promise<Pick<StepTaken, 'gLoss' | 'fakeAccuracy' | 'nextDSteps'>> {
  const { gan, rng, position, schedule } = state;
  const z = latents(rng, batch, gan.conditional, gan.modeSeeking > 0);
  const gLoss = (await generatorStep(gan, z)).loss;
  z.dispose();
  if (!schedule.measuresAccuracy) return { gLoss };
  const probe = latents(rng, batch, gan.conditional);
  const accuracy = await fakeAccuracy(gan, probe);
  probe.dispose();
  schedule.afterGStep(accuracy);
  return { gLoss, fakeAccuracy: accuracy, nextDSteps: schedule.dStepsBefore(position.gSteps + 1) };
}

/** One D step, then G's when due; undefined fields of the result say what did not happen. */
async function takeStep(state: TrainingState, plan: LoopPlan): Promise<StepTaken | { diverged: 'D' | 'G' }> {
  const { gan, rng, position, schedule, update } = state;
  const started = performance.now();
  const indices = update.realBatch(state.order, position.stepInEpoch * plan.batch, rng);
  const real = realDiscriminatorInput(plan.images, gan.conditional, indices);
  const fakeZ = latents(rng, plan.batch, gan.conditional);
  const { loss: dLoss, logs } = await update.step(gan, real, fakeZ, rng);
  tf.dispose([real, fakeZ]);
  if (!Number.isFinite(dLoss)) return { diverged: 'D' };
  position.dSteps += 1;
  position.stepInEpoch += 1;
  position.dStepsSinceG += 1;
  let generator: Awaited<ReturnType<typeof takeGeneratorStep>> = {};
  if (position.dStepsSinceG >= schedule.dStepsBefore(position.gSteps)) {
    generator = await takeGeneratorStep(state, plan.batch);
    if (!Number.isFinite(generator.gLoss)) return { diverged: 'G' };
    position.gSteps += 1;
    position.dStepsSinceG = 0;
  }
  position.trainSeconds += (performance.now() - started) / 1000;
  return { dLoss, logs, ...generator };
}

/** Trains from `state.position` to the plan's last epoch, or until it must stop. */
export async function trainingLoop(state: TrainingState, plan: LoopPlan, events: LoopEvents): Promise<LoopEnd> {
  const { position } = state;
  while (position.epoch < plan.epochs) {
    state.gan.objective = plan.objectiveAt(position.epoch);
    while (position.stepInEpoch < plan.stepsPerEpoch) {
      const budgetSpent = state.update.stopBefore(position.dSteps);
      if (budgetSpent) {
        await events.beforeEarlyEnd();
        return { status: 'budget-spent', reason: budgetSpent };
      }
      const step = await takeStep(state, plan);
      if ('diverged' in step) return { status: 'diverged', network: step.diverged };
      events.afterStep(step);
      // Let signal handlers (Ctrl-C) run between steps.
      await new Promise((resolve) => setImmediate(resolve));
      if (events.stopRequested()) {
        await events.beforeEarlyEnd();
        return { status: 'stopped' };
      }
    }
    position.epoch += 1;
    position.stepInEpoch = 0;
    state.order = state.rng.permutation(plan.images.count);
    await events.endOfEpoch();
  }
  return { status: 'completed' };
}
