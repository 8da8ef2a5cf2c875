import { test } from 'node:test';
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEngine } from '../../src/engine/engine.js';
import { Rng } from '../../src/engine/rng.js';
import { loadFeatureExtractor } from '../../src/metrics/feature-extractor.js';
import { tempDir } from '../helpers/temp-dir.js';

await startEngine({ quiet: true });

/** A hand-written TF.js graph model: x [n, 28, 28, 1] → reshape [n, 784] → MatMul w [784, 4]. */
function writeGraphModel(dir: string, w: Float32Array): void {
  const float = { type: 'DT_FLOAT' };
  const dims = (...sizes: number[]) => ({ dim: sizes.map((size) => ({ size: String(size) })) });
  const node = [
    { name: 'x', op: 'Placeholder', attr: { dtype: float, shape: { shape: dims(-1, 28, 28, 1) } } },
    { name: 'shape', op: 'Const', attr: { value: { tensor: { dtype: 'DT_INT32', tensorShape: dims(2) } }, dtype: { type: 'DT_INT32' } } },
    { name: 'flat', op: 'Reshape', input: ['x', 'shape'], attr: { T: float, Tshape: { type: 'DT_INT32' } } },
    { name: 'w', op: 'Const', attr: { value: { tensor: { dtype: 'DT_FLOAT', tensorShape: dims(784, 4) } }, dtype: float } },
    { name: 'out', op: 'MatMul', input: ['flat', 'w'], attr: { T: float, transpose_a: { b: false }, transpose_b: { b: false } } },
  ];
  const manifest = [
    {
      paths: ['weights.bin'],
      weights: [
        { name: 'shape', shape: [2], dtype: 'int32' },
        { name: 'w', shape: [784, 4], dtype: 'float32' },
      ],
    },
  ];
  writeFileSync(
    join(dir, 'model.json'),
    JSON.stringify({ format: 'graph-model', modelTopology: { node, library: {}, versions: {} }, weightsManifest: manifest }),
  );
  writeFileSync(join(dir, 'weights.bin'), Buffer.concat([Buffer.from(Int32Array.from([-1, 784]).buffer), Buffer.from(w.buffer)]));
}

test('--features accepts a TF.js graph model and reads the named node', async () => {
  const dir = tempDir();
  const rng = new Rng(3);
  const w = rng.uniforms(784 * 4, -1, 1);
  writeGraphModel(dir, w);
  const extractor = await loadFeatureExtractor(dir, 'out');
  const images = rng.uniforms(2 * 784, -1, 1);
  const { features } = await extractor.extract(images, 2, 28, 28);
  assert.equal(features.dims, 4);
  for (let n = 0; n < 2; n++) {
    for (let f = 0; f < 4; f++) {
      let expected = 0;
      for (let p = 0; p < 784; p++) expected += images[n * 784 + p] * w[p * 4 + f];
      assert.ok(Math.abs(features.values[n * 4 + f] - expected) < 1e-3, `${features.values[n * 4 + f]} vs ${expected}`);
    }
  }
  await assert.rejects(loadFeatureExtractor(dir), /is a graph model: name the node to read with --layer/);
});
