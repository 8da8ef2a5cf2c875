// The sample sets of the metric sanity suite (npm run bench:metrics): real
// MNIST digits degraded by a known amount, clean digits with classes dropped,
// and junk that no sane metric may rank near real digits. Every set is built
// from MNIST train with a seeded RNG; pixels are in [-1, 1] (−1 black, +1 white).
import type { Rng } from '../src/engine/rng.js';
import type { ImageSet } from '../src/data/image-set.js';
import { blocky, elasticWarp, SYNTHETIC_JUNK } from './synthetic-junk.js';

const SIDE = 28;
const SIZE = SIDE * SIDE;

export interface SanitySet {
  name: string;
  /** Which family it belongs to: a degradation (ordered by strength), class-dropped clean digits, or junk. */
  family: string;
  /** The degradation's strength within its family (noise σ, salt share, blur width, shift, classes dropped). */
  strength: number;
  kind: 'degraded' | 'classes' | 'junk';
  /**
   * Junk kept out of every design decision: checked only once a feature network is final, so that a
   * network tuned to the listed junk is still caught.
   */
  heldOut: boolean;
  pixels: Float32Array;
}

/**
 * `count` random training images, optionally from some classes only: drawn
 * without replacement, then cycled through again where the classes hold fewer
 * (MNIST train has 5,923 zeros, so a 10,000-image one-class set repeats some).
 */
function pickDigits(train: ImageSet, count: number, rng: Rng, classes?: number[]): Float32Array {
  const allowed = classes && train.labels ? new Set(classes) : undefined;
  const order = rng.permutation(train.count).filter((i) => !allowed || allowed.has(train.labels![i]));
  const out = new Float32Array(count * SIZE);
  for (let k = 0; k < count; k++) {
    const i = order[k % order.length];
    out.set(train.pixels.subarray(i * SIZE, (i + 1) * SIZE), k * SIZE);
  }
  return out;
}

const clip = (v: number) => Math.min(1, Math.max(-1, v));

function mapPixels(pixels: Float32Array, f: (value: number, index: number) => number): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let i = 0; i < pixels.length; i++) out[i] = f(pixels[i], i);
  return out;
}

/** Adds N(0, σ²) to every pixel, then clips to [-1, 1]. */
export function gaussianNoise(pixels: Float32Array, sigma: number, rng: Rng): Float32Array {
  return mapPixels(pixels, (v) => clip(v + sigma * rng.normal()));
}

/** Sets each pixel to white with probability `share`. */
export function salt(pixels: Float32Array, share: number, rng: Rng): Float32Array {
  return mapPixels(pixels, (v) => (rng.uniform() < share ? 1 : v));
}

/**
 * A k×k box blur: each pixel becomes the mean of the k×k window whose top-left
 * corner is ⌊(k−1)/2⌋ up and left of it, clipped to the image (a 2×2 window
 * covers the pixel and its right and lower neighbours).
 */
export function boxBlur(pixels: Float32Array, k: number): Float32Array {
  const out = new Float32Array(pixels.length);
  const before = Math.floor((k - 1) / 2);
  for (let image = 0; image < pixels.length / SIZE; image++) {
    const base = image * SIZE;
    for (let y = 0; y < SIDE; y++) {
      for (let x = 0; x < SIDE; x++) {
        let sum = 0;
        let n = 0;
        for (let dy = -before; dy < k - before; dy++) {
          for (let dx = -before; dx < k - before; dx++) {
            const yy = y + dy;
            const xx = x + dx;
            if (yy < 0 || yy >= SIDE || xx < 0 || xx >= SIDE) continue;
            sum += pixels[base + yy * SIDE + xx];
            n++;
          }
        }
        out[base + y * SIDE + x] = sum / n;
      }
    }
  }
  return out;
}

/** Moves every image `d` pixels right and `d` down, filling with black. */
export function shift(pixels: Float32Array, d: number): Float32Array {
  const out = new Float32Array(pixels.length).fill(-1);
  for (let image = 0; image < pixels.length / SIZE; image++) {
    const base = image * SIZE;
    for (let y = d; y < SIDE; y++) {
      for (let x = d; x < SIDE; x++) out[base + y * SIDE + x] = pixels[base + (y - d) * SIDE + (x - d)];
    }
  }
  return out;
}

