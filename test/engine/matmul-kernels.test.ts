import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { startEngine } from '../../src/engine/engine.js';
import { useMatMulKernels } from '../../src/engine/matmul-kernels.js';
import { Rng } from '../../src/engine/rng.js';

const engine = await startEngine({ quiet: true });
const rng = new Rng(7);

function random(shape: number[]): tf.Tensor {
  return tf.tensor(rng.uniforms(tf.util.sizeFromShape(shape), -1, 1), shape);
}

/** A float64 reference product, independent of every TF.js kernel. */
function referenceMatMul(a: tf.Tensor, b: tf.Tensor, transposeA: boolean, transposeB: boolean): Float64Array {
  const A = a.dataSync();
  const B = b.dataSync();
  const [ar, ac] = a.shape.slice(-2);
  const [br, bc] = b.shape.slice(-2);
  const m = transposeA ? ac : ar;
  const k = transposeA ? ar : ac;
  const n = transposeB ? br : bc;
  const batchShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const batches = tf.util.sizeFromShape(batchShape);
  const out = new Float64Array(batches * m * n);
  const batchIndex = (shape: number[], flat: number) => {
    const own = shape.slice(0, -2);
    let index = 0;
    let stride = 1;
    let rest = flat;
    const coords: number[] = [];
    for (let d = batchShape.length - 1; d >= 0; d--) {
      coords[d] = rest % batchShape[d];
      rest = Math.floor(rest / batchShape[d]);
    }
    for (let d = own.length - 1; d >= 0; d--) {
      const coordinate = own[d] === 1 ? 0 : coords[d + batchShape.length - own.length];
      index += coordinate * stride;
      stride *= own[d];
    }
    return index;
  };
  for (let t = 0; t < batches; t++) {
    const ao = batchIndex(a.shape, t) * ar * ac;
    const bo = batchIndex(b.shape, t) * br * bc;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < n; j++) {
        let sum = 0;
        for (let p = 0; p < k; p++) {
          const x = transposeA ? A[ao + p * ac + i] : A[ao + i * ac + p];
          const y = transposeB ? B[bo + j * bc + p] : B[bo + p * bc + j];
          sum += x * y;
        }
        out[t * m * n + i * n + j] = sum;
      }
    }
  }
  return out;
}

function maxRelativeError(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  assert.equal(actual.length, expected.length);
  let worst = 0;
  let scale = 0;
  for (let i = 0; i < expected.length; i++) scale = Math.max(scale, Math.abs(expected[i]));
  for (let i = 0; i < expected.length; i++) worst = Math.max(worst, Math.abs(actual[i] - expected[i]) / (scale || 1));
  return worst;
}

function operand(batch: number[], rows: number, cols: number, transposed: boolean): tf.Tensor {
  return random([...batch, ...(transposed ? [cols, rows] : [rows, cols])]);
}

const SHAPES: Array<{ aBatch: number[]; bBatch: number[]; m: number; k: number; n: number }> = [
  { aBatch: [], bBatch: [], m: 1, k: 1, n: 1 },
  { aBatch: [], bBatch: [], m: 7, k: 13, n: 5 },
  { aBatch: [], bBatch: [], m: 64, k: 100, n: 256 },
  { aBatch: [], bBatch: [], m: 33, k: 129, n: 65 },
  { aBatch: [3], bBatch: [3], m: 5, k: 9, n: 4 },
  { aBatch: [1], bBatch: [4], m: 6, k: 3, n: 7 },
  { aBatch: [2, 1], bBatch: [1, 3], m: 3, k: 5, n: 2 },
  { aBatch: [2, 3], bBatch: [3], m: 4, k: 1, n: 3 },
];

test(`native matMul (${engine.native ? 'OpenBLAS' : 'unavailable'}) matches a float64 reference and the stock kernel`, (t) => {
  if (!engine.native) {
    t.skip('the native addon is not built: run `npm run build` after installing libopenblas-dev');
    return;
  }
  for (const { aBatch, bBatch, m, k, n } of SHAPES) {
    for (const transposeA of [false, true]) {
      for (const transposeB of [false, true]) {
        const a = operand(aBatch, m, k, transposeA);
        const b = operand(bBatch, k, n, transposeB);
        const expected = referenceMatMul(a, b, transposeA, transposeB);
        const results: Record<string, tf.Tensor> = {};
        for (const kind of ['native', 'fallback'] as const) {
          useMatMulKernels(kind);
          results[kind] = tf.matMul(a, b, transposeA, transposeB);
        }
        const label = `a[${a.shape}] b[${b.shape}] tA=${transposeA} tB=${transposeB}`;
        assert.deepEqual(results.native.shape, results.fallback.shape, label);
        assert.ok(maxRelativeError(results.native.dataSync(), expected) < 1e-5, `native vs reference, ${label}`);
        // The stock kernel flattens batch dimensions, so it only broadcasts a whole batch of one.
        const aBatchSize = tf.util.sizeFromShape(aBatch);
        const bBatchSize = tf.util.sizeFromShape(bBatch);
        if (aBatchSize === bBatchSize || aBatchSize === 1 || bBatchSize === 1) {
          assert.ok(maxRelativeError(results.native.dataSync(), results.fallback.dataSync()) < 1e-5, `native vs stock, ${label}`);
        }
        tf.dispose([a, b, results.native, results.fallback]);
      }
    }
  }
  useMatMulKernels('native');
});

