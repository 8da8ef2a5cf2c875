// The metric sanity suite's sets (bench/metric-sets.ts): each degradation
// against a hand computation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Rng } from '../../src/engine/rng.js';
import { boxBlur, gaussianNoise, salt, sanitySets, shift } from '../../bench/metric-sets.js';
import { blocky, elasticWarp, smoothField, SYNTHETIC_JUNK } from '../../bench/synthetic-junk.js';
import type { ImageSet } from '../../src/data/image-set.js';

const SIZE = 784;
/** One image whose pixel (y, x) is y·28 + x, scaled into [-1, 1]. */
const ramp = Float32Array.from({ length: SIZE }, (_, i) => (i / SIZE) * 2 - 1);

test('a 2×2 box blur averages each pixel with its right and lower neighbours; 3×3 is centred; both clip at the border', () => {
  const two = boxBlur(ramp, 2);
  const at = (y: number, x: number) => ramp[y * 28 + x];
  assert.ok(Math.abs(two[5 * 28 + 7] - (at(5, 7) + at(5, 8) + at(6, 7) + at(6, 8)) / 4) < 1e-6);
  assert.ok(Math.abs(two[27 * 28 + 27] - at(27, 27)) < 1e-6, 'the corner has no neighbours right or below');
  const three = boxBlur(ramp, 3);
  let sum = 0;
  for (let dy = -1; dy <= 1; dy++) for (let dx = -1; dx <= 1; dx++) sum += at(10 + dy, 10 + dx);
  assert.ok(Math.abs(three[10 * 28 + 10] - sum / 9) < 1e-6);
  assert.ok(Math.abs(three[0] - (at(0, 0) + at(0, 1) + at(1, 0) + at(1, 1)) / 4) < 1e-6);
});

test('a shift moves pixels right and down and fills with black; salt and noise change what they should', () => {
  const moved = shift(ramp, 2);
  assert.equal(moved[0], -1);
  assert.equal(moved[2 * 28 + 1], -1);
  assert.equal(moved[5 * 28 + 9], ramp[3 * 28 + 7]);
  const black = new Float32Array(100 * SIZE).fill(-1);
  const salted = salt(black, 0.03, new Rng(1));
  const white = salted.filter((v) => v === 1).length / salted.length;
  assert.ok(Math.abs(white - 0.03) < 0.002, `salted ${white}`);
  assert.ok(salted.every((v) => v === 1 || v === -1));
  const noisy = gaussianNoise(black, 0.4, new Rng(2));
  assert.ok(noisy.every((v) => v >= -1 && v <= 1));
  // Clipping at −1 keeps about half the pixels black.
  const clipped = noisy.filter((v) => v === -1).length / noisy.length;
  assert.ok(Math.abs(clipped - 0.5) < 0.01, `clipped ${clipped}`);
});

test("blocks are their tiles' means; a warp of 0 px is the identity; a smooth field passes through its coarse grid at the corners", () => {
  const blocks = blocky(ramp, 4);
  let sum = 0;
  for (let y = 4; y < 8; y++) for (let x = 8; x < 12; x++) sum += ramp[y * 28 + x];
  assert.ok(Math.abs(blocks[5 * 28 + 9] - sum / 16) < 1e-6);
  assert.equal(blocks[5 * 28 + 9], blocks[7 * 28 + 11], 'one value a tile');
  assert.deepEqual(elasticWarp(ramp, 0, new Rng(3)), ramp);
  const warped = elasticWarp(ramp, 2, new Rng(3));
  assert.notDeepEqual(warped, ramp);
  assert.ok(warped.every((v) => v >= -1 && v <= 1));
  // The coarse grid's four corners are the field's (the same stream draws them).
  const draws = new Rng(4);
  const coarse = Array.from({ length: 36 }, () => draws.normal());
  const field = smoothField(new Rng(4), 6);
  for (const [i, c] of [
    [0, 0],
    [27, 5],
    [27 * 28, 30],
    [783, 35],
  ])
    assert.ok(Math.abs(field[i] - coarse[c]) < 1e-5, `pixel ${i}`);
  // Every drawn junk family is in [-1, 1], with some ink and much black: a digit's range.
  for (const [name, draw] of Object.entries(SYNTHETIC_JUNK)) {
    const pixels = draw(20, new Rng(5));
    const ink = pixels.filter((v) => v > 0).length / pixels.length;
    assert.ok(pixels.every((v) => v >= -1 && v <= 1) && ink > 0.02 && ink < 0.5, `${name}: ink ${ink}`);
  }
});

test('the suite builds every listed set, of the asked size, and the class sets hold only their classes', () => {
  const count = 40;
  const labels = Uint8Array.from({ length: 400 }, (_, i) => i % 10);
  const pixels = Float32Array.from({ length: 400 * SIZE }, (_, i) => (Math.floor(i / SIZE) % 10) / 5 - 1);
  const train: ImageSet = { count: 400, height: 28, width: 28, pixels, labels, source: 'synthetic' };
  const sets = sanitySets(train, count, (name) => new Rng(name.length));
  // 4 noise, 3 salt, 2 blur, 3 shift, 3 warp, 2 block sets, 4 class sets, 10 junk; and 3 held-out junk families.
  assert.equal(sets.filter((s) => !s.heldOut).length, 31);
  assert.equal(sets.filter((s) => s.heldOut).length, 3);
  assert.ok(sets.every((s) => s.pixels.length === count * SIZE));
  const oneClass = sets.find((s) => s.name === 'clean, 1 class')!;
  // Class 0's images are all −1 in this synthetic set.
  assert.ok(oneClass.pixels.every((v) => v === -1));
  const twoClasses = new Set(Array.from({ length: count }, (_, k) => oneOf(sets.find((s) => s.name === 'clean, 2 classes')!.pixels, k)));
  assert.deepEqual(
    [...twoClasses].sort((a, b) => a - b),
    [-1, -0.8],
  );
});

const oneOf = (pixels: Float32Array, image: number) => Math.round(pixels[image * SIZE] * 10) / 10;
