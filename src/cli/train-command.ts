import { Command, InvalidArgumentError, Option } from 'commander';
import { startEngine } from '../engine/engine.js';
import { F_DIVERGENCE_NAMES } from '../objectives/f-divergences.js';
import { OBJECTIVE_NAMES } from '../objectives/registry.js';
import type { AccountantName } from '../privacy/accountant.js';
import { CLASS_IN_D, modelWidths, parameterCount } from '../models/gan-models.js';
import { dcganParameterCounts } from '../models/dcgan-models.js';
import type { RdpConversion } from '../privacy/rdp-accountant.js';
import { checkTrainConfig, configFor } from '../training/train-config.js';
import { ARCHITECTURES, PRESET_NAMES, PRESETS, TRAIN_DEFAULTS, type TrainConfig } from '../run/run-config.js';
import { DP_DEFAULTS, type DpConfig } from '../privacy/dp-config.js';
import { describeGenerator } from '../run/trained-run.js';
import { runPaths } from '../run/run-directory.js';
import { resumeTraining, train, type TrainHooks } from '../training/trainer.js';
import type { ResumeChanges } from '../training/resume-policy.js';
import { ADAPTIVE_D_STEPS, D_STEP_LADDER } from '../training/d-step-schedule.js';
import { decay, fraction, nonNegativeInteger, nonNegativeNumber, positiveInteger, positiveNumber, usage } from './arguments.js';
import { createProgress } from './progress.js';
import { onStopSignals } from './stop-signals.js';

/** Commander's parsed flags: the config's fields (unset ones take the objective's defaults), plus where the run lives. */
type TrainFlags = Omit<Partial<TrainConfig>, 'dp' | 'adaptiveDSteps'> & {
  adaptiveDSteps?: boolean;
  objective: string;
  out: string;
  resume?: boolean;
  limit?: number;
  /** Where to compute (main.ts adds the flag): not a setting of the run, which may move between backends. */
  backend?: string;
  dp?: boolean;
  dpClip: number;
  dpNoise?: number;
  dpEpsilon?: number;
  dpDelta?: number;
  dpConversion: RdpConversion;
  dpAccountant: AccountantName;
  dpSampling: 'poisson' | 'shuffled';
};

/** The DP settings from the flags; null without --dp (which the --dp-… flags need). */
function dpConfig(flags: TrainFlags, given: (flag: string) => boolean): DpConfig | null {
  if (!flags.dp) {
    const stray = ['dpNoise', 'dpEpsilon', 'dpDelta', 'dpClip'].filter(given);
    if (stray.length) usage(`--${stray[0].replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)} applies to DP training: add --dp.`);
    return null;
  }
  if (flags.dpSampling === 'shuffled') {
    usage(
      'DP training samples each batch by Poisson sampling (each image in with probability B/N), which is what the accountant analyses; ' +
        'fixed-size shuffled batches would void its guarantee.',
    );
  }
  return {
    clip: flags.dpClip,
    noise: flags.dpNoise ?? null,
    delta: flags.dpDelta ?? null,
    targetEpsilon: flags.dpEpsilon ?? null,
    accountant: flags.dpAccountant,
    conversion: flags.dpConversion,
  };
}

/** `--pretrain js:5` → { divergence: 'js', epochs: 5 }. */
function pretrainSchedule(value: string): TrainConfig['pretrain'] {
  const match = /^([a-z-]+):(\d+)$/.exec(value.trim());
  if (!match || !F_DIVERGENCE_NAMES.includes(match[1]) || Number(match[2]) < 1) {
    throw new InvalidArgumentError(`It must be DIVERGENCE:EPOCHS, with DIVERGENCE one of ${F_DIVERGENCE_NAMES.join(', ')}, e.g. js:5.`);
  }
  return { divergence: match[1], epochs: Number(match[2]) };
}

const fixed = (value: number) => (Number.isFinite(value) ? value.toFixed(3) : '–');
/** metrics.jsonl's fields that the line per epoch names itself, or leaves out. */
const EPOCH_LINE_SKIPS = new Set(['epoch', 'step', 'gSteps', 'objective', 'dLoss', 'gLoss', 'dReal', 'dFake', 'stepsPerSecond', 'trainSeconds']);

