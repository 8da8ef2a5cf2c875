// Direct views of tensors in the wasm backend's heap. Reading through a view
// costs nothing, where dataSync() copies into fresh memory, which is slow to
// touch (about 3 ms per MB here): a 40 MB block took 120 ms to read.
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

/** Byte offset of a tensor's values in the wasm heap. */
export function memoryOffset(backend: BackendWasm, tensor: TensorInfo): number {
  return (backend.dataIdMap.get(tensor.dataId) as unknown as { memoryOffset: number }).memoryOffset;
}

/** A float32 view of a tensor's values; valid until the next allocation, which may replace the heap. */
export function heapFloats(backend: BackendWasm, tensor: TensorInfo): Float32Array {
  return new Float32Array(backend.wasm.HEAPU8.buffer, memoryOffset(backend, tensor), tf.util.sizeFromShape(tensor.shape));
}

/**
 * Calls `read` with a view of the tensor's values, without copying them on
 * wasm (elsewhere, a copy), then disposes the tensor. `read` must not create
 * tensors: the view would go stale.
 */
export async function readInPlace<T>(tensor: tf.Tensor, read: (values: Float32Array) => T): Promise<T> {
  try {
    const backend = tf.backend();
    const values = tf.getBackend() === 'wasm' ? heapFloats(backend as BackendWasm, tensor) : ((await tensor.data()) as Float32Array);
    return read(values);
  } finally {
    tensor.dispose();
  }
}
