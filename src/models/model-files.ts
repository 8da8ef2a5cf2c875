// A tf.LayersModel on disk in the standard TF.js layout: model.json (topology
// and weights manifest) beside weights.bin. A browser loads the same files
// with tf.loadLayersModel('…/model.json').
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DataError } from '../errors.js';
import { readJsonFile } from '../files/json-file.js';
// Registers the DCGAN's D's first layer, so that its saved models load.
import './dcgan-models.js';

const WEIGHTS_FILE = 'weights.bin';

/** model.json as saveModel writes it. */
interface ModelJson {
  modelTopology: object;
  format: string;
  generatedBy: string;
  convertedBy: null;
  weightsManifest: Array<{ paths: string[]; weights: tf.io.WeightsManifestEntry[] }>;
}

/** Saves `model` as `directory/model.json` and `directory/weights.bin`. */
export async function saveModel(model: tfl.LayersModel, directory: string): Promise<void> {
  mkdirSync(directory, { recursive: true });
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weights = artifacts.weightData as ArrayBuffer;
      writeFileSync(join(directory, WEIGHTS_FILE), new Uint8Array(weights));
      const json: ModelJson = {
        modelTopology: artifacts.modelTopology as object,
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tfl.version_layers}`,
        convertedBy: null,
        weightsManifest: [{ paths: [`./${WEIGHTS_FILE}`], weights: artifacts.weightSpecs ?? [] }],
      };
      writeFileSync(join(directory, 'model.json'), JSON.stringify(json));
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
}

/** One weight's entry in a manifest (model.json, a saved optimizer): its name, shape and type. */
export const WEIGHT_SPEC = z.looseObject({ name: z.string(), shape: z.array(z.number().int().nonnegative()), dtype: z.enum(['float32', 'int32']) });
const MODEL_JSON_SCHEMA = z.looseObject({
  modelTopology: z.looseObject({}),
  weightsManifest: z.array(z.looseObject({ paths: z.array(z.string()).min(1), weights: z.array(WEIGHT_SPEC) })).min(1),
});

/** Bytes of the weights `specs` describe (float32 and int32: 4 bytes a value). */
export function weightBytes(specs: Array<{ shape: number[] }>): number {
  return specs.reduce((total, spec) => total + 4 * spec.shape.reduce((n, d) => n * d, 1), 0);
}

/** Checks that `file` holds exactly the `expected` bytes its description promises; a DataError names it otherwise. */
export function checkByteLength(file: string, bytes: Uint8Array, expected: number): void {
  if (bytes.byteLength !== expected) {
    throw new DataError(
      `${file} is damaged: it holds ${bytes.byteLength} bytes where ${expected} are expected${bytes.byteLength < expected ? ' (cut short?)' : ''}.`,
    );
  }
}

/** Reads model.json and its weight shards, checked against each other; a damaged file is a DataError naming it. */
function readModelArtifacts(directory: string): tf.io.ModelArtifacts {
  const file = join(directory, 'model.json');
  const json = readJsonFile(file, MODEL_JSON_SCHEMA);
  const shardFiles = json.weightsManifest.flatMap((group) => group.paths.map((path) => join(directory, path)));
  const shards = shardFiles.map((path) => {
    try {
      return readFileSync(path);
    } catch {
      throw new DataError(`${path} is missing: ${file} lists it.`);
    }
  });
  const weightSpecs = json.weightsManifest.flatMap((group) => group.weights);
  const weightData = new Uint8Array(Buffer.concat(shards));
  checkByteLength(shardFiles.length === 1 ? shardFiles[0] : `The weight files of ${directory}`, weightData, weightBytes(weightSpecs));
  return { modelTopology: json.modelTopology, weightSpecs, weightData: weightData.buffer };
}

/** Checks a saved model's files without building it. */
export function checkModelFiles(directory: string): void {
  readModelArtifacts(directory);
}

/** Loads a model saved by saveModel (or any single-shard TF.js layers model). */
export async function loadModel(directory: string): Promise<tfl.LayersModel> {
  const artifacts = readModelArtifacts(directory);
  try {
    return await tfl.loadLayersModel(tf.io.fromMemory(artifacts));
  } catch (error) {
    throw new DataError(`${join(directory, 'model.json')} does not describe a TF.js layers model: ${(error as Error).message.split('\n')[0]}`);
  }
}
