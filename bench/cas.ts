// npm run bench:cas: what the CAS protocols cost here, and the real-data ceiling
// they reach. Times the classifier's step at batch 64, then runs the short
// protocol on real MNIST (10,000 + 2,000 training images, 3 epochs); with
// --full, the full protocol too (55,000 + 5,000, 10 epochs: an hour or more on 2 cores).
// Writes bench/results/cas.json.
import * as tf from '@tensorflow/tfjs-core';
import { startEngine } from '../src/engine/engine.js';
import { loadImageSet } from '../src/data/image-set.js';
import { CAS_PROTOCOLS, classificationAccuracyScore, labelledRows, type CasProtocol } from '../src/metrics/classification-accuracy-score.js';
import { machineInfo, save } from './bench-io.js';

const engine = await startEngine();
const train = loadImageSet('mnist', { split: 'train' });
const test = loadImageSet('mnist', { split: 'test' });
const rows = (first: number, count: number, set = train) => labelledRows({ pixels: set.pixels, labels: set.labels! }, first, count);

/** Seconds a step of batch 64, from a one-epoch protocol on 64 × 40 images (evaluation of 64 images aside). */
async function secondsPerStep(): Promise<number> {
  const steps = 40;
  const protocol = { name: 'timing', train: 64 * steps, holdOut: 64, epochs: 1 };
  let started = 0;
  let seconds = 0;
  await classificationAccuracyScore(rows(0, protocol.train), rows(protocol.train, 64), rows(0, 64, test), protocol, 0, (done) => {
    if (done === 5) started = performance.now();
    if (done === steps) seconds = (performance.now() - started) / 1000 / (steps - 5);
  });
  return seconds;
}

const run = async (protocol: CasProtocol) => {
  const result = await classificationAccuracyScore(rows(0, protocol.train), rows(protocol.train, protocol.holdOut), rows(0, test.count, test), protocol, 0);
  return { protocol: protocol.name, accuracy: result.accuracy, chosenEpoch: result.chosenEpoch, epochs: result.epochs, seconds: result.seconds };
};

const step = await secondsPerStep();
const estimate = (p: CasProtocol) => 2 * p.epochs * Math.ceil(p.train / 64) * step;
const results = {
  machine: machineInfo(engine),
  secondsPerStep: step,
  estimatedSecondsWithCeiling: { full: estimate(CAS_PROTOCOLS.full), short: estimate(CAS_PROTOCOLS.short) },
  realData: [run(CAS_PROTOCOLS.short), ...(process.argv.includes('--full') ? [run(CAS_PROTOCOLS.full)] : [])],
};
tf.disposeVariables();
console.log(JSON.stringify(results, null, 2));
save('cas', results);
