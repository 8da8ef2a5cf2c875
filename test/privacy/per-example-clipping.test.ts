// The ghost-norm clipped gradient sum against the naive one, computed example
// by example; and DP noise against its standard deviation.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as tf from '@tensorflow/tfjs-core';
import * as tfl from '@tensorflow/tfjs-layers';
import { startEngine } from '../../src/engine/engine.js';
import { Rng } from '../../src/engine/rng.js';
import { dropoutOf } from '../../src/models/dropout.js';
import { initialiseLikePyTorch } from '../../src/models/gan-models.js';
import { mlpForward } from '../../src/models/mlp-forward.js';
import { oneByOneClippedSum, worstRelativeError } from '../helpers/one-by-one-clipping.js';
import { crossEntropyExampleLosses } from '../../src/objectives/minimax.js';
import { withGaussianNoise } from '../../src/privacy/gaussian-noise.js';
import { checkPerExampleLayers, clippedGradientSum } from '../../src/privacy/per-example-clipping.js';
import { DataError } from '../../src/errors.js';

await startEngine({ quiet: true });

function smallDiscriminator(): tfl.Sequential {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: 7, inputShape: [6] }));
  model.add(tfl.layers.leakyReLU({ alpha: 0.2 }));
  model.add(tfl.layers.dense({ units: 5 }));
  model.add(tfl.layers.leakyReLU({ alpha: 0.2 }));
  model.add(tfl.layers.dense({ units: 1 }));
  initialiseLikePyTorch(model, new Rng(30));
  return model;
}

/** Replays given 32-bit draws: the masks one example saw inside the batch. */
class ReplayRng extends Rng {
  constructor(private readonly draws: number[]) {
    super(0);
  }
  override nextUint32(): number {
    return this.draws.shift()!;
  }
  override drawFromState(): boolean {
    return false;
  }
}

const HIDDEN_WIDTHS = [7, 5];

/** Checks clippedGradientSum against per-example gradients computed one by one; with `dropoutRate`, under the same masks. */
function checkAgainstOneByOne(dropoutRate: number): tf.NamedTensorMap {
  const model = smallDiscriminator();
  const rng = new Rng(31);
  const rows = 9;
  const realRows = 4;
  // Scaled so that some examples are clipped and some are not.
  const x = tf.tensor2d(rng.normals(rows * 6, 3), [rows, 6]);
  const clip = 1.0;
  const dropout = dropoutOf(dropoutRate, new Rng(32));
  // The batch draws each layer's mask row by row: layer 1 for every row, then layer 2.
  const recorder = new Rng(32);
  const draws = HIDDEN_WIDTHS.map((width) => Array.from({ length: rows * width }, () => recorder.nextUint32()));
  const rowDropout = (i: number) => dropoutOf(dropoutRate, new ReplayRng(HIDDEN_WIDTHS.flatMap((width, l) => draws[l].slice(i * width, (i + 1) * width))));
  const { gradients, norms } = clippedGradientSum(model, x, realRows, crossEntropyExampleLosses, clip, dropout);
  const expected = oneByOneClippedSum(model, x, realRows, clip, (row, i) => mlpForward(model, row, { dropout: rowDropout(i) }));
  assert.ok(expected.norms.some((n) => n > clip) && expected.norms.some((n) => n < clip), `norms ${expected.norms}`);
  const actualNorms = norms.dataSync();
  expected.norms.forEach((n, i) => assert.ok(Math.abs(actualNorms[i] - n) / n < 1e-5, `norm ${i}: ${actualNorms[i]} vs ${n}`));
  const worst = worstRelativeError(gradients, expected.sums);
  assert.ok(worst < 1e-5, `worst relative error ${worst}`);
  return gradients;
}

test('the clipped gradient sum equals clipping and summing per-example gradients one by one', () => {
  checkAgainstOneByOne(0);
});

test('with dropout in D, the clipped gradient sum still equals the one-by-one sum under the same masks', () => {
  const withDropout = checkAgainstOneByOne(0.3);
  const without = checkAgainstOneByOne(0);
  // The masks changed the gradients (the two models have the same weights, under other variable names).
  const first = (gradients: tf.NamedTensorMap) => Array.from(Object.values(gradients)[0].dataSync());
  assert.notDeepEqual(first(withDropout), first(without));
});

test('the noise has mean 0 and standard deviation σC, and its seed fixes it', () => {
  const zeros = tf.zeros([1000, 1000]);
  const seed = Uint32Array.of(1, 2, 3, 4);
  const std = 1.3 * 0.7;
  const noise = withGaussianNoise(zeros, std, seed).dataSync();
  let sum = 0;
  let squares = 0;
  let fourth = 0;
  for (const v of noise) {
    sum += v;
    squares += v * v;
    fourth += v ** 4;
  }
  const n = noise.length;
  const mean = sum / n;
  const variance = squares / n - mean * mean;
  // Standard errors for n = 10⁶: mean σ/1000, std σ/1414; kurtosis 3 ± 0.005.
  assert.ok(Math.abs(mean) < 5 * (std / 1000), `mean ${mean}`);
  assert.ok(Math.abs(Math.sqrt(variance) - std) < 5 * (std / 1414), `std ${Math.sqrt(variance)} vs ${std}`);
  assert.ok(Math.abs(fourth / n / variance ** 2 - 3) < 0.03, `kurtosis ${fourth / n / variance ** 2}`);
  // The tails, where a sampler's rare paths (the ziggurat's wedges and tail) show:
  // P(|x| > kσ) = erfc(k/√2) within 5 standard errors.
  for (const [k, expected] of [
    [1, 0.3173105],
    [2, 0.0455003],
    [3, 0.0026998],
    [4, 0.0000633],
  ]) {
    const share = noise.filter((v) => Math.abs(v) > k * std).length / n;
    assert.ok(Math.abs(share - expected) < 5 * Math.sqrt(expected / n) + 1 / n, `P(|x| > ${k}σ) = ${share}, expected ${expected}`);
  }
  assert.deepEqual(withGaussianNoise(zeros, std, seed).dataSync().slice(0, 100), noise.slice(0, 100));
  assert.notDeepEqual(
    withGaussianNoise(zeros, std, Uint32Array.of(1, 2, 3, 5))
      .dataSync()
      .slice(0, 100),
    noise.slice(0, 100),
  );
});

test('layers without a per-example bound are refused with a reason', () => {
  const model = tfl.sequential();
  model.add(tfl.layers.dense({ units: 4, inputShape: [3] }));
  model.add(tfl.layers.batchNormalization());
  assert.throws(
    () => checkPerExampleLayers(model),
    (error: Error) => error instanceof DataError && /mixes examples/.test(error.message),
  );
  checkPerExampleLayers(smallDiscriminator());
});
