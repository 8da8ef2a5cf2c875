// The CAS of a set of labelled samples beside its real-data ceiling, each
// trained once per protocol, seed and images: results are kept in a cache file
// keyed by the SHA-256 of what was trained on, so scoring the same samples
// again (or the ceiling of the same data) costs nothing.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { DataError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { readOptionalJsonFile } from '../files/json-file.js';
import type { ImageSet } from '../data/image-set.js';
import { classificationAccuracyScore, labelledRows, type CasProtocol, type CasResult, type LabelledImages } from './classification-accuracy-score.js';

export interface CasReport {
  /** The classifier trained on the samples, and the same protocol on real training images (the ceiling). */
  generated: CasResult;
  real: CasResult;
}

const CACHE_SCHEMA = z.record(
  z.string(),
  z.custom<CasResult>((value) => typeof value === 'object' && value !== null && 'accuracy' in value),
);

function labelled(set: ImageSet): LabelledImages {
  if (!set.labels) throw new DataError(`${set.source} has no labels; the CAS tests a classifier on them.`);
  return { pixels: set.pixels, labels: set.labels, count: set.count };
}

/** Bumped when the classifier or its training changes, so that older cached results are not reused. */
const CLASSIFIER_VERSION = 2;

/** What a result depends on: the protocol, the seed, the images trained and chosen on, and the test set. */
const keyOf = (protocol: CasProtocol, seed: number, sets: LabelledImages[]) => {
  const hash = createHash('sha256').update(JSON.stringify({ protocol, seed, version: CLASSIFIER_VERSION }));
  for (const set of sets) hash.update(new Uint8Array(set.pixels.buffer, set.pixels.byteOffset, set.pixels.byteLength)).update(set.labels);
  return hash.digest('hex');
};

/**
 * The protocol's CAS of `samples` (its first `train` for training, the next `holdOut` to choose the epoch) and of
 * the real training split (its first images and the next, as MNIST's usual 55,000/5,000 split), both tested on the real test split; cached in `cacheFile`.
 */
export async function casWithCeiling(
  samples: LabelledImages,
  realTrain: ImageSet,
  realTest: ImageSet,
  protocol: CasProtocol,
  seed: number,
  cacheFile: string,
  onStep?: (done: number, total: number) => void,
): Promise<CasReport> {
  const needed = protocol.train + protocol.holdOut;
  for (const [set, what] of [
    [samples, 'samples'],
    [realTrain, `${realTrain.source}'s training split`],
  ] as const) {
    if (set.count < needed)
      throw new DataError(
        `CAS's ${protocol.name} protocol trains on ${protocol.train} ${what} and chooses its epoch on ${protocol.holdOut} more: there are only ${set.count}.`,
      );
  }
  // Every set checked before the first (long) training.
  const [test, real] = [labelled(realTest), labelled(realTrain)];
  const cached = () => readOptionalJsonFile(cacheFile, CACHE_SCHEMA) ?? {};
  const scored = async (set: LabelledImages, part: 0 | 1): Promise<CasResult> => {
    const key = keyOf(protocol, seed, [labelledRows(set, 0, needed), test]);
    const found = cached()[key];
    if (found) return found;
    const result = await classificationAccuracyScore(
      labelledRows(set, 0, protocol.train),
      labelledRows(set, protocol.train, protocol.holdOut),
      test,
      protocol,
      seed,
      (done, total) => onStep?.(part * total + done, 2 * total),
    );
    // Read again before writing: a study's other tasks may have added theirs meanwhile.
    writeFileAtomic(cacheFile, `${JSON.stringify({ ...cached(), [key]: result }, null, 2)}\n`);
    return result;
  };
  return { generated: await scored(samples, 0), real: await scored(real, 1) };
}
