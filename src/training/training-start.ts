// Where a run starts: new weights from the seed, or everything a checkpoint holds.
import { deriveRng, Rng } from '../engine/rng.js';
import { DataError } from '../errors.js';
import type { ImageSet } from '../data/image-set.js';
import type { Objective } from '../objectives/objective.js';
import { loadCheckpointModels, restoreOptimizers, restoreTrainingState, type TrainingPosition } from '../run/checkpoints.js';
import type { TrainConfig } from '../run/run-config.js';
import { assembleGan, disposeGan, newGan } from './gan-parts.js';
import type { GanParts } from './gan-step.js';

/** The models, optimizers, random streams and position a run starts from. */
export interface Start {
  gan: GanParts;
  rng: Rng;
  position: TrainingPosition;
  order: Uint32Array;
}

/** New weights from the seed, at step 0. */
export function startFresh(config: TrainConfig, objective: Objective, images: number): Start {
  const gan = newGan(config, objective, deriveRng(config.seed, 'weights'));
  const rng = deriveRng(config.seed, 'training');
  const order = rng.permutation(images);
  const position = { epoch: 0, stepInEpoch: 0, dSteps: 0, gSteps: 0, dStepsSinceG: 0, rng: rng.state(), trainSeconds: 0 };
  return { gan, rng, position, order };
}

/** Everything a checkpoint holds, restored. */
export async function startFromCheckpoint(directory: string, config: TrainConfig, objective: Objective, images: ImageSet): Promise<Start> {
  const { position, order } = restoreTrainingState(directory);
  if (order.length !== images.count) {
    throw new DataError(
      `${directory}/order.bin orders ${order.length} images, but ${images.source} has ${images.count}: the checkpoint is damaged, or the data changed.`,
    );
  }
  const { generator, discriminator, generatorEma } = await loadCheckpointModels(directory);
  // Runs from before dropout drew no masks, so their checkpoints hold no mask stream.
  const dropoutRng = position.dropoutRng ? Rng.fromState(position.dropoutRng) : deriveRng(config.seed, 'dropout');
  const gan = assembleGan(generator, discriminator, config, objective, { dropoutRng, ema: generatorEma ?? undefined, gSteps: position.gSteps });
  try {
    await restoreOptimizers(directory, { generator: gan.generatorOptimizer, discriminator: gan.discriminatorOptimizer });
  } catch (error) {
    disposeGan(gan);
    throw error;
  }
  return { gan, rng: Rng.fromState(position.rng), position, order };
}
