// DP-SGD on convolutions: the unfolded patches against TF.js's own
// convolution, both ways of a convolution's per-example norm (direct and
// ghost) against autodiff one example at a time, and the clipped gradient
// sum of the DCGAN's D (its layers' own forward as the reference) against
// clipping and summing each example's gradient.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import { startEngine } from '../../src/engine/engine.js';
import { slicedPatches } from '../../src/engine/image-patches-kernel.js';
import { Rng } from '../../src/engine/rng.js';
import { withClasses } from '../../src/models/class-rows.js';
import { buildDcganDiscriminator } from '../../src/models/dcgan-models.js';
import type { ConvRun } from '../../src/models/layer-run.js';
import { crossEntropyExampleLosses } from '../../src/objectives/minimax.js';
import { convExampleSquaredNorms, convParameterGradients, examplePatches, usesGhostNorm } from '../../src/privacy/conv-example-gradients.js';
import { checkPerExampleLayers, clippedGradientSum } from '../../src/privacy/per-example-clipping.js';
import { oneByOneClippedSum, worstRelativeError } from '../helpers/one-by-one-clipping.js';

await startEngine({ quiet: true });

const close = (actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number, what: string) => {
  const scale = Math.max(...Array.from(expected, Math.abs));
  Array.from(expected).forEach((e, i) => assert.ok(Math.abs(actual[i] - e) <= tolerance * scale, `${what}[${i}]: ${actual[i]} vs ${e}`));
};

/** A convolution of random values: [rows, side, side, inChannels] by a k×k filter to outChannels. */
function randomRun(seed: number, rows: number, side: number, inChannels: number, kernel: number, outChannels: number, strides: number, pad: 'same' | 'valid') {
  const rng = new Rng(seed);
  const input = tf.tensor4d(rng.normals(rows * side * side * inChannels), [rows, side, side, inChannels]);
  const filter = tf.tensor4d(rng.normals(kernel * kernel * inChannels * outChannels), [kernel, kernel, inChannels, outChannels]);
  const bias = tf.tensor1d(rng.normals(outChannels));
  return { input, filter, bias, strides, pad, output: tf.conv2d(input, filter, strides, pad) } satisfies ConvRun;
}

/** randomRun's arguments after the seed. */
type Shape = Parameters<typeof randomRun> extends [number, ...infer Rest] ? Rest : never;

const SHAPES: Array<{ name: string; args: Shape }> = [
  { name: "k4 stride 2 'same' (28 → 14)", args: [3, 28, 3, 4, 5, 2, 'same'] },
  { name: "k3 stride 2 'same' on an odd side (7 → 4)", args: [2, 7, 4, 3, 6, 2, 'same'] },
  { name: "k4 stride 1 'valid' (4 → 1)", args: [2, 4, 8, 4, 1, 1, 'valid'] },
];

for (const { name, args } of SHAPES) {
  test(`the patches (native im2col, and strided slices) times the filter are TF.js's convolution: ${name}`, () => {
    const run = randomRun(1, ...args);
    const patches = examplePatches(run);
    const [rows, positions, patch] = patches.shape;
    const product = tf.matMul(tf.reshape(patches, [rows * positions, patch]), tf.reshape(run.filter, [patch, -1]));
    close(product.dataSync(), run.output.dataSync(), 1e-5, 'output');
    // The strided slices that serve where the kernel is not registered (WebGPU) give the same patches.
    close(slicedPatches(run.input, { filterShape: run.filter.shape, strides: run.strides, pad: run.pad }).dataSync(), patches.dataSync(), 0, 'sliced');
  });
}

test("each example's squared gradient norm, direct and ghost, equals autodiff on that example alone; the sum is the batch's", () => {
  // 8×8, k3 stride 1: 64 positions of 9 values → direct. 4×4 of 16 channels, k3 stride 2: 4 positions of 144 → ghost.
  const cases = [randomRun(2, 3, 8, 1, 3, 4, 1, 'same'), randomRun(3, 3, 4, 16, 3, 32, 2, 'same')];
  assert.deepEqual(
    cases.map((run) => usesGhostNorm(...(examplePatches(run).shape.slice(1) as [number, number]), run.filter.shape[3])),
    [false, true],
  );
  for (const run of cases) {
    const rows = run.input.shape[0];
    const dy = tf.tensor4d(new Rng(9).normals(run.output.size), run.output.shape);
    const patches = examplePatches(run);
    const norms = convExampleSquaredNorms(dy, patches).dataSync();
    // The reference: the gradient of Σ dy ⊙ (conv(x_i, W) + b) for each example alone.
    const exampleGradients = (i: number) => {
      const example = (t: tf.Tensor4D) => tf.slice(t, [i, 0, 0, 0], [1, -1, -1, -1]);
      const loss = (w: tf.Tensor, b: tf.Tensor) =>
        tf.sum(tf.mul(example(dy), tf.add(tf.conv2d(example(run.input), w as tf.Tensor4D, run.strides, run.pad), b)));
      return tf.grads(loss)([run.filter, run.bias]);
    };
    const expected = Array.from({ length: rows }, (_, i) => exampleGradients(i).reduce((sum, g) => sum + tf.sum(tf.square(g)).dataSync()[0], 0));
    close(norms, expected, 1e-4, 'squared norm');
    const { w, b } = convParameterGradients(dy, run, patches);
    const summed = Array.from({ length: rows }, (_, i) => exampleGradients(i)).reduce((total, g) => [tf.add(total[0], g[0]), tf.add(total[1], g[1])]);
    close(w.dataSync(), summed[0].dataSync(), 1e-4, 'W');
    close(b.dataSync(), summed[1].dataSync(), 1e-4, 'b');
  }
});

test("on the DCGAN's conditional D, the clipped gradient sum equals clipping and summing each example's gradient", () => {
  // Width 32: conv1 (196 positions) takes the direct norm, conv2 and conv3 (49 and 16) the ghost one.
  const d = buildDcganDiscriminator(new Rng(4), true, 32);
  checkPerExampleLayers(d);
  const rng = new Rng(5);
  const rows = 5;
  const x = tf.tensor2d(withClasses(rng.uniforms(rows * 784, -1, 1), 784, [1, 4, 4, 0, 9]), [rows, 794]);
  const reference = oneByOneClippedSum(d, x, 2, Infinity, (row) => d.apply(row) as tf.Tensor2D);
  // Half the examples clipped: the median norm.
  const clip = [...reference.norms].sort((a, b) => a - b)[2];
  const expected = oneByOneClippedSum(d, x, 2, clip, (row) => d.apply(row) as tf.Tensor2D);
  const { gradients, norms, output } = clippedGradientSum(d, x, 2, crossEntropyExampleLosses, clip, null);
  close(output.dataSync(), (d.apply(x) as tf.Tensor).dataSync(), 1e-5, 'logit');
  close(norms.dataSync(), expected.norms, 1e-4, 'norm');
  const worst = worstRelativeError(gradients, expected.sums);
  assert.ok(worst < 1e-4, `worst relative error ${worst}`);
});
