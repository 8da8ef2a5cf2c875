// Turning images into feature vectors: a feature network gankit ships, one
// trained for a dataset (`gankit features train --data DIR`), or any TF.js
// model (layers or graph) and one of its layers.
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { loadGraphModel, type GraphModel } from '@tensorflow/tfjs-converter';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError } from '../errors.js';
import { takeValues } from '../engine/tensor-values.js';
import { CLASSES, FEATURE_LAYER, featureForward, isFeatureNetworkDesign } from '../models/feature-network.js';
import { loadModel } from '../models/model-files.js';
import { featureMatrix, type FeatureMatrix } from './feature-matrix.js';

/** The feature networks gankit ships, newest first; the first is the default. v2 and v1 stay for old numbers. */
export const SHIPPED_FEATURE_NETWORKS = ['mnist-v3', 'mnist-v2', 'mnist-v1'] as const;
export type ShippedFeatureNetwork = (typeof SHIPPED_FEATURE_NETWORKS)[number];
export const DEFAULT_FEATURE_NETWORK: ShippedFeatureNetwork = SHIPPED_FEATURE_NETWORKS[0];

/** Where a shipped network's model.json lies (the README's "feature network" section says how each was trained). */
export const shippedNetworkFile = (name: ShippedFeatureNetwork) =>
  fileURLToPath(new URL(`../../../assets/feature-network/${name}/model.json`, import.meta.url));

const isShipped = (spec: string): spec is ShippedFeatureNetwork => (SHIPPED_FEATURE_NETWORKS as readonly string[]).includes(spec);

/** Which features scored a result: recorded in eval.json and reproduce's records, so that numbers from different networks are never mixed. */
export interface FeatureNetworkIdentity {
  /** A shipped network's name (mnist-v3), or the model.json's path. */
  network: string;
  layer: string;
  /** The first 16 hex digits of the SHA-256 of model.json and its weights: changes when the network is retrained. */
  sha256: string;
}

type NetworkAndWeights = Pick<FeatureNetworkIdentity, 'network' | 'sha256'>;

/** Whether a recorded result was scored by `network` (same name, same weights); records without one were not. */
export const scoredBy = (recorded: NetworkAndWeights | undefined, network: NetworkAndWeights) =>
  recorded?.network === network.network && recorded?.sha256 === network.sha256;

export interface FeatureExtractor {
  identity: FeatureNetworkIdentity;
  /** The image size the extractor takes (images are resized when they differ). */
  inputShape: [number, number, number];
  /** Features, and the classifier's logits when the network is the shipped classifier. */
  extract(images: Float32Array, count: number, height: number, width: number): Promise<{ features: FeatureMatrix; logits?: Float32Array }>;
}

/** Gray [n, h, w] in [-1, 1] → the model's [n, H, W, C]: resized, channels repeated. */
function adapt(images: Float32Array, count: number, height: number, width: number, shape: [number, number, number]): tf.Tensor4D {
  return tf.tidy(() => {
    let x: tf.Tensor4D = tf.tensor4d(images.subarray(0, count * height * width), [count, height, width, 1]);
    if (height !== shape[0] || width !== shape[1]) x = tf.image.resizeBilinear(x, [shape[0], shape[1]]);
    return shape[2] === 1 ? x : (tf.tile(x, [1, 1, 1, shape[2]]) as tf.Tensor4D);
  });
}

function layersExtractor(model: tfl.LayersModel, identity: FeatureNetworkIdentity, withLogits: boolean): FeatureExtractor {
  let layer: tfl.layers.Layer;
  try {
    layer = model.getLayer(identity.layer);
  } catch {
    throw new DataError(`${identity.network} has no layer "${identity.layer}"; its layers are ${model.layers.map((l) => l.name).join(', ')}.`);
  }
  const outputs = withLogits ? [layer.output as tfl.SymbolicTensor, model.outputs[0]] : [layer.output as tfl.SymbolicTensor];
  const truncated = tfl.model({ inputs: model.inputs, outputs });
  const inputShape = model.inputs[0].shape.slice(1) as [number, number, number];
  // The v2 and v3 designs' own forward pass fuses each convolution's activation; it computes what predict() does.
  const fast = withLogits && identity.layer === FEATURE_LAYER && isFeatureNetworkDesign(model);
  return {
    identity,
    inputShape,
    async extract(images, count, height, width) {
      const x = adapt(images, count, height, width, inputShape);
      const result = fast ? featureForward(model, x) : (truncated.predict(x) as tf.Tensor | tf.Tensor[]);
      x.dispose();
      const [features, logits] = Array.isArray(result) ? result : [result];
      const dims = features.shape.slice(1).reduce((a, b) => a * b, 1);
      // A v3 network's logits end with "not a digit": the scores that use them read the digits'.
      const digitLogits = logits && logits.shape[1] !== CLASSES ? tf.tidy(() => tf.slice(logits, [0, 0], [-1, CLASSES])) : logits;
      if (digitLogits !== logits) logits.dispose();
      return { features: featureMatrix(await takeValues(features), dims), logits: digitLogits ? await takeValues(digitLogits) : undefined };
    },
  };
}

