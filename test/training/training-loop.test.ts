// The training loop driven in memory, without a run directory: its steps and
// epochs, a stop, a spent budget and a divergence, each returned with where it stopped.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startEngine } from '../../src/engine/engine.js';
import { deriveRng } from '../../src/engine/rng.js';
import type { ImageSet } from '../../src/data/image-set.js';
import { TRAIN_DEFAULTS, type TrainConfig } from '../../src/run/run-config.js';
import { dStepSchedule } from '../../src/training/d-step-schedule.js';
import { plainUpdate, type DiscriminatorUpdate } from '../../src/training/discriminator-update.js';
import { disposeGan } from '../../src/training/gan-parts.js';
import { requireObjective } from '../../src/training/train-config.js';
import { trainingLoop, type LoopEvents, type LoopPlan, type StepTaken, type TrainingState } from '../../src/training/training-loop.js';
import { startFresh } from '../../src/training/training-start.js';

await startEngine({ quiet: true });

// 3 batches of 8 random images an epoch; D steps 2 per G step.
const config: TrainConfig = { ...TRAIN_DEFAULTS, batch: 8, epochs: 2, dSteps: 2, seed: 5 };
const IMAGES = 24;

function imageSet(): ImageSet {
  return { count: IMAGES, height: 28, width: 28, pixels: new Float32Array(deriveRng(1, 'images').uniforms(IMAGES * 784, -1, 1)), source: 'random' };
}

function setUp(update: DiscriminatorUpdate = plainUpdate(config.batch)): { state: TrainingState; plan: LoopPlan } {
  const objective = requireObjective(config.objective);
  const start = startFresh(config, objective, IMAGES);
  const plan: LoopPlan = { images: imageSet(), batch: config.batch, epochs: config.epochs, stepsPerEpoch: IMAGES / config.batch, objectiveAt: () => objective };
  return { state: { ...start, schedule: dStepSchedule(config), update }, plan };
}

/** Events that record what the loop reports; `stopAfter` asks to stop after that many steps. */
function recorder(stopAfter = Infinity) {
  const seen = { steps: [] as StepTaken[], epochs: 0, earlyEnds: 0 };
  const events: LoopEvents = {
    afterStep: (step) => void seen.steps.push(step),
    endOfEpoch: async () => void (seen.epochs += 1),
    beforeEarlyEnd: async () => void (seen.earlyEnds += 1),
    stopRequested: () => seen.steps.length >= stopAfter,
  };
  return { seen, events };
}

test('the loop trains every epoch, a G step after every n_D D steps, and reshuffles at each epoch', async () => {
  const { state, plan } = setUp();
  const firstOrder = state.order;
  const { seen, events } = recorder();
  try {
    assert.deepEqual(await trainingLoop(state, plan, events), { status: 'completed' });
    assert.equal(seen.steps.length, 6);
    assert.equal(seen.epochs, 2);
    assert.equal(seen.earlyEnds, 0);
    assert.deepEqual(
      seen.steps.map((step) => step.gLoss !== undefined),
      [false, true, false, true, false, true],
    );
    assert.ok(seen.steps.every((step) => Number.isFinite(step.dLoss) && 'dReal' in step.logs));
    const { epoch, stepInEpoch, dSteps, gSteps, dStepsSinceG } = state.position;
    assert.deepEqual({ epoch, stepInEpoch, dSteps, gSteps, dStepsSinceG }, { epoch: 2, stepInEpoch: 0, dSteps: 6, gSteps: 3, dStepsSinceG: 0 });
    assert.notDeepEqual(state.order, firstOrder);
  } finally {
    disposeGan(state.gan);
  }
});

test('a stop asked for mid-epoch ends the loop there, after the early-end work', async () => {
  const { state, plan } = setUp();
  const { seen, events } = recorder(2);
  try {
    assert.deepEqual(await trainingLoop(state, plan, events), { status: 'stopped' });
    assert.equal(seen.earlyEnds, 1);
    assert.equal(seen.epochs, 0);
    assert.deepEqual([state.position.epoch, state.position.stepInEpoch, state.position.dSteps], [0, 2, 2]);
  } finally {
    disposeGan(state.gan);
  }
});

test('a spent budget ends the loop before the step it would not allow, with the reason', async () => {
  const update = { ...plainUpdate(config.batch), stopBefore: (taken: number) => (taken >= 4 ? 'ε spent' : undefined) };
  const { state, plan } = setUp(update);
  const { seen, events } = recorder();
  try {
    assert.deepEqual(await trainingLoop(state, plan, events), { status: 'budget-spent', reason: 'ε spent' });
    assert.equal(seen.steps.length, 4);
    assert.equal(seen.epochs, 1);
    assert.equal(seen.earlyEnds, 1);
    assert.deepEqual([state.position.epoch, state.position.stepInEpoch], [1, 1]);
  } finally {
    disposeGan(state.gan);
  }
});

test('a non-finite D loss returns at once, from the step that produced it, with nothing saved', async () => {
  const plain = plainUpdate(config.batch);
  let steps = 0;
  const update: DiscriminatorUpdate = {
    ...plain,
    step: async (gan, real, z, rng) => {
      const result = await plain.step(gan, real, z, rng);
      return ++steps === 3 ? { ...result, loss: NaN } : result;
    },
  };
  const { state, plan } = setUp(update);
  const { seen, events } = recorder();
  try {
    assert.deepEqual(await trainingLoop(state, plan, events), { status: 'diverged', network: 'D' });
    assert.equal(seen.steps.length, 2);
    assert.equal(seen.earlyEnds, 0);
    // The position is the diverging step's: two D steps counted, the third not.
    assert.deepEqual([state.position.stepInEpoch, state.position.dSteps], [2, 2]);
  } finally {
    disposeGan(state.gan);
  }
});
