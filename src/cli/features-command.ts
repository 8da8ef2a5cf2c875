import { Command } from 'commander';
import { dirname } from 'node:path';
import { startEngine } from '../engine/engine.js';
import { loadImageSet } from '../data/image-set.js';
import { saveModel } from '../models/model-files.js';
import { classifierAccuracy, FEATURE_TRAINING_DEFAULTS, trainFeatureNetwork } from '../models/feature-training.js';
import { datasetNetworkDirectory, DEFAULT_FEATURE_NETWORK, shippedNetworkFile } from '../metrics/feature-extractor.js';
import { nonNegativeInteger, positiveInteger, positiveNumber } from './arguments.js';
import { createProgress } from './progress.js';

interface FeaturesFlags {
  data: string;
  out?: string;
  epochs: number;
  batch: number;
  lr: number;
  seed: number;
}

async function runFeaturesTrain(flags: FeaturesFlags): Promise<void> {
  await startEngine();
  const train = loadImageSet(flags.data, { split: 'train' });
  const test = loadImageSet(flags.data, { split: 'test' });
  const out = flags.out ?? (flags.data === 'mnist' ? dirname(shippedNetworkFile(DEFAULT_FEATURE_NETWORK)) : datasetNetworkDirectory(flags.data));
  const progress = createProgress('features epoch {epoch} |{bar}| {percentage}% | loss {loss} | ETA {eta_formatted}');
  const stepsPerEpoch = Math.floor(train.count / flags.batch);
  progress.start(flags.epochs * stepsPerEpoch, 0, { epoch: `1/${flags.epochs}`, loss: '–' });
  const started = performance.now();
  const model = trainFeatureNetwork(train, flags, (epoch, step, steps, loss) => {
    progress.update((epoch - 1) * steps + step, { epoch: `${epoch}/${flags.epochs}`, loss: loss.toFixed(3) });
    if (!process.stderr.isTTY && step === steps) process.stderr.write(`epoch ${epoch}/${flags.epochs}: loss ${loss.toFixed(4)}\n`);
  });
  progress.stop();
  const accuracy = classifierAccuracy(model, test);
  await saveModel(model, out);
  process.stdout.write(
    `Trained in ${((performance.now() - started) / 1000).toFixed(0)} s; test accuracy ${(100 * accuracy).toFixed(2)}% on ${test.count} images. Saved ${out}/model.json\n`,
  );
}

export function featuresCommand(): Command {
  const features = new Command('features').description('the feature network the metrics use');
  features
    .command('train')
    .description("train the feature network (a small CNN classifier) on a dataset's training split")
    .option('--data <source>', 'mnist, or a directory of IDX files with labels', 'mnist')
    .option('--out <dir>', 'where to save it (default: the shipped MNIST network, or DATA/feature-network)')
    .option('--epochs <n>', 'epochs', positiveInteger, FEATURE_TRAINING_DEFAULTS.epochs)
    .option('--batch <n>', 'batch size', positiveInteger, FEATURE_TRAINING_DEFAULTS.batch)
    .option('--lr <rate>', "Adam's learning rate", positiveNumber, FEATURE_TRAINING_DEFAULTS.lr)
    .option('--seed <s>', 'seed of the weights and shuffling', nonNegativeInteger, FEATURE_TRAINING_DEFAULTS.seed)
    .action(runFeaturesTrain)
    .exitOverride();
  return features;
}
