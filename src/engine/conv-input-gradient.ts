// The wasm backend's Conv2DBackpropInput is a plain loop on one thread: it took
// 1.4 s of the CAS classifier's 1.65 s step (batch 64). This one is the
// transpose of im2col: the patch gradients dy · Wᵀ, one product that the
// installed matMul kernel serves (OpenBLAS on both cores), then each patch
// added back where it was read from (col2im). NCHW stays with the stock kernel.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { heapFloats } from './wasm-heap.js';

interface KernelArgs {
  inputs: { dy: TensorInfo; filter: TensorInfo };
  backend: BackendWasm;
  attrs: NamedAttrMap;
}

/** Adds each row of patch gradients into dx at the pixels its patch was read from (im2col.ts's layout). */
function addPatches(patches: Float32Array, dx: Float32Array, info: tf.backend_util.Conv2DInfo): void {
  const { batchSize, inHeight, inWidth, inChannels, outHeight, outWidth, filterHeight, filterWidth } = info;
  const patchSize = filterHeight * filterWidth * inChannels;
  dx.fill(0);
  let row = 0;
  for (let b = 0; b < batchSize; b++) {
    for (let oy = 0; oy < outHeight; oy++) {
      for (let ox = 0; ox < outWidth; ox++, row++) {
        for (let fy = 0; fy < filterHeight; fy++) {
          const iy = oy * info.strideHeight - info.padInfo.top + fy * info.dilationHeight;
          if (iy < 0 || iy >= inHeight) continue;
          for (let fx = 0; fx < filterWidth; fx++) {
            const ix = ox * info.strideWidth - info.padInfo.left + fx * info.dilationWidth;
            if (ix < 0 || ix >= inWidth) continue;
            const source = row * patchSize + (fy * filterWidth + fx) * inChannels;
            const target = ((b * inHeight + iy) * inWidth + ix) * inChannels;
            for (let c = 0; c < inChannels; c++) dx[target + c] += patches[source + c];
          }
        }
      }
    }
  }
}

function conv2DBackpropInput({ inputs, backend, attrs }: KernelArgs): TensorInfo {
  const { dy, filter } = inputs;
  const inputShape = attrs.inputShape as [number, number, number, number];
  const info = tf.backend_util.computeConv2DInfo(
    inputShape,
    filter.shape as [number, number, number, number],
    attrs.strides as [number, number],
    1,
    attrs.pad as 'same' | 'valid' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
  const matMul = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
  const rows = info.batchSize * info.outHeight * info.outWidth;
  const patchSize = info.filterHeight * info.filterWidth * info.inChannels;
  const patches = matMul({
    inputs: { a: { ...dy, shape: [rows, info.outChannels] }, b: { ...filter, shape: [patchSize, info.outChannels] } },
    backend,
    attrs: { transposeA: false, transposeB: true },
  }) as TensorInfo;
  const dx = backend.makeOutput(inputShape, 'float32');
  // Views after the last allocation: makeOutput may grow (and replace) the heap.
  addPatches(heapFloats(backend, patches), heapFloats(backend, dx), info);
  backend.disposeData(patches.dataId);
  return dx;
}

/** The stock kernel for NCHW; im2col's transpose for NHWC. */
export function conv2DBackpropInputConfig(stock: KernelConfig): KernelConfig {
  const kernelFunc = (args: KernelArgs) => (args.attrs.dataFormat === 'NCHW' ? stock.kernelFunc(args as never) : conv2DBackpropInput(args));
  return { ...stock, kernelFunc: kernelFunc as unknown as KernelFunc };
}
