// A run's settings resolved from what the user gave (configFor), and every
// rule between them checked at once, before any work (checkTrainConfig).
import { DataError, UsageError } from '../errors.js';
import { createObjective, OBJECTIVE_NAMES } from '../objectives/registry.js';
import type { Objective } from '../objectives/objective.js';
import { DP_D_STEPS } from '../privacy/dp-config.js';
import { NEIGHBOURHOOD_K } from '../metrics/evaluation.js';
import { CLASS_COUNT } from '../models/gan-models.js';
import { optimizerSettings, PRESETS, TRAIN_DEFAULTS, type TrainConfig } from '../run/run-config.js';

/** The objective `name` (a fresh instance), or a DataError naming the choices. */
export function requireObjective(name: string, config: Pick<TrainConfig, 'fganGLoss'> = TRAIN_DEFAULTS): Objective {
  const objective = createObjective(name, { fganGeneratorLoss: config.fganGLoss });
  if (!objective) throw new DataError(`Unknown objective "${name}"; choose one of ${OBJECTIVE_NAMES.join(', ')}.`);
  return objective;
}

/**
 * A full config for `objective`, in order of precedence: the defaults, the
 * preset, the objective's own optimizer settings (from its paper), then
 * `overrides` wherever they are defined. BEGAN's autoencoder D has no dropout.
 */
export function configFor(objective: string, overrides: Partial<TrainConfig> = {}): TrainConfig {
  const { defaults, discriminator } = requireObjective(objective);
  const preset = overrides.preset ?? TRAIN_DEFAULTS.preset;
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  const config: TrainConfig = {
    ...TRAIN_DEFAULTS,
    ...PRESETS[preset],
    ...optimizerSettings(defaults),
    // The adaptive schedule climbs from one D step, as in its paper; DP's fixed n_D is the study's best.
    dSteps: overrides.adaptiveDSteps ? 1 : overrides.dp ? DP_D_STEPS : defaults.dSteps,
    ...given,
    objective,
    preset,
  };
  // The DCGAN has no dropout, and its D takes the class as maps beside the image (concatenated), unless the user says otherwise (refused).
  const dcgan = config.arch === 'dcgan' ? { dropoutG: 0, dropoutD: 0, classInD: 'concat' as const, ...given } : {};
  return discriminator === 'autoencoder' ? { ...config, dropoutD: 0 } : { ...config, ...dcgan };
}

/** The objectives whose D loss is a sum over examples: the ones DP-SGD can clip and the adaptive schedule can measure. */
const perExampleObjectives = () => OBJECTIVE_NAMES.filter((name) => createObjective(name)?.exampleLosses);

/**
 * Every rule between a run's settings, checked before any work: by `gankit
 * train`, by a resume, and by a study's check of its files. A broken rule is a
 * UsageError of one sentence. Rules that need the data (δ below 1/N, a batch
 * within the images) are checked when the data is read.
 */
export function checkTrainConfig(config: TrainConfig): void {
  const objective = createObjective(config.objective, { fganGeneratorLoss: config.fganGLoss });
  if (!objective) throw new UsageError(`Unknown objective "${config.objective}"; choose one of ${OBJECTIVE_NAMES.join(', ')}.`);
  if (config.pretrain && objective.discriminator !== 'logit') {
    throw new UsageError(`--pretrain needs an objective whose D has one output; ${objective.name} uses an autoencoder.`);
  }
  if (config.conditional && objective.discriminator !== 'logit') {
    throw new UsageError(
      `--conditional gives D the class beside the image; ${objective.name}'s D is an autoencoder of the image alone. Choose another objective.`,
    );
  }
  if (config.arch === 'dcgan') {
    if (objective.discriminator !== 'logit') throw new UsageError(`--arch dcgan has a D with one logit; ${objective.name}'s D is an autoencoder.`);
    if (config.dropoutG > 0 || config.dropoutD > 0)
      throw new UsageError("--arch dcgan has no dropout (Bie et al.'s DCGAN): leave out --dropout-g and --dropout-d.");
    if (config.conditional && config.classInD === 'projection') {
      throw new UsageError("--arch dcgan's D takes the class as ten maps beside the image: leave out --class-in-d projection.");
    }
  }
  const perClassSamples = CLASS_COUNT * (NEIGHBOURHOOD_K.k + 1);
  if (config.conditional && config.evalEvery !== null && config.evalN < perClassSamples) {
    throw new UsageError(
      `A conditional run scores each class on its own: --eval-n needs at least ${perClassSamples} samples (${NEIGHBOURHOOD_K.k + 1} a class).`,
    );
  }
  if (config.adaptiveDSteps && !objective.exampleLosses) {
    throw new UsageError(
      `--adaptive-d-steps measures D's accuracy from per-example losses, which ${objective.name} has not; use a cross-entropy, LSGAN, hinge or f-GAN objective.`,
    );
  }
  if (config.modeSeeking > 0 && config.batch < 2) throw new UsageError('--mode-seeking compares pairs of latents: it needs --batch 2 or more.');
  if (config.gEmaStart > 0 && config.gEma === null) throw new UsageError('--g-ema-start delays a moving average that is not kept: give --g-ema DECAY too.');
  if (config.dp) {
    if (!objective.exampleLosses) {
      throw new UsageError(
        `--dp needs a D loss that is a sum over examples, to clip each one; ${objective.name}'s is not. Choose one of ${perExampleObjectives().join(', ')}.`,
      );
    }
    if (config.dp.noise === null && config.dp.targetEpsilon === null) throw new UsageError('--dp needs --dp-noise σ, or --dp-epsilon ε to calibrate σ.');
  }
}
