// The wasm backend has no Conv2DBackpropFilter kernel, so no convolution
// could train on it. This one hands dW = patchesᵀ · dy to whichever matMul
// kernel is installed (OpenBLAS or the fallback).
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { im2col } from './im2col.js';

interface KernelArgs {
  inputs: { x: TensorInfo; dy: TensorInfo };
  backend: BackendWasm;
  attrs: NamedAttrMap;
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
  const patches = im2col(backend, x, info);
  const matMul = tf.getKernel('BatchMatMul', 'wasm')!.kernelFunc;
  const dy2d = { ...dy, shape: [patches.shape[0], info.outChannels] };
  const product = matMul({ inputs: { a: patches, b: dy2d }, backend, attrs: { transposeA: true, transposeB: false } }) as TensorInfo;
  backend.disposeData(patches.dataId);
  return { ...product, shape: filterShape };
}

export const conv2DBackpropFilterConfig: KernelConfig = {
  kernelName: 'Conv2DBackpropFilter',
  backendName: 'wasm',
  kernelFunc: conv2DBackpropFilter as unknown as KernelFunc,
};
