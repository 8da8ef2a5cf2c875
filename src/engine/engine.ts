// Start-up of the compute engine: the TF.js wasm backend, with OpenBLAS
// serving its matrix products when the native addon is available, or TF.js's
// WebGPU backend on a GPU (webgpu-backend.ts), chosen by --backend.
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
import { registerImagePatchesKernel } from './image-patches-kernel.js';
import { conv2DBackpropFilterConfig } from './conv-filter-gradient.js';
import { conv2DBackpropInputConfig } from './conv-input-gradient.js';
import {
  adapterLine,
  BACKEND_CHOICES,
  gpuDevicePresent,
  probeWebGpu,
  useWebGpuBackend,
  type BackendChoice,
  type GpuAdapterDescription,
} from './webgpu-backend.js';

export { BACKEND_CHOICES, type BackendChoice } from './webgpu-backend.js';

export interface EngineInfo {
  /** Where the tensors live: the wasm backend on the CPU, or WebGPU. */
  backend: 'cpu' | 'webgpu';
  /** The GPU adapter, on webgpu. */
  adapter?: GpuAdapterDescription;
  /** True when OpenBLAS serves matMul; false on the stock-kernel fallback and on webgpu. */
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

/** GANKIT_BACKEND, else auto. */
function backendFromEnvironment(): BackendChoice {
  const requested = process.env.GANKIT_BACKEND;
  if (requested === undefined || requested === '') return 'auto';
  if (!(BACKEND_CHOICES as readonly string[]).includes(requested)) {
    throw new UsageError(`GANKIT_BACKEND must be one of ${BACKEND_CHOICES.join(', ')}, got "${requested}".`);
  }
  return requested as BackendChoice;
}

/**
 * The adapter to compute on, or undefined for the CPU, with the one line
 * that says why where it is not plain: `webgpu` takes any adapter (a
 * software one with a warning) and refuses to go on without one; `auto`
 * takes a hardware adapter only, and asks Dawn only where a GPU device exists.
 */
export function chooseBackend(choice: BackendChoice): { adapter?: GpuAdapterDescription; line?: string } {
  if (choice === 'cpu' || (choice === 'auto' && !gpuDevicePresent())) return {};
  const probe = probeWebGpu();
  if (choice === 'webgpu') {
    if ('unavailable' in probe) throw new UsageError(`--backend webgpu: ${probe.unavailable}.`);
    const { adapter } = probe;
    const warning = adapter.software ? ': correct, and slower than the CPU engine' : '';
    return { adapter, line: `computing on the GPU through WebGPU: ${adapterLine(adapter)}${warning}` };
  }
  if ('unavailable' in probe) return { line: `computing on the CPU: a GPU device is present, but ${probe.unavailable}` };
  if (probe.adapter.software) return { line: `computing on the CPU: the only WebGPU adapter is ${adapterLine(probe.adapter)}` };
  return { adapter: probe.adapter, line: `computing on the GPU through WebGPU: ${adapterLine(probe.adapter)}` };
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
 * Starts the backend once per process: `backend` (default GANKIT_BACKEND, else
 * auto) says which. On the CPU it installs the fastest matMul available. With
 * `quiet` unset, the CPU fallback and the backend choice print one line each to stderr.
 */
export async function startEngine(options: { quiet?: boolean; backend?: BackendChoice } = {}): Promise<EngineInfo> {
  if (started) return started;
  // Checked on every path: a bad GANKIT_THREADS is a mistake even where the GPU or the fallback would ignore it.
  const threads = threadCount();
  const say = (line: string) => {
    if (!options.quiet) process.stderr.write(`gankit: ${line}.\n`);
  };
  const choice = options.backend ?? backendFromEnvironment();
  const { adapter, line } = chooseBackend(choice);
  if (adapter) {
    try {
      await useWebGpuBackend();
      registerMissingGradients();
      say(line!);
      started = { backend: 'webgpu', adapter, native: false, threads: 0 };
      return started;
    } catch (error) {
      // An adapter that cannot give TF.js a device (limits it will not grant, a lost driver): auto goes on on the CPU.
      const why = `the WebGPU backend failed to start (${(error as Error).message.split('\n')[0]})`;
      if (choice === 'webgpu') throw new UsageError(`--backend webgpu: ${why}.`);
      say(`computing on the CPU: ${why}`);
    }
  } else if (line) say(line);
  await withoutNewProcessHandlers(async () => {
    await tf.setBackend('wasm');
    await tf.ready();
  });
  registerMissingGradients();
  shareMemoryOnClone();
  if (!tf.getKernel('Conv2DBackpropFilter', 'wasm')) tf.registerKernel(conv2DBackpropFilterConfig);
  registerImagePatchesKernel();
  const stockInputGradient = tf.getKernel('Conv2DBackpropInput', 'wasm');
  if (stockInputGradient) {
    tf.unregisterKernel('Conv2DBackpropInput', 'wasm');
    tf.registerKernel(conv2DBackpropInputConfig(stockInputGradient));
  }

  const disabled = process.env.GANKIT_NATIVE === '0';
  const loaded = disabled ? { unavailable: 'GANKIT_NATIVE=0 is set' } : loadNativeGemm();
  if ('unavailable' in loaded) {
    captureStockKernels(undefined);
    useMatMulKernels('fallback');
    started = { backend: 'cpu', native: false, threads: 0, fallbackReason: loaded.unavailable };
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
  started = { backend: 'cpu', native: true, threads: teamThreads };
  return started;
}
