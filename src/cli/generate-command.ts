import { Command, Option } from 'commander';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { startEngine } from '../engine/engine.js';
import { deriveRng } from '../engine/rng.js';
import { UsageError } from '../errors.js';
import { writeIdxUint8 } from '../data/idx.js';
import { encodeGrayPng } from '../data/png-codec.js';
import { PIXEL_MAPPINGS, toBytes, type PixelMapping } from '../data/pixels.js';
import { labelledPngName, labelsFileFor } from '../data/image-set.js';
import { plannedClasses, type ClassPlan } from '../models/class-rows.js';
import { CLASS_COUNT, IMAGE_SIZE } from '../models/gan-models.js';
import { writeGridPng } from '../data/sample-grid.js';
import { loadShapedDiscriminator, shapedAgainst } from '../run/shaped-discriminator.js';
import { collaborativeSource, generateImages, generatorSource, mixtureSource, rejectionSource, type ImageSource } from '../sampling/generate-images.js';
import { lsi, makeSampler, SAMPLER_DEFAULTS, SAMPLER_NAMES, slerp, type SamplerName } from '../sampling/latent-samplers.js';
import { DRS_DEFAULTS } from '../sampling/rejection-sampling.js';
import { describeGenerator, logitDiscriminator, openRun, type TrainedRun } from '../run/trained-run.js';
import { addMixtureOption, addRunOptions, checkMixture, describeMixture, type RunFlags } from './run-options.js';
import { integerInRange, nonNegativeInteger, positiveInteger, positiveNumber } from './arguments.js';
import { createProgress } from './progress.js';
import { addCsOptions, csOptionsFrom, type CsFlags } from './sampling-options.js';

interface GenerateFlags extends CsFlags, RunFlags {
  run: string;
  n: number;
  out?: string;
  grid?: string;
  interpolate?: string;
  format: 'png' | 'idx';
  pixels: PixelMapping;
  seed: number;
  batch: number;
  sampler: SamplerName;
  zStd: number;
  lsiSteps: number;
  dirichletK: number;
  truncation: number;
  refine: 'none' | 'cs' | 'drs';
  class?: number;
  classes?: 'balanced';
  drsBurnIn: number;
  drsPercentile: number;
}

const GRID_MAX = 100;
const INTERPOLATION_ROWS = 10;
const SIDE = 28;

const GROUP_SAMPLERS: readonly SamplerName[] = ['lsi', 'dirichlet', 'slerp'];

/**
 * The classes a conditional run draws: --class's, or every class in turn (one interpolation group per
 * class for the samplers that interpolate, so that each group stays within its class); none for an unconditional run.
 */
function classPlan(flags: GenerateFlags, run: TrainedRun): ClassPlan | undefined {
  if (!run.config.conditional) {
    if (flags.class !== undefined || flags.classes)
      throw new UsageError(`${run.directory} is not conditional; --class and --classes need a run trained with --conditional.`);
    return undefined;
  }
  if (flags.class !== undefined && flags.classes) throw new UsageError('Give --class or --classes, not both.');
  if (flags.refine === 'drs')
    throw new UsageError('--refine drs takes an unconditional run: its acceptance does not keep the classes balanced. Use --refine cs.');
  if (flags.class !== undefined) return { kind: 'one', digit: flags.class };
  const grouped = GROUP_SAMPLERS.includes(flags.sampler);
  // The samplers start a group at every batch: a batch that is not whole groups would let a group span two classes.
  if (grouped && flags.batch % flags.lsiSteps !== 0) {
    throw new UsageError(
      `--batch ${flags.batch} is not a multiple of --lsi-steps ${flags.lsiSteps}: each interpolation group must keep one class. Give a --batch of whole groups.`,
    );
  }
  return { kind: 'balanced', block: grouped ? flags.lsiSteps : 1 };
}

