// Junk drawn from scratch for the metric sanity suite: smooth and stroke-like
// images with a digit's ink share but no digit, the kind a short GAN run draws
// and a ruler must not credit. Also the elastic warp and blocking used as
// degradations of real digits. Pixels in [-1, 1], 28×28, seeded.
import type { Rng } from '../src/engine/rng.js';

const SIDE = 28;
const SIZE = SIDE * SIDE;

/** The bilinear blend of `at`'s four values around (y0 + fy, x0 + fx). */
function bilinear(at: (y: number, x: number) => number, y0: number, x0: number, fy: number, fx: number): number {
  return (1 - fy) * ((1 - fx) * at(y0, x0) + fx * at(y0, x0 + 1)) + fy * ((1 - fx) * at(y0 + 1, x0) + fx * at(y0 + 1, x0 + 1));
}

/** A 28×28 field bilinearly interpolated from a coarse `cells`×`cells` grid of N(0, 1) values. */
export function smoothField(rng: Rng, cells: number): Float32Array {
  const coarse = Float64Array.from({ length: cells * cells }, () => rng.normal());
  const out = new Float32Array(SIZE);
  const scale = (cells - 1) / (SIDE - 1);
  for (let y = 0; y < SIDE; y++) {
    for (let x = 0; x < SIDE; x++) {
      const [gy, gx] = [y * scale, x * scale];
      const [y0, x0] = [Math.min(cells - 2, Math.floor(gy)), Math.min(cells - 2, Math.floor(gx))];
      const [fy, fx] = [gy - y0, gx - x0];
      out[y * SIDE + x] = bilinear((yy, xx) => coarse[yy * cells + xx], y0, x0, fy, fx);
    }
  }
  return out;
}

/** Bright where a smooth field passes 1 (about a sixth of the image, a digit's ink share), with soft edges. */
function smoothBlobImage(rng: Rng): Float32Array {
  return smoothField(rng, 6).map((v) => Math.tanh(3 * (v - 1)));
}

/** A sum of 2–5 Gaussian blobs of 1.5–3.5 px in the central 16×16, saturating at white. */
function softBlobsImage(rng: Rng): Float32Array {
  const blobs = Array.from({ length: 2 + rng.integer(4) }, () => ({ y: 6 + rng.uniform() * 16, x: 6 + rng.uniform() * 16, s: 1.5 + rng.uniform() * 2 }));
  const out = new Float32Array(SIZE);
  for (let i = 0; i < SIZE; i++) {
    const [y, x] = [Math.floor(i / SIDE), i % SIDE];
    const ink = blobs.reduce((sum, b) => sum + Math.exp(-((y - b.y) ** 2 + (x - b.x) ** 2) / (2 * b.s * b.s)), 0);
    out[i] = 2 * Math.min(1, ink) - 1;
  }
  return out;
}

/** 2–4 quadratic Bézier strokes about 2.4 px wide, anti-aliased, with control points in the central 18×18. */
function strokesImage(rng: Rng): Float32Array {
  const point = () => ({ y: 5 + rng.uniform() * 18, x: 5 + rng.uniform() * 18 });
  const samples: Array<{ y: number; x: number }> = [];
  for (let s = 2 + rng.integer(3); s > 0; s--) {
    const [a, b, c] = [point(), point(), point()];
    for (let i = 0; i <= 24; i++) {
      const t = i / 24;
      const [u, v, w] = [(1 - t) ** 2, 2 * t * (1 - t), t * t];
      samples.push({ y: u * a.y + v * b.y + w * c.y, x: u * a.x + v * b.x + w * c.x });
    }
  }
  const out = new Float32Array(SIZE);
  for (let i = 0; i < SIZE; i++) {
    const [y, x] = [Math.floor(i / SIDE), i % SIDE];
    const distance = Math.sqrt(Math.min(...samples.map((p) => (p.y - y) ** 2 + (p.x - x) ** 2)));
    out[i] = 2 * Math.min(1, Math.max(0, 1.7 - distance)) - 1;
  }
  return out;
}

/** Moves each pixel of each image along a smooth random displacement of about `alpha` px, sampling bilinearly (black outside). */
export function elasticWarp(pixels: Float32Array, alpha: number, rng: Rng): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let image = 0; image < pixels.length / SIZE; image++) {
    const [dy, dx] = [smoothField(rng, 4), smoothField(rng, 4)];
    const base = image * SIZE;
    const at = (y: number, x: number) => (y < 0 || y >= SIDE || x < 0 || x >= SIDE ? -1 : pixels[base + y * SIDE + x]);
    for (let i = 0; i < SIZE; i++) {
      const sy = Math.floor(i / SIDE) + alpha * dy[i];
      const sx = (i % SIDE) + alpha * dx[i];
      const [y0, x0] = [Math.floor(sy), Math.floor(sx)];
      const [fy, fx] = [sy - y0, sx - x0];
      out[base + i] = bilinear(at, y0, x0, fy, fx);
    }
  }
  return out;
}

/** Replaces each `block`×`block` tile of each image by its mean, as a coarse block codec would (28 is a multiple of 2, 4 and 7). */
export function blocky(pixels: Float32Array, block: number): Float32Array {
  const out = new Float32Array(pixels.length);
  for (let image = 0; image < pixels.length / SIZE; image++) {
    const base = image * SIZE;
    for (let ty = 0; ty < SIDE; ty += block) {
      for (let tx = 0; tx < SIDE; tx += block) {
        let sum = 0;
        for (let y = ty; y < ty + block; y++) for (let x = tx; x < tx + block; x++) sum += pixels[base + y * SIDE + x];
        for (let y = ty; y < ty + block; y++) for (let x = tx; x < tx + block; x++) out[base + y * SIDE + x] = sum / (block * block);
      }
    }
  }
  return out;
}

/** `count` images, each drawn by `draw`. */
function drawn(count: number, draw: () => Float32Array): Float32Array {
  const out = new Float32Array(count * SIZE);
  for (let k = 0; k < count; k++) out.set(draw(), k * SIZE);
  return out;
}

/** The junk families drawn from scratch: name → `count` images from `rng`. */
export const SYNTHETIC_JUNK: Record<string, (count: number, rng: Rng) => Float32Array> = {
  'smooth random fields': (count, rng) => drawn(count, () => smoothBlobImage(rng)),
  'soft blobs': (count, rng) => drawn(count, () => softBlobsImage(rng)),
  'random strokes': (count, rng) => drawn(count, () => strokesImage(rng)),
  // A 7×7 grid of 4×4 blocks, a fifth of them lit at a random grey: compression artefacts without content.
  'random blocks': (count, rng) =>
    drawn(count, () => {
      const cells = Float32Array.from({ length: 49 }, () => (rng.uniform() < 0.2 ? rng.uniform() * 2 - 1 : -1));
      return Float32Array.from({ length: SIZE }, (_, i) => cells[Math.floor(Math.floor(i / SIDE) / 4) * 7 + Math.floor((i % SIDE) / 4)]);
    }),
};
