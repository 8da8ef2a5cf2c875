// tf.clone (the Identity kernel) without a copy. The tape clones every tensor
// a gradient saves, and the wasm backend's Identity copies its memory: each
// dense layer's weights, ~2.5 ms of a training step at batch 64 (the step
// profile of 2026-11-27). Here the clone shares its input's memory, as the
// CPU backend's Identity does. Tensors are immutable to TF.js; the only
// writers in place, the fused optimizers, first give a shared variable its
// own memory (ownMemory in fused-optimizers.ts).
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

const sharedIdentity = ({ inputs: { x }, backend }: { inputs: { x: TensorInfo }; backend: BackendWasm }): TensorInfo => {
  backend.incRef(x.dataId);
  return { dataId: x.dataId, shape: x.shape, dtype: x.dtype };
};

/** Replaces the wasm backend's Identity with the one above; strings keep the stock kernel. */
export function shareMemoryOnClone(): void {
  const stock = tf.getKernel('Identity', 'wasm');
  if (!stock) throw new Error('The wasm backend has no Identity kernel.');
  const kernelFunc = (args: { inputs: { x: TensorInfo }; backend: BackendWasm }) =>
    args.inputs.x.dtype === 'string' ? stock.kernelFunc(args as unknown as Parameters<KernelFunc>[0]) : sharedIdentity(args);
  tf.unregisterKernel('Identity', 'wasm');
  tf.registerKernel({ kernelName: 'Identity', backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc } as KernelConfig);
}