async function imageSource(flags: GenerateFlags, run: TrainedRun, classes: ClassPlan | undefined): Promise<{ source: ImageSource; description: string }> {
  const sampler = makeSampler(flags.sampler, {
    zStd: flags.zStd,
    steps: flags.lsiSteps,
    dirichletK: flags.dirichletK,
    truncation: flags.truncation,
  });
  const base = mixtureSource(run.generators, sampler, deriveRng(flags.seed, 'generate'), classes);
  if (flags.refine === 'cs') {
    const shaped = await loadShapedDiscriminator(run.directory);
    const against = shapedAgainst(run.directory) ?? 'raw';
    if (shaped && against !== run.generatorKind) {
      const flag = against === 'raw' ? 'add --no-ema' : 'drop --no-ema';
      throw new UsageError(`${run.directory}'s D was shaped against its ${against === 'raw' ? 'raw G' : "G's moving average"}; ${flag}, or shape again.`);
    }
    const discriminator = shaped ?? logitDiscriminator(run);
    const cs = await csOptionsFrom(flags, discriminator, run.config.data);
    return {
      source: collaborativeSource(run.generator, discriminator, sampler, deriveRng(flags.seed, 'generate'), cs, classes),
      description: `${flags.sampler} + CS (layer ${cs.layer}, K=${cs.steps}, λ=${cs.rate}, η=${cs.eta.toFixed(4)}, ${shaped ? '' : 'un'}shaped D)`,
    };
  }
  if (flags.refine === 'drs') {
    const options = { ...DRS_DEFAULTS, burnIn: flags.drsBurnIn, gammaPercentile: flags.drsPercentile };
    return {
      source: await rejectionSource(base, logitDiscriminator(run), deriveRng(flags.seed, 'drs'), options, flags.batch),
      description: `${flags.sampler} + DRS (burn-in ${options.burnIn}, γ at the ${options.gammaPercentile}th percentile)`,
    };
  }
  return { source: base, description: flags.sampler };
}

/** Interpolation strips; a conditional run's stay within one class each (--class's, else row r of class r). */
async function writeInterpolation(flags: GenerateFlags, run: TrainedRun, path: string, classes: ClassPlan | undefined): Promise<void> {
  const steps = flags.lsiSteps;
  const interpolate = flags.sampler === 'slerp' ? slerp(steps, flags.zStd) : lsi(steps, flags.zStd);
  const rows = classes?.kind === 'balanced' ? { ...classes, block: steps } : classes;
  const strips = await generatorSource(run.generator, interpolate, deriveRng(flags.seed, 'interpolate'), rows).next(INTERPOLATION_ROWS * steps);
  mkdirSync(dirname(path), { recursive: true });
  writeGridPng(path, strips, INTERPOLATION_ROWS * steps, { columns: steps, pixels: flags.pixels });
}

async function runGenerate(flags: GenerateFlags): Promise<void> {
  if (!flags.out && !flags.grid && !flags.interpolate) {
    throw new UsageError('Nothing to write: give --out, --grid, --interpolate or several.');
  }
  const needsOneGenerator = flags.refine !== 'none' ? `--refine ${flags.refine}` : flags.interpolate ? '--interpolate' : undefined;
  const grouped = GROUP_SAMPLERS.includes(flags.sampler) ? `--sampler ${flags.sampler}` : undefined;
  checkMixture(flags, needsOneGenerator ?? grouped);
  await startEngine();
  const run = await openRun(flags.run, flags);
  const classes = classPlan(flags, run);
  if (flags.interpolate) await writeInterpolation(flags, run, flags.interpolate, classes);
  const { source, description } = await imageSource(flags, run, classes);
  const idxBytes = flags.format === 'idx' ? new Uint8Array(flags.n * IMAGE_SIZE) : undefined;
  const labels = classes && plannedClasses(classes, 0, flags.n);
  const gridCount = Math.min(flags.n, GRID_MAX);
  const gridImages = new Float32Array(gridCount * IMAGE_SIZE);
  if (flags.out && flags.format === 'png') mkdirSync(flags.out, { recursive: true });
  const started = performance.now();
  if (flags.out || flags.grid) {
    const progress = createProgress('generate |{bar}| {value}/{total} images | ETA {eta_formatted}');
    progress.start(flags.n, 0);
    await generateImages(
      source,
      flags.out ? flags.n : gridCount,
      (images, first) => {
        if (first < gridCount) gridImages.set(images.subarray(0, (gridCount - first) * IMAGE_SIZE), first * IMAGE_SIZE);
        const count = images.length / IMAGE_SIZE;
        progress.update(first + count);
        if (!flags.out) return;
        const bytes = toBytes(images, flags.pixels);
        if (idxBytes) {
          idxBytes.set(bytes, first * IMAGE_SIZE);
          return;
        }
        for (let i = 0; i < count; i++) {
          const pixels = bytes.subarray(i * IMAGE_SIZE, (i + 1) * IMAGE_SIZE);
          const name = labels ? labelledPngName(first + i, labels[first + i]) : `${first + i}.png`;
          writeFileSync(join(flags.out, name), encodeGrayPng({ width: SIDE, height: SIDE, pixels }));
        }
      },
      flags.batch,
    );
    progress.stop();
  }
  if (flags.out && idxBytes) {
    mkdirSync(dirname(flags.out), { recursive: true });
    writeIdxUint8(flags.out, [flags.n, SIDE, SIDE], idxBytes);
    if (labels) writeIdxUint8(labelsFileFor(flags.out), [flags.n], labels);
  }
  if (flags.grid) {
    mkdirSync(dirname(flags.grid), { recursive: true });
    writeGridPng(flags.grid, gridImages, gridCount, { columns: 10, pixels: flags.pixels });
  }
  const seconds = (performance.now() - started) / 1000;
  const pngName = (i: number) => (labels ? labelledPngName(i, labels[i]) : `${i}.png`);
  const written = [
    flags.out
      ? idxBytes
        ? `${flags.n} images to ${flags.out}${labels ? ` and their classes to ${labelsFileFor(flags.out)}` : ''}`
        : `${flags.out}/${pngName(0)} … ${pngName(flags.n - 1)}`
      : '',
    flags.grid ? `a grid of ${gridCount} to ${flags.grid}` : '',
    flags.interpolate ? `interpolation strips to ${flags.interpolate}` : '',
  ].filter(Boolean);
  process.stdout.write(
    `Wrote ${written.join(', ')} in ${seconds.toFixed(1)} s from ${describeGenerator(run.generatorKind)}${describeMixture(flags)} with ${description}.\n`,
  );
  const report = Object.entries(source.report());
  if (report.length > 0) process.stdout.write(`${report.map(([key, value]) => `${key} ${Number(value.toFixed(4))}`).join(', ')}\n`);
}

