// The DCGAN's networks: Bie et al.'s feature-map sizes, parameter counts in
// closed form against the models' own, G's pixels in [-1, 1], D's plain-ops
// forward against its layers' own, G's copy (the moving average's start), and
// the cropped transposed convolution against PyTorch's definition by hand.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { startEngine } from '../../src/engine/engine.js';
import { Rng } from '../../src/engine/rng.js';
import { buildDcganDiscriminator, buildDcganGenerator, dcganParameterCounts, isDcgan } from '../../src/models/dcgan-models.js';
import { dcganDiscriminatorForward, generatorForward } from '../../src/models/dcgan-forward.js';
import { buildGenerator, copyGenerator } from '../../src/models/gan-models.js';
import { isConditional } from '../../src/models/class-condition.js';

await startEngine({ quiet: true });

const shapesOf = (model: ReturnType<typeof buildDcganGenerator>, kind: string) =>
  model.layers.filter((layer) => layer.getClassName() === kind).map((layer) => (layer.outputShape as number[]).slice(1).join('×'));

test("G's and D's feature maps are Bie et al.'s MNIST DCGAN's at width 128, and their parameter counts the closed form's", () => {
  for (const conditional of [true, false]) {
    const g = buildDcganGenerator(new Rng(1), conditional);
    const d = buildDcganDiscriminator(new Rng(2), conditional);
    assert.deepEqual(shapesOf(g, 'Cropping2D'), ['7×7×256', '14×14×128', '28×28×1']);
    assert.deepEqual(shapesOf(g, 'Reshape'), ['4×4×512']);
    assert.deepEqual(shapesOf(d, 'Conv2D'), ['14×14×128', '7×7×256', '4×4×512', '1×1×1']);
    assert.deepEqual(shapesOf(d, 'ImageWithClassMaps'), [conditional ? '28×28×11' : '28×28×1']);
    assert.deepEqual({ generator: g.countParams(), discriminator: d.countParams() }, dcganParameterCounts(conditional));
    assert.ok(isDcgan(g) && isDcgan(d) && !isDcgan(buildGenerator(new Rng(1))));
    assert.equal(isConditional(g) && isConditional(d), conditional);
    tf.dispose([g, d].flatMap((model) => model.weights.map((w) => w.read())));
  }
});

test("G draws 784 pixels in [-1, 1]; its copy draws the same; D's plain-ops forward is its layers' own; the class maps hold the class", () => {
  const g = buildDcganGenerator(new Rng(3), true, 16);
  const d = buildDcganDiscriminator(new Rng(4), true, 16);
  const z = tf.concat([tf.tensor2d(new Rng(5).normals(4 * 100), [4, 100]), tf.cast(tf.oneHot([0, 3, 3, 9], 10), 'float32')], 1) as tf.Tensor2D;
  const images = generatorForward(g, z);
  assert.deepEqual(images.shape, [4, 784]);
  const pixels = images.dataSync();
  assert.ok(pixels.every((p) => p >= -1 && p <= 1) && new Set(pixels).size > 100);
  assert.deepEqual(generatorForward(copyGenerator(g), z).dataSync(), pixels);
  const input = tf.concat([images, tf.slice(z, [0, 100], [-1, 10])], 1) as tf.Tensor2D;
  const expected = (d.apply(input) as tf.Tensor).dataSync();
  const logits = dcganDiscriminatorForward(d, input).dataSync();
  expected.forEach((e, i) => assert.ok(Math.abs(logits[i] - e) < 1e-5, `${logits[i]} vs ${e}`));
  // The class maps: channel 1 + c is all ones for class c, zeros elsewhere.
  const maps = (d.layers[0].apply(input) as tf.Tensor4D).arraySync();
  assert.deepEqual([maps[1][0][0][1 + 3], maps[1][27][13][1 + 3], maps[1][5][5][1 + 9], maps[3][5][5][1 + 9]], [1, 1, 0, 1]);
});

test("a 'valid' transposed convolution cropped by p is PyTorch's ConvTranspose2d(k, s, p): out[s·i + j − p] += in[i]·w[j]", () => {
  const [side, kernel, stride, crop] = [3, 3, 2, 1];
  const rng = new Rng(6);
  const input = rng.normals(side * side);
  const weights = rng.normals(kernel * kernel);
  const model = tfl.sequential({
    layers: [
      tfl.layers.conv2dTranspose({ inputShape: [side, side, 1], filters: 1, kernelSize: kernel, strides: stride, padding: 'valid', useBias: false }),
      tfl.layers.cropping2D({ cropping: crop }),
    ],
  });
  model.layers[0].setWeights([tf.tensor4d(weights, [kernel, kernel, 1, 1])]);
  const out = (side - 1) * stride - 2 * crop + kernel;
  const expected = new Float64Array(out * out);
  for (let iy = 0; iy < side; iy++)
    for (let ix = 0; ix < side; ix++)
      for (let jy = 0; jy < kernel; jy++)
        for (let jx = 0; jx < kernel; jx++) {
          const [y, x] = [stride * iy + jy - crop, stride * ix + jx - crop];
          if (y >= 0 && y < out && x >= 0 && x < out) expected[y * out + x] += input[iy * side + ix] * weights[jy * kernel + jx];
        }
  const actual = (model.predict(tf.tensor4d(input, [1, side, side, 1])) as tf.Tensor).dataSync();
  assert.equal(actual.length, out * out);
  expected.forEach((e, i) => assert.ok(Math.abs(actual[i] - e) < 1e-5, `${i}: ${actual[i]} vs ${e}`));
});
