// Scoring during training (--eval-every N): every N-th epoch's generator draws
// `evalN` Gaussian samples, scored against the data's test split as
// `gankit evaluate --run` would, one line per scoring in eval-curve.jsonl.
import type * as tfl from '@tensorflow/tfjs-layers';
import { runPaths } from '../run/run-directory.js';
import { deriveRng } from '../engine/rng.js';
import { loadImageSet } from '../data/image-set.js';
import { evaluate, headlineScores, NEIGHBOURHOOD_K, type HeadlineScores } from '../metrics/evaluation.js';
import { featureExtractorFor } from '../metrics/feature-extractor.js';
import { drawImages, generatorSource } from '../sampling/generate-images.js';
import { gaussian } from '../sampling/latent-samplers.js';
import { appendJsonLine, readJsonLines, truncateJsonLines } from '../files/json-lines.js';
import type { GeneratorKind } from '../run/trained-run.js';
import type { TrainConfig } from './train-config.js';

export interface EpochScore extends HeadlineScores {
  epoch: number;
  /** The kept checkpoint these samples came from: `gankit generate --checkpoint` draws from it again. */
  checkpoint: string;
  generator: GeneratorKind;
  samples: number;
  /** Classes holding at least 1% of the samples (the feature network's labels). */
  classesCovered: number | null;
  features: string;
  seconds: number;
}

export function readEpochScores(runDir: string): EpochScore[] {
  return readJsonLines<EpochScore>(runPaths(runDir).evalCurve);
}

/** Drops scores of epochs after `epoch`: a resumed run scores them again. */
export function truncateEpochScores(runDir: string, epoch: number): void {
  truncateJsonLines<EpochScore>(runPaths(runDir).evalCurve, (score) => score.epoch <= epoch);
}

export type EpochScorer = (generator: tfl.LayersModel, kind: GeneratorKind, epoch: number, checkpoint: string) => EpochScore;

/** A scorer for the run's data, with the feature network and the test split loaded once. */
export async function epochScorer(runDir: string, config: TrainConfig): Promise<EpochScorer> {
  const extractor = await featureExtractorFor(config.data);
  const real = loadImageSet(config.data, { split: 'test' });
  return (generator, kind, epoch, checkpoint) => {
    // The same latents at every scored epoch, so the curve moves with G alone.
    const source = generatorSource(generator, gaussian(1), deriveRng(config.seed, 'eval-every'));
    const fake = { pixels: drawImages(source, config.evalN), count: config.evalN, height: 28, width: 28, source: `epoch ${epoch}` };
    const result = evaluate(fake, { ...real }, extractor, { ...NEIGHBOURHOOD_K, seed: config.seed });
    const score: EpochScore = {
      epoch,
      checkpoint,
      generator: kind,
      samples: config.evalN,
      ...headlineScores(result),
      classesCovered: result.modes?.classesCovered ?? null,
      features: result.features.network,
      seconds: result.seconds,
    };
    appendJsonLine(runPaths(runDir).evalCurve, score);
    return score;
  };
}