export function generateCommand(): Command {
  const command = new Command('generate')
    .description("draw samples from a trained run's generator")
    .requiredOption('--run <dir>', 'run directory written by gankit train')
    .option('--n <count>', 'number of samples', positiveInteger, 10000)
    .option(
      '--out <path>',
      "directory for 0.png … (n−1).png (a conditional run's name the class: 0-class0.png …); with --format idx, the IDX file to write (a conditional run's classes go beside it: …-images-idx3-ubyte → …-labels-idx1-ubyte, else FILE-labels-idx1-ubyte)",
    )
    .option('--grid <file.png>', 'also write a grid of the first (up to 100) samples')
    .option('--interpolate <file.png>', `also write ${INTERPOLATION_ROWS} interpolation strips, rows from z1 to z2 (slerp with --sampler slerp)`)
    .addOption(new Option('--format <format>', 'png files or one IDX file').choices(['png', 'idx']).default('png'))
    .addOption(
      new Option('--pixels <mapping>', 'symmetric: [-1,1]→[0,255]; clamp: round(255·clamp(x,0,1)), as the course generate.py')
        .choices(PIXEL_MAPPINGS)
        .default('symmetric'),
    )
    .option('--class <digit>', 'a conditional run: draw every sample of this class', integerInRange(0, CLASS_COUNT - 1))
    .addOption(
      new Option(
        '--classes <plan>',
        'a conditional run: balanced, every class in turn (the default; one interpolation group each for lsi, slerp and dirichlet)',
      ).choices(['balanced']),
    )
    .option('--seed <s>', 'seed of the latents', nonNegativeInteger, 0)
    .option('--batch <n>', 'samples per forward pass', positiveInteger, 500)
    .addOption(new Option('--sampler <name>', 'latent sampler').choices(SAMPLER_NAMES).default('gaussian'))
    .option('--z-std <s>', 'standard deviation of the latents', positiveNumber, SAMPLER_DEFAULTS.zStd)
    .option('--lsi-steps <n>', 'points per interpolation group (lsi, dirichlet, slerp, --interpolate)', positiveInteger, SAMPLER_DEFAULTS.steps)
    .option('--dirichlet-k <k>', 'latents combined by the dirichlet sampler', positiveInteger, SAMPLER_DEFAULTS.dirichletK)
    .option('--truncation <t>', 'truncation sampler: redraw components with |z_i| > t', positiveNumber, SAMPLER_DEFAULTS.truncation)
    .addOption(
      new Option('--refine <method>', 'cs: collaborative sampling; drs: discriminator rejection sampling').choices(['none', 'cs', 'drs']).default('none'),
    )
    .option('--drs-burn-in <n>', "proposals that estimate D's maximum logit", positiveInteger, DRS_DEFAULTS.burnIn)
    .option('--drs-percentile <p>', 'γ: this percentile of F over the burn-in', positiveNumber, DRS_DEFAULTS.gammaPercentile);
  return addMixtureOption(addRunOptions(addCsOptions(command))).action(runGenerate);
}
