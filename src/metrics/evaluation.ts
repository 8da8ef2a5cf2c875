// Every metric of a set of generated images against a set of real ones.
import { deriveRng } from '../engine/rng.js';
import { DataError } from '../errors.js';
import { CLASSES } from '../models/feature-network.js';
import { classifierScore, logitFid } from './classifier-score.js';
import { classScores, type ClassScores } from './class-scores.js';
import type { CasReport } from './cas-run.js';
import { stackRows, type FeatureMatrix } from './feature-matrix.js';
import type { FeatureExtractor, FeatureNetworkIdentity } from './feature-extractor.js';
import { fid } from './fid.js';
import { kid, type KidResult } from './kid.js';
import { memorisation, type MemorisationReport } from './memorisation.js';
import { modeStatistics, type ModeStatistics } from './mode-statistics.js';
import { neighbourhoodMetrics, neighbourRadii } from './prdc.js';
import { probabilisticPrecisionRecall } from './probabilistic-precision-recall.js';

export interface Images {
  pixels: Float32Array;
  count: number;
  height: number;
  width: number;
  /** The class of each image: the one a conditional G drew it for, or the real image's. */
  labels?: Uint8Array;
  source: string;
}

export interface EvaluationOptions {
  /** k of precision and recall (both estimators). */
  k: number;
  /** k of density and coverage. */
  densityK: number;
  seed: number;
  /** Training images for the memorisation check, when asked for. */
  memorisationTrain?: Images;
}

export interface EvaluationResult {
  fid: number;
  /** P-precision and P-recall (Park & Kim 2023): balls of one radius, so that odd real images do not swallow junk. */
  precision: number;
  recall: number;
  /** Kynkäänniemi et al.'s k-NN precision and recall at the same k, for comparison with published figures. */
  knn: { precision: number; recall: number };
  density: number;
  coverage: number;
  kid: KidResult;
  modes?: ModeStatistics;
  /** The classifier's views, when the feature network is the classifier: its score on both sets, and the logits' FID. */
  classifier?: { score: number; realScore: number; logitFid: number };
  memorisation?: MemorisationReport;
  /** Scores by the class each sample was drawn for, when the samples and the real images carry classes. */
  classes?: ClassScores;
  /** The Classification Accuracy Score and its real-data ceiling, when asked for (gankit evaluate --cas). */
  cas?: CasReport;
  samples: { count: number; source: string };
  real: { count: number; source: string };
  features: FeatureNetworkIdentity & { dims: number };
  k: { precisionRecall: number; densityCoverage: number };
  seconds: number;
}

/**
 * The k of precision and recall (both estimators; Kynkäänniemi et al. used 3, Park & Kim 4), and of density and
 * coverage (Naeem et al.'s), that gankit scores with unless told otherwise.
 */
export const NEIGHBOURHOOD_K = { k: 3, densityK: 5 } as const;

/** The numbers the tables report. */
export type HeadlineScores = Pick<EvaluationResult, 'fid' | 'precision' | 'recall' | 'density' | 'coverage'>;

/** The five headline scores of a result, an eval.json or a scored epoch, without the rest. */
export function headlineScores({ fid, precision, recall, density, coverage }: HeadlineScores): HeadlineScores {
  return { fid, precision, recall, density, coverage };
}

const BATCH = 500;

/** The features (and logits, where the network has them) of every image, 500 at a time; `onBatch` sees the count done. */
export async function extractAll(
  extractor: FeatureExtractor,
  images: Images,
  onBatch: (done: number) => void,
): Promise<{ features: FeatureMatrix; logits?: Float32Array }> {
  const size = images.height * images.width;
  const parts: FeatureMatrix[] = [];
  const logits: Float32Array[] = [];
  for (let first = 0; first < images.count; first += BATCH) {
    const count = Math.min(BATCH, images.count - first);
    const out = await extractor.extract(images.pixels.subarray(first * size, (first + count) * size), count, images.height, images.width);
    parts.push(out.features);
    if (out.logits) logits.push(out.logits);
    onBatch(first + count);
  }
  const joined = logits.length ? Float32Array.from(logits.flatMap((l) => Array.from(l))) : undefined;
  return { features: stackRows(parts), logits: joined };
}

export async function evaluate(
  fake: Images,
  real: Images,
  extractor: FeatureExtractor,
  options: EvaluationOptions,
  onProgress?: (done: number, total: number) => void,
): Promise<EvaluationResult> {
  const started = performance.now();
  const needed = Math.max(options.k, options.densityK) + 1;
  for (const set of [fake, real]) {
    if (set.count < needed) throw new DataError(`${set.source} has ${set.count} images; the k-NN metrics need at least ${needed}.`);
  }
  if (fake.height * fake.width !== real.height * real.width) {
    throw new DataError(`${fake.source} holds ${fake.height}×${fake.width} images but ${real.source} holds ${real.height}×${real.width}.`);
  }
  const total = fake.count + real.count;
  const fakeOut = await extractAll(extractor, fake, (done) => onProgress?.(done, total));
  const realOut = await extractAll(extractor, real, (done) => onProgress?.(fake.count + done, total));
  const radii = await neighbourRadii(realOut.features, fakeOut.features, options.k, options.densityK);
  const neighbourhoods = await neighbourhoodMetrics(realOut.features, fakeOut.features, radii);
  return {
    fid: fid(realOut.features, fakeOut.features),
    ...(await probabilisticPrecisionRecall(realOut.features, fakeOut.features, radii)),
    knn: { precision: neighbourhoods.precision, recall: neighbourhoods.recall },
    density: neighbourhoods.density,
    coverage: neighbourhoods.coverage,
    kid: await kid(realOut.features, fakeOut.features, deriveRng(options.seed, 'kid')),
    modes: fakeOut.logits ? modeStatistics(fakeOut.logits, CLASSES) : undefined,
    classifier:
      fakeOut.logits && realOut.logits
        ? {
            score: classifierScore(fakeOut.logits, CLASSES),
            realScore: classifierScore(realOut.logits, CLASSES),
            logitFid: logitFid(realOut.logits, fakeOut.logits, CLASSES),
          }
        : undefined,
    classes:
      fake.labels && real.labels ? await classScores(realOut.features, real.labels, fakeOut.features, fake.labels, fakeOut.logits, options.k) : undefined,
    memorisation: options.memorisationTrain ? await memorisation(fake.pixels, options.memorisationTrain.pixels, fake.height * fake.width) : undefined,
    samples: { count: fake.count, source: fake.source },
    real: { count: real.count, source: real.source },
    features: { ...extractor.identity, dims: fakeOut.features.dims },
    k: { precisionRecall: options.k, densityCoverage: options.densityK },
    seconds: (performance.now() - started) / 1000,
  };
}
