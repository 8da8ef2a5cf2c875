// An audit of a DP run's guarantee with canaries (one-run auditing, Steinke,
// Nasr & Jagielski 2023): crafted images, each put in the training set with
// probability ½, are scored by the trained D; the top-scored are guessed
// members, the lowest non-members, and the guesses' accuracy bounds ε from
// below (audit-bound.ts). The canaries are random black-and-white images with
// random classes: far from the data and from each other (two of them share
// about half their pixels), so what D learns of one barely moves its score on
// another, and D's memory of the members is the attack's whole signal.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { deriveRng } from '../engine/rng.js';
import { takeValues } from '../engine/tensor-values.js';
import { writeIdxUint8 } from '../data/idx.js';
import { toBytes, fromBytes } from '../data/pixels.js';
import type { ImageSet } from '../data/image-set.js';
import { discriminatorForward, isConditional, rowsWithClasses } from '../models/class-condition.js';
import { CLASS_COUNT, IMAGE_SIZE } from '../models/gan-models.js';
import { DataError } from '../errors.js';
import { bestAttack, detectableEpsilon, type AttackBound } from './audit-bound.js';

export interface Canaries {
  /** count × 784 bytes, each 0 or 255. */
  bytes: Uint8Array;
  labels: Uint8Array;
  /** Whether each canary is in the training set: a fair coin each. */
  included: boolean[];
  count: number;
}

/** `count` canaries and their coins, the same for the same seed. */
export function craftCanaries(count: number, seed: number): Canaries {
  const rng = deriveRng(seed, 'canaries');
  const bytes = Uint8Array.from({ length: count * IMAGE_SIZE }, () => (rng.uniform() < 0.5 ? 0 : 255));
  const labels = Uint8Array.from({ length: count }, () => rng.integer(CLASS_COUNT));
  const included = Array.from({ length: count }, () => rng.uniform() < 0.5);
  return { bytes, labels, included, count };
}

/**
 * Writes the audited training set into `directory` as IDX files: the images of
 * `base` (and their labels, when it has them) followed by the included canaries.
 */
export function writeCanaryTrainingSet(directory: string, base: ImageSet, canaries: Canaries): number {
  checkAuditedImages(base);
  const members = canaries.included.flatMap((inside, i) => (inside ? [i] : []));
  const count = base.count + members.length;
  const images = new Uint8Array(count * IMAGE_SIZE);
  images.set(toBytes(base.pixels, 'symmetric'));
  members.forEach((canary, row) => images.set(canaries.bytes.subarray(canary * IMAGE_SIZE, (canary + 1) * IMAGE_SIZE), (base.count + row) * IMAGE_SIZE));
  mkdirSync(directory, { recursive: true });
  writeIdxUint8(join(directory, 'train-images-idx3-ubyte'), [count, base.height, base.width], images);
  if (base.labels) {
    const labels = new Uint8Array(count);
    labels.set(base.labels);
    members.forEach((canary, row) => (labels[base.count + row] = canaries.labels[canary]));
    writeIdxUint8(join(directory, 'train-labels-idx1-ubyte'), [count], labels);
  }
  return count;
}

/** Refuses data the canaries cannot join: they are 28×28, as the fixed models' images. */
export function checkAuditedImages(base: ImageSet): void {
  if (base.height * base.width !== IMAGE_SIZE)
    throw new DataError(`${base.source} holds ${base.height}×${base.width} images; the canaries, as the fixed models, are 28×28.`);
}

/** D's logit on each canary (with its class, for a conditional D), in eval mode: the attack's scores. */
export async function canaryScores(discriminator: tfl.LayersModel, canaries: Canaries): Promise<Float32Array> {
  const input = rowsWithClasses(fromBytes(canaries.bytes), IMAGE_SIZE, isConditional(discriminator) ? canaries.labels : null);
  const logits = tf.tidy(() => discriminatorForward(discriminator, input));
  input.dispose();
  return takeValues(logits);
}

/** Fewer canaries bound nothing useful: a perfect attack on 100 shows only ε ≥ 2.3 (δ = 1e-5). */
export const MIN_CANARIES = 100;

/** The attacks tried: k canaries guessed each way, as fractions of the canaries (fixed before any score is seen). */
const GUESS_FRACTIONS = [0.01, 0.02, 0.05, 0.1, 0.2, 0.5];

/** The attacks for `count` canaries: every fraction's k, at least 1, each used once. */
export function attackSizes(count: number): number[] {
  return [...new Set(GUESS_FRACTIONS.map((fraction) => Math.max(1, Math.floor((fraction * count) / 2))))];
}

/** The audit's finding: the best attack's bound, and the largest ε any attack could have shown. */
export interface AuditFinding {
  bound: AttackBound;
  detectable: number;
}

/** The empirical lower bound on ε from the canaries' scores, at `confidence` over all the attacks tried. */
export function auditFinding(scores: ArrayLike<number>, canaries: Canaries, delta: number, confidence: number): AuditFinding {
  if (!Array.from(scores).every(Number.isFinite)) throw new DataError("D's logits on the canaries are not all finite: the audited run diverged.");
  const ks = attackSizes(canaries.count);
  return { bound: bestAttack(scores, canaries.included, ks, delta, confidence), detectable: detectableEpsilon(canaries.count, ks, delta, confidence) };
}
