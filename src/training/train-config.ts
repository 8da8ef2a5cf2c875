import { DataError } from '../errors.js';
import { createObjective, OBJECTIVE_NAMES } from '../objectives/registry.js';
import type { FGanGeneratorLoss } from '../objectives/fgan.js';
import { COURSE_DEFAULTS, type Objective, type ObjectiveDefaults } from '../objectives/objective.js';
import { DP_D_STEPS, type DpConfig } from '../privacy/dp-config.js';
import type { AdaptiveDSteps } from './d-step-schedule.js';

export type PresetName = 'study' | 'course';

/** Every setting of a training run; config.json records it, resolved. */
export interface TrainConfig {
  /** Which preset the model settings started from (docs/architecture.md's two presets). */
  preset: PresetName;
  /** Inverted dropout after every hidden layer of G and of D in training steps (0: none). */
  dropoutG: number;
  dropoutD: number;
  /** `mnist`, or a directory of IDX files or PNG images. */
  data: string;
  /** Train on the first N images only (quick trials); null for all. */
  limit: number | null;
  objective: string;
  epochs: number;
  batch: number;
  optimizer: 'adam' | 'rmsprop';
  lrG: number;
  lrD: number;
  /** Adam's betas (RMSProp ignores them). */
  beta1: number;
  beta2: number;
  /** Adam's ε: PyTorch's 1e-8 (TF.js's own default is 1e-7). */
  adamEpsilon: number;
  /** D steps per G step. */
  dSteps: number;
  /** Train with this f-divergence for the first `epochs` epochs, then switch to `objective`. */
  pretrain: { divergence: string; epochs: number } | null;
  /** f-GAN's G update. */
  fganGLoss: FGanGeneratorLoss;
  /** Global-norm gradient clipping of both networks; null for none. */
  gradClip: number | null;
  /** L2 weight decay of D. */
  dWeightDecay: number;
  /** WGAN's official schedule: 100 D steps for the first 25 G steps and every 500th. */
  wganWarmup: boolean;
  /** Raise n_D (from dSteps) as D's accuracy on generated samples drops; null: a constant n_D. */
  adaptiveDSteps: AdaptiveDSteps | null;
  /** A differentially private D; null for ordinary training. */
  dp: DpConfig | null;
  /** Decay of the generator's exponential moving average; null: none kept. */
  gEma: number | null;
  /** Score every N-th epoch's generator (FID, P, R, ...) into the run's eval curve; null: never. */
  evalEvery: number | null;
  /** Samples per scoring. */
  evalN: number;
  /** Keep every N-th epoch's checkpoint besides the newest two; null: the scored ones (evalEvery), else none. */
  keepEvery: number | null;
  seed: number;
  /** D steps between lines of metrics.jsonl. */
  logEvery: number;
}

type ModelSettings = Pick<TrainConfig, 'dropoutG' | 'dropoutD'>;

/**
 * The presets of the same fixed models: `study`, the study's model file
 * (Dropout(0.3) after every hidden layer of G and D); `course`, the course
 * template exactly, which collapses onto a few digits in its first epochs.
 */
export const PRESETS: Record<PresetName, ModelSettings> = {
  study: { dropoutG: 0.3, dropoutD: 0.3 },
  course: { dropoutG: 0, dropoutD: 0 },
};

export const PRESET_NAMES = Object.keys(PRESETS) as PresetName[];

/** The config fields an objective's paper settings fill in. */
function optimizerSettings({ optimizer, lrG, lrD, beta1, beta2, dSteps }: ObjectiveDefaults) {
  return { optimizer, lrG, lrD, beta1, beta2, dSteps };
}

/** Every default, once: the study preset of the non-saturating GAN with the course's optimizer settings, batch 64, 100 epochs. */
export const TRAIN_DEFAULTS: TrainConfig = {
  preset: 'study',
  ...PRESETS.study,
  data: 'mnist',
  limit: null,
  objective: 'nonsaturating',
  epochs: 100,
  batch: 64,
  ...optimizerSettings(COURSE_DEFAULTS),
  adamEpsilon: 1e-8,
  pretrain: null,
  fganGLoss: 'standard',
  gradClip: null,
  dWeightDecay: 0,
  wganWarmup: false,
  adaptiveDSteps: null,
  dp: null,
  gEma: null,
  evalEvery: null,
  evalN: 10000,
  keepEvery: null,
  seed: 0,
  logEvery: 100,
};

/** What a config.json written before presets leaves out: those runs trained the course's models with TF.js's Adam ε. */
const BEFORE_PRESETS: Partial<TrainConfig> = { preset: 'course', ...PRESETS.course, adamEpsilon: 1e-7 };

/** A config.json's settings, completed with the defaults of its time. */
export function completeSavedConfig(saved: Partial<TrainConfig>): TrainConfig {
  return { ...TRAIN_DEFAULTS, ...(saved.preset === undefined ? BEFORE_PRESETS : {}), ...saved };
}

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
  return discriminator === 'autoencoder' ? { ...config, dropoutD: 0 } : config;
}
