// npm run bench:threads: how to use both cores for the products of a step
// (issue 25). Builds bench/gemm-threads.c against OpenBLAS, and against BLIS
// where Debian's libblis-dev is installed, runs each, and sums every way of
// threading over the products of a layer at batch 64, 128 and 256. Writes
// bench/results/gemm-threads.json.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { machineInfo, root, save } from './bench-io.js';

interface Timing {
  rows: number;
  fanIn: number;
  fanOut: number;
  product: string;
  mflop: number;
  [way: string]: number | string;
}

const BLIS = '/usr/lib/x86_64-linux-gnu/libblis.so.4';
const libraries: Array<{ name: string; flags: string[] }> = [{ name: 'openblas', flags: ['-lopenblas'] }];
if (existsSync(BLIS)) libraries.push({ name: 'blis', flags: ['-DUSE_BLIS', BLIS] });
else process.stderr.write('bench: BLIS is not installed (apt-get install libblis-dev): its rows are skipped.\n');

const scratch = mkdtempSync(join(tmpdir(), 'gankit-threads-'));
const results: Record<string, Timing[]> = {};
for (const { name, flags } of libraries) {
  const binary = join(scratch, name);
  const build = spawnSync('gcc', ['-O2', '-std=gnu11', join(root, 'bench', 'gemm-threads.c'), '-o', binary, ...flags, '-lpthread'], { encoding: 'utf8' });
  if (build.status !== 0) throw new Error(`bench: building gemm-threads.c against ${name} failed:\n${build.stderr}`);
  const run = spawnSync(binary, [name], { encoding: 'utf8', maxBuffer: 1 << 24 });
  if (run.status !== 0) throw new Error(`bench: gemm-threads (${name}) failed:\n${run.stderr}`);
  results[name] = (JSON.parse(run.stdout) as { products: Timing[] }).products;
}
rmSync(scratch, { recursive: true, force: true });

const WAYS = ['oneThread', 'libraryTwoThreads', 'splitColumns', 'splitRows'];
/** Per library and batch: the sum over every layer's forward, dW and dX of each way, and of the best way per product. */
const summary: Record<string, Record<number, Record<string, number>>> = {};
for (const [library, timings] of Object.entries(results)) {
  summary[library] = {};
  for (const rows of [64, 128, 256]) {
    const single = timings.filter((t) => t.rows === rows && t.product !== 'dW+dX');
    const pairs = timings.filter((t) => t.rows === rows && t.product === 'dW+dX');
    const sums: Record<string, number> = Object.fromEntries(WAYS.map((way) => [way, single.reduce((s, t) => s + (t[way] as number), 0)]));
    // The fused layer's choice: forward and dX split by columns, dW by rows, and a backward pass with both as dW ∥ dX.
    sums.fusedLayerChoice =
      single.filter((t) => t.product === 'forward').reduce((s, t) => s + (t.splitColumns as number), 0) +
      pairs.reduce((s, t) => s + (t.dWParallelToDX as number), 0);
    // MFLOP per ms is GFLOP per s.
    sums.gflopsOneThread = single.reduce((s, t) => s + t.mflop, 0) / sums.oneThread;
    summary[library][rows] = sums;
  }
}
save('gemm-threads', {
  machine: machineInfo({ backend: 'cpu', native: false, threads: 2, fallbackReason: 'not used: this bench calls the BLAS from C' }),
  note: 'ms for every layer of G and D once (forward, dW, dX), by way of using two cores',
  summary,
  products: results,
});
for (const [library, byRows] of Object.entries(summary)) {
  console.log(`${library}: ms for every layer's forward, dW and dX once`);
  console.log(`  rows  ${[...WAYS, 'fusedLayerChoice'].map((w) => w.padStart(18)).join('')}`);
  for (const [rows, sums] of Object.entries(byRows)) {
    console.log(
      `  ${rows.padEnd(4)}  ${[...WAYS, 'fusedLayerChoice'].map((w) => sums[w].toFixed(2).padStart(18)).join('')}   (one thread: ${sums.gflopsOneThread.toFixed(0)} GFLOP/s)`,
    );
  }
}
