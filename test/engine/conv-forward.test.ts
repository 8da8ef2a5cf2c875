import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { startEngine } from '../../src/engine/engine.js';
import { useMatMulKernels } from '../../src/engine/matmul-kernels.js';
import { Rng } from '../../src/engine/rng.js';

const engine = await startEngine({ quiet: true });
const rng = new Rng(22);

const CASES = [
  { x: [2, 7, 7, 3], filter: [3, 3, 3, 4], stride: 1, dilation: 1, pad: 'same' as const },
  { x: [1, 8, 9, 2], filter: [5, 5, 2, 3], stride: 1, dilation: 1, pad: 'valid' as const },
  { x: [3, 9, 8, 1], filter: [3, 2, 1, 5], stride: 2, dilation: 1, pad: 'same' as const },
  { x: [2, 10, 10, 2], filter: [3, 3, 2, 3], stride: 1, dilation: 2, pad: 'same' as const },
  { x: [4, 28, 28, 1], filter: [3, 3, 1, 32], stride: 1, dilation: 1, pad: 'same' as const },
];

const random = (shape: number[]) => tf.tensor(rng.uniforms(tf.util.sizeFromShape(shape), -1, 1), shape);

test(
  'im2col convolutions (plain, and fused with bias and relu) match the stock wasm kernels',
  { skip: !engine.native && 'the native matMul is not built' },
  () => {
    for (const c of CASES) {
      const x = random(c.x) as tf.Tensor4D;
      const filter = random(c.filter) as tf.Tensor4D;
      const bias = random([c.filter[3]]) as tf.Tensor1D;
      const run = () => [
        tf.conv2d(x, filter, c.stride, c.pad, 'NHWC', c.dilation),
        tf.fused.conv2d({ x, filter, strides: c.stride, pad: c.pad, dilations: c.dilation, bias, activation: 'relu' }),
      ];
      useMatMulKernels('stock');
      const expected = run();
      useMatMulKernels('native');
      const actual = run();
      actual.forEach((tensor, which) => {
        assert.deepEqual(tensor.shape, expected[which].shape);
        const a = tensor.dataSync();
        const e = expected[which].dataSync();
        for (let i = 0; i < e.length; i++) assert.ok(Math.abs(a[i] - e[i]) < 1e-5, `${c.x} case ${which} [${i}] ${a[i]} vs ${e[i]}`);
      });
    }
  },
);
