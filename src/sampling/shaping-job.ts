// `gankit shape` as a resumable job of a run, with the same pieces as training:
// everything read and checked first, then the run claimed for shaping (a
// second shaping of the same run is refused while this one lives), the loop
// (discriminator-shaping.ts), and its end saved: the shaped D, or the stopped
// shaping that --resume continues.
import * as tf from '@tensorflow/tfjs-core';
import { basename } from 'node:path';
import { deriveRng, Rng } from '../engine/rng.js';
import { DataError } from '../errors.js';
import { loadImageSet } from '../data/image-set.js';
import { runPaths } from '../run/run-directory.js';
import { claimRun } from '../run/run-state.js';
import { saveShapedDiscriminator } from '../run/shaped-discriminator.js';
import {
  hasStoppedShaping,
  loadStoppedShaping,
  removeStoppedShaping,
  saveStoppedShaping,
  type ShapingPosition,
  type ShapingRecord,
} from '../run/stopped-shaping.js';
import { logitDiscriminator, openRun, type OpenOptions, type TrainedRun } from '../run/trained-run.js';
import { shapeDiscriminator, type ShapingHooks, type ShapingProgress } from './discriminator-shaping.js';

/** A new shaping: which generator and checkpoint of the run, and its settings once the run is open (η is measured with its D). */
export interface NewShaping {
  open: OpenOptions;
  settings(run: TrainedRun): Promise<Omit<ShapingRecord, 'fromCheckpoint' | 'generator'>>;
}

export interface ShapingJobHooks extends ShapingHooks {
  onMessage?(line: string): void;
  /** Before the first step: the steps of the whole shaping and those done already, the epoch it starts in and the epochs in all. */
  onStart?(start: { total: number; done: number; epoch: number; epochs: number }): void;
}

export type ShapingOutcome =
  { status: 'stopped'; epochs: number; position: Omit<ShapingPosition, 'order'> } | { status: 'finished'; epochs: number; saved: string; seconds: number };

/** Shapes the D of the run in `runDir`: `shaping` starts a new one; undefined continues the stopped one with its saved settings. */
export async function shapeRun(runDir: string, shaping: NewShaping | undefined, hooks: ShapingJobHooks = {}): Promise<ShapingOutcome> {
  const resumed = shaping ? undefined : await loadStoppedShaping(runDir);
  // A resumed shaping samples the generator of the checkpoint it started from.
  const run = await openRun(
    runDir,
    resumed ? { ema: resumed.stopped.record.generator === 'ema', checkpoint: basename(resumed.stopped.record.fromCheckpoint) } : shaping!.open,
  );
  // Shaping starts from the trained D.
  const record: ShapingRecord = resumed?.stopped.record ?? { ...(await shaping!.settings(run)), fromCheckpoint: run.checkpoint, generator: run.generatorKind };
  const { options } = record;
  const adam = tf.train.adam(options.lr, options.beta1, options.beta2);
  await resumed?.restoreOptimizer(adam);
  const discriminator = resumed?.discriminator ?? logitDiscriminator(run);
  const images = loadImageSet(record.data, { limit: record.limit ?? undefined });
  const rng = resumed ? Rng.fromState(resumed.stopped.rng) : deriveRng(record.seed, 'shape');
  const stepsPerEpoch = Math.floor(images.count / options.batch);
  const from = resumed?.stopped.position;
  if (from && (from.order.length !== images.count || from.step > stepsPerEpoch || from.epoch > options.epochs)) {
    throw new DataError(`${runPaths(runDir).stoppedShaping} does not fit ${images.source} (${images.count} images): it is damaged, or the data changed.`);
  }

  const claim = claimRun(runDir, undefined, 'shaping');
  if (shaping && hasStoppedShaping(runDir)) {
    hooks.onMessage?.(`starting over; the shaping stopped earlier in ${runDir} is replaced (--resume would have continued it).`);
  }
  try {
    const done = from ? (from.epoch - 1) * stepsPerEpoch + from.step : 0;
    hooks.onStart?.({ total: options.epochs * stepsPerEpoch, done, epoch: from?.epoch ?? 1, epochs: options.epochs });
    const started = performance.now();
    const onStep = (progress: ShapingProgress) => {
      claim.beat();
      hooks.onStep?.(progress);
    };
    const stoppedAt = await shapeDiscriminator(run.generator, discriminator, images, rng, adam, options, { ...hooks, onStep }, from);
    const seconds = (resumed?.stopped.seconds ?? 0) + (performance.now() - started) / 1000;
    let outcome: ShapingOutcome;
    if (stoppedAt) {
      await saveStoppedShaping(runDir, discriminator, adam, { record, position: stoppedAt, rng: rng.state(), seconds });
      outcome = { status: 'stopped', epochs: options.epochs, position: { epoch: stoppedAt.epoch, step: stoppedAt.step } };
    } else {
      const settings = { ...options, images: images.count, source: images.source, fromCheckpoint: run.checkpoint, generator: run.generatorKind, seconds };
      const saved = await saveShapedDiscriminator(runDir, discriminator, settings);
      removeStoppedShaping(runDir);
      outcome = { status: 'finished', epochs: options.epochs, saved, seconds };
    }
    claim.finish(outcome.status === 'stopped' ? 'stopped' : 'finished');
    return outcome;
  } catch (error) {
    claim.fail(error);
    throw error;
  }
}
