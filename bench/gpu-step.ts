// npm run bench -- --backend webgpu: a training step (D step + G step, the
// course preset, non-saturating) at batch 64, 256 and 1024 on the WebGPU
// backend, and an MNIST epoch of the study preset at batch 64 through `gankit
// train`; beside PyTorch's same step and epoch on CUDA where a CUDA build of
// torch is at hand, in the same run. Writes bench/results/gpu-step.json, naming the adapter.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine } from '../src/engine/engine.js';
import { readMetrics } from '../src/run/metrics-log.js';
import { gankit, machineInfo, root, save } from './bench-io.js';
import { timeTrainingStep } from './training-step.js';

const BATCHES = [64, 256, 1024];
const MNIST_IMAGES = 60000;
// A software adapter (lavapipe) takes about a second a step: its epoch is timed on 100 steps and scaled.
const SOFTWARE_EPOCH_IMAGES = 6400;

/** PyTorch's step and epoch on CUDA, or why they were not measured. */
function torchCuda() {
  // A CUDA build of torch, where it is not Debian's (CPU-only) python3: GANKIT_TORCH_PYTHON names its interpreter.
  const python = process.env.GANKIT_TORCH_PYTHON ?? '/usr/bin/python3';
  const result = spawnSync(python, [join(root, 'bench', 'reference', 'gan_step.py'), '--device', 'cuda', ...BATCHES.map(String)], { encoding: 'utf8' });
  if (result.status !== 0) return { skipped: (result.stderr || String(result.error)).trim().split('\n').pop() };
  const parsed = JSON.parse(result.stdout) as {
    torch: string;
    ms_per_step: { course: { cuda: Record<string, number> } };
    epoch: { seconds: number; device: string };
  };
  return { version: parsed.torch, msPerStep: parsed.ms_per_step.course.cuda, epoch: parsed.epoch };
}

const engine = await startEngine({ backend: 'webgpu' });
const webgpuMs: Record<string, number> = {};
for (const batch of BATCHES) {
  webgpuMs[batch] = await timeTrainingStep(batch, 10, 3);
  process.stderr.write(`bench: webgpu batch ${batch}: ${webgpuMs[batch].toFixed(1)} ms/step\n`);
}

// The epoch: the study preset (dropout), batch 64, as `gankit train` runs it, on this backend.
const images = engine.adapter!.software ? SOFTWARE_EPOCH_IMAGES : MNIST_IMAGES;
const scratch = mkdtempSync(join(tmpdir(), 'gankit-gpu-bench-'));
process.env.GANKIT_BACKEND = 'webgpu';
const training = gankit(['train', '--epochs', '1', '--limit', String(images), '--out', join(scratch, 'run'), '--log-every', '100000']);
const trainSeconds = readMetrics(join(scratch, 'run', 'metrics.jsonl')).at(-1)!.trainSeconds!;
rmSync(scratch, { recursive: true, force: true });
const epoch = { images, trainSeconds, wallSeconds: training.seconds, mnistEpochSeconds: (trainSeconds * MNIST_IMAGES) / images };
process.stderr.write(`bench: webgpu epoch (study preset, batch 64): ${epoch.mnistEpochSeconds.toFixed(1)} s for 60,000 images\n`);

const torch = torchCuda();
const ratios =
  'msPerStep' in torch && torch.msPerStep
    ? {
        stepOverTorch: Object.fromEntries(BATCHES.map((batch) => [batch, webgpuMs[batch] / torch.msPerStep[batch]])),
        epochOverTorch: epoch.mnistEpochSeconds / torch.epoch.seconds,
      }
    : undefined;
save('gpu-step', {
  machine: machineInfo(engine),
  note: 'ms for one D step and one G step (course preset, non-saturating); the epoch is the study preset at batch 64',
  webgpuMsPerStep: webgpuMs,
  epoch,
  torchCuda: torch,
  ratios,
  targets: { stepAt64: '≤ 3× PyTorch CUDA', stepAt1024: '≤ 2× PyTorch CUDA', mnistEpoch: '≤ 15 s on an H100' },
});
