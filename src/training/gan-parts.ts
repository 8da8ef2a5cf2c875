// The models, optimizers and update rules of a run, put together from its
// config: for the training loop and for the benchmark, so what is timed is what trains.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { FusedAdamOptimizer, FusedRmsPropOptimizer } from '../engine/fused-optimizers.js';
import { activeNativeGemm } from '../engine/matmul-kernels.js';
import { deriveRng, type Rng } from '../engine/rng.js';
import { dropoutOf } from '../models/dropout.js';
import { buildAutoencoderDiscriminator, buildDiscriminator, buildGenerator } from '../models/gan-models.js';
import { buildDcganDiscriminator, buildDcganGenerator } from '../models/dcgan-models.js';
import { trainableVariables } from '../models/mlp-forward.js';
import type { Objective } from '../objectives/objective.js';
import type { GanParts } from './gan-step.js';
import { generatorEma } from './generator-ema.js';
import type { TrainConfig } from '../run/run-config.js';

/** RMSProp as PyTorch's defaults have it (α = 0.99, ε = 1e-8), which the WGAN code used. */
const RMSPROP = { decay: 0.99, epsilon: 1e-8 };

/** The config's optimizer: fused into one native pass a variable when the native kernels serve, else TF.js's own. */
function makeOptimizer(config: TrainConfig, rate: number): tf.Optimizer {
  const gemm = activeNativeGemm();
  if (config.optimizer === 'rmsprop') {
    return gemm ? new FusedRmsPropOptimizer(gemm, rate, RMSPROP.decay, RMSPROP.epsilon) : tf.train.rmsprop(rate, RMSPROP.decay, 0, RMSPROP.epsilon);
  }
  return gemm
    ? new FusedAdamOptimizer(gemm, rate, config.beta1, config.beta2, config.adamEpsilon)
    : tf.train.adam(rate, config.beta1, config.beta2, config.adamEpsilon);
}

/** The optimizer settings as config.json records them. */
export function optimizerRecord(config: TrainConfig): Record<string, unknown> {
  return config.optimizer === 'rmsprop'
    ? { name: 'rmsprop', lrG: config.lrG, lrD: config.lrD, ...RMSPROP }
    : { name: 'adam', lrG: config.lrG, lrD: config.lrD, betas: [config.beta1, config.beta2], epsilon: config.adamEpsilon };
}

/** What a run carries besides the two networks: the dropout masks' stream and G's moving average. */
export interface GanState {
  dropoutRng: Rng;
  /** The average's model when resuming; absent: a copy of G (when the config keeps one). */
  ema?: tfl.LayersModel;
  /** G steps taken so far (the average's updates) when resuming. */
  gSteps?: number;
}

/** Trained or loaded models with fresh optimizers and the config's update rules. */
export function assembleGan(generator: tfl.LayersModel, discriminator: tfl.LayersModel, config: TrainConfig, objective: Objective, state: GanState): GanParts {
  return {
    generator,
    discriminator,
    conditional: config.conditional,
    generatorDropout: dropoutOf(config.dropoutG, state.dropoutRng),
    discriminatorDropout: objective.discriminator === 'logit' ? dropoutOf(config.dropoutD, state.dropoutRng) : null,
    dropoutRng: state.dropoutRng,
    generatorEma: config.gEma === null ? null : generatorEma({ decay: config.gEma, start: config.gEmaStart }, generator, state.ema, state.gSteps),
    generatorVariables: trainableVariables(generator),
    discriminatorVariables: trainableVariables(discriminator),
    generatorOptimizer: makeOptimizer(config, config.lrG),
    discriminatorOptimizer: makeOptimizer(config, config.lrD),
    objective,
    gradClip: config.gradClip,
    dWeightDecay: config.dWeightDecay,
    modeSeeking: config.modeSeeking,
  };
}

/** New models, initialised from `weightsRng`, with D shaped as the objective needs. */
export function newGan(config: TrainConfig, objective: Objective, weightsRng: Rng): GanParts {
  // G is drawn first, then D, for either architecture. checkTrainConfig refuses a conditional autoencoder, and an autoencoder with the DCGAN.
  const dcgan = config.arch === 'dcgan';
  const generator = dcgan ? buildDcganGenerator(weightsRng, config.conditional) : buildGenerator(weightsRng, config.conditional);
  const discriminator = dcgan
    ? buildDcganDiscriminator(weightsRng, config.conditional)
    : objective.discriminator === 'autoencoder'
      ? buildAutoencoderDiscriminator(weightsRng)
      : buildDiscriminator(weightsRng, config.conditional, config.classInD);
  return assembleGan(generator, discriminator, config, objective, { dropoutRng: deriveRng(config.seed, 'dropout') });
}

/** Frees every tensor a GAN holds: both networks, G's moving average and both optimizers' state. */
export function disposeGan(gan: GanParts): void {
  gan.generator.dispose();
  gan.discriminator.dispose();
  gan.generatorEma?.model.dispose();
  gan.generatorOptimizer.dispose();
  gan.discriminatorOptimizer.dispose();
}
