// An optimizer's state as bytes and back, so a resumed run continues with the
// same moments and step count.
import * as tf from '@tensorflow/tfjs-core';

export interface SavedOptimizer {
  specs: tf.io.WeightsManifestEntry[];
  /** Adam's running β1^t and β2^t. tfjs's setWeights recomputes them with pow(),
   * which differs from the running product in the last bits; restoring them
   * exactly makes a resumed run bit-identical to an uninterrupted one. */
  adamPowers?: [number, number];
}

interface AdamInternals {
  accBeta1?: tf.Variable;
  accBeta2?: tf.Variable;
}

export async function captureOptimizer(optimizer: tf.Optimizer): Promise<{ saved: SavedOptimizer; data: Uint8Array }> {
  const weights = await optimizer.getWeights();
  const { data, specs } = await tf.io.encodeWeights(weights);
  // getWeights makes a fresh scalar of the step count ('iter'); the rest are the optimizer's own variables.
  for (const { name, tensor } of weights) if (name === 'iter') tensor.dispose();
  const adam = optimizer as unknown as AdamInternals;
  const saved: SavedOptimizer = { specs };
  if (adam.accBeta1 && adam.accBeta2) {
    const [beta1Power, beta2Power] = await Promise.all([adam.accBeta1.data(), adam.accBeta2.data()]);
    saved.adamPowers = [beta1Power[0], beta2Power[0]];
  }
  return { saved, data: new Uint8Array(data as ArrayBuffer) };
}

export async function restoreOptimizer(optimizer: tf.Optimizer, saved: SavedOptimizer, data: Uint8Array): Promise<void> {
  const buffer = data.buffer.slice(data.byteOffset, data.byteOffset + data.byteLength) as ArrayBuffer;
  const named = tf.io.decodeWeights(buffer, saved.specs);
  await optimizer.setWeights(saved.specs.map((spec) => ({ name: spec.name, tensor: named[spec.name] })));
  // The optimizer's variables now hold their own references to these.
  tf.dispose(Object.values(named));
  const adam = optimizer as unknown as AdamInternals;
  if (saved.adamPowers && adam.accBeta1 && adam.accBeta2) {
    const [beta1Power, beta2Power] = saved.adamPowers;
    tf.tidy(() => {
      adam.accBeta1!.assign(tf.scalar(beta1Power));
      adam.accBeta2!.assign(tf.scalar(beta2Power));
    });
  }
}
