// Inverted dropout's mask drawn in C straight into a fresh tensor on the wasm
// heap (src/native/gemm.c, dropoutMask). As a kernel, the tensor's memory is
// the backend's own fresh output: tf.zeros, used before, filled a JavaScript
// array and copied it to the heap first, ~6 ms of a study step's masks.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { NativeGemm } from './native-addon.js';
import { activeNativeGemm } from './matmul-kernels.js';
import { memoryOffset } from './wasm-heap.js';

const DROPOUT_MASK = 'GankitDropoutMask';

interface MaskAttrs {
  shape: [number, number];
  /** A unit is kept where its 32-bit draw is ≥ threshold (rate · 2³²)… */
  threshold: number;
  /** …and then holds keep, 1/(1 − rate). */
  keep: number;
  /** The xoshiro128** state the draws come from, advanced in place. */
  state: Uint32Array;
}

let registered = false;

/** Registers the mask kernel on the wasm backend; once per process, with the addon loaded. */
export function registerDropoutMaskKernel(gemm: NativeGemm): void {
  if (registered) return;
  const kernelFunc = ({ backend, attrs }: { backend: BackendWasm; attrs: NamedAttrMap }): TensorInfo => {
    const { shape, threshold, keep, state } = attrs as unknown as MaskAttrs;
    const mask = backend.makeOutput(shape, 'float32');
    gemm.dropoutMask(backend.wasm.HEAPU8, memoryOffset(backend, mask), shape[0] * shape[1], threshold, keep, state);
    return mask;
  };
  tf.registerKernel({ kernelName: DROPOUT_MASK, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc });
  registered = true;
}

/** The mask drawn natively from `state`, or undefined where the native kernels are not in use. */
export function nativeDropoutMask(shape: [number, number], threshold: number, keep: number, state: Uint32Array): tf.Tensor2D | undefined {
  if (!registered || !activeNativeGemm()) return undefined;
  const attrs: MaskAttrs = { shape, threshold, keep, state };
  return tf.engine().runKernel(DROPOUT_MASK, {}, attrs as unknown as NamedAttrMap) as tf.Tensor2D;
}
