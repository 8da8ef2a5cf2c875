// gankit's training steps against PyTorch's on the same numbers: the same
// initial weights, real batches, latents and dropout masks (PyTorch rebuilds
// them from the draws gankit's stream made), run in float64 by
// bench/reference/gan_steps.py. Skipped where Debian's python3-torch is absent.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as tf from '@tensorflow/tfjs-core';
import { loadImageSet } from '../../src/data/image-set.js';
import { startEngine } from '../../src/engine/engine.js';
import { deriveRng, Rng } from '../../src/engine/rng.js';
import { buildDiscriminator, buildGenerator, DISCRIMINATOR_WIDTHS, GENERATOR_WIDTHS, IMAGE_SIZE, LATENT_SIZE } from '../../src/models/gan-models.js';
import { weightedLayerVariables } from '../../src/models/mlp-forward.js';
import { assembleGan } from '../../src/training/gan-parts.js';
import { discriminatorStep, generatorStep, type GanParts } from '../../src/training/gan-step.js';
import { configFor, requireObjective } from '../../src/training/train-config.js';
import { type PresetName } from '../../src/run/run-config.js';
import { readFloat64, writeArrays } from '../helpers/reference-files.js';
import { tempDir } from '../helpers/temp-dir.js';

await startEngine({ quiet: true });

const REFERENCE = fileURLToPath(new URL('../../../bench/reference/gan_steps.py', import.meta.url));
const torchMissing = spawnSync('/usr/bin/python3', ['-c', 'import torch'], { encoding: 'utf8' }).status !== 0;
const SKIP = torchMissing && "Debian's python3-torch is not installed (apt-get install python3-torch): no PyTorch reference to compare with";

/** Every draw the dropout masks take, kept for PyTorch to rebuild the same masks. */
class RecordingRng extends Rng {
  readonly draws: number[] = [];
  override nextUint32(): number {
    const value = super.nextUint32();
    this.draws.push(value);
    return value;
  }

  /** The native masks draw from the state directly: replays those draws in JavaScript to record them. */
  override drawFromState(draw: (state: Uint32Array) => void): boolean {
    const replay = Rng.fromState(this.state());
    super.drawFromState(draw);
    const reached = this.state().words.join();
    while (replay.state().words.join() !== reached) this.draws.push(replay.nextUint32());
    return true;
  }
}

/** G's then D's weights as PyTorch lays them out: each weight [out, in], then its bias. */
function pytorchLayout(gan: GanParts): Float32Array[] {
  return [gan.generator, gan.discriminator].flatMap((model) =>
    weightedLayerVariables(model).flatMap(({ kernel, bias }) => [tf.transpose(kernel).dataSync() as Float32Array, bias!.dataSync() as Float32Array]),
  );
}

async function compare(preset: PresetName, steps: number): Promise<{ errors: number[]; lossErrors: number[] }> {
  const dir = tempDir();
  const config = configFor('nonsaturating', { preset });
  const weights = deriveRng(9, 'weights');
  const dropoutRng = new RecordingRng(10);
  const gan = assembleGan(buildGenerator(weights), buildDiscriminator(weights), config, requireObjective('nonsaturating'), { dropoutRng });
  const initial = pytorchLayout(gan);
  const batch = 64;
  const real = loadImageSet('mnist', { limit: steps * batch }).pixels;
  const latents = new Rng(11).normals(steps * 2 * batch * LATENT_SIZE);
  const losses: number[][] = [];
  for (let step = 0; step < steps; step++) {
    const x = tf.tensor2d(real.subarray(step * batch * IMAGE_SIZE, (step + 1) * batch * IMAGE_SIZE), [batch, IMAGE_SIZE]);
    const z = (k: number) =>
      tf.tensor2d(latents.subarray((2 * step + k) * batch * LATENT_SIZE, (2 * step + k + 1) * batch * LATENT_SIZE), [batch, LATENT_SIZE]);
    const dLoss = (await discriminatorStep(gan, x, z(0), new Rng(0))).loss;
    const gLoss = (await generatorStep(gan, z(1))).loss;
    losses.push([dLoss, gLoss]);
  }
  writeFileSync(
    join(dir, 'spec.json'),
    JSON.stringify({
      generatorWidths: GENERATOR_WIDTHS,
      discriminatorWidths: DISCRIMINATOR_WIDTHS,
      dropoutG: config.dropoutG,
      dropoutD: config.dropoutD,
      lr: config.lrG,
      betas: [config.beta1, config.beta2],
      eps: config.adamEpsilon,
      steps,
      batch,
    }),
  );
  writeArrays(join(dir, 'initial.f32'), initial);
  writeArrays(join(dir, 'real.f32'), [real]);
  writeArrays(join(dir, 'z.f32'), [latents]);
  writeArrays(join(dir, 'draws.u32'), [Uint32Array.from(dropoutRng.draws)]);
  const result = spawnSync('/usr/bin/python3', [REFERENCE, dir], { encoding: 'utf8' });
  assert.equal(result.status, 0, result.stderr);
  const reference = readFloat64(join(dir, 'final.f64'));
  const referenceLosses = JSON.parse(readFileSync(join(dir, 'losses.json'), 'utf8')) as number[][];
  // Each tensor's change over the steps, compared norm-wise: ‖Δgankit − Δtorch‖ / ‖Δtorch‖.
  const final = pytorchLayout(gan);
  let offset = 0;
  const errors = final.map((tensor, t) => {
    let difference = 0;
    let norm = 0;
    for (let i = 0; i < tensor.length; i++) {
      const expected = reference[offset + i] - initial[t][i];
      difference += (tensor[i] - initial[t][i] - expected) ** 2;
      norm += expected ** 2;
    }
    offset += tensor.length;
    return Math.sqrt(difference / norm);
  });
  const lossErrors = losses.flat().map((loss, i) => Math.abs(loss - referenceLosses.flat()[i]) / Math.abs(referenceLosses.flat()[i]));
  return { errors, lossErrors };
}

for (const preset of ['course', 'study'] as const) {
  test(`${preset} preset: 5 D and G steps change every weight as PyTorch's do, within float32 rounding`, { skip: SKIP }, async () => {
    const { errors, lossErrors } = await compare(preset, 5);
    assert.equal(errors.length, 16);
    // Measured: 1e-5 to 4e-3. Adam divides by √v, so weights whose gradients are near zero amplify
    // float32 rounding (G's first layer most); a step that differed would give errors of order 1.
    assert.ok(
      errors.every((e) => e < 1e-2),
      `relative errors of the weight changes: ${errors.map((e) => e.toExponential(1)).join(' ')}`,
    );
    assert.ok(
      lossErrors.every((e) => e < 1e-4),
      `relative errors of the losses: ${lossErrors.map((e) => e.toExponential(1)).join(' ')}`,
    );
  });
}