/** Every set of the suite, `count` images each. */
export function sanitySets(train: ImageSet, count: number, rngFor: (name: string) => Rng): SanitySet[] {
  const digits = (name: string) => pickDigits(train, count, rngFor(name));
  const sets: SanitySet[] = [];
  const add = (set: Omit<SanitySet, 'heldOut'> & { heldOut?: boolean }) => sets.push({ heldOut: false, ...set });
  for (const sigma of [0.05, 0.1, 0.2, 0.4]) {
    const name = `gaussian noise σ=${sigma}`;
    add({ name, family: 'gaussian noise', strength: sigma, kind: 'degraded', pixels: gaussianNoise(digits(name), sigma, rngFor(`${name} noise`)) });
  }
  for (const share of [0.01, 0.03, 0.1]) {
    const name = `salt ${share * 100}%`;
    add({ name, family: 'salt', strength: share, kind: 'degraded', pixels: salt(digits(name), share, rngFor(`${name} noise`)) });
  }
  for (const k of [2, 3]) {
    const name = `box blur ${k}×${k}`;
    add({ name, family: 'box blur', strength: k, kind: 'degraded', pixels: boxBlur(digits(name), k) });
  }
  for (const d of [1, 2, 3]) {
    const name = `shift ${d} px`;
    add({ name, family: 'shift', strength: d, kind: 'degraded', pixels: shift(digits(name), d) });
  }
  for (const alpha of [1, 2, 3]) {
    const name = `elastic warp ${alpha} px`;
    add({ name, family: 'elastic warp', strength: alpha, kind: 'degraded', pixels: elasticWarp(digits(name), alpha, rngFor(`${name} field`)) });
  }
  for (const block of [2, 4]) {
    const name = `blocks ${block}×${block}`;
    add({ name, family: 'blocks', strength: block, kind: 'degraded', pixels: blocky(digits(name), block) });
  }
  for (const kept of [10, 5, 2, 1]) {
    const name = `clean, ${kept} class${kept === 1 ? '' : 'es'}`;
    const classes = Array.from({ length: kept }, (_, c) => c);
    add({ name, family: 'classes', strength: 10 - kept, kind: 'classes', pixels: pickDigits(train, count, rngFor(name), classes) });
  }
  const size = count * SIZE;
  const junk = (name: string, pixels: Float32Array, heldOut = false) => add({ name, family: name, strength: 0, kind: 'junk', pixels, heldOut });
  junk('black', new Float32Array(size).fill(-1));
  junk('constant grey', new Float32Array(size).fill(0));
  const uniform = rngFor('uniform noise');
  junk(
    'uniform noise',
    mapPixels(new Float32Array(size), () => uniform.uniform() * 2 - 1),
  );
  junk('3% salt on black', salt(new Float32Array(size).fill(-1), 0.03, rngFor('salt on black')));
  const one = pickDigits(train, 1, rngFor('single image'));
  junk(
    'a single image repeated',
    mapPixels(new Float32Array(size), (_, i) => one[i % SIZE]),
  );
  for (const [name, draw] of Object.entries(SYNTHETIC_JUNK)) junk(name, draw(count, rngFor(name)));
  // Sparse salt blurred into soft specks, then warped: smooth, irregular ink with no strokes.
  const specks = mapPixels(boxBlur(salt(new Float32Array(size).fill(-1), 0.025, rngFor('specks')), 3), (v) => clip(6 * (v + 1) - 1));
  junk('warped specks', elasticWarp(specks, 3, rngFor('specks field')));
  // Held out: not among the listed junk, and not to be looked at while designing a feature network.
  junk(
    'held out: inverted digits',
    mapPixels(digits('inverted digits'), (v) => -v),
    true,
  );
  junk(
    'held out: checkerboards',
    mapPixels(new Float32Array(size), (_, i) => (((((i % SIZE) % SIDE) >> 2) + (Math.floor((i % SIZE) / SIDE) >> 2)) % 2 ? 1 : -1)),
    true,
  );
  const pixelsShuffled = rngFor('pixel-shuffled digits');
  const shuffled = digits('pixel-shuffled digits');
  for (let image = 0; image < count; image++) {
    const order = pixelsShuffled.permutation(SIZE);
    const copy = shuffled.slice(image * SIZE, (image + 1) * SIZE);
    for (let p = 0; p < SIZE; p++) shuffled[image * SIZE + p] = copy[order[p]];
  }
  junk('held out: pixel-shuffled digits', shuffled, true);
  return sets;
}
