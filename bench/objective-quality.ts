// npm run bench:objectives: every training objective trained from its
// defaults for the same short budget (default: one MNIST epoch, 937 D steps),
// then evaluated on 10,000 samples against MNIST test. Finished runs in the
// work directory are reused. Writes bench/results/objective-quality.json.
//   node dist/bench/objective-quality.js [--epochs E] [--limit N] [--work DIR] [OBJECTIVE ...]
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEngine } from '../src/engine/engine.js';
import type { EvaluationResult } from '../src/metrics/evaluation.js';
import { OBJECTIVE_NAMES } from '../src/objectives/registry.js';
import { readMetrics } from '../src/run/metrics-log.js';
import { gankit, machineInfo, root, save } from './bench-io.js';

const { values, positionals } = parseArgs({
  options: { epochs: { type: 'string', default: '1' }, limit: { type: 'string' }, work: { type: 'string', default: join(root, 'runs', 'objective-quality') } },
  allowPositionals: true,
});
const objectives = positionals.length ? positionals : OBJECTIVE_NAMES;
const budget = ['--epochs', values.epochs!, ...(values.limit ? ['--limit', values.limit] : [])];
const engine = await startEngine();

const results: Record<string, Record<string, number>> = {};
for (const name of objectives) {
  const runDir = join(values.work!, name.replace(':', '-'));
  if (!existsSync(join(runDir, 'config.json'))) gankit(['train', '--objective', name, '--out', runDir, '--log-every', '200', ...budget]);
  const trainSeconds = readMetrics(join(runDir, 'metrics.jsonl')).at(-1)?.trainSeconds ?? NaN;
  const evaluated = JSON.parse(gankit(['evaluate', '--run', runDir, '--n', '10000', '--json']).stdout) as EvaluationResult;
  results[name] = {
    fid: evaluated.fid,
    precision: evaluated.precision,
    recall: evaluated.recall,
    density: evaluated.density,
    coverage: evaluated.coverage,
    trainSeconds,
  };
  process.stderr.write(`bench: ${name}: ${JSON.stringify(results[name])}\n`);
}
save('objective-quality', {
  machine: machineInfo(engine),
  budget: budget.join(' '),
  evaluation: '10,000 samples vs MNIST test, gankit MNIST feature network',
  results,
});
console.log(`Objectives after ${budget.join(' ')} (FID, precision, recall, density, coverage, training s):`);
for (const [name, r] of Object.entries(results)) {
  console.log(
    `  ${name.padEnd(16)} ${r.fid.toFixed(1).padStart(8)} ${[r.precision, r.recall, r.density, r.coverage].map((x) => x.toFixed(3)).join(' ')} ${r.trainSeconds.toFixed(1)}`,
  );
}
