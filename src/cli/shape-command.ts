// gankit shape: parses the flags, runs the shaping job (sampling/shaping-job.ts), prints.
import { Command } from 'commander';
import { startEngine } from '../engine/engine.js';
import { UsageError } from '../errors.js';
import { logitDiscriminator } from '../run/trained-run.js';
import { shapeRun, type NewShaping } from '../sampling/shaping-job.js';
import { nonNegativeInteger, positiveInteger, positiveNumber } from './arguments.js';
import { createProgress } from './progress.js';
import { addRunOptions, type RunFlags } from './run-options.js';
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
  const shaping: NewShaping | undefined = flags.resume
    ? undefined
    : {
        open: flags,
        settings: async (run) => ({
          // D's Adam keeps the run's betas; η is measured with the trained D.
          options: {
            epochs: flags.epochs,
            lr: flags.lr,
            beta1: run.config.beta1,
            beta2: run.config.beta2,
            batch: flags.batch,
            dropout: run.config.dropoutD,
            cs: await csOptionsFrom(flags, logitDiscriminator(run), run.config.data),
          },
          data: flags.data ?? run.config.data,
          limit: flags.limit ?? null,
          seed: flags.seed,
        }),
      };
  const progress = createProgress('shape epoch {epoch} |{bar}| {percentage}% | D loss {loss} | ETA {eta_formatted}');
  const stop = onStopSignals('stopping after this step and saving the shaping so far');
  let epochs = 0;
  let outcome;
  try {
    outcome = await shapeRun(flags.run, shaping, {
      onMessage: (line) => process.stderr.write(`gankit: ${line}\n`),
      onStart: (start) => {
        epochs = start.epochs;
        progress.start(start.total, start.done, { epoch: `${start.epoch}/${epochs}`, loss: '–' });
      },
      onStep: (p) => {
        progress.update((p.epoch - 1) * p.stepsPerEpoch + p.step, { epoch: `${p.epoch}/${epochs}`, loss: p.loss.toFixed(3) });
        // Without a terminal (a log, a Slurm job), one line per epoch instead of the bar.
        if (!process.stderr.isTTY && p.step === p.stepsPerEpoch) process.stderr.write(`shape epoch ${p.epoch}/${epochs}: D loss ${p.loss.toFixed(3)}\n`);
      },
      stopRequested: stop.requested,
    });
  } finally {
    progress.stop();
    stop.release();
  }
  if (outcome.status === 'stopped') {
    const { epoch, step } = outcome.position;
    process.stdout.write(`Stopped at shaping epoch ${epoch}, step ${step}. gankit shape --run ${flags.run} --resume continues it.\n`);
    process.exitCode = stop.exitCode();
    return;
  }
  process.stdout.write(
    `Shaped D for ${outcome.epochs} epoch(s) in ${outcome.seconds.toFixed(1)} s: ${outcome.saved}. gankit generate --refine cs now uses it.\n`,
  );
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
