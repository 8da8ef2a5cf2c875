import { Command, Option } from 'commander';
import { existsSync, mkdirSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startEngine } from '../engine/engine.js';
import { deriveRng } from '../engine/rng.js';
import { DataError, UsageError } from '../errors.js';
import { evaluationFileIn, runPaths } from '../run/run-directory.js';
import { readIdx } from '../data/idx.js';
import { labelsFileFor, loadImageSet, type ImageSet } from '../data/image-set.js';
import { EVERY_CLASS_IN_TURN, plannedClasses } from '../models/class-rows.js';
import { fromBytes } from '../data/pixels.js';
import { featureExtractorFor, SHIPPED_FEATURE_NETWORKS } from '../metrics/feature-extractor.js';
import { evaluate, NEIGHBOURHOOD_K, type EvaluationResult, type Images } from '../metrics/evaluation.js';
import { drawImages, mixtureSource } from '../sampling/generate-images.js';
import { gaussian } from '../sampling/latent-samplers.js';
import { describeGenerator, openRun, type TrainedRun } from '../run/trained-run.js';
import { CAS_PROTOCOLS, type CasProtocol } from '../metrics/classification-accuracy-score.js';
import { casWithCeiling, type CasReport } from '../metrics/cas-run.js';
import { addMixtureOption, addRunOptions, checkMixture, describeMixture, type RunFlags } from './run-options.js';
import { nonNegativeInteger, positiveInteger } from './arguments.js';
import { createProgress } from './progress.js';

interface EvaluateFlags extends RunFlags {
  samples?: string;
  run?: string;
  n: number;
  data: string;
  real: 'test' | 'train';
  k: number;
  densityK: number;
  features?: string;
  layer?: string;
  memorisation?: boolean;
  seed: number;
  out?: string;
  json?: boolean;
  cas?: boolean | 'full' | 'short';
}

/** The classes beside an IDX file of samples (gankit generate writes them for a conditional run), when there. */
function readSampleLabels(path: string, count: number): Uint8Array | undefined {
  if (!existsSync(path)) return undefined;
  const labels = readIdx(path);
  if (labels.dims.length !== 1 || labels.dims[0] !== count)
    throw new DataError(`${path} holds ${labels.dims.join('×')} values; the samples' classes need ${count}.`);
  return Uint8Array.from(labels.values);
}

function readSamples(path: string): Images {
  if (!existsSync(path)) throw new DataError(`${path} does not exist.`);
  if (statSync(path).isDirectory()) {
    const set: ImageSet = loadImageSet(path);
    return { pixels: set.pixels, count: set.count, height: set.height, width: set.width, labels: set.labels, source: path };
  }
  const idx = readIdx(path);
  if (idx.dims.length !== 3) throw new DataError(`${path} holds a ${idx.dims.length}-dimensional array; images need 3 dimensions.`);
  const [count, height, width] = idx.dims;
  if (count === 0) throw new DataError(`${path} holds no images.`);
  return { pixels: fromBytes(idx.values), count, height, width, labels: readSampleLabels(labelsFileFor(path), count), source: path };
}

/** `count` samples of the run's G (a conditional G's of every class in turn) from the seed's `stream`, with their classes. */
async function drawSamples(run: TrainedRun, count: number, seed: number, stream: string): Promise<{ pixels: Float32Array; labels?: Uint8Array }> {
  const pixels = await drawImages(mixtureSource(run.generators, gaussian(1), deriveRng(seed, stream), EVERY_CLASS_IN_TURN), count);
  return { pixels, labels: run.config.conditional ? plannedClasses(EVERY_CLASS_IN_TURN, 0, count) : undefined };
}

async function generated(flags: EvaluateFlags, run: TrainedRun): Promise<Images> {
  const { pixels, labels } = await drawSamples(run, flags.n, flags.seed, 'generate');
  const classes = run.config.conditional ? ', every class in turn' : '';
  const source = `${flags.run} (${describeGenerator(run.generatorKind)}${describeMixture(flags)}, ${flags.n} Gaussian samples${classes}, seed ${flags.seed})`;
  return { pixels, count: flags.n, height: 28, width: 28, labels, source };
}

