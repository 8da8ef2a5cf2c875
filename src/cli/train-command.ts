import { Command, Option } from 'commander';
import { startEngine } from '../engine/engine.js';
import { OBJECTIVE_NAMES } from '../objectives/registry.js';
import { TRAIN_DEFAULTS, type TrainConfig } from '../training/train-config.js';
import { train } from '../training/trainer.js';
import { beta, nonNegativeInteger, positiveInteger, positiveNumber } from './arguments.js';
import { createProgress } from './progress.js';

/** Commander's parsed flags: the config's fields, plus where the run lives. */
type TrainFlags = Omit<TrainConfig, 'limit'> & { out: string; resume?: boolean; limit?: number };

const fixed = (value: number) => (Number.isFinite(value) ? value.toFixed(3) : '–');

async function runTrain(flags: TrainFlags): Promise<void> {
  const engine = await startEngine();
  const { out, resume, limit, ...settings } = flags;
  const config: TrainConfig = { ...settings, limit: limit ?? null };
  const progress = createProgress(
    'epoch {epoch} |{bar}| {percentage}% step {step} | D {dLoss} G {gLoss} | D(x) {dReal} D(G(z)) {dFake} | ETA {eta_formatted}',
  );
  let stop = false;
  const onInterrupt = () => {
    if (stop) process.exit(130);
    stop = true;
    process.stderr.write('\ngankit: stopping after this step and writing a checkpoint (Ctrl-C again to quit at once)\n');
  };
  process.on('SIGINT', onInterrupt);
  let lastEpochLogged = 0;
  try {
    const outcome = await train(config, out, {
      resume,
      engine,
      hooks: {
        onStart: (total, done) => progress.start(total, done, {}),
        onStep: (report) => {
          const payload = {
            epoch: `${report.epoch}/${report.epochs}`,
            step: `${report.stepInEpoch}/${report.stepsPerEpoch}`,
            dLoss: fixed(report.dLoss),
            gLoss: fixed(report.gLoss),
            dReal: fixed(report.dReal),
            dFake: fixed(report.dFake),
          };
          progress.update(report.done, payload);
          if (!process.stderr.isTTY && report.stepInEpoch === report.stepsPerEpoch && report.epoch > lastEpochLogged) {
            lastEpochLogged = report.epoch;
            process.stderr.write(
              `epoch ${payload.epoch}: D ${payload.dLoss} G ${payload.gLoss} D(x) ${payload.dReal} D(G(z)) ${payload.dFake}\n`,
            );
          }
        },
        onMessage: (line) => process.stderr.write(`${line}\n`),
        stopRequested: () => stop,
      },
    });
    progress.stop();
    const verb = outcome.status === 'completed' ? 'Finished' : 'Stopped';
    process.stdout.write(
      `${verb} at epoch ${outcome.position.epoch}${outcome.position.stepInEpoch ? ` step ${outcome.position.stepInEpoch}` : ''} ` +
        `(${outcome.position.trainSeconds.toFixed(1)} s of training). Checkpoint: ${outcome.checkpoint}\n` +
        `Sample grids: ${outcome.runDir}/samples/\n`,
    );
  } finally {
    progress.stop();
    process.off('SIGINT', onInterrupt);
  }
}

export function trainCommand(): Command {
  const d = TRAIN_DEFAULTS;
  return new Command('train')
    .description('train the fixed GAN on MNIST or your own images')
    .requiredOption('--out <dir>', 'run directory (config.json, metrics.jsonl, checkpoints/, samples/)')
    .option('--data <source>', 'mnist, a directory of IDX files (train-images-idx3-ubyte[.gz], ...) or of PNG images', d.data)
    .addOption(new Option('--objective <name>', 'training objective').choices(OBJECTIVE_NAMES).default(d.objective))
    .option('--epochs <n>', 'epochs to train (with --resume: the new total)', positiveInteger, d.epochs)
    .option('--batch <n>', 'batch size', positiveInteger, d.batch)
    .option('--lr-g <rate>', "generator's Adam learning rate", positiveNumber, d.lrG)
    .option('--lr-d <rate>', "discriminator's Adam learning rate", positiveNumber, d.lrD)
    .option('--beta1 <b>', "Adam's β1", beta, d.beta1)
    .option('--beta2 <b>', "Adam's β2", beta, d.beta2)
    .option('--d-steps <k>', 'discriminator steps per generator step', positiveInteger, d.dSteps)
    .option('--seed <s>', 'seed of the weights, shuffling and latents', nonNegativeInteger, d.seed)
    .option('--limit <n>', 'train on the first N images only', positiveInteger)
    .option('--log-every <steps>', 'D steps between lines of metrics.jsonl', positiveInteger, d.logEvery)
    .option('--resume', "continue the run in --out from its latest checkpoint, with its saved settings")
    .action(runTrain);
}

