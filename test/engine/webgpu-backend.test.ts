// The WebGPU backend against the CPU engine, on the adapter Dawn finds (Mesa's
// software Vulkan, lavapipe, in CI). Each comparison trains, samples or scores
// the same seeded work on both backends through the command, so the random
// streams, checkpoints and files are the ones a user gets.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { parseIdx } from '../../src/data/idx.js';
import { startEngine } from '../../src/engine/engine.js';
import { probeWebGpu } from '../../src/engine/webgpu-backend.js';
import { readMetrics } from '../../src/run/metrics-log.js';
import { runPaths } from '../../src/run/run-directory.js';
import { configFor } from '../../src/training/train-config.js';
import { train } from '../../src/training/trainer.js';
import { gankitWith } from '../helpers/gankit-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const probe = probeWebGpu();
const skip = 'unavailable' in probe ? `no WebGPU adapter here: ${probe.unavailable}` : false;

const onGpu = (...args: string[]) => gankitWith({ GANKIT_BACKEND: 'webgpu' }, ...args);
const onCpu = (...args: string[]) => gankitWith({ GANKIT_BACKEND: 'cpu' }, ...args);
// DP-SGD's noise is drawn in C on the native engine and in JavaScript elsewhere: the stock CPU kernels draw what the GPU run draws.
const onStockCpu = (...args: string[]) => gankitWith({ GANKIT_BACKEND: 'cpu', GANKIT_NATIVE: '0' }, ...args);

function succeeded(result: ReturnType<typeof gankitWith>): void {
  assert.equal(result.code, 0, result.stderr);
}

/** A kept checkpoint's weights of `part`, as one array. */
const weights = (run: string, step: number, part: 'generator' | 'discriminator') =>
  new Float32Array(readFileSync(join(run, 'checkpoints', `step-${String(step).padStart(9, '0')}`, part, 'weights.bin')).buffer.slice(0));

function largestDifference(a: ArrayLike<number>, b: ArrayLike<number>): number {
  assert.equal(a.length, b.length);
  let largest = 0;
  for (let i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i] - b[i]));
  return largest;
}

// Measured on lavapipe: losses within 1e-6, weights within 4e-6 after 4 Adam steps (float32 sums in another order).
const LOSS_TOLERANCE = 1e-5;
const WEIGHT_TOLERANCE = 2e-5;

function assertSameTraining(gpuRun: string, cpuRun: string, step: number): void {
  // The CPU run may have gone further: its lines up to the GPU run's last.
  const [gpu, cpu] = [gpuRun, cpuRun].map((run) => readMetrics(join(run, 'metrics.jsonl')).filter((line) => line.step !== undefined));
  assert.ok(gpu.length > 0 && cpu.length >= gpu.length);
  gpu.forEach((line, i) => {
    for (const key of ['dLoss', 'gLoss', 'dReal', 'dFake'] as const) {
      const [ours, theirs] = [line[key], cpu[i][key]];
      const same = ours === theirs || (typeof ours === 'number' && typeof theirs === 'number' && Math.abs(ours - theirs) <= LOSS_TOLERANCE);
      assert.ok(same, `${key} at line ${i}: ${ours} on webgpu, ${theirs} on the CPU`);
    }
  });
  for (const part of ['generator', 'discriminator'] as const) {
    const difference = largestDifference(weights(gpuRun, step, part), weights(cpuRun, step, part));
    assert.ok(difference <= WEIGHT_TOLERANCE, `${part} weights differ by ${difference}`);
  }
}

const TRAIN = ['--limit', '256', '--seed', '3', '--keep-every', '1'];

const packageMissing = 'unavailable' in probe && /not installed/.test(probe.unavailable) ? probe.unavailable : false;

test('--backend webgpu without an adapter stops with one sentence, exit 2', { skip: packageMissing }, () => {
  // A Vulkan loader pointed at no driver: Dawn finds no adapter (and says so natively, in the probe's own process).
  const result = gankitWith(
    { VK_DRIVER_FILES: '/nonexistent/icd.json', VK_ICD_FILENAMES: '/nonexistent/icd.json' },
    'train',
    '--backend',
    'webgpu',
    '--out',
    tempDir(),
  );
  assert.equal(result.code, 2);
  assert.equal(
    result.stderr,
    'gankit: --backend webgpu: Dawn found no WebGPU adapter (it needs a Vulkan driver, and the Vulkan loader libvulkan1, on Linux).\n',
  );
});

