// The wasm backend's matrix-product kernels, replaced by OpenBLAS calls (see
// src/native/gemm.c), and the stock kernels kept so that tests and benchmarks
// can switch between them in one process.
import * as tf from '@tensorflow/tfjs-core';
import type { KernelConfig, KernelFunc, NamedAttrMap, TensorInfo } from '@tensorflow/tfjs-core';
import type { BackendWasm } from '@tensorflow/tfjs-backend-wasm';
import type { NativeGemm } from './native-addon.js';
import { memoryOffset } from './wasm-heap.js';
import { im2colConvKernels } from './conv-forward.js';

const MATMUL_KERNELS = ['BatchMatMul', '_FusedMatMul'];
const CONV_KERNELS = ['Conv2D', 'FusedConv2D'];

// Must match FusableActivation in tfjs-backend-wasm and enum Activation in gemm.c.
const ACTIVATION_CODES: Record<string, number> = {
  linear: 0,
  relu: 1,
  relu6: 2,
  prelu: 3,
  leakyrelu: 4,
  sigmoid: 5,
  elu: 6,
};

interface KernelArgs {
  inputs: Record<string, TensorInfo> & { bias?: TensorInfo; preluActivationWeights?: TensorInfo };
  backend: BackendWasm;
  attrs: NamedAttrMap;
}

/**
 * Byte offsets of the matrix that each output batch reads from one operand,
 * with numpy broadcasting of the leading (batch) dimensions.
 */
function batchOffsets(outBatchShape: number[], operandShape: number[], baseOffset: number): Uint32Array {
  const operandBatch = operandShape.slice(0, -2);
  const matrixBytes = operandShape[operandShape.length - 2] * operandShape[operandShape.length - 1] * 4;
  const strides = new Array<number>(operandBatch.length);
  let stride = 1;
  for (let d = operandBatch.length - 1; d >= 0; d--) {
    strides[d] = stride;
    stride *= operandBatch[d];
  }
  const total = tf.util.sizeFromShape(outBatchShape);
  const offsets = new Uint32Array(total);
  const lead = outBatchShape.length - operandBatch.length;
  for (let flat = 0; flat < total; flat++) {
    let rest = flat;
    let index = 0;
    for (let d = outBatchShape.length - 1; d >= 0; d--) {
      const coordinate = rest % outBatchShape[d];
      rest = Math.floor(rest / outBatchShape[d]);
      const operandDim = d - lead;
      if (operandDim >= 0 && operandBatch[operandDim] !== 1) index += coordinate * strides[operandDim];
    }
    offsets[flat] = baseOffset + index * matrixBytes;
  }
  return offsets;
}

interface Epilogue {
  bias?: TensorInfo;
  activation: string;
  leakyreluAlpha: number;
  preluWeights?: TensorInfo;
}

function nativeProduct(
  gemm: NativeGemm,
  backend: BackendWasm,
  a: TensorInfo,
  b: TensorInfo,
  transposeA: boolean,
  transposeB: boolean,
  epilogue: Epilogue,
): TensorInfo {
  if (a.dtype !== 'float32' || b.dtype !== 'float32') {
    throw new Error(`matMul on the native kernel needs float32 tensors, got ${a.dtype} and ${b.dtype}.`);
  }
  const ra = a.shape.length;
  const rb = b.shape.length;
  const m = transposeA ? a.shape[ra - 1] : a.shape[ra - 2];
  const innerA = transposeA ? a.shape[ra - 2] : a.shape[ra - 1];
  const innerB = transposeB ? b.shape[rb - 1] : b.shape[rb - 2];
  const n = transposeB ? b.shape[rb - 2] : b.shape[rb - 1];
  if (innerA !== innerB) {
    throw new Error(
      `Error in matMul: inner shapes (${innerA}) and (${innerB}) of Tensors with shapes ${a.shape} and ` +
        `${b.shape} and transposeA=${transposeA} and transposeB=${transposeB} must match.`,
    );
  }
  const activation = ACTIVATION_CODES[epilogue.activation];
  if (activation === undefined) throw new Error(`${epilogue.activation} activation is not supported by matMul.`);
  const batchShape = tf.broadcast_util.assertAndGetBroadcastShape(a.shape.slice(0, -2), b.shape.slice(0, -2));
  const out = backend.makeOutput([...batchShape, m, n], 'float32');
  if (m === 0 || n === 0 || tf.util.sizeFromShape(batchShape) === 0) return out;

  let biasOffset = -1;
  let biasSize = 0;
  if (epilogue.bias) {
    const bias = epilogue.bias;
    biasSize = tf.util.sizeFromShape(bias.shape);
    if (bias.shape.length !== 1 || (biasSize !== n && biasSize !== 1)) {
      throw new Error(`_FusedMatMul supports a rank-1 bias of size ${n} or 1, got shape [${bias.shape}].`);
    }
    biasOffset = memoryOffset(backend, bias);
  }
  let preluOffset = -1;
  let preluSize = 0;
  if (epilogue.preluWeights) {
    preluOffset = memoryOffset(backend, epilogue.preluWeights);
    preluSize = tf.util.sizeFromShape(epilogue.preluWeights.shape);
  }
  // Read the heap after makeOutput: an allocation may have grown (and replaced) it.
  gemm.matmul(
    backend.wasm.HEAPU8,
    transposeA,
    transposeB,
    m,
    n,
    innerA,
    batchOffsets(batchShape, a.shape, memoryOffset(backend, a)),
    batchOffsets(batchShape, b.shape, memoryOffset(backend, b)),
    memoryOffset(backend, out),
    biasOffset,
    biasSize,
    activation,
    epilogue.leakyreluAlpha,
    preluOffset,
    preluSize,
  );
  return out;
}

