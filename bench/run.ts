// npm run bench: one training step (D step + G step) at batch 64 and 256 on
// the stock wasm kernels, the fallback (stock + explicit transposes), the
// native OpenBLAS kernels and PyTorch (course, study and WGAN-GP steps); MNIST
// epochs with their resident memory against PyTorch's epoch; generating 10,000
// PNGs; sampling; a shaping epoch; evaluation. Writes bench/results/*.json and prints ratios to
// PyTorch, measured in one run (these machines are shared and noisy).
// With --backend webgpu it runs the GPU's bench instead (gpu-step.ts).
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine } from '../src/engine/engine.js';
import { bestMs, gankit, gankitWithRss, machineInfo, resultsDir, root, save } from './bench-io.js';
import { useMatMulKernels, type MatMulKernels } from '../src/engine/matmul-kernels.js';
import { Rng } from '../src/engine/rng.js';
import { OBJECTIVE_NAMES } from '../src/objectives/registry.js';
import { newGan } from '../src/training/gan-parts.js';
import { discriminatorStep, generatorStep } from '../src/training/gan-step.js';
import { configFor, requireObjective } from '../src/training/train-config.js';
import { DP_D_STEPS, DP_DEFAULTS, type DpConfig } from '../src/privacy/dp-config.js';
import { dpDiscriminatorStep, poissonSample } from '../src/training/dp-discriminator-step.js';
import { loadImageSet, type ImageSet } from '../src/data/image-set.js';
import { extractAll, NEIGHBOURHOOD_K, type EvaluationResult } from '../src/metrics/evaluation.js';
import { DEFAULT_FEATURE_NETWORK, loadFeatureExtractor, SHIPPED_FEATURE_NETWORKS } from '../src/metrics/feature-extractor.js';
import { classifierScore, logitFid } from '../src/metrics/classifier-score.js';
import { CLASSES } from '../src/models/feature-network.js';
import { fid } from '../src/metrics/fid.js';
import { neighbourhoodMetrics, neighbourRadii } from '../src/metrics/prdc.js';
import { probabilisticPrecisionRecall } from '../src/metrics/probabilistic-precision-recall.js';
import { flopsOf, stepProducts, timeProducts } from './step-floor.js';
import { imageBatch, latentBatch, timeTrainingStep } from './training-step.js';

const BATCHES = [64, 256];

/** timeTrainingStep on one implementation of the matrix-product kernels. */
async function timeStep(kernels: MatMulKernels, ...step: Parameters<typeof timeTrainingStep>): Promise<number> {
  useMatMulKernels(kernels);
  return timeTrainingStep(...step);
}

/**
 * Best mean of training rounds (n_D = 10 D steps, then one G step) at batch 64,
 * private or not; the private one Poisson-samples its real batch from 60,000 examples.
 */
async function timeRound(dp: DpConfig | null, rounds: number): Promise<number> {
  const config = configFor('nonsaturating', { dp, dSteps: DP_D_STEPS });
  const gan = newGan(config, requireObjective('nonsaturating'), new Rng(0));
  const rng = new Rng(2);
  const examples = 60000;
  const round = async () => {
    for (let d = 0; d < DP_D_STEPS; d++) {
      const real = imageBatch(rng, dp ? poissonSample(examples, config.batch / examples, rng).length : config.batch);
      const z = latentBatch(rng, config.batch);
      if (dp) await dpDiscriminatorStep(gan, real, z, rng, { clip: dp.clip, noise: dp.noise!, batch: config.batch });
      else await discriminatorStep(gan, real, z, rng);
      tf.dispose([real, z]);
    }
    const z = latentBatch(rng, config.batch);
    await generatorStep(gan, z);
    z.dispose();
  };
  return bestMs(round, 5, rounds);
}

