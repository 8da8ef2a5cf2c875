// "Nearest training images" of a generated sample, the lecture notes'
// memorisation check: the server regenerates the sample from its latent z
// with the run's own generator, and finds the training images closest to it
// in the feature network's space (among the first --limit of them, for a run
// trained on those). The training split's features are computed once per
// feature network and dataset, in the background, a batch at a time so the
// server keeps answering; until then a query answers how far along they are.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { encodeGrayPng } from '../data/png-codec.js';
import { loadImageSet, type ImageSet } from '../data/image-set.js';
import { toBytes } from '../data/pixels.js';
import { takeValues } from '../engine/tensor-values.js';
import { extractAll } from '../metrics/evaluation.js';
import { featureExtractorFor, type FeatureExtractor } from '../metrics/feature-extractor.js';
import { stackRows, type FeatureMatrix } from '../metrics/feature-matrix.js';
import { exactSquaredDistance, keepSmallest } from '../metrics/nearest-neighbours.js';
import { CLASS_COUNT, LATENT_SIZE } from '../models/gan-models.js';
import { generatorForward } from '../models/dcgan-forward.js';
import { loadModel } from '../models/model-files.js';
import { generatorDirectory } from '../run/checkpoints.js';
import { readRunConfig } from '../run/run-record.js';
import type { NearestAnswer, NearestPending } from './api-types.js';
import { Refusal } from './served-paths.js';

/** Training images whose features are computed between two turns of the event loop. */
const IMAGES_PER_TURN = 1000;
/** Generators kept loaded (a checkpoint each); older ones are disposed of. */
const GENERATORS_KEPT = 4;
/** Datasets whose training images and features are kept (about 200 MB each for MNIST). */
const DATASETS_KEPT = 2;

interface TrainingFeatures {
  extractor: FeatureExtractor;
  images: ImageSet;
  /** Rows computed so far. */
  done: number;
  features?: FeatureMatrix;
  /** Why computing them failed. */
  failure?: string;
}

const pngDataUrl = (pixels: Float32Array, width: number, height: number) =>
  `data:image/png;base64,${Buffer.from(encodeGrayPng({ width, height, pixels: toBytes(pixels, 'symmetric') })).toString('base64')}`;

const describeNetwork = ({ identity }: FeatureExtractor) => `${identity.network} (layer ${identity.layer}, sha256 ${identity.sha256})`;

/** Keeps at most `limit` entries, dropping (and handing to `drop`) the oldest. */
function keepAtMost<V>(map: Map<string, V>, limit: number, drop: (value: V) => void): void {
  for (const [key, value] of map) {
    if (map.size <= limit) return;
    map.delete(key);
    drop(value);
  }
}

export class NearestImages {
  /** By dataset (--data): each has one feature network, featureExtractorFor's. */
  private training = new Map<string, Promise<TrainingFeatures>>();
  private generators = new Map<string, Promise<tfl.LayersModel>>();

  /**
   * The training split's features for a dataset, started on first use: once per
   * feature network and dataset for the server's life (a network retrained meanwhile is
   * taken up on the next start). A dataset that cannot be loaded is tried again next time.
   */
  private trainingFeatures(data: string): Promise<TrainingFeatures> {
    let entry = this.training.get(data);
    if (!entry) {
      entry = (async () => {
        const features: TrainingFeatures = { extractor: await featureExtractorFor(data), images: loadImageSet(data, { split: 'train' }), done: 0 };
        void this.compute(features);
        return features;
      })();
      this.training.set(data, entry);
      entry.catch(() => this.training.delete(data));
      keepAtMost(this.training, DATASETS_KEPT, () => {});
    }
    return entry;
  }

  private async compute(entry: TrainingFeatures): Promise<void> {
    const { images, extractor } = entry;
    const size = images.height * images.width;
    const parts: FeatureMatrix[] = [];
    try {
      for (let first = 0; first < images.count; first += IMAGES_PER_TURN) {
        await nextTurn();
        const count = Math.min(IMAGES_PER_TURN, images.count - first);
        const slice = { ...images, count, pixels: images.pixels.subarray(first * size, (first + count) * size) };
        parts.push((await extractAll(extractor, slice, () => {})).features);
        entry.done = first + count;
      }
      entry.features = stackRows(parts);
    } catch (error) {
      entry.failure = (error as Error).message;
    }
  }

  /** A checkpoint's generator, loaded once; a load that fails (the checkpoint pruned meanwhile) is tried again next time. */
  private generator(checkpoint: string, kind: 'ema' | 'raw'): Promise<tfl.LayersModel> {
    const key = `${checkpoint}:${kind}`;
    let model = this.generators.get(key);
    if (!model) {
      model = loadModel(generatorDirectory(checkpoint, kind === 'ema'));
      this.generators.set(key, model);
      model.catch(() => this.generators.delete(key));
      keepAtMost(this.generators, GENERATORS_KEPT, (old) => void old.then((m) => m.dispose()).catch(() => {}));
    }
    return model;
  }

  /** The `k` training images nearest to G(z) of the checkpoint (its directory) of the run at `runDir`. */
  async query(runDir: string, checkpoint: string, kind: 'ema' | 'raw', z: Float32Array, k: number): Promise<NearestAnswer | NearestPending> {
    const config = readRunConfig(runDir);
    // A conditional G's input carries its one-hot class after z.
    const width = LATENT_SIZE + (config.conditional ? CLASS_COUNT : 0);
    if (z.length !== width) throw new Refusal(400, `z needs ${width} numbers, got ${z.length}.`);
    const training = await this.trainingFeatures(config.data);
    if (training.failure) throw new Refusal(503, `The training images' features could not be computed: ${training.failure}`);
    if (!training.features) return { pending: true, featureNetwork: describeNetwork(training.extractor), progress: training.done / training.images.count };
    const generator = await this.generator(checkpoint, kind);
    const sample = await takeValues(tf.tidy(() => generatorForward(generator, tf.tensor2d(z, [1, width]))));
    const { features } = await extractAll(training.extractor, { pixels: sample, count: 1, height: 28, width: 28, source: 'the sample' }, () => {});
    const rows = Math.min(config.limit ?? Infinity, training.features.rows);
    const distances = new Float64Array(rows);
    for (let row = 0; row < rows; row++) distances[row] = Math.sqrt(exactSquaredDistance(training.features, row, features, 0));
    const nearest = new Int32Array(Math.min(k, rows));
    const kept = keepSmallest(distances, new Float64Array(nearest.length), nearest);
    const { images } = training;
    const data = config.data === 'mnist' ? 'MNIST' : config.data;
    const size = images.width * images.height;
    return {
      featureNetwork: describeNetwork(training.extractor),
      searched: `the ${rows === images.count ? '' : `first ${rows} of the `}${images.count} training images of ${data}`,
      sample: pngDataUrl(sample, 28, 28),
      neighbours: Array.from(nearest.subarray(0, kept), (index) => ({
        index,
        distance: distances[index],
        ...(images.labels ? { label: images.labels[index] } : {}),
        image: pngDataUrl(images.pixels.subarray(index * size, (index + 1) * size), images.width, images.height),
      })),
    };
  }
}
