/** Every setting of a training run; config.json records it, resolved. */
export interface TrainConfig {
  /** `mnist`, or a directory of IDX files or PNG images. */
  data: string;
  /** Train on the first N images only (quick trials); null for all. */
  limit: number | null;
  objective: string;
  epochs: number;
  batch: number;
  lrG: number;
  lrD: number;
  beta1: number;
  beta2: number;
  /** D steps per G step. */
  dSteps: number;
  seed: number;
  /** D steps between lines of metrics.jsonl. */
  logEvery: number;
}

/** The course's defaults: Adam 2e-4, betas (0.9, 0.999), batch 64, 100 epochs, one D step per G step. */
export const TRAIN_DEFAULTS: TrainConfig = {
  data: 'mnist',
  limit: null,
  objective: 'nonsaturating',
  epochs: 100,
  batch: 64,
  lrG: 2e-4,
  lrD: 2e-4,
  beta1: 0.9,
  beta2: 0.999,
  dSteps: 1,
  seed: 0,
  logEvery: 100,
};
