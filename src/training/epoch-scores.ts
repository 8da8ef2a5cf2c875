// Scoring during training (--eval-every N): every N-th epoch's generator draws
// `evalN` Gaussian samples, scored against the data's test split as
// `gankit evaluate --run` would, one line per scoring in eval-curve.jsonl.
import type * as tfl from '@tensorflow/tfjs-layers';
import { deriveRng } from '../engine/rng.js';
import { loadImageSet } from '../data/image-set.js';
import { evaluate, headlineScores, NEIGHBOURHOOD_K } from '../metrics/evaluation.js';
import { featureExtractorFor } from '../metrics/feature-extractor.js';
import { drawImages, generatorSource } from '../sampling/generate-images.js';
import { gaussian } from '../sampling/latent-samplers.js';
import { EVERY_CLASS_IN_TURN, plannedClasses } from '../models/class-rows.js';
import { appendEpochScore, type EpochScore } from '../run/eval-curve.js';
import type { GeneratorKind } from '../run/trained-run.js';
import type { TrainConfig } from '../run/run-config.js';

export type EpochScorer = (generator: tfl.LayersModel, kind: GeneratorKind, epoch: number, checkpoint: string) => Promise<EpochScore>;

/** A scorer for the run's data, with the feature network and the test split loaded once. */
export async function epochScorer(runDir: string, config: TrainConfig): Promise<EpochScorer> {
  const extractor = await featureExtractorFor(config.data);
  const real = loadImageSet(config.data, { split: 'test' });
  return async (generator, kind, epoch, checkpoint) => {
    // The same latents at every scored epoch, so the curve moves with G alone.
    const source = generatorSource(generator, gaussian(1), deriveRng(config.seed, 'eval-every'), EVERY_CLASS_IN_TURN);
    const labels = config.conditional ? plannedClasses(EVERY_CLASS_IN_TURN, 0, config.evalN) : undefined;
    const fake = { pixels: await drawImages(source, config.evalN), count: config.evalN, height: 28, width: 28, labels, source: `epoch ${epoch}` };
    const result = await evaluate(fake, { ...real }, extractor, { ...NEIGHBOURHOOD_K, seed: config.seed });
    const score: EpochScore = {
      epoch,
      checkpoint,
      generator: kind,
      samples: config.evalN,
      ...headlineScores(result),
      classesCovered: result.modes?.classesCovered ?? null,
      ...(result.classes ? { labelAccuracy: result.classes.labelAccuracy } : {}),
      features: result.features.network,
      seconds: result.seconds,
    };
    appendEpochScore(runDir, score);
    return score;
  };
}
