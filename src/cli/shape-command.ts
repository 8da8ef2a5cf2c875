import { Command } from 'commander';
import { startEngine } from '../engine/engine.js';
import { deriveRng } from '../engine/rng.js';
import { loadImageSet } from '../data/image-set.js';
import { saveShapedDiscriminator, shapeDiscriminator } from '../sampling/discriminator-shaping.js';
import { logitDiscriminator, openRun } from '../training/trained-run.js';
import { addRunOptions, type RunFlags } from './run-options.js';
import { nonNegativeInteger, positiveInteger, positiveNumber } from './arguments.js';
import { createProgress } from './progress.js';
import { addCsOptions, csOptionsFrom, type CsFlags } from './sampling-options.js';

interface ShapeFlags extends CsFlags, RunFlags {
  run: string;
  epochs: number;
  lr: number;
  batch: number;
  limit?: number;
  seed: number;
}

async function runShape(flags: ShapeFlags): Promise<void> {
  await startEngine();
  const run = await openRun(flags.run, flags);
  // Shaping starts from the trained D; η is measured with it.
  const cs = csOptionsFrom(flags, logitDiscriminator(run), run.config.data);
  const images = loadImageSet(flags.data ?? run.config.data, { limit: flags.limit });
  const progress = createProgress('shape epoch {epoch} |{bar}| {percentage}% | D loss {loss} | ETA {eta_formatted}');
  const stepsPerEpoch = Math.floor(images.count / flags.batch);
  progress.start(flags.epochs * stepsPerEpoch, 0, { epoch: `1/${flags.epochs}`, loss: '–' });
  const started = performance.now();
  const options = {
    epochs: flags.epochs,
    lr: flags.lr,
    beta1: run.config.beta1,
    beta2: run.config.beta2,
    batch: flags.batch,
    dropout: run.config.dropoutD,
    cs,
  };
  shapeDiscriminator(run.generator, run.discriminator, images, deriveRng(flags.seed, 'shape'), options, (p) => {
    progress.update((p.epoch - 1) * p.stepsPerEpoch + p.step, { epoch: `${p.epoch}/${flags.epochs}`, loss: p.loss.toFixed(3) });
  });
  progress.stop();
  const seconds = (performance.now() - started) / 1000;
  const saved = await saveShapedDiscriminator(run.directory, run.discriminator, {
    ...options,
    images: images.count,
    source: images.source,
    fromCheckpoint: run.checkpoint,
    generator: run.generatorKind,
    seconds,
  });
  process.stdout.write(`Shaped D for ${flags.epochs} epoch(s) in ${seconds.toFixed(1)} s: ${saved}. gankit generate --refine cs now uses it.\n`);
}

export function shapeCommand(): Command {
  const command = new Command('shape')
    .description("discriminator shaping for collaborative sampling: fine-tune D against refined samples, G frozen")
    .requiredOption('--run <dir>', 'run directory written by gankit train')
    .option('--epochs <n>', 'shaping epochs (the study compared 1 and 5)', positiveInteger, 1)
    .option('--lr <rate>', "D's Adam learning rate", positiveNumber, 1e-5)
    .option('--batch <n>', 'batch size', positiveInteger, 64)
    .option('--limit <n>', 'shape on the first N images only', positiveInteger)
    .option('--seed <s>', 'seed of the shuffling and latents', nonNegativeInteger, 0);
  return addRunOptions(addCsOptions(command)).action(runShape);
}