function graphExtractor(model: GraphModel, identity: FeatureNetworkIdentity): FeatureExtractor {
  const shape = model.inputs[0].shape ?? [];
  const inputShape = shape.slice(1).map((s) => (s > 0 ? s : 28)) as [number, number, number];
  return {
    identity,
    inputShape,
    async extract(images, count, height, width) {
      const x = adapt(images, count, height, width, inputShape);
      let output: tf.Tensor;
      try {
        output = model.execute(x, identity.layer) as tf.Tensor;
      } catch (error) {
        throw new DataError(`${identity.network} cannot output node "${identity.layer}" (${(error as Error).message}).`);
      } finally {
        x.dispose();
      }
      const dims = output.shape.slice(1).reduce((a, b) => a * b, 1);
      return { features: featureMatrix(await takeValues(output), dims) };
    },
  };
}

function weightFiles(file: string, json: { weightsManifest: Array<{ paths: string[] }> }): Buffer[] {
  return json.weightsManifest.flatMap((group) => group.paths.map((path) => readFileSync(join(dirname(file), path))));
}

/** A network's identity, read from its files without loading it (reproduce compares it with its records). */
export function identifyFeatureNetwork(spec: string = DEFAULT_FEATURE_NETWORK, layer: string = FEATURE_LAYER): FeatureNetworkIdentity & { file: string } {
  const file = isShipped(spec) ? shippedNetworkFile(spec) : spec.endsWith('.json') ? spec : join(spec, 'model.json');
  if (!existsSync(file)) {
    throw new DataError(isShipped(spec) ? `The feature network ${spec} is missing (${file}); reinstall gankit.` : `${file} does not exist.`);
  }
  const text = readFileSync(file);
  const hash = createHash('sha256').update(text);
  for (const shard of weightFiles(file, JSON.parse(text.toString('utf8')))) hash.update(shard);
  return { network: isShipped(spec) ? spec : file, layer, sha256: hash.digest('hex').slice(0, 16), file };
}

/**
 * A shipped network by name (the default: mnist-v3), or the model at `spec`
 * (its model.json or directory) cut at `layer`.
 */
export async function loadFeatureExtractor(spec: string = DEFAULT_FEATURE_NETWORK, layer?: string): Promise<FeatureExtractor> {
  const { file, ...identity } = identifyFeatureNetwork(spec, layer);
  const json = JSON.parse(readFileSync(file, 'utf8'));
  if (json.format === 'graph-model') {
    if (!layer) throw new DataError(`${file} is a graph model: name the node to read with --layer.`);
    const model = await loadGraphModel(
      tf.io.fromMemory({
        modelTopology: json.modelTopology,
        weightSpecs: json.weightsManifest.flatMap((g: { weights: unknown[] }) => g.weights),
        weightData: new Uint8Array(Buffer.concat(weightFiles(file, json))).buffer,
      }),
    );
    return graphExtractor(model, identity);
  }
  const model = await loadModel(dirname(file));
  const withLogits = isShipped(spec) || (layer === undefined && (model.outputs[0].shape[1] === CLASSES || isFeatureNetworkDesign(model)));
  return layersExtractor(model, identity, withLogits);
}

/** Where `gankit features train --data DIR` saves a dataset's own network. */
export const datasetNetworkDirectory = (data: string) => join(data, 'feature-network');

/**
 * The features to score images of `data` with: `--features` when given; for
 * MNIST the default shipped network; for another dataset the network trained
 * for it beside its files.
 */
export async function featureExtractorFor(data: string, features?: string, layer?: string): Promise<FeatureExtractor> {
  if (features !== undefined) return loadFeatureExtractor(features, layer);
  if (data === 'mnist') return loadFeatureExtractor();
  const own = datasetNetworkDirectory(data);
  if (!existsSync(join(own, 'model.json'))) {
    throw new DataError(
      `${data} has no feature network of its own (${own}): train one with gankit features train --data ${data}, or name one with --features (${SHIPPED_FEATURE_NETWORKS.join(', ')} for MNIST-like digits).`,
    );
  }
  return loadFeatureExtractor(own);
}