function table(result: EvaluationResult): string {
  const rows: Array<[string, string]> = [
    ['FID', result.fid.toFixed(3)],
    [`P-precision (k=${result.k.precisionRecall})`, result.precision.toFixed(4)],
    [`P-recall (k=${result.k.precisionRecall})`, result.recall.toFixed(4)],
    [`density (k=${result.k.densityCoverage})`, result.density.toFixed(4)],
    [`coverage (k=${result.k.densityCoverage})`, result.coverage.toFixed(4)],
    [`KID (${result.kid.subsets}×${result.kid.subsetSize})`, `${result.kid.mean.toFixed(5)} ± ${result.kid.std.toFixed(5)}`],
  ];
  if (result.modes) {
    rows.push(['classes with ≥ 1%', String(result.modes.classesCovered)]);
    rows.push(['KL from uniform', result.modes.klFromUniform.toFixed(4)]);
    rows.push(['mean confidence', result.modes.meanConfidence.toFixed(4)]);
    rows.push(['class histogram', result.modes.histogram.map((p) => (100 * p).toFixed(1)).join(' ')]);
  }
  if (result.classifier) {
    rows.push(['classifier score (real)', `${result.classifier.score.toFixed(3)} (${result.classifier.realScore.toFixed(3)})`]);
    rows.push(['FID of the logits', result.classifier.logitFid.toFixed(3)]);
  }
  if (result.classes) {
    const { labelAccuracy, perClass, worst } = result.classes;
    if (labelAccuracy !== null) rows.push(['label accuracy', labelAccuracy.toFixed(4)]);
    rows.push(['FID by class', perClass.map((c) => `${c.digit}:${c.fid.toFixed(1)}`).join(' ')]);
    rows.push(['worst class (FID)', `${worst.digit} (${worst.fid.toFixed(1)})`]);
  }
  if (result.cas) {
    const { generated, real } = result.cas;
    rows.push([`CAS (${generated.protocol.name} protocol)`, `${generated.accuracy.toFixed(4)} (real ceiling ${real.accuracy.toFixed(4)})`]);
  }
  if (result.memorisation) {
    const m = result.memorisation;
    rows.push([
      'sample→train NN (p1 p5 p25 p50)',
      Object.values(m.sampleToTrain)
        .map((v) => v.toFixed(2))
        .join(' '),
    ]);
    rows.push([
      'train→train NN (p1 p5 p25 p50)',
      Object.values(m.trainToTrain)
        .map((v) => v.toFixed(2))
        .join(' '),
    ]);
    rows.push(['samples below train p1', m.fractionBelowTrainP1.toFixed(4)]);
  }
  const width = Math.max(...rows.map(([name]) => name.length));
  return [
    `${result.samples.count} samples (${result.samples.source}) vs ${result.real.count} real (${result.real.source})`,
    `features: ${result.features.network} layer ${result.features.layer} (${result.features.dims}-d, sha256 ${result.features.sha256}); ${result.seconds.toFixed(1)} s`,
    ...rows.map(([name, value]) => `  ${name.padEnd(width)}  ${value}`),
  ].join('\n');
}

/** Where the CAS results are kept, beside eval.json. */
const CAS_CACHE = 'cas-cache.json';

/** The CAS of a run's fresh samples (the protocol's count, seeded) or of the given labelled samples, beside its ceiling. */
async function casOf(flags: EvaluateFlags, run: TrainedRun | undefined, fake: Images, protocol: CasProtocol, cacheFile: string): Promise<CasReport> {
  const drawn = run ? await drawSamples(run, protocol.train + protocol.holdOut, flags.seed, 'cas') : undefined;
  const samples = drawn ? { pixels: drawn.pixels, labels: drawn.labels!, count: protocol.train + protocol.holdOut } : { ...fake, labels: fake.labels! };
  const progress = createProgress(`CAS (${protocol.name}) |{bar}| {value}/{total} classifier steps, on the samples then on real images | ETA {eta_formatted}`);
  let started = false;
  try {
    const realTrain = loadImageSet(flags.data, { split: 'train' });
    const realTest = loadImageSet(flags.data, { split: 'test' });
    return await casWithCeiling(samples, realTrain, realTest, protocol, flags.seed, cacheFile, (done, total) => {
      if (!started) progress.start(total, done);
      started = true;
      progress.update(done);
    });
  } finally {
    progress.stop();
  }
}

