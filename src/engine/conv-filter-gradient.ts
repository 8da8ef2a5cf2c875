// The wasm backend has no Conv2DBackpropFilter kernel, so no convolution
// could train on it. This one lays the input's patches out as rows (im2col)
// and hands dW = patchesᵀ · dy to whichever matMul kernel is installed
// (OpenBLAS or the fallback).
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';

interface KernelArgs {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: NamedAttrMap;
}

function heapFloats(backend: BackendWasm, tensor: TensorInfo): Float32Array {
  const { memoryOffset } = backend.dataIdMap.get(tensor.dataId) as unknown as { memoryOffset: number };
  return new Float32Array(backend.wasm.HEAPU8.buffer, memoryOffset, tf.util.sizeFromShape(tensor.shape));
}

function conv2DBackpropFilter({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { x, dy } = inputs;
  if (attrs.dataFormat === 'NCHW') throw new Error('Conv2DBackpropFilter on wasm supports NHWC only.');
  const filterShape = attrs.filterShape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filterShape,
    attrs.strides as [number, number],
    1,
    attrs.pad as 'same' | 'valid' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, outChannels, filterHeight, filterWidth } = info;
  const patchSize = filterHeight * filterWidth * inChannels;
  const rows = batchSize * outHeight * outWidth;
  const patches = backend.makeOutput([rows, patchSize], 'float32');
  // Views after every allocation: makeOutput may grow (and replace) the heap.
  const patchValues = heapFloats(backend, patches);
  const input = heapFloats(backend, x);
  patchValues.fill(0);
  const top = info.padInfo.top;
  const left = info.padInfo.left;
  let row = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++, row++) {
        const rowStart = row * patchSize;
        for (let fy = 0; fy < filterHeight; fy++) {
          const iy = oy * info.strideHeight - top + fy;
          if (iy < 0 || iy >= inHeight) continue;
          for (let fx = 0; fx < filterWidth; fx++) {
            const ix = ox * info.strideWidth - left + fx;
            if (ix < 0 || ix >= inWidth) continue;
            const source = ((b * inHeight + iy) * inWidth + ix) * inChannels;
            const target = rowStart + (fy * filterWidth + fx) * inChannels;
            // A plain loop: channels are few, and subarray() per pixel costs more than the copy.
            for (let c = 0; c < inChannels; c++) patchValues[target + c] = input[source + c];
          }
        }
      }
    }
  }
  const matMul = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
  const dy2d = { ...dy, shape: [rows, outChannels] };
  const product = matMul({ inputs: { a: patches, b: dy2d }, backend, attrs: { transposeA: true, transposeB: false } }) as TensorInfo;
  backend.disposeData(patches.dataId);
  return { ...product, shape: filterShape };
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
