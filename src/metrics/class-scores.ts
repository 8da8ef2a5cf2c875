// Scores that use the classes a conditional GAN's samples were drawn for: how
// often the feature network's classifier agrees with that class (label
// accuracy), and FID, P-precision and P-recall within each class against the
// real images of that class, with the worst class named.
import { DataError } from '../errors.js';
import { CLASS_COUNT } from '../models/gan-models.js';
import { featureMatrix, type FeatureMatrix } from './feature-matrix.js';
import { fid } from './fid.js';
import { neighbourRadii } from './prdc.js';
import { probabilisticPrecisionRecall } from './probabilistic-precision-recall.js';

export interface ClassScore {
  digit: number;
  samples: number;
  fid: number;
  precision: number;
  recall: number;
  /** The share of this class's samples the classifier gives this class. */
  labelAccuracy: number | null;
}

export interface ClassScores {
  /** The share of samples the classifier gives the class they were drawn for; null without the classifier's logits. */
  labelAccuracy: number | null;
  perClass: ClassScore[];
  /** The class of the highest FID. */
  worst: { digit: number; fid: number };
}

/** The rows of `matrix` whose label is `digit`. */
function rowsOf(matrix: FeatureMatrix, labels: Uint8Array, digit: number): FeatureMatrix {
  const out = new Float32Array(labels.filter((label) => label === digit).length * matrix.dims);
  let row = 0;
  labels.forEach((label, i) => {
    if (label === digit) out.set(matrix.values.subarray(i * matrix.dims, (i + 1) * matrix.dims), row++ * matrix.dims);
  });
  return featureMatrix(out, matrix.dims);
}

/** Index of the largest of the ten logits of each row. */
function predictedClasses(logits: Float32Array): Uint8Array {
  return Uint8Array.from({ length: logits.length / CLASS_COUNT }, (_, row) => {
    let best = 0;
    for (let c = 1; c < CLASS_COUNT; c++) if (logits[row * CLASS_COUNT + c] > logits[row * CLASS_COUNT + best]) best = c;
    return best;
  });
}

const share = (hits: number, total: number) => (total === 0 ? NaN : hits / total);

/**
 * The class scores of samples drawn for `fakeLabels` against real images of `realLabels`, with the
 * neighbourhoods' k; each class present in the samples needs more than k of both.
 */
export async function classScores(
  real: FeatureMatrix,
  realLabels: Uint8Array,
  fake: FeatureMatrix,
  fakeLabels: Uint8Array,
  fakeLogits: Float32Array | undefined,
  k: number,
): Promise<ClassScores> {
  const predicted = fakeLogits ? predictedClasses(fakeLogits) : undefined;
  const agrees = (digit: number | null) => {
    if (!predicted) return null;
    const rows = [...fakeLabels.keys()].filter((i) => digit === null || fakeLabels[i] === digit);
    return share(rows.filter((i) => predicted[i] === fakeLabels[i]).length, rows.length);
  };
  const perClass: ClassScore[] = [];
  for (let digit = 0; digit < CLASS_COUNT; digit++) {
    const fakeRows = rowsOf(fake, fakeLabels, digit);
    if (fakeRows.rows === 0) continue;
    const realRows = rowsOf(real, realLabels, digit);
    if (fakeRows.rows <= k || realRows.rows <= k) {
      throw new DataError(`Class ${digit} has ${fakeRows.rows} samples and ${realRows.rows} real images; its scores need more than k = ${k} of each.`);
    }
    const { precision, recall } = await probabilisticPrecisionRecall(realRows, fakeRows, await neighbourRadii(realRows, fakeRows, k, k));
    perClass.push({ digit, samples: fakeRows.rows, fid: fid(realRows, fakeRows), precision, recall, labelAccuracy: agrees(digit) });
  }
  if (!perClass.length) throw new DataError(`No sample is labelled with a class from 0 to ${CLASS_COUNT - 1}.`);
  const worst = perClass.reduce((a, b) => (b.fid > a.fid ? b : a));
  return { labelAccuracy: agrees(null), perClass, worst: { digit: worst.digit, fid: worst.fid } };
}
