// gankit doctor: what this installation runs on (the engine, OpenBLAS, the
// GPU adapter WebGPU finds, the feature network) and which optional services it found; --rebuild retries
// the native addon's build in place, for an installed package as for a checkout.
import { Command } from 'commander';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { arch, platform } from 'node:os';
import { fileURLToPath } from 'node:url';
import { chooseBackend, FAST_PATH_HINT, nativeAddon, startEngine, type EngineInfo } from '../engine/engine.js';
import { adapterLine, GPU_DEVICE_NODES, probeWebGpu, type AdapterProbe } from '../engine/webgpu-backend.js';
import { DEFAULT_FEATURE_NETWORK, identifyFeatureNetwork } from '../metrics/feature-extractor.js';
import { DataError } from '../errors.js';
import { GANKIT_BIN } from '../study/gankit-process.js';

const BUILD_SCRIPT = fileURLToPath(new URL('../../../scripts/build-native.mjs', import.meta.url));

/** The first of `commands` on the PATH (or an absolute path that exists), or null. */
function findExecutable(commands: string[]): string | null {
  for (const command of commands) {
    if (command.startsWith('/') ? existsSync(command) : spawnSync('sh', ['-c', `command -v ${command}`]).status === 0) return command;
  }
  return null;
}

/**
 * The first line a command prints for --version; where it fails, why (its last line of output).
 * A command that hangs (a login node's wrapper) must not hang doctor.
 */
function probeVersion(command: string): { version: string } | { error: string } {
  const result = spawnSync(command, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (result.status === 0) return { version: result.stdout.trim().split('\n')[0] };
  const said = `${result.stderr ?? ''}${result.stdout ?? ''}`.trim().split('\n').pop();
  return { error: said || (result.error ? result.error.message : `${command} --version exited with ${result.status ?? result.signal}`) };
}

/** The Slurm client: sbatch's version, or why it fails where it is on the PATH (no cluster configured or reachable); null where absent. */
const slurmClient = () => (findExecutable(['sbatch']) ? probeVersion('sbatch') : null);

function featureNetwork() {
  try {
    const { network, sha256, file } = identifyFeatureNetwork(DEFAULT_FEATURE_NETWORK);
    return { network, sha256, file };
  } catch (error) {
    if (error instanceof DataError) return { missing: error.message };
    throw error;
  }
}

/** Chromium's version, or its path where it does not say. */
function versionOrPath(command: string): string {
  const probe = probeVersion(command);
  return 'version' in probe ? probe.version : command;
}

async function report(version: string) {
  // The CPU engine whatever the backend, so that --rebuild shows the addon; the GPU beside it.
  const engine = await startEngine({ backend: 'cpu', quiet: true });
  const auto = chooseBackend('auto');
  const chromium = findExecutable(['/usr/bin/chromium', 'chromium', 'chromium-browser', 'google-chrome']);
  return {
    gankit: version,
    node: process.version,
    platform: `${platform()} ${arch()}`,
    engine: { ...engine, openblas: nativeAddon()?.blasConfig() ?? null },
    // Asked whatever the backend: where a GPU is, or why none is usable.
    gpu: probeWebGpu(),
    auto: { backend: auto.adapter ? 'webgpu' : 'cpu', why: auto.line ?? `no GPU device (${GPU_DEVICE_NODES}) is present` },
    featureNetwork: featureNetwork(),
    services: { chromium: chromium && versionOrPath(chromium), slurm: slurmClient() },
  };
}

function slurmLine(slurm: ReturnType<typeof slurmClient>): string {
  if (!slurm) return 'not found (sbatch is not on the PATH)';
  if ('version' in slurm) return slurm.version;
  return `sbatch is on the PATH but fails: "${slurm.error}" (usually no cluster configured or reachable from here: Slurm reads SLURM_CONF or /etc/slurm/slurm.conf)`;
}

function engineLine(engine: EngineInfo & { openblas: string | null }): string {
  if (engine.native) return `engine: native OpenBLAS kernels, ${engine.threads} thread(s); ${engine.openblas}`;
  return `engine: the slower stock wasm kernels, because ${engine.fallbackReason}; for the fast path, ${FAST_PATH_HINT}`;
}

const MB = 2 ** 20;

function gpuLine(gpu: AdapterProbe): string {
  if ('unavailable' in gpu) return `none: ${gpu.unavailable}`;
  const { adapter } = gpu;
  const { maxBufferSize, maxStorageBufferBindingSize, maxComputeWorkgroupStorageSize } = adapter.limits;
  return (
    `${adapterLine(adapter)}; limits: buffers ${Math.round(maxBufferSize / MB)} MB, storage bindings ${Math.round(maxStorageBufferBindingSize / MB)} MB, ` +
    `workgroup storage ${maxComputeWorkgroupStorageSize / 1024} KB`
  );
}

function printReport(doctor: Awaited<ReturnType<typeof report>>): void {
  const { engine, featureNetwork: network, services } = doctor;
  const lines = [
    `gankit ${doctor.gankit} on Node ${doctor.node} (${doctor.platform})`,
    engineLine(engine),
    `GPU (WebGPU): ${gpuLine(doctor.gpu)}`,
    `--backend auto (the default): ${doctor.auto.backend === 'webgpu' ? 'the GPU' : 'the CPU engine'}; ${doctor.auto.why}`,
    'missing' in network ? `feature network: ${network.missing}` : `feature network: ${network.network} (sha256 ${network.sha256}), ${network.file}`,
    `Chromium (the report's rendering test): ${services.chromium ?? 'not found'}`,
    `Slurm client (studies on a cluster): ${slurmLine(services.slurm)}`,
  ];
  process.stdout.write(`${lines.join('\n')}\n`);
}

async function runDoctor(flags: { json?: boolean; rebuild?: boolean }, command: Command): Promise<void> {
  if (flags.rebuild) {
    const build = spawnSync(process.execPath, [BUILD_SCRIPT, '--force'], { stdio: 'inherit' });
    // The addon loads once a process; a fresh one reports on the new build.
    const again = spawnSync(process.execPath, [GANKIT_BIN, 'doctor', ...(flags.json ? ['--json'] : [])], { stdio: 'inherit' });
    process.exitCode = build.status === 0 ? (again.status ?? 1) : 1;
    return;
  }
  const doctor = await report(command.parent?.version() ?? '');
  if (flags.json) process.stdout.write(`${JSON.stringify(doctor)}\n`);
  else printReport(doctor);
}

export function doctorCommand(): Command {
  return new Command('doctor')
    .description('report the engine (native OpenBLAS or the fallback), the feature network and the optional services found')
    .option('--rebuild', 'rebuild the native OpenBLAS addon in place (after installing OpenBLAS or a compiler), then report')
    .option('--json', 'print one JSON object')
    .action(runDoctor);
}
