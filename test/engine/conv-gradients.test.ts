// The convolution gradients gankit's kernels compute (conv-filter-gradient.ts, conv-input-gradient.ts) against their definitions.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { startEngine } from '../../src/engine/engine.js';
import { useMatMulKernels } from '../../src/engine/matmul-kernels.js';
import { Rng } from '../../src/engine/rng.js';

const engine = await startEngine({ quiet: true });
const rng = new Rng(21);

/** Calls `visit` for every (input pixel, output position, filter tap) a convolution multiplies, by its definition. */
function forEachTap(
  x: number[],
  dy: number[],
  filterShape: number[],
  stride: number,
  padTop: number,
  padLeft: number,
  visit: (xAt: number, dyAt: number, tapAt: number) => void,
): void {
  const [n, h, w] = x;
  const [, oh, ow] = dy;
  const [fh, fw] = filterShape;
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let ky = 0; ky < fh; ky++)
          for (let kx = 0; kx < fw; kx++) {
            const iy = oy * stride - padTop + ky;
            const ix = ox * stride - padLeft + kx;
            if (iy >= 0 && iy < h && ix >= 0 && ix < w) visit((b * h + iy) * w + ix, (b * oh + oy) * ow + ox, ky * fw + kx);
          }
}

/** dW and dx by their definitions, in float64: Σ over batch and output positions of x-patch · dy, and of W · dy. */
function referenceGradients(x: tf.Tensor4D, filter: tf.Tensor4D, dy: tf.Tensor4D, stride: number, padTop: number, padLeft: number) {
  const c = x.shape[3];
  const f = dy.shape[3];
  const [X, W, DY] = [x.dataSync(), filter.dataSync(), dy.dataSync()];
  const dW = new Float64Array(filter.size);
  const dx = new Float64Array(x.size);
  forEachTap(x.shape, dy.shape, filter.shape, stride, padTop, padLeft, (xAt, dyAt, tapAt) => {
    for (let ci = 0; ci < c; ci++)
      for (let fo = 0; fo < f; fo++) {
        dW[(tapAt * c + ci) * f + fo] += X[xAt * c + ci] * DY[dyAt * f + fo];
        dx[xAt * c + ci] += W[(tapAt * c + ci) * f + fo] * DY[dyAt * f + fo];
      }
  });
  return { dW, dx };
}

const CASES = [
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 4], stride: 1, pad: 'same' as const },
  { x: [1, 8, 9, 2], filter: [5, 5, 2, 3], stride: 1, pad: 'valid' as const },
  { x: [3, 9, 8, 1], filter: [3, 2, 1, 5], stride: 2, pad: 'same' as const },
];

test('the conv filter and input gradients match float64 references, on every matMul path', () => {
  const kinds = engine.native ? (['native', 'fallback'] as const) : (['fallback'] as const);
  for (const kind of kinds) {
    useMatMulKernels(kind);
    for (const c of CASES) {
      const x = tf.tensor4d(rng.uniforms(tf.util.sizeFromShape(c.x), -1, 1), c.x as [number, number, number, number]);
      const filter = tf.tensor4d(rng.uniforms(tf.util.sizeFromShape(c.filter), -1, 1), c.filter as [number, number, number, number]);
      const y = tf.conv2d(x, filter, c.stride, c.pad);
      const dy = tf.tensor4d(rng.uniforms(y.size, -1, 1), y.shape);
      const loss = (input: tf.Tensor4D, w: tf.Tensor4D) => tf.sum(tf.mul(tf.conv2d(input, w, c.stride, c.pad), dy));
      const [dx, dW] = tf.grads((input: tf.Tensor, w: tf.Tensor) => loss(input as tf.Tensor4D, w as tf.Tensor4D))([x, filter]);
      const info = tf.backend_util.computeConv2DInfo(x.shape, filter.shape, c.stride, 1, c.pad);
      const expected = referenceGradients(x, filter, dy, c.stride, info.padInfo.top, info.padInfo.left);
      assert.deepEqual([dW.shape, dx.shape], [c.filter, c.x]);
      for (const [name, actual, reference] of [
        ['dW', dW.dataSync(), expected.dW],
        ['dx', dx.dataSync(), expected.dx],
      ] as const) {
        for (let i = 0; i < reference.length; i++)
          assert.ok(Math.abs(actual[i] - reference[i]) < 1e-4, `${kind} ${c.x} ${name}[${i}] ${actual[i]} vs ${reference[i]}`);
      }
    }
  }
  if (engine.native) useMatMulKernels('native');
});