/** The run's settings from the parsed flags, and (for --resume) the settings the user gave; bad combinations are usage errors. */
export function trainSettingsFrom(flags: TrainFlags, command: Command): { config: TrainConfig; changes: ResumeChanges } {
  const given = (flag: string) => command.getOptionValueSource(flag) === 'cli';
  const dp = dpConfig(flags, given);
  const {
    out,
    resume,
    backend: _backend,
    limit,
    objective,
    adaptiveDSteps,
    dp: _dp,
    dpClip,
    dpNoise,
    dpEpsilon,
    dpDelta,
    dpConversion,
    dpSampling,
    dpAccountant,
    ...settings
  } = flags;
  if (given('classInD') && !flags.conditional) usage('--class-in-d says how a conditional D takes the class: add --conditional.');
  const config = configFor(objective, { ...settings, limit: limit ?? null, dp, adaptiveDSteps: adaptiveDSteps ? ADAPTIVE_D_STEPS : undefined });
  // A resume trains the saved settings: the trainer checks those, and refuses changes to them.
  if (!resume) checkTrainConfig(config);
  // On resume, every setting the user gave: the trainer applies --epochs and --log-every and refuses other changes.
  const settingGiven = (key: keyof TrainConfig) => key !== 'dp' && given(key);
  const dpGiven = {
    clip: 'dpClip',
    noise: 'dpNoise',
    delta: 'dpDelta',
    targetEpsilon: 'dpEpsilon',
    accountant: 'dpAccountant',
    conversion: 'dpConversion',
  } as const;
  const changes: ResumeChanges = {
    ...Object.fromEntries((Object.keys(config) as (keyof TrainConfig)[]).filter(settingGiven).map((key) => [key, config[key]])),
    dp: given('dp')
      ? Object.fromEntries(
          Object.entries(dpGiven)
            .filter(([, flag]) => given(flag))
            .map(([key]) => [key, dp![key as keyof DpConfig]]),
        )
      : undefined,
  };
  return { config, changes };
}

async function runTrain(flags: TrainFlags, command: Command): Promise<void> {
  const { config, changes } = trainSettingsFrom(flags, command);
  const engine = await startEngine();
  const { out, resume } = flags;
  const progress = createProgress(
    'epoch {epoch} |{bar}| {percentage}% step {step} | D {dLoss} G {gLoss} | D(x) {dReal} D(G(z)) {dFake}{extra} | ETA {eta_formatted}',
  );
  const stop = onStopSignals('stopping after this step and writing a checkpoint');
  try {
    const hooks: TrainHooks = {
      onStart: (total, done) => progress.start(total, done, { extra: '' }),
      onStep: (report) => {
        const payload = {
          epoch: `${report.epoch}/${report.epochs}`,
          step: `${report.stepInEpoch}/${report.stepsPerEpoch}`,
          dLoss: fixed(report.dLoss),
          gLoss: fixed(report.gLoss),
          dReal: fixed(report.dReal),
          dFake: fixed(report.dFake),
          // The objective's own estimates: Wasserstein distance, divergence, penalty, BEGAN's M and k.
          extra: Object.entries(report.logs)
            .filter(([name]) => name !== 'dReal' && name !== 'dFake')
            .map(([name, value]) => ` ${name} ${fixed(value)}`)
            .join(''),
        };
        progress.update(report.done, payload);
      },
      // Off a terminal, one line per epoch: metrics.jsonl's line that ends the epoch, so both say the same.
      onEpoch: (epoch, epochs, line) => {
        if (process.stderr.isTTY) return;
        const value = (name: string) => (typeof line[name] === 'number' ? fixed(line[name]) : '–');
        const extra = Object.keys(line)
          .filter((name) => !EPOCH_LINE_SKIPS.has(name))
          .map((name) => ` ${name} ${value(name)}`)
          .join('');
        process.stderr.write(`epoch ${epoch}/${epochs}: D ${value('dLoss')} G ${value('gLoss')} D(x) ${value('dReal')} D(G(z)) ${value('dFake')}${extra}\n`);
      },
      onMessage: (line) => process.stderr.write(`${line}\n`),
      onScore: (score) =>
        process.stderr.write(
          `\nepoch ${score.epoch} (${describeGenerator(score.generator)}, ${score.samples} samples): FID ${score.fid.toFixed(1)} ` +
            `precision ${score.precision.toFixed(3)} recall ${score.recall.toFixed(3)} classes ≥ 1% ${score.classesCovered ?? '–'}` +
            `${typeof score.labelAccuracy === 'number' ? ` label accuracy ${score.labelAccuracy.toFixed(3)}` : ''}\n`,
        ),
      stopRequested: stop.requested,
    };
    const outcome = resume ? await resumeTraining(out, changes, { engine, hooks }) : await train(config, out, { engine, hooks });
    progress.stop();
    if (outcome.status === 'stopped') process.exitCode = stop.exitCode();
    if (outcome.status === 'already-finished') {
      const { epoch } = outcome.position;
      process.stdout.write(
        `${out} already finished its ${epoch} epoch${epoch === 1 ? '' : 's'}: nothing to train (give --epochs above ${epoch} to train on). ` +
          `Checkpoint: ${outcome.checkpoint}\n`,
      );
      return;
    }
    const verb = outcome.status === 'completed' ? 'Finished' : 'Stopped';
    process.stdout.write(
      // Mid-epoch, the position is in the epoch after the last complete one.
      `${verb} ${outcome.position.stepInEpoch ? `at step ${outcome.position.stepInEpoch} of epoch ${outcome.position.epoch + 1}` : `at epoch ${outcome.position.epoch}`} ` +
        `(${outcome.position.trainSeconds.toFixed(1)} s of training). Checkpoint: ${outcome.checkpoint}\n` +
        `Sample grids: ${runPaths(outcome.runDir).samples}/\n`,
    );
  } finally {
    progress.stop();
    stop.release();
  }
}