test('D+G steps on webgpu match the CPU engine; a run moves from GPU to CPU and back', { skip }, () => {
  const [gpu, cpu] = [tempDir(), tempDir()];
  // The GPU run trains epoch 1 on webgpu, epoch 2 on the CPU, epoch 3 on webgpu again.
  const first = onGpu('train', ...TRAIN, '--epochs', '1', '--out', gpu);
  succeeded(first);
  assert.match(first.stderr, /gankit: computing on the GPU through WebGPU: /);
  succeeded(onCpu('train', ...TRAIN, '--epochs', '3', '--out', cpu));
  assertSameTraining(gpu, cpu, 4);
  // The flag, not only the environment: the backend is not a setting of the run, so a resume may change it.
  succeeded(gankitWith({}, 'train', '--resume', '--backend', 'cpu', '--epochs', '2', '--out', gpu));
  assert.equal('backend' in JSON.parse(readFileSync(join(gpu, 'config.json'), 'utf8')), false);
  succeeded(onGpu('train', '--resume', '--epochs', '3', '--out', gpu));
  assertSameTraining(gpu, cpu, 12);

  // Sampling and scoring on each backend: the same images (to one grey level of rounding), the same scores.
  const samples = (run: (...args: string[]) => ReturnType<typeof gankitWith>, out: string, ...extra: string[]) => {
    succeeded(run('generate', '--run', gpu, '--n', '64', '--format', 'idx', '--out', out, ...extra));
    return parseIdx(readFileSync(out), out).values;
  };
  const dir = tempDir();
  const plain = largestDifference(samples(onGpu, join(dir, 'gpu.idx')), samples(onCpu, join(dir, 'cpu.idx')));
  assert.ok(plain <= 1, `G's samples differ by ${plain} grey levels`);
  const cs = ['--refine', 'cs', '--cs-steps', '3', '--cs-eta', '0.99'];
  const refined = largestDifference(samples(onGpu, join(dir, 'gpu-cs.idx'), ...cs), samples(onCpu, join(dir, 'cpu-cs.idx'), ...cs));
  assert.ok(refined <= 1, `collaborative sampling's samples differ by ${refined} grey levels`);
  // Against other samples of G as the "real" images: 64 against 64, which lavapipe scores in seconds.
  const real = join(dir, 'real');
  mkdirSync(real);
  samples(onCpu, join(real, 't10k-images-idx3-ubyte'), '--seed', '7');
  const scores = (run: (...args: string[]) => ReturnType<typeof gankitWith>) => {
    const result = run(
      'evaluate',
      '--samples',
      join(dir, 'gpu.idx'),
      '--data',
      real,
      '--features',
      'mnist-v3',
      '--json',
      '--out',
      join(tempDir(), 'eval.json'),
    );
    succeeded(result);
    return JSON.parse(result.stdout) as { fid: number; precision: number; recall: number };
  };
  const [gpuScores, cpuScores] = [scores(onGpu), scores(onCpu)];
  // Features within float rounding: FID to 1e-3 of itself, the (probabilistic) precision and recall to 1e-4.
  assert.ok(Math.abs(gpuScores.fid - cpuScores.fid) <= 1e-3 * cpuScores.fid, `FID ${gpuScores.fid} on webgpu, ${cpuScores.fid} on the CPU`);
  for (const key of ['precision', 'recall'] as const) {
    assert.ok(Math.abs(gpuScores[key] - cpuScores[key]) <= 1e-4, `${key} ${gpuScores[key]} on webgpu, ${cpuScores[key]} on the CPU`);
  }
});

test("DP-SGD's per-example clipping and noise on webgpu match the CPU's", { skip }, () => {
  const [gpu, cpu] = [tempDir(), tempDir()];
  const dp = ['--dp', '--dp-noise', '1', '--epochs', '1'];
  succeeded(onGpu('train', ...TRAIN, ...dp, '--out', gpu));
  succeeded(onStockCpu('train', ...TRAIN, ...dp, '--out', cpu));
  const step = readMetrics(join(gpu, 'metrics.jsonl')).at(-1)!.step!;
  assertSameTraining(gpu, cpu, step);
});

test("shaping D on webgpu (collaborative sampling inside each step) matches the CPU's", { skip }, () => {
  const run = tempDir();
  succeeded(onCpu('train', '--limit', '128', '--epochs', '1', '--out', run));
  const shapedWeights = (shape: (...args: string[]) => ReturnType<typeof gankitWith>) => {
    succeeded(shape('shape', '--run', run, '--limit', '128', '--cs-steps', '2', '--lr', '1e-4'));
    return new Float32Array(readFileSync(join(runPaths(run).shaped, 'discriminator', 'weights.bin')).buffer.slice(0));
  };
  const [gpu, cpu] = [shapedWeights(onGpu), shapedWeights(onCpu)];
  // Against how far shaping moved D: two Adam steps of 1e-4.
  const moved = largestDifference(cpu, weights(run, 2, 'discriminator'));
  const difference = largestDifference(gpu, cpu);
  assert.ok(difference <= WEIGHT_TOLERANCE && difference < moved / 20, `the shaped D's weights differ by ${difference}; shaping moved them by ${moved}`);
});

test('GPU memory stays flat over an epoch: no tensor or buffer leaks a step', { skip }, async () => {
  await startEngine({ backend: 'webgpu', quiet: true });
  assert.equal(tf.getBackend(), 'webgpu');
  const usedBuffers = () => (tf.backend() as unknown as { bufferManager: { getNumUsedBuffers(): number } }).bufferManager.getNumUsedBuffers();
  const seen: Array<{ tensors: number; buffers: number }> = [];
  const config = configFor('nonsaturating', { limit: 1280, epochs: 1, seed: 1 });
  await train(config, tempDir(), { hooks: { onStep: () => seen.push({ tensors: tf.memory().numTensors, buffers: usedBuffers() }) } });
  assert.equal(seen.length, 20);
  // From the third step on (Adam's moments exist by then), every step ends where the last did.
  for (const point of seen.slice(3)) assert.deepEqual(point, seen[2], JSON.stringify(seen));
});
