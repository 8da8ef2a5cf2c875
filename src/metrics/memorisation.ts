// Did the generator memorise its training set? Each sample's distance to its
// nearest training image (pixel space, L2), beside the nearest-neighbour
// distances among training images themselves.
import { featureMatrix, type FeatureMatrix } from './feature-matrix.js';
import { forEachDistanceRow } from './nearest-neighbours.js';
import { percentile } from './statistics.js';

export interface MemorisationReport {
  /** Percentiles 1, 5, 25, 50 of sample → nearest training image distances. */
  sampleToTrain: Record<string, number>;
  /** The same percentiles of training image → nearest other training image. */
  trainToTrain: Record<string, number>;
  /** Fraction of samples closer to a training image than the 1st percentile of trainToTrain. */
  fractionBelowTrainP1: number;
  trainReference: number;
}

const PERCENTILES = [1, 5, 25, 50];

async function nearestDistances(a: FeatureMatrix, b: FeatureMatrix, excludeSelf: boolean): Promise<Float64Array> {
  const out = new Float64Array(a.rows);
  await forEachDistanceRow(a, b, (row, approx) => {
    let best = Infinity;
    for (let j = 0; j < approx.length; j++) if (!(excludeSelf && j === row) && approx[j] < best) best = approx[j];
    out[row] = Math.sqrt(Math.max(0, best));
  });
  return out;
}

const summary = (values: Float64Array) => Object.fromEntries(PERCENTILES.map((p) => [`p${p}`, percentile(values, p)]));

/**
 * `samples` and `train` are pixel rows (784 values in [-1, 1]); the train-to-train
 * distribution uses the first `reference` training images against all of them.
 */
export async function memorisation(samples: Float32Array, train: Float32Array, pixels: number, reference = 5000): Promise<MemorisationReport> {
  const trainMatrix = featureMatrix(train, pixels);
  const sampleToTrain = await nearestDistances(featureMatrix(samples, pixels), trainMatrix, false);
  const referenceRows = Math.min(reference, trainMatrix.rows);
  const trainToTrain = await nearestDistances(featureMatrix(train.subarray(0, referenceRows * pixels), pixels), trainMatrix, true);
  const threshold = percentile(trainToTrain, 1);
  return {
    sampleToTrain: summary(sampleToTrain),
    trainToTrain: summary(trainToTrain),
    fractionBelowTrainP1: sampleToTrain.filter((d) => d < threshold).length / sampleToTrain.length,
    trainReference: referenceRows,
  };
}
