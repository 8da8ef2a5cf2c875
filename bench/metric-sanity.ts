// npm run bench:metrics: do FID, precision and recall order sample sets the way
// a person would? Scores every set of bench/metric-sets.ts (10,000 images each,
// from MNIST train) against MNIST test with `evaluate`, then checks what any
// sane metric must satisfy, for every shipped feature network (or the one
// named). Writes bench/results/metric-sanity.json.
//   node dist/bench/metric-sanity.js [--n 10000] [--features NAME|PATH [--layer NAME]] [--held-out] [--out NAME]
// --held-out adds the junk families kept out of every design decision: run it
// once a feature network is final, not while designing one.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadImageSet } from '../src/data/image-set.js';
import { startEngine } from '../src/engine/engine.js';
import { loadFeatureExtractor, SHIPPED_FEATURE_NETWORKS } from '../src/metrics/feature-extractor.js';
import { NEIGHBOURHOOD_K } from '../src/metrics/evaluation.js';
import { machineInfo, save } from './bench-io.js';
import { sanityChecks, scoreSanitySets } from './metric-sanity-rules.js';

const { values } = parseArgs({
  options: {
    n: { type: 'string', default: '10000' },
    features: { type: 'string' },
    layer: { type: 'string' },
    'held-out': { type: 'boolean', default: false },
    out: { type: 'string', default: 'metric-sanity' },
  },
});
const n = Number(values.n);
const engine = await startEngine();
const train = loadImageSet('mnist', { split: 'train' });
const test = loadImageSet('mnist', { split: 'test', limit: n });
// Every shipped network side by side unless one is named.
const specs = values.features ? [values.features] : [...SHIPPED_FEATURE_NETWORKS];
const networks = [];
for (const spec of specs) {
  const extractor = await loadFeatureExtractor(spec, values.layer);
  const rows = await scoreSanitySets(train, test, n, extractor, values['held-out']!, (row) =>
    process.stderr.write(
      `bench ${extractor.identity.network}: ${row.name.padEnd(34)} FID ${row.fid.toFixed(1).padStart(8)}  P ${row.precision.toFixed(3)}  R ${row.recall.toFixed(3)}\n`,
    ),
  );
  // Each check lists the sets that break it: empty means it holds.
  const checks = sanityChecks(rows.filter((r) => !r.heldOut));
  const heldOutChecks = values['held-out'] ? sanityChecks(rows) : undefined;
  networks.push({ features: extractor.identity, rows, checks, heldOutChecks });
  console.log(JSON.stringify({ network: extractor.identity.network, checks, heldOutChecks }, null, 2));
}
save(values.out!, {
  machine: machineInfo(engine),
  setup: `${n} images a set from MNIST train (seeded), each against the first ${n} of MNIST test; P-precision and P-recall (k = ${NEIGHBOURHOOD_K.k}), density and coverage (k = ${NEIGHBOURHOOD_K.densityK})`,
  networks,
});
console.log(`Wrote ${join('bench', 'results', `${values.out}.json`)}`);