async function runEvaluate(flags: EvaluateFlags): Promise<void> {
  if (Boolean(flags.samples) === Boolean(flags.run)) throw new UsageError('Give exactly one of --samples and --run.');
  if (flags.layer && !flags.features) throw new UsageError('--layer needs --features.');
  if (flags.mixture && !flags.run) throw new UsageError('--mixture draws from a run: give --run.');
  checkMixture(flags);
  await startEngine();
  const extractor = await featureExtractorFor(flags.data, flags.features, flags.layer);
  const run = flags.run ? await openRun(flags.run, flags) : undefined;
  const fake = run ? await generated(flags, run) : readSamples(flags.samples!);
  const protocol = flags.cas ? CAS_PROTOCOLS[flags.cas === true ? 'full' : flags.cas] : undefined;
  if (protocol && !fake.labels) {
    throw new UsageError('--cas trains a classifier on labelled samples: give a run trained with --conditional, or --samples with their classes.');
  }
  const realSet = loadImageSet(flags.data, { split: flags.real });
  const real: Images = { ...realSet };
  const memorisationTrain = flags.memorisation ? { ...loadImageSet(flags.data, { split: 'train' }) } : undefined;
  const progress = createProgress('evaluate |{bar}| {value}/{total} images featurised | ETA {eta_formatted}');
  progress.start(fake.count + real.count, 0);
  const result = await evaluate(fake, real, extractor, { k: flags.k, densityK: flags.densityK, seed: flags.seed, memorisationTrain }, (done) =>
    progress.update(done),
  );
  progress.stop();
  const out =
    flags.out ?? (flags.run ? runPaths(flags.run).eval : evaluationFileIn(statSync(flags.samples!).isDirectory() ? flags.samples! : dirname(flags.samples!)));
  mkdirSync(dirname(out), { recursive: true });
  if (protocol) result.cas = await casOf(flags, run, fake, protocol, join(dirname(out), CAS_CACHE));
  writeFileSync(out, `${JSON.stringify(result, null, 2)}\n`);
  process.stdout.write(flags.json ? `${JSON.stringify(result)}\n` : `${table(result)}\nWrote ${out}\n`);
}

export function evaluateCommand(): Command {
  const command = new Command('evaluate')
    .description('FID, precision, recall, density, coverage, KID and mode statistics of generated images')
    .option('--samples <path>', 'generated images: a folder of PNGs (as gankit generate writes) or an IDX file')
    .option('--run <dir>', 'a trained run: draws --n Gaussian samples from its generator')
    .option('--n <count>', 'samples to draw with --run', positiveInteger, 10000)
    .option('--data <source>', 'the real images: mnist or a directory of IDX files / PNGs', 'mnist')
    .addOption(new Option('--real <split>', 'which real split to compare with').choices(['test', 'train']).default('test'))
    .option('--k <k>', 'k of precision and recall (P- and k-NN)', positiveInteger, NEIGHBOURHOOD_K.k)
    .option('--density-k <k>', 'k of density and coverage', positiveInteger, NEIGHBOURHOOD_K.densityK)
    .option(
      '--features <name|path>',
      `a shipped feature network (${SHIPPED_FEATURE_NETWORKS.join(', ')}; default for mnist: ${SHIPPED_FEATURE_NETWORKS[0]}), or a TF.js model (layers or graph; its model.json or folder); default for --data DIR: DIR/feature-network`,
    )
    .option('--layer <name>', 'the layer (or graph node) of --features whose output are the features')
    .option('--memorisation', 'also compare each sample with its nearest training image (pixel L2)')
    .option('--seed <s>', 'seed of the samples drawn with --run and of the KID subsets', nonNegativeInteger, 0)
    .option('--out <file>', 'where to write eval.json (default: in the run, or beside the samples)')
    .addOption(
      new Option(
        '--cas [protocol]',
        `Classification Accuracy Score of labelled samples (a conditional run's): full (${CAS_PROTOCOLS.full.train} + ${CAS_PROTOCOLS.full.holdOut} samples, ${CAS_PROTOCOLS.full.epochs} epochs) or short (${CAS_PROTOCOLS.short.train} + ${CAS_PROTOCOLS.short.holdOut}, ${CAS_PROTOCOLS.short.epochs} epochs), beside the same on real images; cached in ${CAS_CACHE}`,
      ).choices(['full', 'short']),
    )
    .option('--json', 'print the result as JSON instead of a table');
  return addMixtureOption(addRunOptions(command)).action(runEvaluate);
}
