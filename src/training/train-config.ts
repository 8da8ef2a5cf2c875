import { DataError } from '../data/data-error.js';
import { createObjective, OBJECTIVE_NAMES } from '../objectives/registry.js';
import type { FGanGeneratorLoss } from '../objectives/fgan.js';
import { COURSE_DEFAULTS, type Objective, type ObjectiveDefaults } from '../objectives/objective.js';
import type { AccountantName } from '../privacy/accountant.js';
import type { RdpConversion } from '../privacy/rdp-accountant.js';

/** DP-SGD for D (gankit train --dp). */
export interface DpConfig {
  /** Per-example clipping norm C. */
  clip: number;
  /** Noise multiplier σ; null: calibrated to `targetEpsilon` over the run's steps. */
  noise: number | null;
  /** δ; null: the power of ten just below 1/N (1e-5 for MNIST). */
  delta: number | null;
  /** Training stops before ε would exceed it; null: no limit. */
  targetEpsilon: number | null;
  accountant: AccountantName;
  conversion: RdpConversion;
}

/** D steps per G step under DP: the best fixed value in the study (the paper's was 50). */
export const DP_D_STEPS = 10;

/** Every setting of a training run; config.json records it, resolved. */
export interface TrainConfig {
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
  /** A differentially private D; null for ordinary training. */
  dp: DpConfig | null;
  seed: number;
  /** D steps between lines of metrics.jsonl. */
  logEvery: number;
}

/** The config fields an objective's paper settings fill in. */
function optimizerSettings({ optimizer, lrG, lrD, beta1, beta2, dSteps }: ObjectiveDefaults) {
  return { optimizer, lrG, lrD, beta1, beta2, dSteps };
}

/** The course's defaults: the non-saturating GAN with the course's optimizer settings, batch 64, 100 epochs. */
export const TRAIN_DEFAULTS: TrainConfig = {
  data: 'mnist',
  limit: null,
  objective: 'nonsaturating',
  epochs: 100,
  batch: 64,
  ...optimizerSettings(COURSE_DEFAULTS),
  pretrain: null,
  fganGLoss: 'standard',
  gradClip: null,
  dWeightDecay: 0,
  wganWarmup: false,
  dp: null,
  seed: 0,
  logEvery: 100,
};

/** The objective `name` (a fresh instance), or a DataError naming the choices. */
export function requireObjective(name: string, config: Pick<TrainConfig, 'fganGLoss'> = TRAIN_DEFAULTS): Objective {
  const objective = createObjective(name, { fganGeneratorLoss: config.fganGLoss });
  if (!objective) throw new DataError(`Unknown objective "${name}"; choose one of ${OBJECTIVE_NAMES.join(', ')}.`);
  return objective;
}

/**
 * A full config for `objective`: the objective's own optimizer settings (from
 * its paper), then `overrides` wherever they are defined.
 */
export function configFor(objective: string, overrides: Partial<TrainConfig> = {}): TrainConfig {
  const defaults = requireObjective(objective).defaults;
  const given = Object.fromEntries(Object.entries(overrides).filter(([, value]) => value !== undefined));
  return { ...TRAIN_DEFAULTS, ...optimizerSettings(defaults), dSteps: overrides.dp ? DP_D_STEPS : defaults.dSteps, ...given, objective };
}