/** PyTorch's step variants (bench/reference/gan_step.py), each timed with 1 and 2 threads. */
const TORCH_VARIANTS = ['course', 'study', 'wgan-gp'] as const;
type TorchVariant = (typeof TORCH_VARIANTS)[number];
interface TorchReference {
  version: string;
  /** variant → threads → batch → ms per step. */
  msPerStep: Record<TorchVariant, Record<string, Record<string, number>>>;
  epoch: { threads: number; seconds: number; preset: string };
}

function pytorchReference(): TorchReference | { skipped: string } {
  const result = spawnSync('/usr/bin/python3', [join(root, 'bench', 'reference', 'gan_step.py'), ...BATCHES.map(String)], {
    encoding: 'utf8',
  });
  if (result.status !== 0) {
    const reason = /No module named 'torch'/.test(result.stderr ?? '')
      ? "Debian's python3-torch is not installed (apt-get install python3-torch)"
      : `the reference failed: ${(result.stderr || String(result.error)).trim().split('\n').pop()}`;
    return { skipped: reason };
  }
  const parsed = JSON.parse(result.stdout) as { torch: string; ms_per_step: TorchReference['msPerStep']; epoch: TorchReference['epoch'] };
  return { version: parsed.torch, msPerStep: parsed.ms_per_step, epoch: parsed.epoch };
}

// --backend webgpu: the GPU's own bench (gpu-step.ts) instead of this CPU one.
if (parseArgs({ options: { backend: { type: 'string', default: 'cpu' } } }).values.backend === 'webgpu') {
  await import('./gpu-step.js');
  process.exit(0);
}
const engine = await startEngine({ backend: 'cpu' });
if (!engine.native) process.stderr.write('bench: the native kernel is unavailable; its rows are skipped.\n');
const machine = machineInfo(engine);

// 1. One training step.
const kinds: MatMulKernels[] = engine.native ? ['stock', 'fallback', 'native'] : ['stock', 'fallback'];
const stepMs: Record<string, Record<string, number>> = {};
for (const kind of kinds) {
  stepMs[kind] = {};
  for (const batch of BATCHES) {
    // The stock kernels take about a second a step: time fewer of them.
    const steps = kind === 'stock' ? 3 : 20;
    stepMs[kind][batch] = await timeStep(kind, batch, steps, kind === 'stock' ? 1 : 3);
    process.stderr.write(`bench: ${kind} batch ${batch}: ${stepMs[kind][batch].toFixed(1)} ms/step\n`);
  }
}
if (engine.native) useMatMulKernels('native');
const torch = pytorchReference();
/** variant → batch → PyTorch's faster thread count's ms per step. */
const torchBest = {} as Record<TorchVariant, Record<number, number>>;
if ('msPerStep' in torch) {
  for (const variant of TORCH_VARIANTS) {
    const byThreads = Object.values(torch.msPerStep[variant]);
    torchBest[variant] = Object.fromEntries(BATCHES.map((batch) => [batch, Math.min(...byThreads.map((byBatch) => byBatch[batch]))]));
  }
}
// The floor: the step's products alone, hot in cache, on the engine's own product kernel.
const floor: Record<number, { gflop: number; productsMs: number; gflopPerSecond: number }> = {};
for (const batch of BATCHES) {
  const products = stepProducts(batch);
  const productsMs = await timeProducts(products);
  floor[batch] = { gflop: flopsOf(products) / 1e9, productsMs, gflopPerSecond: flopsOf(products) / productsMs / 1e6 };
}
const fastest: MatMulKernels = engine.native ? 'native' : 'fallback';
// The study preset's dropout (masks drawn natively) against the same step without it.
const studyMs: Record<number, number> = {};
for (const batch of BATCHES) studyMs[batch] = await timeStep(engine.native ? 'native' : 'fallback', batch, 20, 3, 'nonsaturating', 'study');
const dropoutCost = Object.fromEntries(BATCHES.map((batch) => [batch, studyMs[batch] / stepMs[engine.native ? 'native' : 'fallback'][batch]]));
save('train-step', {
  machine,
  preset: 'course (no dropout), against PyTorch without dropout; the study preset against PyTorch with dropout 0.3',
  msPerStep: stepMs,
  pytorch: torch,
  pytorchBestOf1And2Threads: torchBest,
  studyPreset: { msPerStep: studyMs, relativeToCourse: dropoutCost },
  floor: {
    note: "the step's matrix products alone (hot caches, the engine's product kernel): the lowest step time on this BLAS and these cores",
    byBatch: floor,
    courseStepOverFloor: Object.fromEntries(BATCHES.map((b) => [b, stepMs[fastest][b] / floor[b].productsMs])),
  },
  target: 'each preset ≤ 0.6× PyTorch at batch 64, ≤ 0.5× at batch 256',
});

