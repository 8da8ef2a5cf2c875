// A run directory written by `gankit train`, opened for sampling.
import type * as tfl from '@tensorflow/tfjs-layers';
import { existsSync } from 'node:fs';
import { basename, join } from 'node:path';
import { DataError } from '../errors.js';
import { IMAGE_SIZE } from '../models/gan-models.js';
import { CHECKPOINT_NAME, checkCheckpoint, checkpointsDirectory, latestCheckpoint, loadCheckpointModels, previousCompleteCheckpoint } from './checkpoints.js';
import { hasRunRecord, readRunConfig } from './run-record.js';
import type { TrainConfig } from './run-config.js';

/** Which generator sampling uses: G's moving average, or the raw G. */
export type GeneratorKind = 'ema' | 'raw';

/** How messages and titles name a generator. */
export function describeGenerator(kind: GeneratorKind): string {
  return kind === 'ema' ? "G's moving average" : 'G';
}

export interface TrainedRun {
  directory: string;
  checkpoint: string;
  config: TrainConfig;
  /** The generator sampling uses: the moving average when the run keeps one, unless the raw G was asked for. */
  generator: tfl.LayersModel;
  generatorKind: GeneratorKind;
  /** What sampling draws from in turn: `generator` alone, or a mixture's generators (the first is `generator`). */
  generators: tfl.LayersModel[];
  discriminator: tfl.LayersModel;
}

export interface OpenOptions {
  /** false: the raw G even where the run keeps a moving average (--no-ema). */
  ema?: boolean;
  /** A checkpoint by name (e.g. a scored epoch's, kept by --eval-every); default: the newest. */
  checkpoint?: string;
  /** Several kept checkpoints by name, whose generators sampling draws from in turn (instead of `checkpoint`). */
  mixture?: string[];
}

/** Checks a checkpoint before loading it; a damaged one's sentence offers the previous complete checkpoint. */
function checkBeforeLoading(directory: string, checkpoint: string): void {
  try {
    checkCheckpoint(checkpoint);
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    const previous = previousCompleteCheckpoint(directory, checkpoint);
    throw new DataError(
      `${error.message}${previous ? ` The previous checkpoint, ${basename(previous)}, is complete: pass --checkpoint ${basename(previous)}.` : ''}`,
    );
  }
}

export async function openRun(directory: string, options: OpenOptions = {}): Promise<TrainedRun> {
  if (options.mixture) return openMixture(directory, options.mixture, options.ema);
  if (!hasRunRecord(directory)) throw new DataError(`${directory} holds no trained run; train one first with gankit train --out ${directory}.`);
  const config = readRunConfig(directory);
  const checkpoint = options.checkpoint ? join(checkpointsDirectory(directory), options.checkpoint) : latestCheckpoint(directory);
  if (!checkpoint) throw new DataError(`${directory} has no checkpoint yet; continue its training with gankit train --resume --out ${directory}.`);
  if (options.checkpoint && (!CHECKPOINT_NAME.test(options.checkpoint) || !existsSync(checkpoint))) {
    throw new DataError(`${directory} has no checkpoint ${options.checkpoint}; its kept ones are named step-NNNNNNNNN in ${checkpointsDirectory(directory)}.`);
  }
  checkBeforeLoading(directory, checkpoint);
  const { generator, discriminator, generatorEma } = await loadCheckpointModels(checkpoint);
  const useEma = generatorEma !== null && options.ema !== false;
  const [sampled, unused] = useEma ? [generatorEma, generator] : [generator, generatorEma];
  unused?.dispose();
  return { directory, checkpoint, config, generator: sampled, generatorKind: useEma ? 'ema' : 'raw', generators: [sampled], discriminator };
}

/** The run at its first named checkpoint, drawing from every named checkpoint's generator in turn. */
async function openMixture(directory: string, checkpoints: string[], ema: boolean | undefined): Promise<TrainedRun> {
  const runs = [];
  for (const checkpoint of checkpoints) runs.push(await openRun(directory, { ema, checkpoint }));
  for (const other of runs.slice(1)) other.discriminator.dispose();
  return { ...runs[0], generators: runs.map((run) => run.generator) };
}

/** The run's D for the refiners (collaborative sampling, shaping, rejection sampling), which read it as one logit. */
export function logitDiscriminator(run: TrainedRun): tfl.LayersModel {
  if (run.discriminator.outputs[0].shape[1] === IMAGE_SIZE) {
    throw new DataError(
      `${run.directory} was trained with ${run.config.objective}, whose D is an autoencoder; ` +
        'collaborative sampling, shaping and rejection sampling need a D with one output.',
    );
  }
  return run.discriminator;
}
