// One training step as the benches time it: a D step on a fixed real batch and
// a G step, on fresh latents, through the training loop's own step functions.
import * as tf from '@tensorflow/tfjs-core';
import { Rng } from '../src/engine/rng.js';
import { IMAGE_SIZE, LATENT_SIZE } from '../src/models/gan-models.js';
import { type PresetName } from '../src/run/run-config.js';
import { newGan } from '../src/training/gan-parts.js';
import { discriminatorStep, generatorStep } from '../src/training/gan-step.js';
import { configFor, requireObjective } from '../src/training/train-config.js';
import { bestMs } from './bench-io.js';

export const latentBatch = (rng: Rng, batch: number) => tf.tensor2d(rng.normals(batch * LATENT_SIZE), [batch, LATENT_SIZE]);
export const imageBatch = (rng: Rng, batch: number) => tf.tensor2d(rng.uniforms(batch * IMAGE_SIZE, -1, 1), [batch, IMAGE_SIZE]);

/**
 * Best mean over rounds of `steps` training steps (one D step, one G step), in
 * ms, on the backend and kernels in use. Each step ends reading its losses, so
 * a GPU has finished its work. The course preset (no dropout) by default: the
 * PyTorch reference has none.
 */
export async function timeTrainingStep(
  batch: number,
  steps: number,
  rounds: number,
  objective = 'nonsaturating',
  preset: PresetName = 'course',
): Promise<number> {
  const gan = newGan(configFor(objective, { preset }), requireObjective(objective), new Rng(0));
  const rng = new Rng(1);
  const real = imageBatch(rng, batch);
  const step = async () => {
    const z1 = latentBatch(rng, batch);
    await discriminatorStep(gan, real, z1, rng);
    const z2 = latentBatch(rng, batch);
    await generatorStep(gan, z2);
    tf.dispose([z1, z2]);
  };
  const ms = await bestMs(step, steps, rounds);
  real.dispose();
  return ms;
}