// 1b. One step (one D step + one G step, n_critic aside) of every objective at batch 64.
const objectiveKernels = fastest;
const objectiveMs: Record<string, number> = {};
for (const name of OBJECTIVE_NAMES) {
  objectiveMs[name] = await timeStep(objectiveKernels, 64, 20, 3, name);
  process.stderr.write(`bench: ${name}: ${objectiveMs[name].toFixed(1)} ms/step\n`);
}
const relativeToVanilla = Object.fromEntries(Object.entries(objectiveMs).map(([name, ms]) => [name, ms / objectiveMs.nonsaturating]));
const wganGpOverTorch = torchBest['wgan-gp'] ? objectiveMs['wgan-gp'] / torchBest['wgan-gp'][64] : null;
save('objectives', {
  machine,
  kernels: objectiveKernels,
  batch: 64,
  preset: 'course',
  msPerStep: objectiveMs,
  relativeToNonsaturating: relativeToVanilla,
  wganGp: { pytorchMs: torchBest['wgan-gp']?.[64] ?? null, ratio: wganGpOverTorch, target: 'not above 1.15× PyTorch (2026-11-27)' },
  target: 'wgan-gp ≤ 2.5× nonsaturating',
});

// 1c. A DP training round against the non-private round with the same n_D.
const dpSettings: DpConfig = { ...DP_DEFAULTS, noise: 1 };
const roundMs = { private: await timeRound(dpSettings, 3), nonPrivate: await timeRound(null, 3) };
save('dp-round', {
  machine,
  batch: 64,
  dSteps: DP_D_STEPS,
  preset: 'study (dropout in both rounds)',
  msPerRound: roundMs,
  ratio: roundMs.private / roundMs.nonPrivate,
  target: '≤ 1.2×',
});
process.stderr.write(`bench: DP round ${roundMs.private.toFixed(1)} ms, non-private ${roundMs.nonPrivate.toFixed(1)} ms\n`);

// 2. Three full MNIST epochs at batch 64 in one process (time per epoch, and its
// resident memory every 2 s: it must stay flat), then 10,000 PNGs from that run.
const EPOCHS = 3;
const scratch = mkdtempSync(join(tmpdir(), 'gankit-bench-'));
const run = join(scratch, 'run');
const training = await gankitWithRss(['train', '--epochs', String(EPOCHS), '--out', run, '--log-every', '1000'], 2000);
const epochSeconds = Number(/\(([\d.]+) s of training\)/.exec(training.stdout)![1]) / EPOCHS;
// Medians: each checkpoint lifts RSS for a moment; growth between the first and last third would be a leak.
const third = Math.floor(training.rss.length / 3);
const medianMb = (samples: [number, number][]) => samples.map(([, mb]) => mb).sort((x, y) => x - y)[Math.floor(samples.length / 2)];
const rss = {
  firstThirdMedianMb: medianMb(training.rss.slice(0, third)),
  lastThirdMedianMb: medianMb(training.rss.slice(-third)),
  everyTwoSeconds: training.rss,
};
const epochOverTorch = 'epoch' in torch ? epochSeconds / torch.epoch.seconds : null;
const generation = gankit(['generate', '--run', run, '--n', '10000', '--out', join(scratch, 'pngs')]);
save('epoch-and-generation', {
  machine,
  mnistEpochBatch64: {
    preset: 'study (the default)',
    epochs: EPOCHS,
    trainSecondsPerEpoch: epochSeconds,
    wallSeconds: training.seconds,
    peakRssMb: training.peakRssMb,
    pytorchEpochSeconds: 'epoch' in torch ? torch.epoch : null,
    ratio: epochOverTorch,
    target: '≤ 0.6× PyTorch',
    rss,
  },
  generate10000Png: { wallSeconds: generation.seconds, peakRssMb: generation.peakRssMb },
});

