import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { startEngine } from '../../src/engine/engine.js';
import { useMatMulKernels } from '../../src/engine/matmul-kernels.js';
import { Rng } from '../../src/engine/rng.js';

const engine = await startEngine({ quiet: true });
const rng = new Rng(21);

/** dW by its definition, in float64: Σ over batch and output positions of x-patch · dy. */
function referenceFilterGradient(x: tf.Tensor4D, dy: tf.Tensor4D, filterShape: number[], stride: number, padTop: number, padLeft: number): Float64Array {
  const [n, h, w, c] = x.shape;
  const [, oh, ow, f] = dy.shape;
  const [fh, fw] = filterShape;
  const X = x.dataSync();
  const DY = dy.dataSync();
  const out = new Float64Array(fh * fw * c * f);
  for (let b = 0; b < n; b++)
    for (let oy = 0; oy < oh; oy++)
      for (let ox = 0; ox < ow; ox++)
        for (let ky = 0; ky < fh; ky++)
          for (let kx = 0; kx < fw; kx++) {
            const iy = oy * stride - padTop + ky;
            const ix = ox * stride - padLeft + kx;
            if (iy < 0 || iy >= h || ix < 0 || ix >= w) continue;
            for (let ci = 0; ci < c; ci++)
              for (let fo = 0; fo < f; fo++) {
                out[((ky * fw + kx) * c + ci) * f + fo] += X[((b * h + iy) * w + ix) * c + ci] * DY[((b * oh + oy) * ow + ox) * f + fo];
              }
          }
  return out;
}

const CASES = [
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 4], stride: 1, pad: 'same' as const },
  { x: [1, 8, 9, 2], filter: [5, 5, 2, 3], stride: 1, pad: 'valid' as const },
  { x: [3, 9, 8, 1], filter: [3, 2, 1, 5], stride: 2, pad: 'same' as const },
];

test('the conv filter gradient matches a float64 reference, on every matMul path', () => {
  const kinds = engine.native ? (['native', 'fallback'] as const) : (['fallback'] as const);
  for (const kind of kinds) {
    useMatMulKernels(kind);
    for (const c of CASES) {
      const x = tf.tensor4d(rng.uniforms(tf.util.sizeFromShape(c.x), -1, 1), c.x as [number, number, number, number]);
      const filter = tf.tensor4d(rng.uniforms(tf.util.sizeFromShape(c.filter), -1, 1), c.filter as [number, number, number, number]);
      const y = tf.conv2d(x, filter, c.stride, c.pad);
      const dy = tf.tensor4d(rng.uniforms(y.size, -1, 1), y.shape);
      const grad = tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, w as tf.Tensor4D, c.stride, c.pad), dy)))(filter);
      const info = tf.backend_util.computeConv2DInfo(x.shape, filter.shape, c.stride, 1, c.pad);
      const expected = referenceFilterGradient(x, dy, c.filter, c.stride, info.padInfo.top, info.padInfo.left);
      const actual = grad.dataSync();
      assert.deepEqual(grad.shape, c.filter);
      for (let i = 0; i < expected.length; i++) assert.ok(Math.abs(actual[i] - expected[i]) < 1e-4, `${kind} ${c.x} [${i}] ${actual[i]} vs ${expected[i]}`);
    }
  }
  if (engine.native) useMatMulKernels('native');
});
