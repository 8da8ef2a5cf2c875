// A convolution's input unfolded into patches (im2col) as a tensor of its
// own, for DP-SGD's per-example norms of convolutions
// (privacy/conv-example-gradients.ts). On the wasm backend the patches are
// copied by im2col.ts (in C with the native addon) straight into a fresh
// output: built from k² strided slices instead, they took 5 of the 7 seconds
// of a DCGAN D's clipped step at batch 64. Elsewhere (WebGPU) the slices serve.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import { im2col } from './im2col.js';
import { activeNativeGemm } from './matmul-kernels.js';

const IMAGE_PATCHES = 'GankitImagePatches';

interface PatchAttrs {
  filterShape: [number, number, number, number];
  strides: number;
  pad: 'same' | 'valid';
}

const geometry = (x: { shape: number[] }, { filterShape, strides, pad }: PatchAttrs) =>
  tf.backend_util.computeConv2DInfo(x.shape as [number, number, number, number], filterShape, strides, 1, pad);

/** Registers the wasm kernel; once per process. */
export function registerImagePatchesKernel(): void {
  if (tf.getKernel(IMAGE_PATCHES, 'wasm')) return;
  const kernelFunc = ({ inputs, backend, attrs }: { inputs: { x: TensorInfo }; backend: BackendWasm; attrs: NamedAttrMap }): TensorInfo =>
    im2col(backend, inputs.x, geometry(inputs.x, attrs as unknown as PatchAttrs), activeNativeGemm());
  tf.registerKernel({ kernelName: IMAGE_PATCHES, backendName: 'wasm', kernelFunc: kernelFunc as unknown as KernelFunc });
}

/**
 * The patches of the NHWC input x that a convolution by a filter of `filterShape` reads:
 * [batch·outHeight·outWidth, filterHeight·filterWidth·inChannels], in the filter's (row, column, channel) order.
 */
export function imagePatches(x: tf.Tensor4D, attrs: PatchAttrs): tf.Tensor2D {
  return tf.getKernel(IMAGE_PATCHES, tf.getBackend())
    ? (tf.engine().runKernel(IMAGE_PATCHES, { x }, attrs as unknown as NamedAttrMap) as tf.Tensor2D)
    : slicedPatches(x, attrs);
}

/** imagePatches from k² strided slices of the padded input, on any backend. */
export function slicedPatches(x: tf.Tensor4D, attrs: PatchAttrs): tf.Tensor2D {
  const info = geometry(x, attrs);
  const [rows, , , channels] = x.shape;
  const [kernelHeight, kernelWidth] = attrs.filterShape;
  const { top, bottom, left, right } = info.padInfo;
  return tf.tidy(() => {
    const padded = tf.pad(x, [
      [0, 0],
      [top, bottom],
      [left, right],
      [0, 0],
    ]);
    const shifts: tf.Tensor4D[] = [];
    for (let y = 0; y < kernelHeight; y++) {
      for (let column = 0; column < kernelWidth; column++) {
        const end = [rows, y + attrs.strides * (info.outHeight - 1) + 1, column + attrs.strides * (info.outWidth - 1) + 1, channels];
        shifts.push(tf.stridedSlice(padded, [0, y, column, 0], end, [1, attrs.strides, attrs.strides, 1]) as tf.Tensor4D);
      }
    }
    return tf.reshape(tf.stack(shifts, 3), [rows * info.outHeight * info.outWidth, kernelHeight * kernelWidth * channels]);
  });
}
