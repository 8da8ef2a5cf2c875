// Convolutions as one matrix product: patches (im2col) × filter, with the bias
// and activation fused into the product. With OpenBLAS on both cores, the
// feature network's second convolution (patches of 288) takes 67 ms for 500
// images where the wasm backend's one-thread XNNPACK kernel takes 100 ms. Short
// patches stay with XNNPACK: for the first convolution (patches of 9) the
// product is 6 times slower than it.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { im2col } from './im2col.js';
import type { NativeGemm } from './native-addon.js';

interface KernelArgs {
  inputs: { x: TensorInfo; filter: TensorInfo; bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  backend: BackendWasm;
  attrs: NamedAttrMap;
}

function convolve({ inputs, backend, attrs }: KernelArgs, gemm: NativeGemm): TensorInfo {
  const { x, filter } = inputs;
  const info = tf.backend_util.computeConv2DInfo(
    x.shape as [number, number, number, number],
    filter.shape as [number, number, number, number],
    attrs.strides as [number, number],
    attrs.dilations as [number, number],
    attrs.pad as 'same' | 'valid' | number,
    attrs.dimRoundingMode as 'floor' | 'round' | 'ceil' | undefined,
  );
  const patches = im2col(backend, x, info, gemm);
  const product = tf.getKernel('_FusedMatMul', 'wasm')!.kernelFunc({
    inputs: {
      a: patches,
      b: { ...filter, shape: [patches.shape[1], info.outChannels] },
      ...(inputs.bias ? { bias: inputs.bias } : {}),
      ...(inputs.preluActivationWeights ? { preluActivationWeights: inputs.preluActivationWeights } : {}),
    },
    backend,
    attrs: { transposeA: false, transposeB: false, activation: attrs.activation ?? 'linear', leakyreluAlpha: attrs.leakyreluAlpha ?? 0 },
  }) as TensorInfo;
  backend.disposeData(patches.dataId);
  return { ...product, shape: [info.batchSize, info.outHeight, info.outWidth, info.outChannels] };
}

/** Patches shorter than this make the product slower than XNNPACK's direct convolution. */
const SHORTEST_PATCH = 64;

/** Conv2D and FusedConv2D through im2col, handing NCHW inputs and short patches to the stock kernels. */
export function im2colConvKernels(stock: KernelConfig[], gemm: NativeGemm): KernelConfig[] {
  return stock.map((config) => {
    const kernelFunc = (args: KernelArgs) => {
      const [filterHeight, filterWidth, inChannels] = args.inputs.filter.shape;
      const direct = args.attrs.dataFormat === 'NCHW' || filterHeight * filterWidth * inChannels < SHORTEST_PATCH;
      return direct ? config.kernelFunc(args as never) : convolve(args, gemm);
    };
    return { ...config, kernelFunc: kernelFunc as unknown as KernelFunc };
  });
}
