// Adam, RMSProp and the generator's moving average, each updating a variable
// in one native pass on the wasm heap (src/native/optimizers.c) instead of
// TF.js's chain of elementwise kernels. The optimizers subclass TF.js's own
// and keep their state in the same fields, so checkpoints, getWeights and
// setWeights are TF.js's, and a run saved on one path resumes on the other.
import * as tf from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { NativeGemm } from './native-addon.js';
import { memoryOffset } from './wasm-heap.js';

type Gradients = Parameters<tf.Optimizer['applyGradients']>[0];

interface StateSlot {
  originalName: string;
  variable: tf.Variable;
}

const gradientEntries = (gradients: Gradients): Array<[string, tf.Tensor]> =>
  Array.isArray(gradients) ? gradients.map(({ name, tensor }) => [name, tensor]) : Object.entries(gradients);

const wasmBackend = () => tf.backend() as BackendWasm;

/**
 * Gives `variable` memory no other tensor shares (TF.js shares it after an
 * assign or a clone), so that writing into it in place changes nothing else.
 */
export function ownMemory(variable: tf.Variable): void {
  if (wasmBackend().refCount(variable.dataId) <= 1) return;
  const copy = tf.add(variable, 0);
  variable.assign(copy);
  copy.dispose();
}

/** A state slot as TF.js's optimizers create it: zeros shaped like the variable, not trainable. */
function stateSlot(slots: StateSlot[], index: number, name: string, suffix: string): tf.Variable {
  slots[index] ??= { originalName: `${name}/${suffix}`, variable: tf.tidy(() => tf.zerosLike(tf.engine().registeredVariables[name]).variable(false)) };
  ownMemory(slots[index].variable);
  return slots[index].variable;
}

/** A tensor's byte offset on the wasm heap; read after every allocation of the update is done. */
const at = (tensor: tf.Tensor) => memoryOffset(wasmBackend(), tensor);

/** average += weight · (value − average) in one native pass: the generator EMA's update. */
export function fusedMovingAverageStep(gemm: NativeGemm, average: tf.Variable, value: tf.Tensor, weight: number): void {
  ownMemory(average);
  gemm.emaUpdate(wasmBackend().wasm.HEAPU8, average.size, at(average), at(value), Float32Array.of(weight));
}

interface AdamInternals {
  accBeta1: tf.Variable;
  accBeta2: tf.Variable;
  accumulatedFirstMoment: StateSlot[];
  accumulatedSecondMoment: StateSlot[];
}

/** tf.train.adam with a native update: the same float32 arithmetic in one pass. */
export class FusedAdamOptimizer extends tf.AdamOptimizer {
  constructor(
    private readonly gemm: NativeGemm,
    learningRate: number,
    beta1: number,
    beta2: number,
    epsilon: number,
  ) {
    super(learningRate, beta1, beta2, epsilon);
  }

  override applyGradients(gradients: Gradients): void {
    const state = this as unknown as AdamInternals;
    const [oneMinusAccBeta1, oneMinusAccBeta2] = tf
      .tidy(() => [tf.sub(1, state.accBeta1), tf.sub(1, state.accBeta2)])
      .map((t) => {
        const value = t.dataSync()[0];
        t.dispose();
        return value;
      });
    // As TF.js computes them: each constant rounded to float32 once.
    const settings = Float32Array.of(
      this.beta1,
      1 - this.beta1,
      this.beta2,
      1 - this.beta2,
      oneMinusAccBeta1,
      oneMinusAccBeta2,
      this.epsilon,
      -this.learningRate,
    );
    gradientEntries(gradients).forEach(([name, gradient], i) => {
      const value = tf.engine().registeredVariables[name];
      const m = stateSlot(state.accumulatedFirstMoment, i, name, 'm');
      const v = stateSlot(state.accumulatedSecondMoment, i, name, 'v');
      ownMemory(value);
      this.gemm.adamUpdate(wasmBackend().wasm.HEAPU8, value.size, at(value), at(gradient), at(m), at(v), settings);
    });
    tf.tidy(() => {
      state.accBeta1.assign(tf.mul(state.accBeta1, this.beta1));
      state.accBeta2.assign(tf.mul(state.accBeta2, this.beta2));
    });
    this.incrementIterations();
  }
}

interface RmsPropInternals {
  accumulatedMeanSquares: StateSlot[];
  accumulatedMoments: StateSlot[];
}

/** tf.train.rmsprop (no momentum, not centred) with a native update. */
export class FusedRmsPropOptimizer extends tf.RMSPropOptimizer {
  constructor(
    private readonly gemm: NativeGemm,
    learningRate: number,
    decay: number,
    epsilon: number,
  ) {
    super(learningRate, decay, 0, epsilon, false);
  }

  override applyGradients(gradients: Gradients): void {
    const state = this as unknown as RmsPropInternals;
    const settings = Float32Array.of(this.decay, 1 - this.decay, this.learningRate, this.epsilon);
    gradientEntries(gradients).forEach(([name, gradient], i) => {
      const value = tf.engine().registeredVariables[name];
      const meanSquare = stateSlot(state.accumulatedMeanSquares, i, name, 'rms');
      // Kept for TF.js's checkpoint layout; with momentum 0 it never enters an update.
      stateSlot(state.accumulatedMoments, i, name, 'momentum');
      ownMemory(value);
      this.gemm.rmspropUpdate(wasmBackend().wasm.HEAPU8, value.size, at(value), at(gradient), at(meanSquare), settings);
    });
    this.incrementIterations();
  }
}
