// npm run bench:profile: where one training step's time goes, kernel by kernel.
// Runs steps at batch 64 under tf.profile and sums each kernel's time, for the
// non-saturating step (course and study presets), the WGAN-GP step and a DP
// round's D step. "outside kernels" is the wall time no kernel accounts for:
// TF.js dispatch, the tape, and JS work between kernels (the dropout masks).
// Writes bench/results/step-profile.json.
import * as tf from '@tensorflow/tfjs-core';
import { startEngine } from '../src/engine/engine.js';
import { Rng } from '../src/engine/rng.js';
import { IMAGE_SIZE, LATENT_SIZE } from '../src/models/gan-models.js';
import { dpDiscriminatorStep } from '../src/training/dp-discriminator-step.js';
import { newGan } from '../src/training/gan-parts.js';
import { discriminatorStep, generatorStep } from '../src/training/gan-step.js';
import { configFor, requireObjective } from '../src/training/train-config.js';
import { type PresetName } from '../src/run/run-config.js';
import { machineInfo, save } from './bench-io.js';

const BATCH = 64;
const STEPS = 30;

interface Case {
  name: string;
  objective: string;
  preset: PresetName;
  /** One step of the case. */
  step?: 'gan' | 'dp-d';
}

const CASES: Case[] = [
  { name: 'non-saturating, course preset', objective: 'nonsaturating', preset: 'course' },
  { name: 'non-saturating, study preset', objective: 'nonsaturating', preset: 'study' },
  { name: 'WGAN-GP, course preset', objective: 'wgan-gp', preset: 'course' },
  { name: 'DP D step (σ 1, clip 1), course preset', objective: 'nonsaturating', preset: 'course', step: 'dp-d' },
];

function stepOf(kase: Case): () => Promise<void> {
  const gan = newGan(configFor(kase.objective, { preset: kase.preset }), requireObjective(kase.objective), new Rng(0));
  const rng = new Rng(1);
  const real = tf.tensor2d(rng.uniforms(BATCH * IMAGE_SIZE, -1, 1), [BATCH, IMAGE_SIZE]);
  const latents = () => tf.tensor2d(rng.normals(BATCH * LATENT_SIZE), [BATCH, LATENT_SIZE]);
  return async () => {
    const z1 = latents();
    if (kase.step === 'dp-d') {
      await dpDiscriminatorStep(gan, real, z1, rng, { clip: 1, noise: 1, batch: BATCH });
      z1.dispose();
      return;
    }
    await discriminatorStep(gan, real, z1, rng);
    const z2 = latents();
    await generatorStep(gan, z2);
    tf.dispose([z1, z2]);
  };
}

// The CPU engine's kernels are what this profiles.
const engine = await startEngine({ backend: 'cpu' });
const results = [];
for (const kase of CASES) {
  const step = stepOf(kase);
  for (let i = 0; i < 10; i++) await step(); // warm-up
  const started = performance.now();
  for (let i = 0; i < STEPS; i++) await step();
  const wallMs = (performance.now() - started) / STEPS;
  // Profiling times every kernel (and reads its outputs for NaN checks): its wall time is not the step's.
  const profile = await tf.profile(async () => {
    for (let i = 0; i < STEPS; i++) await step();
  });
  const byKernel = new Map<string, number>();
  for (const kernel of profile.kernels) {
    // Ops with custom gradients appear as scopes ("fusedMatMul__op") around the kernels they run: counting both would count twice.
    if (kernel.name.endsWith('__op')) continue;
    const ms = Number(await kernel.kernelTimeMs);
    byKernel.set(kernel.name, (byKernel.get(kernel.name) ?? 0) + ms / STEPS);
  }
  const kernelMs = [...byKernel.values()].reduce((a, b) => a + b, 0);
  const rows = [...byKernel.entries()].map(([kernel, ms]) => ({ kernel, ms, share: ms / wallMs })).sort((a, b) => b.ms - a.ms);
  rows.push({ kernel: 'outside kernels', ms: Math.max(0, wallMs - kernelMs), share: Math.max(0, wallMs - kernelMs) / wallMs });
  results.push({ case: kase.name, wallMs, kernels: rows });
  console.log(`${kase.name}: ${wallMs.toFixed(1)} ms a step`);
  for (const row of rows.slice(0, 12))
    console.log(`  ${row.kernel.padEnd(24)} ${row.ms.toFixed(2).padStart(7)} ms  ${(100 * row.share).toFixed(1).padStart(5)}%`);
}
save('step-profile', { machine: machineInfo(engine), batch: BATCH, steps: STEPS, results });
