// Lays out a convolution's input patches as matrix rows (im2col), so that a
// convolution and its filter gradient become matrix products that the
// installed matMul kernel (OpenBLAS, or the fallback) serves.
import * as tf from '@tensorflow/tfjs-core';
import type { TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { NativeGemm } from './native-addon.js';
import { heapFloats, memoryOffset } from './wasm-heap.js';

/**
 * A [batch·outHeight·outWidth, filterHeight·filterWidth·inChannels] tensor of
 * patches of the NHWC input x, copied in C when the native addon is given.
 */
export function im2col(backend: BackendWasm, x: TensorInfo, info: tf.backend_util.Conv2DInfo, native?: NativeGemm): TensorInfo {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const patches = backend.makeOutput([batchSize * outHeight * outWidth, filterHeight * filterWidth * inChannels], 'float32');
  // Heap views and offsets after every allocation: makeOutput may grow (and replace) the heap.
  if (native) {
    const geometry = Int32Array.of(
      batchSize,
      inHeight,
      inWidth,
      inChannels,
      outHeight,
      outWidth,
      filterHeight,
      filterWidth,
      info.strideHeight,
      info.strideWidth,
      info.dilationHeight,
      info.dilationWidth,
      info.padInfo.top,
      info.padInfo.left,
    );
    native.im2col(backend.wasm.HEAPU8, memoryOffset(backend, x), memoryOffset(backend, patches), geometry);
  } else {
    copyPatches(heapFloats(backend, x), heapFloats(backend, patches), info);
  }
  return patches;
}

function copyPatches(input: Float32Array, patchValues: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const patchSize = filterHeight * filterWidth * inChannels;
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  const rowWidth = filterWidth * inChannels;
  let row = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++, row++) {
        const rowStart = row * patchSize;
        const x0 = ox * info.strideWidth - left;
        for (let fy = 0; fy < filterHeight; fy++) {
          const iy = oy * info.strideHeight - top + fy * info.dilationHeight;
          const target = rowStart + fy * rowWidth;
          if (iy < 0 || iy >= inHeight) {
            patchValues.fill(0, target, target + rowWidth);
            continue;
          }
          const imageRow = (b * inHeight + iy) * inWidth;
          for (let fx = 0; fx < filterWidth; fx++) {
            const ix = x0 + fx * info.dilationWidth;
            const at = target + fx * inChannels;
            if (ix < 0 || ix >= inWidth) {
              for (let c = 0; c < inChannels; c++) patchValues[at + c] = 0;
              continue;
            }
            const source = (imageRow + ix) * inChannels;
            // A plain loop: channels are few, and subarray() per pixel costs more than the copy.
            for (let c = 0; c < inChannels; c++) patchValues[at + c] = input[source + c];
          }
        }
      }
    }
  }
}
