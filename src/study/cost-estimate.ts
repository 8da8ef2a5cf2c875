// What a study's tasks will cost, from the step times `npm run bench` measured
// on this project's 2-core machine (AMD EPYC, native OpenBLAS, 2 threads;
// bench/results/*.json of 2026-11-27). An estimate for planning: a faster
// machine, another batch size or another data set moves it.
import type { TrainConfig } from '../run/run-config.js';
import type { Study } from './study-file.js';
import { generateFlagsOf, shapeFlagsOf, trainConfigOf } from './study-flags.js';
import type { StudyTask } from './study-tasks.js';

/** MNIST's training images: the default when a run sets no --limit. */
const MNIST_TRAIN = 60000;

/**
 * One D step and one G step at batch 64 with the study preset (epoch-and-generation.json: a 937-step epoch in 36.9 s,
 * 39 ms a step); split as dp-round.json's 10 D steps and a G step (176 ms) apportion them.
 */
const D_STEP_MS = 14;
const G_STEP_MS = 25;
/** DP-SGD's D step against the plain one (dp-round.json: 260 / 176 ms a round). */
const DP_FACTOR = 1.47;
/** Objectives with a gradient penalty or an autoencoder D, against the cross-entropy ones (objectives.json: 45–48 ms against about 28). */
const OBJECTIVE_FACTOR: Record<string, number> = { 'wgan-gp': 1.6, dragan: 1.6, began: 1.7 };
/**
 * The DCGAN's steps against the MLP's, per image at the same batch and n_D (dp-epoch.json, non-private, each measured
 * alone: 14.6 ms an image against the MLP recipe's 0.24).
 */
const ARCH_FACTOR: Record<string, number> = { mlp: 1, dcgan: 60 };
/** How a step's time grows with the batch (train-step.json: batch 256 took 2.5× batch 64's time). */
const BATCH_EXPONENT = 0.65;
/** Discriminator shaping: 400 s an epoch of 60,000 images with CS K=50 at layer 3 (shaping.json). */
const SHAPING_MS_PER_IMAGE = 400_000 / MNIST_TRAIN;
/** Drawing 10,000 PNG samples, by sampler and refiner (sampling.json), and scoring them (evaluate.json). */
const SAMPLING_SECONDS_PER_10K: Record<string, number> = { gaussian: 2.5, lsi: 6.7, dirichlet: 6.0, slerp: 4.7, truncation: 6.5 };
const REFINER_SECONDS_PER_10K: Record<string, number> = { none: 0, cs: 36, drs: 8.3 };
const EVALUATE_SECONDS_PER_10K = 7;
/** Starting a gankit process and its engine. */
const PROCESS_SECONDS = 1.5;

function trainingSeconds(config: TrainConfig): number {
  const stepsPerEpoch = Math.floor((config.limit ?? MNIST_TRAIN) / config.batch);
  const batchFactor = (config.batch / 64) ** BATCH_EXPONENT;
  const dStep = D_STEP_MS * (config.dp ? DP_FACTOR : 1);
  const msPerDStep = (dStep + G_STEP_MS / config.dSteps) * batchFactor * (OBJECTIVE_FACTOR[config.objective] ?? 1) * ARCH_FACTOR[config.arch];
  return (config.epochs * stepsPerEpoch * msPerDStep) / 1000 + PROCESS_SECONDS;
}

/** Estimated seconds of each task, by id. */
export function estimateTaskSeconds(study: Study, tasks: StudyTask[]): Map<string, number> {
  const perRun = new Map(study.runs.map((run) => [run.name, trainingSeconds(trainConfigOf(run.train)) + (run.strips ? PROCESS_SECONDS : 0)]));
  const perShaping = new Map(
    study.shapings.map((shaping) => {
      const flags = shapeFlagsOf(shaping.shape);
      return [shaping.name, (flags.epochs * (flags.limit ?? MNIST_TRAIN) * SHAPING_MS_PER_IMAGE) / 1000 + PROCESS_SECONDS];
    }),
  );
  const per10k = study.evaluation.n / 10000;
  const perRow = new Map(
    study.rows.map((row) => {
      const flags = generateFlagsOf(row.generate);
      const sampling = (SAMPLING_SECONDS_PER_10K[flags.sampler] ?? SAMPLING_SECONDS_PER_10K.lsi) + (REFINER_SECONDS_PER_10K[flags.refine] ?? 0);
      return [row.method, (sampling + EVALUATE_SECONDS_PER_10K) * per10k + 2 * PROCESS_SECONDS];
    }),
  );
  const byKind = { train: perRun, shape: perShaping, row: perRow };
  return new Map(tasks.map((task) => [task.id, task.kind === 'results' ? 5 : byKind[task.kind].get(task.name)!]));
}

/** The longest chain of tasks, in seconds: no number of workers finishes sooner. */
export function criticalPathSeconds(tasks: StudyTask[], seconds: Map<string, number>): number {
  const finish = new Map<string, number>();
  for (const task of tasks) finish.set(task.id, Math.max(0, ...task.needs.map((need) => finish.get(need) ?? 0)) + (seconds.get(task.id) ?? 0));
  return Math.max(0, ...finish.values());
}
