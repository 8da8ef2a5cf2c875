// The fused dense layer: act(x·W + b) ⊙ mask as one TF.js kernel, with its
// gradient as one kernel per input (src/native/dense.c), so that a layer
// costs one native call forward and at most three backward, where TF.js's
// own kernels take about eight, each with its copies and dispatch
// (the step profile of 2026-11-27). Objectives, the tape and the optimizers see an
// ordinary op. Where the tape is recording the gradient itself (WGAN-GP's and
// DRAGAN's gradient of a gradient), the gradient is built from stock,
// differentiable ops instead, so those objectives stay exact.
import * as tf from '@tensorflow/tfjs-core';
import type { GradConfig, KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { NativeGemm } from './native-addon.js';
import { memoryOffset } from './wasm-heap.js';
import { activeNativeGemm } from './matmul-kernels.js';

export type DenseActivation = 'linear' | 'leakyrelu' | 'tanh' | 'sigmoid';

/** As enum Activation in src/native/napi-helpers.h. */
const ACTIVATION_CODES: Record<DenseActivation, number> = { linear: 0, leakyrelu: 4, sigmoid: 5, tanh: 7 };

const DENSE = 'GankitDense';
// Its own name, so that its gradient's saved inputs include the mask.
const DENSE_MASKED = 'GankitDenseMasked';
const BACKWARD = 'GankitDenseBackward';
const EXAMPLE_NORMS = 'GankitDenseExampleNorms';

/** Which gradients a backward pass will ask of a layer: a hint for speed; any other is still computed when asked. */
export interface GradientsNeeded {
  /** With respect to the layer's input (false for a network's first layer on data). */
  input: boolean;
  /** With respect to W and b (false where the network is not being trained). */
  weights: boolean;
}

interface DenseAttrs {
  activation: DenseActivation;
  alpha: number;
  hasMask: boolean;
  inputGradient: boolean;
  weightGradients: boolean;
}

interface KernelArgs {
  inputs: Record<string, TensorInfo | undefined>;
  backend: BackendWasm;
  attrs: NamedAttrMap;
}

const ABSENT = -1;

function nativeKernels(gemm: NativeGemm): KernelConfig[] {
  /** The arguments every call shares, then each tensor's byte offset (−1 where absent), read after the output exists. */
  const call = (backend: BackendWasm, x: TensorInfo, fanOut: number, attrs: NamedAttrMap, tensors: Array<TensorInfo | undefined>) => {
    const { activation, alpha } = attrs as unknown as DenseAttrs;
    const [rows, fanIn] = x.shape;
    const offsets = tensors.map((t) => (t ? memoryOffset(backend, t) : ABSENT));
    return [backend.wasm.HEAPU8, rows, fanIn, fanOut, ACTIVATION_CODES[activation], alpha, ...offsets] as Parameters<NativeGemm['denseForward']>;
  };
  const forward = ({ inputs: { x, w, b, mask }, backend, attrs }: KernelArgs) => {
    const fanOut = w!.shape[1];
    const out = backend.makeOutput([x!.shape[0], fanOut], 'float32');
    gemm.denseForward(...call(backend, x!, fanOut, attrs, [x, w, b, mask, out]));
    return out;
  };
  // Outputs: dX where attrs.inputGradient, then dW and db where attrs.weightGradients.
  const backward = ({ inputs: { dy, y, mask, x, w }, backend, attrs }: KernelArgs) => {
    const { inputGradient, weightGradients } = attrs as unknown as DenseAttrs;
    const [rows, fanIn] = x!.shape;
    const fanOut = w!.shape[1];
    const dx = inputGradient ? backend.makeOutput([rows, fanIn], 'float32') : undefined;
    const dw = weightGradients ? backend.makeOutput([fanIn, fanOut], 'float32') : undefined;
    const db = weightGradients ? backend.makeOutput([fanOut], 'float32') : undefined;
    gemm.denseBackward(...call(backend, x!, fanOut, attrs, [dy, y, mask, x, w, dx, dw, db]));
    return [dx, dw, db].filter((t) => t !== undefined);
  };
  const exampleNorms = ({ inputs: { dy, y, mask, x }, backend, attrs }: KernelArgs) => {
    const out = backend.makeOutput([x!.shape[0]], 'float32');
    gemm.denseExampleNorms(...call(backend, x!, dy!.shape[1], attrs, [dy, y, mask, x, out]));
    return out;
  };
  return [
    [DENSE, forward],
    [DENSE_MASKED, forward],
    [BACKWARD, backward],
    [EXAMPLE_NORMS, exampleNorms],
  ].map(([kernelName, kernelFunc]) => ({ kernelName, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc }) as KernelConfig);
}

/**
 * dy ⊙ mask ⊙ act′(z) in stock, differentiable ops, from the pre-activation z
 * recomputed from the saved inputs. (Not from the saved output: TF.js records
 * a saved output's copy on the tape before the kernel that made it, so a
 * gradient taken through that copy never reaches W or b.)
 */
function stockDelta(
  dy: tf.Tensor2D,
  x: tf.Tensor2D,
  w: tf.Tensor2D,
  b: tf.Tensor1D,
  mask: tf.Tensor2D | undefined,
  { activation, alpha }: DenseAttrs,
): tf.Tensor2D {
  const masked = mask ? tf.mul(dy, mask) : dy;
  const z = tf.add(tf.matMul(x, w), b);
  if (activation === 'leakyrelu') return tf.where(tf.greater(z, 0), masked, tf.mul(masked, alpha)) as tf.Tensor2D;
  if (activation === 'tanh') return tf.mul(masked, tf.sub(1, tf.square(tf.tanh(z)))) as tf.Tensor2D;
  if (activation === 'sigmoid') {
    const s = tf.sigmoid(z);
    return tf.mul(masked, tf.mul(s, tf.sub(1, s))) as tf.Tensor2D;
  }
  // Linear: z enters with a zero weight, so that W and b stay on the tape with a zero second derivative.
  return tf.add(masked, tf.mul(z, 0)) as tf.Tensor2D;
}

const gradient: GradConfig['gradFunc'] = (dy, saved, attrs) => {
  const options = attrs as unknown as DenseAttrs;
  const [x, w] = saved as tf.Tensor2D[];
  const b = saved[2] as tf.Tensor1D;
  const mask = options.hasMask ? (saved[3] as tf.Tensor2D) : undefined;
  const y = saved[saved.length - 1] as tf.Tensor2D;
  const g = dy as tf.Tensor2D;
  const gradients: Record<string, () => tf.Tensor> = {};
  if (tf.engine().isTapeOn()) {
    // A gradient of this gradient is being taken: stock ops, which have gradients of their own.
    // δ once, for every closure (it lives until the backward pass ends).
    const delta = stockDelta(g, x, w, b, mask, options);
    gradients.x = () => tf.matMul(delta, w, false, true);
    gradients.w = () => tf.matMul(x, delta, true, false);
    gradients.b = () => tf.sum(delta, 0);
  } else {
    // One native call for the gradients the forward call said will be asked
    // for (dX ∥ dW on the two threads); any other is computed when asked.
    // Those never asked for are disposed with the rest of the backward pass.
    const inputs = { dy: g, y, x, w, ...(mask ? { mask } : {}) };
    const run = (inputGradient: boolean, weightGradients: boolean) =>
      tf.engine().runKernel(BACKWARD, inputs, { ...attrs, inputGradient, weightGradients } as NamedAttrMap) as tf.Tensor[];
    const expected = options.inputGradient || options.weightGradients ? run(options.inputGradient, options.weightGradients) : [];
    const dx = options.inputGradient ? expected[0] : undefined;
    const [dw, db] = options.weightGradients ? expected.slice(options.inputGradient ? 1 : 0) : [];
    gradients.x = () => dx ?? run(true, false)[0];
    gradients.w = () => dw ?? run(false, true)[0];
    gradients.b = () => db ?? run(false, true)[1];
  }
  // The mask is a constant draw; nothing upstream of it is trained.
  if (mask) gradients.mask = () => tf.zerosLike(mask);
  return gradients;
};

const gradientConfigs: GradConfig[] = [
  { kernelName: DENSE, inputsToSave: ['x', 'w', 'b'], outputsToSave: [true], gradFunc: gradient },
  { kernelName: DENSE_MASKED, inputsToSave: ['x', 'w', 'b', 'mask'], outputsToSave: [true], gradFunc: gradient },
];

let registered = false;

/** Registers the fused layer's kernels on the wasm backend; once per process, with the addon loaded. */
export function registerDenseKernels(gemm: NativeGemm): void {
  if (registered) return;
  for (const config of nativeKernels(gemm)) tf.registerKernel(config);
  for (const config of gradientConfigs) tf.registerGradient(config);
  registered = true;
}

/** A dense layer's parameters: act(x·W + b), with LeakyReLU's slope `alpha`. */
export interface DenseParameters {
  w: tf.Tensor2D;
  b: tf.Tensor1D | null;
  activation: DenseActivation;
  alpha: number;
}

/** The same layer in stock TF.js ops: the fallback, and the reference the tests compare against. */
export function stockDense(x: tf.Tensor2D, { w, b, activation, alpha }: DenseParameters, mask: tf.Tensor2D | null = null): tf.Tensor2D {
  return tf.tidy(() => {
    // Plain ops rather than tf.fused.matMul, whose custom gradient TF.js cannot differentiate again.
    let z = tf.matMul(x, w);
    if (b) z = tf.add(z, b);
    if (activation === 'leakyrelu') z = tf.leakyRelu(z, alpha);
    else if (activation === 'tanh') z = tf.tanh(z);
    else if (activation === 'sigmoid') z = tf.sigmoid(z);
    return (mask ? tf.mul(z, mask) : z) as tf.Tensor2D;
  });
}

/** A dense layer as it ran forward: its input, output (after activation and dropout), mask and parameters. */
export interface DenseRun {
  input: tf.Tensor2D;
  output: tf.Tensor2D;
  mask: tf.Tensor2D | null;
  parameters: DenseParameters;
}

/** δ = ∂ℓ/∂z, the gradient at the pre-activation, from dy = ∂ℓ/∂y at the output y = act(z) ⊙ mask. */
function stockPreActivationGradient(dy: tf.Tensor2D, { output: y, mask, parameters: { activation, alpha } }: DenseRun): tf.Tensor2D {
  return tf.tidy(() => {
    const masked = mask ? tf.mul(dy, mask) : dy;
    // a = act(z): y with the mask divided out where it kept the unit (elsewhere δ is 0 anyway).
    const a = mask ? tf.mul(y, tf.divNoNan(tf.onesLike(mask), mask)) : y;
    if (activation === 'leakyrelu') return tf.where(tf.greater(a, 0), masked, tf.mul(masked, alpha));
    if (activation === 'tanh') return tf.mul(masked, tf.sub(1, tf.square(a)));
    if (activation === 'sigmoid') return tf.mul(masked, tf.mul(a, tf.sub(1, a)));
    return masked;
  }) as tf.Tensor2D;
}

const nativeRun = (run: DenseRun) => registered && activeNativeGemm() !== undefined && run.parameters.b !== null;
const runInputs = (dy: tf.Tensor2D, { input, output, mask, parameters }: DenseRun): tf.NamedTensorMap => ({
  dy,
  y: output,
  x: input,
  w: parameters.w,
  ...(mask ? { mask } : {}),
});
const runAttrs = ({ mask, parameters: { activation, alpha } }: DenseRun, weightGradients: boolean) =>
  ({ activation, alpha, hasMask: mask !== null, inputGradient: false, weightGradients }) as unknown as NamedAttrMap;

/**
 * Each example's squared gradient norm over the layer's W and b,
 * (‖x_i‖² + 1)·‖δ_i‖², from dy at the layer's output: DP-SGD's ghost norms.
 */
export function exampleGradientNorms(dy: tf.Tensor2D, run: DenseRun): tf.Tensor1D {
  if (nativeRun(run)) return tf.engine().runKernel(EXAMPLE_NORMS, runInputs(dy, run), runAttrs(run, false)) as tf.Tensor1D;
  return tf.tidy(() => {
    const delta = stockPreActivationGradient(dy, run);
    return tf.mul(tf.add(tf.sum(tf.square(run.input), 1), 1), tf.sum(tf.square(delta), 1)) as tf.Tensor1D;
  });
}

/** The layer's gradients with respect to W and b for the output gradient dy (first order, off the tape). */
export function parameterGradients(dy: tf.Tensor2D, run: DenseRun): { w: tf.Tensor2D; b: tf.Tensor1D } {
  if (nativeRun(run)) {
    const [w, b] = tf.engine().runKernel(BACKWARD, runInputs(dy, run), runAttrs(run, true)) as [tf.Tensor2D, tf.Tensor1D];
    return { w, b };
  }
  return tf.tidy(() => {
    const delta = stockPreActivationGradient(dy, run);
    return { w: tf.matMul(run.input, delta, true, false), b: tf.sum(delta, 0) as tf.Tensor1D };
  });
}

const EVERY_GRADIENT: GradientsNeeded = { input: true, weights: true };

/**
 * act(x·W + b) ⊙ mask for a batch of rows x: one native call where the
 * native kernels serve matMul, else stock ops.
 */
export function dense(x: tf.Tensor2D, parameters: DenseParameters, mask: tf.Tensor2D | null = null, needed = EVERY_GRADIENT): tf.Tensor2D {
  // The native layer always has a bias (its gradient's saved inputs name it); none of gankit's layers lacks one.
  if (!registered || !activeNativeGemm() || x.dtype !== 'float32' || parameters.b === null) return stockDense(x, parameters, mask);
  const { w, b, activation, alpha } = parameters;
  const fits =
    x.rank === 2 &&
    w.rank === 2 &&
    x.shape[1] === w.shape[0] &&
    b!.rank === 1 &&
    b!.shape[0] === w.shape[1] &&
    (!mask || (mask.shape[0] === x.shape[0] && mask.shape[1] === w.shape[1])) &&
    [w, b!, mask ?? w].every((t) => t.dtype === 'float32');
  if (!fits) throw new Error(`dense: x ${x.shape}, W ${w.shape}, b ${b!.shape}${mask ? `, mask ${mask.shape}` : ''} do not fit (float32 throughout).`);
  const inputs: tf.NamedTensorMap = { x, w, b: b!, ...(mask ? { mask } : {}) };
  const attrs: DenseAttrs = { activation, alpha, hasMask: mask !== null, inputGradient: needed.input, weightGradients: needed.weights };
  return tf.engine().runKernel(mask ? DENSE_MASKED : DENSE, inputs, attrs as unknown as NamedAttrMap) as tf.Tensor2D;
}
