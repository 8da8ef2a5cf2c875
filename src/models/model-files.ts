// A tf.LayersModel on disk in the standard TF.js layout: model.json (topology
// and weights manifest) beside weights.bin. A browser loads the same files
// with tf.loadLayersModel('…/model.json').
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const WEIGHTS_FILE = 'weights.bin';

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

/** Loads a model saved by saveModel (or any single-shard TF.js layers model). */
export async function loadModel(directory: string): Promise<tfl.LayersModel> {
  const json = JSON.parse(readFileSync(join(directory, 'model.json'), 'utf8')) as ModelJson;
  const shards = json.weightsManifest.flatMap((group) => group.paths.map((path) => readFileSync(join(directory, path))));
  const weightData = new Uint8Array(Buffer.concat(shards)).buffer;
  return tfl.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: json.modelTopology,
      weightSpecs: json.weightsManifest.flatMap((group) => group.weights),
      weightData,
    }),
  );
}
