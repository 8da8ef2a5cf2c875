// A run's settings, as config.json records them: one schema, the type inferred
// from it, every default once (nanoGPT's way: defaults, then the run's own
// values, saved with the run), and the completion of configs older than some setting.
import { z } from 'zod';
import { COURSE_DEFAULTS, type ObjectiveDefaults } from '../objectives/objective.js';
import { DP_CONFIG_SCHEMA } from '../privacy/dp-config.js';
import { CLASS_IN_D } from '../models/gan-models.js';

const positiveInteger = z.number().int().positive();
const count = z.number().int().nonnegative();
const rate = z.number().min(0).lt(1);

export const PRESET_NAMES = ['study', 'course'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

/** The networks: the fixed MLPs (docs/architecture.md), or Bie et al.'s conditional DCGAN (models/dcgan-models.ts). */
export const ARCHITECTURES = ['mlp', 'dcgan'] as const;

/** The adaptive D-step schedule's settings (the paper's code: threshold 0.6 at ε = 10, grace 200, β 0.99). */
export const ADAPTIVE_D_STEPS_SCHEMA = z.object({
  /** Raise n_D when the averaged accuracy on generated samples is at most this. */
  threshold: z.number(),
  /** G steps to wait after each change before the next. */
  grace: count,
  /** Decay of the accuracy's moving average. */
  beta: z.number(),
});
export type AdaptiveDSteps = z.infer<typeof ADAPTIVE_D_STEPS_SCHEMA>;

/** Every setting of a training run; config.json records it, resolved. */
const TRAIN_CONFIG_SCHEMA = z.object({
  /** Which preset the model settings started from (docs/architecture.md's two presets). */
  preset: z.enum(PRESET_NAMES),
  /** The networks: the fixed MLPs, or the DCGAN (which has no dropout, and takes the class as maps beside the image). */
  arch: z.enum(ARCHITECTURES),
  /** Inverted dropout after every hidden layer of G and of D in training steps (0: none). */
  dropoutG: rate,
  dropoutD: rate,
  /** G and D take the class beside z and the image (models/class-condition.ts); the data needs labels. */
  conditional: z.boolean(),
  /** How a conditional D takes the class: beside the image, or by projection (gan-models.ts's CLASS_IN_D). */
  classInD: z.enum(CLASS_IN_D),
  /** `mnist`, or a directory of IDX files or PNG images. */
  data: z.string(),
  /** Train on the first N images only (quick trials); null for all. */
  limit: positiveInteger.nullable(),
  objective: z.string(),
  epochs: positiveInteger,
  batch: positiveInteger,
  optimizer: z.enum(['adam', 'rmsprop']),
  lrG: z.number().positive(),
  lrD: z.number().positive(),
  /** Adam's betas (RMSProp ignores them). */
  beta1: rate,
  beta2: rate,
  /** Adam's ε: PyTorch's 1e-8 (TF.js's own default is 1e-7). */
  adamEpsilon: z.number().positive(),
  /** D steps per G step. */
  dSteps: positiveInteger,
  /** Train with this f-divergence for the first `epochs` epochs, then switch to `objective`. */
  pretrain: z.object({ divergence: z.string(), epochs: positiveInteger }).nullable(),
  /** f-GAN's G update. */
  fganGLoss: z.enum(['standard', 'alt']),
  /** Global-norm gradient clipping of both networks; null for none. */
  gradClip: z.number().positive().nullable(),
  /** L2 weight decay of D. */
  dWeightDecay: z.number().nonnegative(),
  /** Weight of mode seeking in G's loss (training/mode-seeking.ts); 0: off. */
  modeSeeking: z.number().nonnegative(),
  /** WGAN's official schedule: 100 D steps for the first 25 G steps and every 500th. */
  wganWarmup: z.boolean(),
  /** Raise n_D (from dSteps) as D's accuracy on generated samples drops; null: a constant n_D. */
  adaptiveDSteps: ADAPTIVE_D_STEPS_SCHEMA.nullable(),
  /** A differentially private D; null for ordinary training. */
  dp: DP_CONFIG_SCHEMA.nullable(),
  /** Decay of the generator's exponential moving average; null: none kept. */
  gEma: z.number().gt(0).lt(1).nullable(),
  /** G steps before the average starts (PyTorch-StudioGAN's ema_start): until then it copies G. */
  gEmaStart: count,
  /** Score every N-th epoch's generator (FID, P, R, ...) into the run's eval curve; null: never. */
  evalEvery: positiveInteger.nullable(),
  /** Samples per scoring. */
  evalN: positiveInteger,
  /** Keep every N-th epoch's checkpoint besides the newest two; null: the scored ones (evalEvery), else none. */
  keepEvery: positiveInteger.nullable(),
  seed: count,
  /** D steps between lines of metrics.jsonl. */
  logEvery: positiveInteger,
});

export type TrainConfig = z.infer<typeof TRAIN_CONFIG_SCHEMA>;

/** config.json's settings as read: every field optional, since older runs lack the newer ones (completeSavedConfig fills them). */
export const SAVED_CONFIG_SCHEMA = TRAIN_CONFIG_SCHEMA.partial();

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

/** The config fields an objective's paper settings fill in. */
export function optimizerSettings({ optimizer, lrG, lrD, beta1, beta2, dSteps }: ObjectiveDefaults) {
  return { optimizer, lrG, lrD, beta1, beta2, dSteps };
}

/** Every default, once: the study preset of the non-saturating GAN with the course's optimizer settings, batch 64, 100 epochs. */
export const TRAIN_DEFAULTS: TrainConfig = {
  preset: 'study',
  arch: 'mlp',
  ...PRESETS.study,
  conditional: false,
  classInD: 'projection',
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
  modeSeeking: 0,
  wganWarmup: false,
  adaptiveDSteps: null,
  dp: null,
  gEma: null,
  gEmaStart: 0,
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
