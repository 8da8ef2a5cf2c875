// The run's shaped D (`gankit shape`): the fine-tuned model and the settings it
// was shaped with, in shaped/, replaced whole by a new shaping.
import type * as tfl from '@tensorflow/tfjs-layers';
import { existsSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { z } from 'zod';
import { readOptionalJsonFile } from '../files/json-file.js';
import { loadModel, saveModel } from '../models/model-files.js';
import { runPaths } from './run-directory.js';
import { writeDirectoryWhole } from './saved-state.js';

const SETTINGS = 'shaping.json';

/** Where a run keeps its shaped discriminator. */
function shapedDiscriminatorDirectory(runDir: string): string {
  return join(runPaths(runDir).shaped, 'discriminator');
}

/** Which generator the run's D was shaped against ('ema' or 'raw'); undefined when unrecorded (shaped before EMA existed: raw). */
export function shapedAgainst(runDir: string): string | undefined {
  return readOptionalJsonFile(join(runPaths(runDir).shaped, SETTINGS), z.looseObject({ generator: z.enum(['ema', 'raw']).optional() }))?.generator;
}

/** The run's shaped D, when `gankit shape` has made one. */
export async function loadShapedDiscriminator(runDir: string): Promise<tfl.LayersModel | undefined> {
  const directory = shapedDiscriminatorDirectory(runDir);
  return existsSync(join(directory, 'model.json')) ? loadModel(directory) : undefined;
}

/** Saves the shaped D and its settings into the run, replacing any earlier one whole; returns the directory. */
export async function saveShapedDiscriminator(runDir: string, discriminator: tfl.LayersModel, settings: object): Promise<string> {
  const final = runPaths(runDir).shaped;
  await writeDirectoryWhole(join(runDir, `.incomplete-${basename(final)}`), final, async (directory) => {
    await saveModel(discriminator, join(directory, 'discriminator'));
    writeFileSync(join(directory, SETTINGS), JSON.stringify(settings, null, 2));
  });
  return final;
}
