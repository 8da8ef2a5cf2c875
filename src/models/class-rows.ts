// The classes of a conditional GAN's samples as plain arrays: each row's
// one-hot class appended, and which class each sample is drawn for. Plain
// arrays only, so that the serve page's playground uses them too.
import type { Rng } from '../engine/rng.js';
import { CLASS_COUNT } from './gan-models.js';

/** `values` (rows of `width`) with each row's one-hot class appended: rows of width + 10. */
export function withClasses(values: Float32Array, width: number, classes: ArrayLike<number>): Float32Array {
  const rows = values.length / width;
  if (classes.length !== rows) throw new Error(`withClasses: ${rows} rows but ${classes.length} classes.`);
  const out = new Float32Array(rows * (width + CLASS_COUNT));
  for (let row = 0; row < rows; row++) {
    out.set(values.subarray(row * width, (row + 1) * width), row * (width + CLASS_COUNT));
    out[row * (width + CLASS_COUNT) + width + classes[row]] = 1;
  }
  return out;
}

/** `count` classes uniform over the ten: the fakes' classes in training, drawn without looking at the data's (so they cost no privacy). */
export function uniformClasses(rng: Rng, count: number): Uint8Array {
  return Uint8Array.from({ length: count }, () => rng.integer(CLASS_COUNT));
}

/** `count` uniform classes in two equal halves (row i and row i + ⌊count/2⌋ share one): mode seeking's pairs. */
export function pairedClasses(rng: Rng, count: number): Uint8Array {
  const half = Math.floor(count / 2);
  const drawn = uniformClasses(rng, count - half);
  return Uint8Array.from({ length: count }, (_, i) => drawn[i < half ? i : i - half]);
}

/** The class of each of `count` samples from index `first` on: one class, or every class in turn in blocks of `block` (balanced). */
export type ClassPlan = { kind: 'one'; digit: number } | { kind: 'balanced'; block: number };

/** Samples 0, 1, 2, … of classes 0, 1, 2, …, 9, 0, …: what a conditional G draws unless told. */
export const EVERY_CLASS_IN_TURN: ClassPlan = { kind: 'balanced', block: 1 };

export function plannedClasses(plan: ClassPlan, first: number, count: number): Uint8Array {
  return Uint8Array.from({ length: count }, (_, i) => (plan.kind === 'one' ? plan.digit : Math.floor((first + i) / plan.block) % CLASS_COUNT));
}