function nativeKernels(gemm: NativeGemm): KernelConfig[] {
  const batchMatMul = ({ inputs, backend, attrs }: KernelArgs) =>
    nativeProduct(gemm, backend, inputs.a, inputs.b, attrs.transposeA as boolean, attrs.transposeB as boolean, {
      activation: 'linear',
      leakyreluAlpha: 0,
    });
  const fusedMatMul = ({ inputs, backend, attrs }: KernelArgs) =>
    nativeProduct(gemm, backend, inputs.a, inputs.b, attrs.transposeA as boolean, attrs.transposeB as boolean, {
      bias: inputs.bias,
      activation: attrs.activation as string,
      leakyreluAlpha: (attrs.leakyreluAlpha as number | undefined) ?? 0,
      preluWeights: inputs.preluActivationWeights,
    });
  return [
    { kernelName: 'BatchMatMul', backendName: 'wasm', kernelFunc: batchMatMul as unknown as KernelFunc },
    { kernelName: '_FusedMatMul', backendName: 'wasm', kernelFunc: fusedMatMul as unknown as KernelFunc },
  ];
}

/**
 * The stock kernels behind explicit transposes: the stock wasm product is
 * fast untransposed but up to 40x slower with a transpose flag (measured when the engine was chosen),
 * and the backward pass of every dense layer asks for one.
 */
function transposingKernels(stock: KernelConfig[]): KernelConfig[] {
  const transpose = tf.getKernel('Transpose', 'wasm');
  if (!transpose) throw new Error('The wasm backend has no Transpose kernel.');
  return stock.map((config) => {
    const kernelFunc = ({ inputs, backend, attrs }: KernelArgs) => {
      const swapLast = (x: TensorInfo) => {
        const perm = x.shape.map((_, i) => i);
        [perm[perm.length - 2], perm[perm.length - 1]] = [perm[perm.length - 1], perm[perm.length - 2]];
        return transpose.kernelFunc({ inputs: { x }, backend, attrs: { perm } }) as TensorInfo;
      };
      const temporaries: TensorInfo[] = [];
      const operand = (x: TensorInfo, transposed: boolean) => {
        if (!transposed) return x;
        const t = swapLast(x);
        temporaries.push(t);
        return t;
      };
      const out = config.kernelFunc({
        inputs: {
          ...inputs,
          a: operand(inputs.a, attrs.transposeA as boolean),
          b: operand(inputs.b, attrs.transposeB as boolean),
        },
        backend,
        attrs: { ...attrs, transposeA: false, transposeB: false },
      });
      for (const t of temporaries) backend.disposeData(t.dataId);
      return out;
    };
    return { ...config, kernelFunc: kernelFunc as unknown as KernelFunc };
  });
}

/** Which implementation serves matMul on the wasm backend. */
export type MatMulKernels = 'native' | 'fallback' | 'stock';

let stockKernels: KernelConfig[] | undefined;
let installed: KernelConfig[] | undefined;
let installedKind: MatMulKernels | undefined;
let nativeGemm: NativeGemm | undefined;

/** The addon while the native kernels are installed: the fused updates follow the matMul choice. */
export function activeNativeGemm(): NativeGemm | undefined {
  return installedKind === 'native' ? nativeGemm : undefined;
}

/** Remembers the stock kernels; call once after the wasm backend is registered. */
export function captureStockKernels(gemm: NativeGemm | undefined): void {
  if (stockKernels) return;
  stockKernels = [...MATMUL_KERNELS, ...CONV_KERNELS].map((name) => {
    const config = tf.getKernel(name, 'wasm');
    if (!config) throw new Error(`The wasm backend has no ${name} kernel.`);
    return config;
  });
  nativeGemm = gemm;
}

/** Installs one implementation of the matrix-product kernels. */
export function useMatMulKernels(kind: MatMulKernels): void {
  if (!stockKernels) throw new Error('startEngine() must run before the matMul kernels are chosen.');
  if (kind === 'native' && !nativeGemm) throw new Error('The native matMul kernel is not available.');
  const stockOf = (names: string[]) => stockKernels!.filter((config) => names.includes(config.kernelName));
  // Convolutions become matrix products only where the product is fast.
  const configs =
    kind === 'native'
      ? [...nativeKernels(nativeGemm!), ...im2colConvKernels(stockOf(CONV_KERNELS), nativeGemm!)]
      : kind === 'fallback'
        ? [...transposingKernels(stockOf(MATMUL_KERNELS)), ...stockOf(CONV_KERNELS)]
        : stockKernels;
  installedKind = kind;
  if (installed === configs) return;
  for (const config of configs) {
    tf.unregisterKernel(config.kernelName, 'wasm');
    tf.registerKernel(config);
  }
  installed = configs;
}