// 3. 10,000 samples (as PNGs) with each sampler and refiner, from the same run.
const SAMPLING: Record<string, string[]> = {
  gaussian: ['--sampler', 'gaussian'],
  lsi: ['--sampler', 'lsi'],
  dirichlet: ['--sampler', 'dirichlet'],
  slerp: ['--sampler', 'slerp'],
  truncation: ['--sampler', 'truncation'],
  'cs (layer 3, K=50)': ['--refine', 'cs', '--cs-layer', '3', '--cs-steps', '50'],
  'lsi + cs': ['--sampler', 'lsi', '--refine', 'cs'],
  drs: ['--refine', 'drs'],
};
const samplingSeconds: Record<string, number> = {};
for (const [name, args] of Object.entries(SAMPLING)) {
  const out = join(scratch, `sampling-${Object.keys(samplingSeconds).length}`);
  samplingSeconds[name] = gankit(['generate', '--run', run, '--n', '10000', '--out', out, ...args]).seconds;
  rmSync(out, { recursive: true, force: true });
  process.stderr.write(`bench: 10,000 samples with ${name}: ${samplingSeconds[name].toFixed(1)} s\n`);
}
save('sampling', {
  machine,
  note: `wall seconds for 10,000 PNGs from a ${EPOCHS}-epoch MNIST run, start-up included`,
  seconds: samplingSeconds,
  target: 'collaborative sampling of 10,000 samples ≤ 20 s',
});
// 3b. One epoch of discriminator shaping of that run (its cost depends on D: CS stops early).
const shaping = gankit(['shape', '--run', run, '--epochs', '1']);
const shapingSeconds = Number(/in ([\d.]+) s/.exec(shaping.stdout)![1]);
save('shaping', {
  machine,
  run: `this bench's ${EPOCHS}-epoch run (seed 0)`,
  epochs: 1,
  seconds: shapingSeconds,
  wallSeconds: shaping.seconds,
  target: '≤ 200 s (half of 400 s, 2026-11-27)',
});
// 4. Evaluation of the 10,000 generated PNGs against MNIST test, with each shipped
// feature network (v2 may take at most 1.1× v1's time), and agreement with the
// numpy/scipy reference on the default network's features and logits.
const pngs = join(scratch, 'pngs');
const evaluateSeconds: Record<string, { evaluate: number; wall: number }> = {};
let evaluated: EvaluationResult | undefined;
for (const network of [...SHIPPED_FEATURE_NETWORKS].reverse()) {
  const run = gankit(['evaluate', '--samples', pngs, '--features', network, '--json', '--out', join(scratch, `eval-${network}.json`)]);
  const result = JSON.parse(run.stdout) as EvaluationResult;
  evaluateSeconds[network] = { evaluate: result.seconds, wall: run.seconds };
  if (network === DEFAULT_FEATURE_NETWORK) evaluated = result;
}
const v2OverV1 = evaluateSeconds['mnist-v2'].evaluate / evaluateSeconds['mnist-v1'].evaluate;
const extractor = await loadFeatureExtractor();
// The same extraction evaluate does, keeping the logits for the classifier's views.
const featuresOf = async (set: ImageSet) => {
  const { features, logits } = await extractAll(extractor, set, () => undefined);
  return { features, logits: logits! };
};
const real = await featuresOf(loadImageSet('mnist', { split: 'test' }));
const fake = await featuresOf(loadImageSet(pngs));
const renamed = ({ precision, recall }: { precision: number; recall: number }) => ({ pPrecision: precision, pRecall: recall });
const radii = await neighbourRadii(real.features, fake.features, NEIGHBOURHOOD_K.k, NEIGHBOURHOOD_K.densityK);
const ours = {
  fid: fid(real.features, fake.features),
  ...(await neighbourhoodMetrics(real.features, fake.features, radii)),
  ...renamed(await probabilisticPrecisionRecall(real.features, fake.features, radii)),
  classifierScore: classifierScore(fake.logits, CLASSES),
  logitFid: logitFid(real.logits, fake.logits, CLASSES),
};
const scratchFiles = { 'real.f32': real.features.values, 'fake.f32': fake.features.values, 'real-logits.f32': real.logits, 'fake-logits.f32': fake.logits };
for (const [name, values] of Object.entries(scratchFiles)) writeFileSync(join(scratch, name), new Uint8Array(values.buffer));
const reference = spawnSync(
  '/usr/bin/python3',
  [
    join(root, 'bench', 'reference', 'metrics.py'),
    ...Object.keys(scratchFiles)
      .slice(0, 2)
      .map((f) => join(scratch, f)),
    String(real.features.dims),
    ...Object.keys(scratchFiles)
      .slice(2)
      .map((f) => join(scratch, f)),
  ],
  { encoding: 'utf8' },
);
const referenceMetrics = reference.status === 0 ? (JSON.parse(reference.stdout) as Record<string, number>) : undefined;
const relative = (key: 'fid' | 'classifierScore' | 'logitFid') => Math.abs(ours[key] - referenceMetrics![key]) / Math.abs(referenceMetrics![key]);
const agreement = referenceMetrics
  ? {
      fidRelativeDifference: relative('fid'),
      classifierScoreRelativeDifference: relative('classifierScore'),
      logitFidRelativeDifference: relative('logitFid'),
      // The k-NN metrics count comparisons: the same counts, or how far apart.
      largestKnnDifference: Math.max(...(['precision', 'recall', 'density', 'coverage'] as const).map((key) => Math.abs(ours[key] - referenceMetrics[key]))),
      largestProbabilisticDifference: Math.max(...(['pPrecision', 'pRecall'] as const).map((key) => Math.abs(ours[key] - referenceMetrics[key]))),
    }
  : { skipped: `the numpy/scipy reference failed: ${reference.stderr?.trim().split('\n').pop()}` };
