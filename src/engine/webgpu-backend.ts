// The GPU backend: TF.js's WebGPU kernels on Dawn for Node (the optional npm
// package `webgpu`, prebuilt, no download). Dawn must be found and give an
// adapter before TF.js's backend is loaded: the backend registers itself only
// where navigator.gpu exists, and without an adapter it fails with a TypeError
// while tf.getBackend() still says webgpu.
import * as tf from '@tensorflow/tfjs-core';
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { platform } from 'node:os';

/** Where gankit computes: the CPU engine, the GPU through WebGPU, or the GPU where there is a real one. */
export type BackendChoice = 'cpu' | 'webgpu' | 'auto';
export const BACKEND_CHOICES: readonly BackendChoice[] = ['cpu', 'webgpu', 'auto'];

/** The version this gankit is tested with (package.json's peer dependency). */
export const WEBGPU_PACKAGE = 'webgpu@0.6.2';
export const WEBGPU_INSTALL_HINT = `add it with \`npm install ${WEBGPU_PACKAGE}\` beside gankit (\`npm install -g ${WEBGPU_PACKAGE}\` for a global install)`;

/** What Dawn says of the adapter it found. */
export interface GpuAdapterDescription {
  vendor: string;
  architecture: string;
  device: string;
  description: string;
  /** A CPU implementation (Mesa's lavapipe, SwiftShader): correct, and slower than the CPU engine. */
  software: boolean;
  limits: { maxBufferSize: number; maxStorageBufferBindingSize: number; maxComputeWorkgroupStorageSize: number };
}

export type AdapterProbe = { adapter: GpuAdapterDescription } | { unavailable: string };

interface DawnModule {
  create(options: string[]): GPU;
  globals: object;
}

/**
 * Run in a child process: Dawn and the Vulkan loader print to the process's own
 * stderr (a missing driver prints a native trace), which a child keeps out of
 * the command's output. Prints the adapter's description as JSON, or null.
 */
const PROBE = `
const { create } = await import(process.argv[1]);
const adapter = await create([]).requestAdapter({ powerPreference: 'high-performance' });
const info = adapter && adapter.info;
process.stdout.write(JSON.stringify(adapter && {
  vendor: info.vendor, architecture: info.architecture, device: info.device, description: info.description,
  software: info.isFallbackAdapter === true || info.architecture === 'software',
  limits: { maxBufferSize: adapter.limits.maxBufferSize, maxStorageBufferBindingSize: adapter.limits.maxStorageBufferBindingSize,
    maxComputeWorkgroupStorageSize: adapter.limits.maxComputeWorkgroupStorageSize },
}) + '\\n', () => process.exit(0));
`;

let probed: AdapterProbe | undefined;

/** Dawn's adapter, asked once per process, in a child process; Dawn itself is loaded here only by useWebGpuBackend. */
export function probeWebGpu(): AdapterProbe {
  if (probed) return probed;
  let module: string;
  try {
    module = import.meta.resolve('webgpu');
  } catch {
    return (probed = { unavailable: `the optional package webgpu is not installed; ${WEBGPU_INSTALL_HINT}` });
  }
  const child = spawnSync(process.execPath, ['--input-type=module', '-e', PROBE, module], { encoding: 'utf8', timeout: 60_000 });
  const said = child.stdout?.trim().split('\n').pop();
  if (child.status !== 0 || !said) {
    const why = child.stderr?.split('\n').find((line) => /error/i.test(line)) ?? `the probe exited with ${child.status ?? child.signal}`;
    return (probed = { unavailable: `Dawn could not start (${why.trim()})` });
  }
  let adapter: GpuAdapterDescription | null;
  try {
    adapter = JSON.parse(said) as GpuAdapterDescription | null;
  } catch {
    return (probed = { unavailable: `Dawn's probe said something unexpected ("${said.slice(0, 200)}")` });
  }
  probed = adapter ? { adapter } : { unavailable: 'Dawn found no WebGPU adapter (it needs a Vulkan driver, and the Vulkan loader libvulkan1, on Linux)' };
  return probed;
}

/** One line naming the adapter: "nvidia hopper (NVIDIA H100 …)". */
export function adapterLine(adapter: GpuAdapterDescription): string {
  const name = [adapter.vendor, adapter.architecture].filter(Boolean).join(' ') || 'an unnamed adapter';
  return `${name}${adapter.description ? ` (${adapter.description})` : ''}${adapter.software ? ', a software adapter' : ''}`;
}

/** Where a GPU shows on Linux: a DRM render node, an NVIDIA device, WSL's GPU. */
export const GPU_DEVICE_NODES = '/dev/dri/renderD*, /dev/nvidiaN, /dev/dxg';

/** Whether this machine may have a GPU, without loading Dawn: one of GPU_DEVICE_NODES on Linux; elsewhere only Dawn can say. */
export function gpuDevicePresent(): boolean {
  if (platform() !== 'linux') return true;
  // A container or a Slurm job may see only its own /dev/nvidiaN.
  if (existsSync('/dev/dxg') || readdirSync('/dev').some((name) => /^nvidia\d+$/.test(name))) return true;
  try {
    return readdirSync('/dev/dri').some((name) => name.startsWith('renderD'));
  } catch {
    return false;
  }
}

/** Switches TF.js to WebGPU on Dawn, where probeWebGpu found an adapter. */
export async function useWebGpuBackend(): Promise<void> {
  if (!probed || !('adapter' in probed)) throw new Error('useWebGpuBackend() needs an adapter from probeWebGpu().');
  const { create, globals } = (await import('webgpu')) as unknown as DawnModule;
  // The globals (GPUBufferUsage, ...) and navigator.gpu, for TF.js's backend, which asks for its adapter itself.
  Object.assign(globalThis, globals);
  const gpu = create([]);
  // Node 21+ has a navigator of its own; older Nodes have none.
  const navigator = (globalThis as { navigator?: object }).navigator;
  if (navigator) Object.defineProperty(navigator, 'gpu', { value: gpu, configurable: true });
  else Object.defineProperty(globalThis, 'navigator', { value: { gpu }, configurable: true, writable: true });
  await import('@tensorflow/tfjs-backend-webgpu');
  if (!(await tf.setBackend('webgpu'))) throw new Error('TF.js could not start its webgpu backend on the adapter Dawn found.');
  await tf.ready();
}
