import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fromBytes, toBytes } from '../../src/data/pixels.js';

test('symmetric maps [-1, 1] onto [0, 255] and inverts the data scaling', () => {
  assert.deepEqual(Array.from(toBytes([-1, 0, 1, -2, 2], 'symmetric')), [0, 128, 255, 0, 255]);
  const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
  assert.deepEqual(toBytes(fromBytes(bytes), 'symmetric'), bytes);
});

test('clamp is round(255·clamp(x, 0, 1)), as torchvision save_image on raw tanh output', () => {
  assert.deepEqual(Array.from(toBytes([-1, -0.5, 0, 0.5, 1, 0.001, 0.003], 'clamp')), [0, 0, 0, 128, 255, 0, 1]);
});
