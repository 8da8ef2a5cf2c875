import * as tf from '@tensorflow/tfjs-core';
import { Command } from 'commander';
import { basename } from 'node:path';
import { startEngine } from '../engine/engine.js';
import { deriveRng, Rng } from '../engine/rng.js';
import { loadImageSet } from '../data/image-set.js';
import { saveShapedDiscriminator, shapeDiscriminator } from '../sampling/discriminator-shaping.js';
import { hasStoppedShaping, loadStoppedShaping, removeStoppedShaping, saveStoppedShaping, type ShapingRecord } from '../sampling/stopped-shaping.js';
import { logitDiscriminator, openRun } from '../run/trained-run.js';
import { DataError, UsageError } from '../errors.js';
import { runPaths } from '../run/run-directory.js';
import { addRunOptions, type RunFlags } from './run-options.js';
import { nonNegativeInteger, positiveInteger, positiveNumber } from './arguments.js';
import { createProgress } from './progress.js';
import { addCsOptions, csOptionsFrom, type CsFlags } from './sampling-options.js';
import { onStopSignals } from './stop-signals.js';

interface ShapeFlags extends CsFlags, RunFlags {
  run: string;
  epochs: number;
  lr: number;
  batch: number;
  limit?: number;
  seed: number;
  resume?: boolean;
}

/** The flags a resumed shaping cannot take: it continues with its saved settings. */
const SHAPING_FLAGS = ['epochs', 'lr', 'batch', 'limit', 'seed', 'csLayer', 'csSteps', 'csRate', 'csEta', 'csSelect', 'data', 'ema', 'checkpoint'] as const;
const flagName = (key: string) => `--${key === 'ema' ? 'no-ema' : key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;

async function runShape(flags: ShapeFlags, command: Command): Promise<void> {
  await startEngine();
  if (flags.resume) {
    const given = SHAPING_FLAGS.filter((key) => command.getOptionValueSource(key) === 'cli');
    if (given.length) throw new UsageError(`--resume continues the stopped shaping with its saved settings; drop ${given.map(flagName).join(', ')}.`);
  }
  const resumed = flags.resume ? await loadStoppedShaping(flags.run) : undefined;
  // A resumed shaping samples the generator of the checkpoint it started from.
  const run = await openRun(
    flags.run,
    resumed ? { ema: resumed.stopped.record.generator === 'ema', checkpoint: basename(resumed.stopped.record.fromCheckpoint) } : flags,
  );
  let record: ShapingRecord;
  if (resumed) {
    record = resumed.stopped.record;
  } else {
    if (hasStoppedShaping(run.directory))
      process.stderr.write(`gankit: starting over; the shaping stopped earlier in ${run.directory} is replaced (--resume would have continued it).\n`);
    // Shaping starts from the trained D; η is measured with it.
    const cs = csOptionsFrom(flags, logitDiscriminator(run), run.config.data);
    const options = {
      epochs: flags.epochs,
      lr: flags.lr,
      beta1: run.config.beta1,
      beta2: run.config.beta2,
      batch: flags.batch,
      dropout: run.config.dropoutD,
      cs,
    };
    record = {
      options,
      data: flags.data ?? run.config.data,
      limit: flags.limit ?? null,
      seed: flags.seed,
      fromCheckpoint: run.checkpoint,
      generator: run.generatorKind,
    };
  }
  const adam = tf.train.adam(record.options.lr, record.options.beta1, record.options.beta2);
  await resumed?.restoreOptimizer(adam);
  const discriminator = resumed?.discriminator ?? logitDiscriminator(run);
  const images = loadImageSet(record.data, { limit: record.limit ?? undefined });
  const rng = resumed ? Rng.fromState(resumed.stopped.rng) : deriveRng(record.seed, 'shape');
  const { options } = record;
  const progress = createProgress('shape epoch {epoch} |{bar}| {percentage}% | D loss {loss} | ETA {eta_formatted}');
  const stepsPerEpoch = Math.floor(images.count / options.batch);
  const from = resumed?.stopped.position;
  if (from && (from.order.length !== images.count || from.step > stepsPerEpoch || from.epoch > options.epochs)) {
    throw new DataError(
      `${runPaths(run.directory).stoppedShaping} does not fit ${images.source} (${images.count} images): it is damaged, or the data changed.`,
    );
  }
  progress.start(options.epochs * stepsPerEpoch, from ? (from.epoch - 1) * stepsPerEpoch + from.step : 0, {
    epoch: `${from?.epoch ?? 1}/${options.epochs}`,
    loss: '–',
  });
  const started = performance.now();
  const stop = onStopSignals('stopping after this step and saving the shaping so far');
  let stoppedAt;
  try {
    stoppedAt = await shapeDiscriminator(
      run.generator,
      discriminator,
      images,
      rng,
      adam,
      options,
      {
        onStep: (p) => {
          progress.update((p.epoch - 1) * p.stepsPerEpoch + p.step, { epoch: `${p.epoch}/${options.epochs}`, loss: p.loss.toFixed(3) });
          // Without a terminal (a log, a Slurm job), one line per epoch instead of the bar.
          if (!process.stderr.isTTY && p.step === p.stepsPerEpoch)
            process.stderr.write(`shape epoch ${p.epoch}/${options.epochs}: D loss ${p.loss.toFixed(3)}\n`);
        },
        stopRequested: stop.requested,
      },
      from,
    );
  } finally {
    progress.stop();
    stop.release();
  }
  const seconds = (resumed?.stopped.seconds ?? 0) + (performance.now() - started) / 1000;
  if (stoppedAt) {
    await saveStoppedShaping(run.directory, discriminator, adam, { record, position: stoppedAt, rng: rng.state(), seconds });
    process.stdout.write(`Stopped at shaping epoch ${stoppedAt.epoch}, step ${stoppedAt.step}. gankit shape --run ${run.directory} --resume continues it.\n`);
    process.exitCode = stop.exitCode();
    return;
  }
  const saved = await saveShapedDiscriminator(run.directory, discriminator, {
    ...options,
    images: images.count,
    source: images.source,
    fromCheckpoint: run.checkpoint,
    generator: run.generatorKind,
    seconds,
  });
  removeStoppedShaping(run.directory);
  process.stdout.write(`Shaped D for ${options.epochs} epoch(s) in ${seconds.toFixed(1)} s: ${saved}. gankit generate --refine cs now uses it.\n`);
}

export function shapeCommand(): Command {
  const command = new Command('shape')
    .description('discriminator shaping for collaborative sampling: fine-tune D against refined samples, G frozen')
    .requiredOption('--run <dir>', 'run directory written by gankit train')
    .option('--epochs <n>', 'shaping epochs (the study compared 1 and 5)', positiveInteger, 1)
    .option('--lr <rate>', "D's Adam learning rate", positiveNumber, 1e-5)
    .option('--batch <n>', 'batch size', positiveInteger, 64)
    .option('--limit <n>', 'shape on the first N images only', positiveInteger)
    .option('--seed <s>', 'seed of the shuffling and latents', nonNegativeInteger, 0)
    .option('--resume', 'continue a shaping stopped by Ctrl-C or SIGTERM, with its saved settings');
  return addRunOptions(addCsOptions(command)).action(runShape);
}
