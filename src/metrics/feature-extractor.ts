// Turning images into feature vectors: the shipped MNIST feature network, or
// any TF.js model (layers or graph) and one of its layers.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError } from '../data/data-error.js';
import { takeValues } from '../engine/tensor-values.js';
import { CLASSES, FEATURE_LAYER } from '../models/feature-network.js';
import { loadModel } from '../models/model-files.js';
import { featureMatrix, type FeatureMatrix } from './feature-matrix.js';

/** The MNIST feature network shipped with gankit (retrain: gankit features train --data mnist). */
export const MNIST_FEATURE_NETWORK = fileURLToPath(new URL('../../../assets/feature-network/mnist/model.json', import.meta.url));

export interface FeatureExtractor {
  /** What produced the features, for eval.json. */
  identity: string;
  /** The image size the extractor takes (images are resized when they differ). */
  inputShape: [number, number, number];
  /** Features, and the classifier's logits when the network is the shipped classifier. */
  extract(images: Float32Array, count: number, height: number, width: number): { features: FeatureMatrix; logits?: Float32Array };
}

/** Gray [n, h, w] in [-1, 1] → the model's [n, H, W, C]: resized, channels repeated. */
function adapt(images: Float32Array, count: number, height: number, width: number, shape: [number, number, number]): tf.Tensor4D {
  return tf.tidy(() => {
    let x: tf.Tensor4D = tf.tensor4d(images.subarray(0, count * height * width), [count, height, width, 1]);
    if (height !== shape[0] || width !== shape[1]) x = tf.image.resizeBilinear(x, [shape[0], shape[1]]);
    return shape[2] === 1 ? x : (tf.tile(x, [1, 1, 1, shape[2]]) as tf.Tensor4D);
  });
}

function layersExtractor(model: tfl.LayersModel, layerName: string, identity: string, withLogits: boolean): FeatureExtractor {
  let layer: tfl.layers.Layer;
  try {
    layer = model.getLayer(layerName);
  } catch {
    throw new DataError(`${identity} has no layer "${layerName}"; its layers are ${model.layers.map((l) => l.name).join(', ')}.`);
  }
  const outputs = withLogits ? [layer.output as tfl.SymbolicTensor, model.outputs[0]] : [layer.output as tfl.SymbolicTensor];
  const truncated = tfl.model({ inputs: model.inputs, outputs });
  const inputShape = model.inputs[0].shape.slice(1) as [number, number, number];
  return {
    identity,
    inputShape,
    extract(images, count, height, width) {
      const x = adapt(images, count, height, width, inputShape);
      const result = truncated.predict(x) as tf.Tensor | tf.Tensor[];
      x.dispose();
      const [features, logits] = Array.isArray(result) ? result : [result];
      const dims = features.shape.slice(1).reduce((a, b) => a * b, 1);
      return { features: featureMatrix(takeValues(features), dims), logits: logits ? takeValues(logits) : undefined };
    },
  };
}

function graphExtractor(model: GraphModel, layerName: string, identity: string): FeatureExtractor {
  const shape = model.inputs[0].shape ?? [];
  const inputShape = shape.slice(1).map((s) => (s > 0 ? s : 28)) as [number, number, number];
  return {
    identity,
    inputShape,
    extract(images, count, height, width) {
      const x = adapt(images, count, height, width, inputShape);
      let output: tf.Tensor;
      try {
        output = model.execute(x, layerName) as tf.Tensor;
      } catch (error) {
        throw new DataError(`${identity} cannot output node "${layerName}" (${(error as Error).message}).`);
      } finally {
        x.dispose();
      }
      const dims = output.shape.slice(1).reduce((a, b) => a * b, 1);
      return { features: featureMatrix(takeValues(output), dims) };
    },
  };
}

/** The shipped MNIST network, or the model at `path` (its model.json or directory) cut at `layer`. */
export async function loadFeatureExtractor(path?: string, layer?: string): Promise<FeatureExtractor> {
  const file = path === undefined ? MNIST_FEATURE_NETWORK : path.endsWith('.json') ? path : join(path, 'model.json');
  if (!existsSync(file)) {
    throw new DataError(
      path === undefined ? `The MNIST feature network is missing (${file}); run gankit features train --data mnist.` : `${file} does not exist.`,
    );
  }
  const format = (JSON.parse(readFileSync(file, 'utf8')) as { format?: string }).format;
  if (format === 'graph-model') {
    if (!layer) throw new DataError(`${file} is a graph model: name the node to read with --layer.`);
    const json = JSON.parse(readFileSync(file, 'utf8'));
    const shards = json.weightsManifest.flatMap((g: { paths: string[] }) => g.paths.map((p: string) => readFileSync(join(dirname(file), p))));
    const model = await loadGraphModel(
      tf.io.fromMemory({ modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights), weightData: new Uint8Array(Buffer.concat(shards)).buffer }),
    );
    return graphExtractor(model, layer, `${file}#${layer}`);
  }
  const model = await loadModel(dirname(file));
  const isShipped = path === undefined;
  const layerName = layer ?? FEATURE_LAYER;
  return layersExtractor(model, layerName, `${isShipped ? 'gankit MNIST feature network' : file}#${layerName}`, isShipped || (layer === undefined && model.outputs[0].shape[1] === CLASSES));
}
