// Start-up of the compute engine: the TF.js wasm backend, with OpenBLAS
// serving its matrix products when the native addon is available.
import * as tf from '@tensorflow/tfjs-core';
import { UsageError } from '../errors.js';
import '@tensorflow/tfjs-backend-wasm';
// tfjs-core's Node bundle registers no gradients; tfjs-layers' bundle registers them all.
import '@tensorflow/tfjs-layers';
import { availableParallelism } from 'node:os';
import { loadNativeGemm, type NativeGemm } from './native-addon.js';
import { captureStockKernels, useMatMulKernels } from './matmul-kernels.js';
import { registerMissingGradients } from './missing-gradients.js';
import { registerDenseKernels } from './dense-layer.js';
import { registerDropoutMaskKernel } from './dropout-mask-kernel.js';
import { shareMemoryOnClone } from './shared-identity.js';
import { conv2DBackpropFilterConfig } from './conv-filter-gradient.js';
import { conv2DBackpropInputConfig } from './conv-input-gradient.js';

export interface EngineInfo {
  /** True when OpenBLAS serves matMul; false on the stock-kernel fallback. */
  native: boolean;
  /** Threads for the products: the caller and its helpers (0 on the fallback). */
  threads: number;
  /** Why the fast path is off, when it is. */
  fallbackReason?: string;
}

export const FAST_PATH_HINT = 'install OpenBLAS and a C compiler (apt-get install libopenblas-dev build-essential), then run `gankit doctor --rebuild`';

let started: EngineInfo | undefined;
let addon: NativeGemm | undefined;

/** The native addon, when the engine runs on it (for kernels beyond matMul: DP noise). */
export function nativeAddon(): NativeGemm | undefined {
  return addon;
}

/** Threads for the products: GANKIT_THREADS, else the number of cores (at most 16). */
function threadCount(): number {
  const requested = process.env.GANKIT_THREADS;
  if (requested === undefined || requested === '') return availableParallelism();
  const threads = Number(requested);
  if (!Number.isInteger(threads) || threads < 1) {
    throw new UsageError(`GANKIT_THREADS must be a positive integer, got "${requested}".`);
  }
  return threads;
}

/**
 * Runs `start`, then removes the uncaughtException and unhandledRejection
 * listeners it added: the wasm module's rethrow every error as a stack trace,
 * past the command's own handler.
 */
async function withoutNewProcessHandlers(start: () => Promise<void>): Promise<void> {
  const events = ['uncaughtException', 'unhandledRejection'];
  const emitter = process as NodeJS.EventEmitter;
  const before = events.map((event) => new Set(emitter.listeners(event)));
  try {
    await start();
  } finally {
    events.forEach((event, i) => {
      for (const listener of emitter.listeners(event)) if (!before[i].has(listener)) emitter.off(event, listener as (...args: unknown[]) => void);
    });
  }
}

/**
 * Starts the wasm backend once per process and installs the fastest matMul
 * available. With `quiet` unset, the fallback prints one notice to stderr.
 */
export async function startEngine(options: { quiet?: boolean } = {}): Promise<EngineInfo> {
  if (started) return started;
  await withoutNewProcessHandlers(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
  });
  registerMissingGradients();
  shareMemoryOnClone();
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) tf.registerKernel(conv2DBackpropFilterConfig);
  const stockInputGradient = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (stockInputGradient) {
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel(conv2DBackpropInputConfig(stockInputGradient));
  }

  // Checked on either path: a bad GANKIT_THREADS is a mistake even where the fallback would ignore it.
  const threads = threadCount();
  const disabled = process.env.GANKIT_NATIVE === '0';
  const loaded = disabled ? { unavailable: 'GANKIT_NATIVE=0 is set' } : loadNativeGemm();
  if ('unavailable' in loaded) {
    captureStockKernels(undefined);
    useMatMulKernels('fallback');
    started = { native: false, threads: 0, fallbackReason: loaded.unavailable };
    if (!options.quiet) {
      process.stderr.write(`gankit: using the slower stock wasm matMul because ${loaded.unavailable}; for the fast path, ${FAST_PATH_HINT}.\n`);
    }
    return started;
  }
  // MAX_TEAM in src/native/thread-team.h.
  const teamThreads = Math.min(threads, 16);
  loaded.setThreads(teamThreads);
  captureStockKernels(loaded);
  registerDenseKernels(loaded);
  registerDropoutMaskKernel(loaded);
  addon = loaded;
  useMatMulKernels('native');
  started = { native: true, threads: teamThreads };
  return started;
}
