import { Command } from 'commander';
import { writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { startEngine } from '../engine/engine.js';
import { loadImageSet } from '../data/image-set.js';
import { loadModel, saveModel } from '../models/model-files.js';
import { classifierAccuracy, FEATURE_TRAINING_DEFAULTS, trainFeatureNetwork } from '../models/feature-training.js';
import { datasetNetworkDirectory, identifyFeatureNetwork, SHIPPED_FEATURE_NETWORKS, shippedNetworkFile } from '../metrics/feature-extractor.js';
import { UsageError } from '../errors.js';
import { nonNegativeInteger, nonNegativeNumber, positiveInteger, positiveNumber } from './arguments.js';
import { createProgress } from './progress.js';

interface FeaturesFlags {
  data: string;
  out?: string;
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
  outlierWeight: number;
  trainNoise: number;
  stability: number;
  init?: string;
}

/** Where to save, refusing the shipped networks: every MNIST score recorded so far names them by their hash. */
function outputDirectory(flags: FeaturesFlags): string {
  const shipped = SHIPPED_FEATURE_NETWORKS.map((name) => resolve(dirname(shippedNetworkFile(name))));
  if (flags.data === 'mnist' && !flags.out) {
    throw new UsageError(
      `The shipped networks (${SHIPPED_FEATURE_NETWORKS.join(', ')}) score MNIST; give --out DIR for one of your own, then evaluate --features DIR.`,
    );
  }
  const out = flags.out ?? datasetNetworkDirectory(flags.data);
  if (shipped.includes(resolve(out))) throw new UsageError(`${out} holds a shipped feature network; give --out another directory.`);
  return out;
}

async function runFeaturesTrain(flags: FeaturesFlags): Promise<void> {
  const out = outputDirectory(flags);
  await startEngine();
  const init = flags.init === undefined ? undefined : identifyFeatureNetwork(flags.init);
  const start = init && (await loadModel(dirname(init.file)));
  const train = loadImageSet(flags.data, { split: 'train' });
  const test = loadImageSet(flags.data, { split: 'test' });
  const progress = createProgress('features epoch {epoch} |{bar}| {percentage}% | loss {loss} | ETA {eta_formatted}');
  const stepsPerEpoch = Math.floor(train.count / flags.batch);
  progress.start(flags.epochs * stepsPerEpoch, 0, { epoch: `1/${flags.epochs}`, loss: '–' });
  const started = performance.now();
  const onStep = (epoch: number, step: number, steps: number, loss: number) => {
    progress.update((epoch - 1) * steps + step, { epoch: `${epoch}/${flags.epochs}`, loss: loss.toFixed(3) });
    if (!process.stderr.isTTY && step === steps) process.stderr.write(`epoch ${epoch}/${flags.epochs}: loss ${loss.toFixed(4)}\n`);
  };
  const model = await trainFeatureNetwork(train, flags, onStep, start);
  progress.stop();
  const accuracy = await classifierAccuracy(model, test);
  const seconds = (performance.now() - started) / 1000;
  await saveModel(model, out);
  // How the network was made, beside it: every setting, the network it started from, and what it scored.
  const { data, epochs, batch, lr, seed, outlierWeight, trainNoise, stability } = flags;
  const startedFrom = init && { network: init.network, sha256: init.sha256 };
  const record = { data, init: startedFrom ?? null, epochs, batch, lr, seed, outlierWeight, trainNoise, stability, testAccuracy: accuracy, seconds };
  writeFileSync(join(out, 'training.json'), `${JSON.stringify(record, null, 2)}\n`);
  process.stdout.write(`Trained in ${seconds.toFixed(0)} s; test accuracy ${(100 * accuracy).toFixed(2)}% on ${test.count} images. Saved ${out}/model.json\n`);
}

export function featuresCommand(): Command {
  const features = new Command('features').description('the feature network the metrics use');
  features
    .command('train')
    .description("train the feature network (a small CNN classifier) on a dataset's training split")
    .addHelpText('after', '\nmnist-v3 was made with: gankit features train --data mnist --init mnist-v2 --epochs 2 --lr 3e-4 --out DIR')
    .option('--data <source>', 'mnist, or a directory of IDX files with labels', 'mnist')
    .option('--out <dir>', 'where to save it (default: DATA/feature-network; required for mnist, whose shipped networks stay as they are)')
    .option('--epochs <n>', 'epochs', positiveInteger, FEATURE_TRAINING_DEFAULTS.epochs)
    .option('--batch <n>', 'batch size', positiveInteger, FEATURE_TRAINING_DEFAULTS.batch)
    .option('--lr <rate>', "Adam's learning rate", positiveNumber, FEATURE_TRAINING_DEFAULTS.lr)
    .option('--seed <s>', 'seed of the weights and shuffling', nonNegativeInteger, FEATURE_TRAINING_DEFAULTS.seed)
    .option('--init <name|dir>', 'fine-tune this network (a shipped one, or a directory from features train) instead of fresh weights')
    .option(
      '--outlier-weight <w>',
      'weight of outlier exposure: non-digit images it must answer "not a digit" (0: digits only, as mnist-v2)',
      nonNegativeNumber,
      FEATURE_TRAINING_DEFAULTS.outlierWeight,
    )
    .option(
      '--train-noise <sigma>',
      'every digit also comes with a noisy copy, pixel noise of σ up to this, classified as the digit (0: none, as mnist-v2)',
      nonNegativeNumber,
      FEATURE_TRAINING_DEFAULTS.trainNoise,
    )
    .option(
      '--stability <w>',
      "weight of the features' move from a digit to its noisy copy, in the starting network's standard deviations (0: none)",
      nonNegativeNumber,
      FEATURE_TRAINING_DEFAULTS.stability,
    )
    .action(runFeaturesTrain)
    .exitOverride();
  return features;
}