const UNFUSED: Record<string, (x: tf.Tensor, prelu?: tf.Tensor) => tf.Tensor> = {
  linear: (x) => x,
  relu: (x) => tf.relu(x),
  relu6: (x) => tf.relu6(x),
  prelu: (x, weights) => tf.prelu(x, weights!),
  leakyrelu: (x) => tf.leakyRelu(x, 0.2),
  sigmoid: (x) => tf.sigmoid(x),
  elu: (x) => tf.elu(x),
};

test('fused matMul: bias and every activation the stock kernel supports match the unfused ops', (t) => {
  if (!engine.native) {
    t.skip('the native addon is not built');
    return;
  }
  const activations = ['linear', 'relu', 'relu6', 'prelu', 'leakyrelu', 'sigmoid', 'elu'] as const;
  for (const activation of activations) {
    for (const [transposeA, transposeB] of [
      [false, false],
      [true, false],
      [false, true],
      [true, true],
    ]) {
      for (const biasSize of [0, 1, 11]) {
        const a = operand([], 9, 17, transposeA);
        const b = operand([], 17, 11, transposeB);
        const bias = biasSize ? tf.mul(random([biasSize]), 3) : undefined;
        const preluActivationWeights = activation === 'prelu' ? random([11]) : undefined;
        const run = () => tf.fused.matMul({ a, b, transposeA, transposeB, bias, activation, preluActivationWeights, leakyreluAlpha: 0.2 });
        useMatMulKernels('native');
        const native = run();
        const product = tf.matMul(a, b, transposeA, transposeB);
        const unfused = UNFUSED[activation](bias ? tf.add(product, bias) : product, preluActivationWeights);
        const label = `${activation} bias=${biasSize} tA=${transposeA} tB=${transposeB}`;
        assert.ok(maxRelativeError(native.dataSync(), unfused.dataSync()) < 1e-5, `native vs unfused, ${label}`);
        // The stock fused kernel reads a bias of size 1 as one value per column, and adds the bias
        // wrongly when A is transposed (tfjs-backend-wasm 4.22); the fallback transposes first.
        if (biasSize !== 1) {
          useMatMulKernels('fallback');
          const stock = run();
          assert.ok(maxRelativeError(native.dataSync(), stock.dataSync()) < 1e-5, `native vs stock, ${label}`);
          stock.dispose();
        }
        tf.dispose([a, b, native, product, unfused]);
        if (bias) bias.dispose();
        if (preluActivationWeights) preluActivationWeights.dispose();
      }
    }
  }
  useMatMulKernels('native');
});

test('gradients through the product match central finite differences', () => {
  // Float32 forward passes: differences at h = 1e-2 are exact for a product that is
  // linear in each operand, so the tolerance reflects rounding only.
  const a = random([5, 7]);
  const b = random([7, 3]);
  const bias = random([3]);
  const weights = random([5, 3]);
  const loss = (x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => tf.sum(tf.mul(tf.fused.matMul({ a: x, b: y, bias: z }), weights)) as tf.Scalar;
  const grads = tf.grads((x: tf.Tensor, y: tf.Tensor, z: tf.Tensor) => loss(x, y, z))([a, b, bias]);
  const inputs = [a, b, bias];
  inputs.forEach((input, which) => {
    const values = input.dataSync().slice();
    const analytic = grads[which].dataSync();
    for (let i = 0; i < values.length; i++) {
      const h = 1e-2;
      const shifted = (delta: number) => {
        const copy = values.slice();
        copy[i] += delta;
        const replaced = inputs.map((t, w) => (w === which ? tf.tensor(copy, input.shape) : t));
        const value = loss(replaced[0], replaced[1], replaced[2]).dataSync()[0];
        return value;
      };
      const numeric = (shifted(h) - shifted(-h)) / (2 * h);
      assert.ok(Math.abs(numeric - analytic[i]) < 1e-3 * Math.max(1, Math.abs(numeric)), `input ${which}[${i}]`);
    }
  });
});