save('evaluate', { machine, features: evaluated!.features, seconds: evaluateSeconds, v2OverV1, ours, reference: referenceMetrics ?? null, agreement });
rmSync(scratch, { recursive: true, force: true });

// 5. The tables.
const rows: string[][] = [['', ...BATCHES.map((b) => `batch ${b} ms`), ...BATCHES.map((b) => `÷ PyTorch @${b}`), ...BATCHES.map((b) => `÷ floor @${b}`)]];
const overFloor = (ms: number, batch: number) => (ms / floor[batch].productsMs).toFixed(2);
const ratio = (ms: number, variant: TorchVariant, batch: number) => (torchBest[variant] ? (ms / torchBest[variant][batch]).toFixed(2) : 'n/a');
for (const kind of kinds) {
  const ms = stepMs[kind];
  rows.push([
    `tfjs wasm, ${kind}`,
    ...BATCHES.map((b) => ms[b].toFixed(1)),
    ...BATCHES.map((b) => ratio(ms[b], 'course', b)),
    ...BATCHES.map((b) => overFloor(ms[b], b)),
  ]);
}
const torchRow = (label: string, variant: TorchVariant) =>
  rows.push([label, ...BATCHES.map((b) => torchBest[variant][b].toFixed(1)), '1.00', '1.00', ...BATCHES.map((b) => overFloor(torchBest[variant][b], b))]);