/** The parameter counts `--help` states. */
function parameterCounts() {
  const count = (widths: readonly number[]) => parameterCount(widths).toLocaleString('en-US');
  const [unconditional, conditional] = [modelWidths(false), modelWidths(true, 'concat')];
  return {
    generator: count(conditional.generator),
    discriminator: count(conditional.discriminator),
    projection: count(modelWidths(true, 'projection').discriminator),
    unconditional: `G ${count(unconditional.generator)}, D ${count(unconditional.discriminator)}`,
    dcgan: Object.entries(dcganParameterCounts(true))
      .map(([network, n]) => `${network === 'generator' ? 'G' : 'D'} ${n.toLocaleString('en-US')}`)
      .join(', '),
  };
}

export function trainCommand(): Command {
  const d = TRAIN_DEFAULTS;
  const counts = parameterCounts();
  return new Command('train')
    .description('train the fixed GAN on MNIST or your own images')
    .requiredOption('--out <dir>', 'run directory (config.json, metrics.jsonl, checkpoints/, samples/)')
    .option('--data <source>', 'mnist, a directory of IDX files (train-images-idx3-ubyte[.gz], ...) or of PNG images', d.data)
    .addOption(new Option('--objective <name>', 'training objective').choices(OBJECTIVE_NAMES).default(d.objective))
    .addOption(
      new Option(
        '--preset <name>',
        `study: dropout ${PRESETS.study.dropoutD} in G and D, as the study's model file; course: the course template exactly (no dropout)`,
      )
        .choices(PRESET_NAMES)
        .default(d.preset),
    )
    .option(
      '--conditional',
      `G and D take the class: G beside z (one-hot; G ${counts.generator} parameters), D as --class-in-d says (projection: D ${counts.projection}; concatenated: ${counts.discriminator}); unconditional: ${counts.unconditional}`,
    )
    .addOption(
      // No default here: the MLP's is projection, the DCGAN's concat (configFor).
      new Option(
        '--class-in-d <how>',
        `with --conditional: how D takes the class, by projection or concatenated beside the image (default: ${d.classInD}; the DCGAN's: concat)`,
      ).choices(CLASS_IN_D),
    )
    .addOption(
      new Option(
        '--arch <name>',
        `the networks: the fixed MLPs, or Bie et al.'s DCGAN (2023; no dropout, no batch norm; conditional: ${counts.dcgan} parameters), slow on a CPU`,
      )
        .choices(ARCHITECTURES)
        .default(d.arch),
    )
    .option('--dropout-g <p>', "dropout after each hidden layer of G in training (default: the preset's)", fraction)
    .option('--dropout-d <p>', "dropout after each hidden layer of D in training (default: the preset's; BEGAN's autoencoder D has none)", fraction)
    .option('--g-ema <decay>', "keep a moving average of G's weights (e.g. 0.999); sampling then uses it", decay)
    .option(
      '--g-ema-start <steps>',
      'G steps before the average starts; until then it copies G (937 = an epoch of MNIST at batch 64)',
      nonNegativeInteger,
      d.gEmaStart,
    )
    .option('--epochs <n>', 'epochs to train (with --resume: the new total; without it, the saved one stays)', positiveInteger, d.epochs)
    .option('--batch <n>', 'batch size', positiveInteger, d.batch)
    .addOption(new Option('--optimizer <name>', "optimizer (default: the objective's)").choices(['adam', 'rmsprop']))
    .option('--lr-g <rate>', "generator's learning rate (default: the objective's)", positiveNumber)
    .option('--lr-d <rate>', "discriminator's learning rate (default: the objective's)", positiveNumber)
    .option('--beta1 <b>', "Adam's β1 (default: the objective's)", fraction)
    .option('--beta2 <b>', "Adam's β2 (default: the objective's)", fraction)
    .option('--d-steps <k>', "discriminator steps per generator step (default: the objective's)", positiveInteger)
    .option('--pretrain <divergence:epochs>', 'train with an f-divergence first, e.g. js:5, then switch to --objective', pretrainSchedule)
    .addOption(
      new Option('--fgan-g-loss <kind>', "f-GAN's G update: standard (−E[f*(T)]) or alt (maximise E[T])").choices(['standard', 'alt']).default(d.fganGLoss),
    )
    .option('--grad-clip <norm>', "clip each network's gradients to this global L2 norm (default: off)", positiveNumber)
    .option('--d-weight-decay <w>', 'L2 weight decay of the discriminator', nonNegativeNumber, d.dWeightDecay)
    .option(
      '--mode-seeking <weight>',
      "weight of mode seeking in G's loss (Mao et al. 2019): two latents of one class must give different images; reads only G, so it costs no privacy (0: off)",
      nonNegativeNumber,
      d.modeSeeking,
    )
    .option('--wgan-warmup', "WGAN's official schedule: 100 D steps for the first 25 G steps and every 500th", d.wganWarmup)
    .option(
      '--adaptive-d-steps',
      `raise the D steps per G step along ${D_STEP_LADDER.slice(0, 5).join(', ')}, … (from the value at or below --d-steps, default 1) whenever D's averaged accuracy on generated samples falls to ${ADAPTIVE_D_STEPS.threshold} (Bie et al. 2023)`,
    )
    .option('--seed <s>', 'seed of the weights, shuffling and latents', nonNegativeInteger, d.seed)
    .option('--limit <n>', 'train on the first N images only', positiveInteger)
    .option('--log-every <steps>', 'D steps between lines of metrics.jsonl', positiveInteger, d.logEvery)
    .option(
      '--eval-every <epochs>',
      "score every N-th epoch's generator (FID, precision, recall, ...) into eval-curve.jsonl, keeping its checkpoint",
      positiveInteger,
    )
    .option('--eval-n <count>', 'samples per scoring', positiveInteger, d.evalN)
    .option('--keep-every <epochs>', "keep every N-th epoch's checkpoint (default: the scored ones)", positiveInteger)
    .option('--dp', 'train D with DP-SGD (per-example clipping, Gaussian noise, Poisson-sampled batches); --d-steps defaults to 10')
    .option('--dp-clip <C>', 'per-example gradient clipping norm', positiveNumber, DP_DEFAULTS.clip)
    .option('--dp-noise <sigma>', 'noise multiplier σ (or give --dp-epsilon to calibrate it)', positiveNumber)
    .option('--dp-epsilon <eps>', 'target ε: calibrates σ when --dp-noise is absent, and stops training before ε would pass it', positiveNumber)
    .option('--dp-delta <delta>', 'δ (default: the power of ten below 1/N, 1e-5 for MNIST)', positiveNumber)
    .addOption(
      new Option('--dp-accountant <name>', 'rdp, or prv (tighter; about a second per evaluation)').choices(['rdp', 'prv']).default(DP_DEFAULTS.accountant),
    )
    .addOption(
      new Option('--dp-conversion <kind>', 'RDP to (ε, δ): improved (Balle et al. 2020, as Opacus) or classic')
        .choices(['improved', 'classic'])
        .default(DP_DEFAULTS.conversion),
    )
    .addOption(
      new Option('--dp-sampling <kind>', 'how DP batches are drawn (only Poisson sampling keeps the guarantee)')
        .choices(['poisson', 'shuffled'])
        .default('poisson'),
    )
    .option('--resume', 'continue the run in --out from its latest checkpoint, with its saved settings')
    .action(runTrain);
}
