// One D step and one G step of GAN training, shared by the training loop and
// the benchmark so that what is timed is what trains.
import * as tf from '@tensorflow/tfjs-core';
import type * as tfl from '@tensorflow/tfjs-layers';
import { mlpForward } from '../models/mlp-forward.js';
import { takeValues } from '../engine/tensor-values.js';
import type { Objective } from '../objectives/objective.js';

export interface GanParts {
  generator: tfl.LayersModel;
  discriminator: tfl.LayersModel;
  generatorVariables: tf.Variable[];
  discriminatorVariables: tf.Variable[];
  generatorOptimizer: tf.Optimizer;
  discriminatorOptimizer: tf.Optimizer;
  objective: Objective;
}

export interface DiscriminatorStepResult {
  loss: number;
  /** Mean σ(D(x)) on the real batch and σ(D(G(z))) on the fake batch. */
  dReal: number;
  dFake: number;
}

function scalarValue(tensor: tf.Scalar | null): number {
  return takeValues(tensor!)[0];
}

/** Updates D on a real batch against G(z); G is not differentiated. */
export function discriminatorStep(gan: GanParts, real: tf.Tensor2D, z: tf.Tensor2D): DiscriminatorStepResult {
  const fake = tf.tidy(() => mlpForward(gan.generator, z));
  let dReal = 0;
  let dFake = 0;
  const loss = scalarValue(
    gan.discriminatorOptimizer.minimize(
      () => {
        const realLogits = mlpForward(gan.discriminator, real);
        const fakeLogits = mlpForward(gan.discriminator, fake);
        dReal = tf.mean(tf.sigmoid(realLogits)).dataSync()[0];
        dFake = tf.mean(tf.sigmoid(fakeLogits)).dataSync()[0];
        return gan.objective.discriminatorLoss(realLogits, fakeLogits);
      },
      true,
      gan.discriminatorVariables,
    ),
  );
  fake.dispose();
  return { loss, dReal, dFake };
}

/** Updates G through D on fresh latents; returns G's loss. */
export function generatorStep(gan: GanParts, z: tf.Tensor2D): number {
  return scalarValue(
    gan.generatorOptimizer.minimize(
      () => gan.objective.generatorLoss(mlpForward(gan.discriminator, mlpForward(gan.generator, z))),
      true,
      gan.generatorVariables,
    ),
  );
}