if ('msPerStep' in torch) torchRow(`PyTorch ${torch.version} (best of 1, 2 threads)`, 'course');
rows.push([
  'study preset (dropout), fastest kernels',
  ...BATCHES.map((b) => studyMs[b].toFixed(1)),
  ...BATCHES.map((b) => ratio(studyMs[b], 'study', b)),
  ...BATCHES.map((b) => overFloor(studyMs[b], b)),
]);
if ('msPerStep' in torch) torchRow('PyTorch, dropout 0.3', 'study');
rows.push([
  "floor: the step's products alone",
  ...BATCHES.map((b) => floor[b].productsMs.toFixed(1)),
  ...BATCHES.map((b) => ratio(floor[b].productsMs, 'course', b)),
  '1.00',
  '1.00',
]);
const widths = rows[0].map((_, c) => Math.max(...rows.map((r) => r[c].length)));
console.log('One training step (D step + G step); each preset against PyTorch with the same dropout:');
for (const row of rows) console.log(row.map((cell, c) => cell.padEnd(widths[c])).join('  '));
if ('skipped' in torch) console.log(`PyTorch reference skipped: ${torch.skipped}.`);
console.log(
  `Floor: ${BATCHES.map((b) => `batch ${b}: ${floor[b].gflop.toFixed(2)} GFLOP a step, products at ${floor[b].gflopPerSecond.toFixed(0)} GFLOP/s`).join('; ')}`,
);
console.log('One step (D + G) at batch 64 by objective (ms, and ÷ nonsaturating):');
for (const [name, ms] of Object.entries(objectiveMs)) console.log(`  ${name.padEnd(16)} ${ms.toFixed(1).padStart(7)}  ${relativeToVanilla[name].toFixed(2)}`);
console.log(
  `One round at batch 64 (${DP_D_STEPS} D steps + 1 G step): DP ${roundMs.private.toFixed(1)} ms, non-private ${roundMs.nonPrivate.toFixed(1)} ms, ratio ${(roundMs.private / roundMs.nonPrivate).toFixed(2)}`,
);
if (wganGpOverTorch !== null) console.log(`WGAN-GP step ÷ PyTorch's: ${wganGpOverTorch.toFixed(2)} (${torchBest['wgan-gp'][64].toFixed(1)} ms)`);
console.log(
  `MNIST epoch at batch 64 (mean of ${EPOCHS}): ${epochSeconds.toFixed(1)} s of training` +
    `${epochOverTorch === null ? '' : `, ${epochOverTorch.toFixed(2)}× PyTorch's ${(torch as TorchReference).epoch.seconds.toFixed(1)} s`}; ` +
    `RSS median ${rss.firstThirdMedianMb.toFixed(0)} MB in the first third, ${rss.lastThirdMedianMb.toFixed(0)} MB in the last; peak ${training.peakRssMb.toFixed(0)} MB`,
);
console.log(`One epoch of discriminator shaping: ${shapingSeconds.toFixed(1)} s`);
console.log(`10,000 PNGs: ${generation.seconds.toFixed(1)} s wall, including start-up`);
console.log('10,000 samples by sampler and refiner (wall s, PNGs written):');
for (const [name, seconds] of Object.entries(samplingSeconds)) console.log(`  ${name.padEnd(20)} ${seconds.toFixed(1)}`);
console.log(
  `evaluate, 10,000 vs 10,000: ${Object.entries(evaluateSeconds)
    .map(([network, t]) => `${network} ${t.evaluate.toFixed(1)} s (${t.wall.toFixed(1)} s wall)`)
    .join(', ')}; v2 ÷ v1 ${v2OverV1.toFixed(2)}; vs numpy/scipy: ${JSON.stringify(agreement)}`,
);
console.log(`Results: ${resultsDir}/train-step.json, objectives.json, dp-round.json, epoch-and-generation.json, sampling.json, shaping.json, evaluate.json`);
