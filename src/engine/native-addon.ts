import { createRequire } from 'node:module';
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** heap, rows, fanIn, fanOut, activation, alpha, then byte offsets. */
type DenseCall = [heap: Uint8Array, rows: number, fanIn: number, fanOut: number, activation: number, alpha: number, ...offsets: number[]];

/** The functions the C addon in src/native exports. */
export interface NativeGemm {
  matmul(
    heap: Uint8Array,
    transposeA: boolean,
    transposeB: boolean,
    m: number,
    n: number,
    k: number,
    aOffsets: Uint32Array,
    bOffsets: Uint32Array,
    outOffset: number,
    biasOffset: number,
    biasSize: number,
    activation: number,
    alpha: number,
    preluOffset: number,
    preluSize: number,
  ): void;
  /** Patches of an NHWC tensor as rows; geometry as in gemm.c. */
  im2col(heap: Uint8Array, inOffset: number, outOffset: number, geometry: Int32Array): void;
  /**
   * Adds N(0, std²) in place to `count` floats at byte `offset`, then multiplies them by `scale`:
   * a ziggurat on xoshiro128** seeded with `seed`, in chunks of 65,536, chunk c from the seed
   * jumped c times (the same noise on any number of threads).
   */
  addGaussianNoise(heap: Uint8Array, offset: number, count: number, std: number, scale: number, seed: Uint32Array): void;
  /** An inverted-dropout mask of `count` floats at byte `offset`, drawn from (and advancing) the xoshiro128** `state`. */
  dropoutMask(heap: Uint8Array, offset: number, count: number, threshold: number, keep: number, state: Uint32Array): void;
  /** Adam in place (src/native/optimizers.c); settings [β1, 1−β1, β2, 1−β2, 1−β1^t, 1−β2^t, ε, −lr]. */
  adamUpdate(heap: Uint8Array, n: number, value: number, gradient: number, m: number, v: number, settings: Float32Array): void;
  /** RMSProp in place; settings [decay, 1−decay, lr, ε]. */
  rmspropUpdate(heap: Uint8Array, n: number, value: number, gradient: number, meanSquare: number, settings: Float32Array): void;
  /** average += w · (value − average), in place; settings [w]. */
  emaUpdate(heap: Uint8Array, n: number, average: number, value: number, settings: Float32Array): void;
  /**
   * The fused dense layer (src/native/dense.c). Each takes the heap, rows, fanIn, fanOut,
   * the activation's code and LeakyReLU's slope, then byte offsets (−1: absent):
   * forward (x, w, b, mask, out); backward (dy, y, mask, x, w, dx, dw, db), computing
   * whichever of dx and dw with db have an offset; each example's squared gradient
   * norm (dy, y, mask, x, out).
   */
  denseForward(...args: DenseCall): void;
  denseBackward(...args: DenseCall): void;
  denseExampleNorms(...args: DenseCall): void;
  /** Threads for the products and updates: the caller and threads − 1 helpers (at most 16); OpenBLAS itself runs on one. */
  setThreads(threads: number): void;
  /** OpenBLAS's build: version, target and threading (openblas_get_config). */
  blasConfig(): string;
}

/** Where `npm run build` (node-gyp) leaves the compiled addon. */
export const addonPath = fileURLToPath(new URL('../../../src/native/build/Release/gankit_gemm.node', import.meta.url));

/** Why the last build failed, in one line (scripts/build-native.mjs writes it; npm hides an install script's output). */
const buildFailurePath = fileURLToPath(new URL('../../../src/native/build/build-failure.txt', import.meta.url));

/** Loads the addon, or returns the reason it cannot be used. */
export function loadNativeGemm(): NativeGemm | { unavailable: string } {
  if (!existsSync(addonPath)) {
    const failure = existsSync(buildFailurePath) ? readFileSync(buildFailurePath, 'utf8').trim() : undefined;
    return { unavailable: failure ? `the native addon did not build (${failure})` : 'the native addon has not been built' };
  }
  try {
    return createRequire(import.meta.url)(addonPath) as NativeGemm;
  } catch (error) {
    return { unavailable: `the native addon failed to load (${(error as Error).message})` };
  }
}
