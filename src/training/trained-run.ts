// A run directory written by `gankit train`, opened for sampling.
import type * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DataError } from '../data/data-error.js';
import { latestCheckpoint, loadCheckpointModels } from './checkpoint.js';
import type { TrainConfig } from './train-config.js';

export interface TrainedRun {
  directory: string;
  checkpoint: string;
  config: TrainConfig;
  generator: tfl.LayersModel;
  discriminator: tfl.LayersModel;
}

export async function openRun(directory: string): Promise<TrainedRun> {
  const checkpoint = latestCheckpoint(directory);
  const configPath = join(directory, 'config.json');
  if (!checkpoint || !existsSync(configPath)) {
    throw new DataError(`${directory} holds no trained run; train one first with gankit train --out ${directory}.`);
  }
  const { config } = JSON.parse(readFileSync(configPath, 'utf8')) as { config: TrainConfig };
  return { directory, checkpoint, config, ...(await loadCheckpointModels(checkpoint)) };
}

/** The run's D for the refiners (collaborative sampling, shaping, rejection sampling), which read it as one logit. */
export function logitDiscriminator(run: TrainedRun): tfl.LayersModel {
  if (run.discriminator.outputs[0].shape[1] !== 1) {
    throw new DataError(
      `${run.directory} was trained with ${run.config.objective}, whose D is an autoencoder; ` +
        'collaborative sampling, shaping and rejection sampling need a D with one output.',
    );
  }
  return run.discriminator;
}
