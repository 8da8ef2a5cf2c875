// npm run bench:metrics: do FID, precision and recall order sample sets the way
// a person would? Scores every set of bench/metric-sets.ts (10,000 images each,
// from MNIST train) against MNIST test with `evaluate`, then checks what any
// sane metric must satisfy. Writes bench/results/metric-sanity.json.
//   node dist/bench/metric-sanity.js [--n 10000] [--features PATH [--layer NAME]] [--held-out]
// --held-out adds the junk families kept out of every design decision: run it
// once a feature network is final, not while designing one.
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { loadImageSet } from '../src/data/image-set.js';
import { startEngine } from '../src/engine/engine.js';
import { deriveRng } from '../src/engine/rng.js';
import { evaluate, headlineScores, NEIGHBOURHOOD_K, type HeadlineScores } from '../src/metrics/evaluation.js';
import { loadFeatureExtractor } from '../src/metrics/feature-extractor.js';
import { machineInfo, save } from './bench-io.js';
import { sanitySets, type SanitySet } from './metric-sets.js';

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
const extractor = await loadFeatureExtractor(values.features, values.layer);
const train = loadImageSet('mnist', { split: 'train' });
const test = loadImageSet('mnist', { split: 'test', limit: n });
const sets = sanitySets(train, n, (name) => deriveRng(0, `sanity ${name}`)).filter((set) => values['held-out'] || !set.heldOut);

interface Row extends HeadlineScores {
  name: string;
  family: string;
  kind: SanitySet['kind'];
  strength: number;
  heldOut: boolean;
  classesCovered: number | null;
}

const rows: Row[] = [];
for (const set of sets) {
  const fake = { pixels: set.pixels, count: n, height: 28, width: 28, source: set.name };
  const result = evaluate(fake, { ...test }, extractor, { ...NEIGHBOURHOOD_K, seed: 0 });
  const { name, family, kind, strength, heldOut } = set;
  rows.push({ name, family, kind, strength, heldOut, ...headlineScores(result), classesCovered: result.modes?.classesCovered ?? null });
  process.stderr.write(`bench: ${name.padEnd(34)} FID ${result.fid.toFixed(1).padStart(8)}  P ${result.precision.toFixed(3)}  R ${result.recall.toFixed(3)}\n`);
}

/** What any sane metric must satisfy, each with the sets that break it. */
function sanityChecks(scored: Row[]) {
  const junk = scored.filter((r) => r.kind === 'junk');
  const classes = scored.filter((r) => r.kind === 'classes').sort((a, b) => a.strength - b.strength);
  const worstClean = Math.max(...classes.map((r) => r.fid));
  const families = [...new Set(scored.filter((r) => r.kind === 'degraded').map((r) => r.family))];
  const notRising = families.flatMap((family) => {
    const ordered = scored.filter((r) => r.family === family).sort((a, b) => a.strength - b.strength);
    return ordered.slice(1).filter((r, i) => r.fid <= ordered[i].fid).map((r) => r.name);
  });
  return {
    junkPrecisionAtMost005: junk.filter((r) => r.name !== 'a single image repeated' && r.precision > 0.05).map((r) => r.name),
    junkRecallAtMost005: junk.filter((r) => r.recall > 0.05).map((r) => r.name),
    junkFidAboveEveryCleanClassSet: junk.filter((r) => r.fid <= worstClean).map((r) => r.name),
    fidRisesWithEachDegradation: notRising,
    recallFallsAsClassesDrop: classes.slice(1).filter((r, i) => r.recall >= classes[i].recall).map((r) => r.name),
  };
}

const checks = sanityChecks(rows.filter((r) => !r.heldOut));
const heldOutChecks = values['held-out'] ? sanityChecks(rows) : undefined;
save(values.out!, {
  machine: machineInfo(engine),
  features: extractor.identity,
  setup: `${n} images a set from MNIST train (seeded), each against the first ${n} of MNIST test; k = 3 (P, R), 5 (D, C)`,
  rows,
  // Each check lists the sets that break it: empty means it holds.
  checks,
  heldOutChecks,
});
console.log(JSON.stringify({ checks, heldOutChecks }, null, 2));
console.log(`Wrote ${join('bench', 'results', `${values.out}.json`)}`);
