// f-GAN (Nowozin et al. 2016): D maximises E_P[T] − E_Q[f*(T)], a lower bound
// on the f-divergence D_f(P‖Q), with T = g_f(V) and V D's raw output.
import * as tf from '@tensorflow/tfjs-core';
import type { FDivergence } from './f-divergences.js';
import { scoredExampleLoss, type ExampleLosses, type Objective } from './objective.js';

/** How G is updated: the saddle point's −E_Q[f*(T)], or the paper's alternative, maximising E_Q[T]. */
export type FGanGeneratorLoss = 'standard' | 'alt';

export function fgan(divergence: FDivergence, generatorLoss: FGanGeneratorLoss): Objective {
  // −T for a real example, f*(T) for a fake one: their means sum to minus the divergence estimate.
  const exampleLosses: ExampleLosses = {
    real: (output) => tf.neg(tf.reshape(divergence.activation(output), [-1])),
    fake: (output) => tf.reshape(divergence.conjugateOfActivation(output), [-1]),
    score: divergence.activation,
  };
  return {
    name: `fgan:${divergence.name}`,
    description: `f-GAN with the ${divergence.name} divergence (Nowozin et al. 2016)`,
    defaults: {
      optimizer: 'adam',
      lrG: 2e-4,
      lrD: 2e-4,
      beta1: 0.5,
      beta2: 0.999,
      dSteps: 1,
      source: 'Nowozin et al. 2016, section 4 (Adam, α = 0.0002, β1 = 0.5)',
    },
    constants: { divergence: divergence.name, generatorLoss },
    discriminator: 'logit',
    discriminatorLoss({ critic, real, fake }) {
      const { loss, logs } = scoredExampleLoss(exampleLosses, critic(real), critic(fake));
      return { loss, logs: { ...logs, divergence: tf.neg(loss) as tf.Scalar } };
    },
    exampleLosses,
    generatorLoss(critic, fake) {
      const v = critic(fake);
      const loss = generatorLoss === 'alt' ? tf.neg(tf.mean(divergence.activation(v))) : tf.neg(tf.mean(divergence.conjugateOfActivation(v)));
      return { loss: loss as tf.Scalar, logs: {} };
    },
  };
}
