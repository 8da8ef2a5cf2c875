// npm run bench:dp: what privacy costs a training epoch. Trains one MNIST epoch
// with gankit train, private (DP-SGD: Poisson sampling, per-example clipping,
// noise) and not, with the same settings otherwise, alternating the two and
// keeping each one's fastest of three; for the DP recipe's settings (studies/
// dp-recipe.yaml: conditional, D without dropout, batch 128, n_D 5) and for
// --dp's defaults (study preset, batch 64, n_D 10). Target: a DP epoch at most
// 1.5× the non-private one. `--repeats N` (default 3) for a quicker or steadier
// figure. Writes bench/results/dp-epoch.json.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEngine } from '../src/engine/engine.js';
import { gankit, machineInfo, save } from './bench-io.js';

const REPEATS = Number(parseArgs({ options: { repeats: { type: 'string', default: '3' } } }).values.repeats);
if (!Number.isInteger(REPEATS) || REPEATS < 1) throw new Error('--repeats takes a positive integer.');
const SETTINGS = [
  { name: 'DP recipe: conditional, D without dropout, batch 128, n_D 5', train: ['--conditional', '--dropout-d', '0', '--batch', '128', '--d-steps', '5'] },
  { name: "--dp's defaults: study preset, batch 64, n_D 10", train: ['--d-steps', '10'] },
];
const PRIVATE = ['--dp', '--dp-noise', '1'];

const engine = await startEngine({ quiet: true });
const scratch = mkdtempSync(join(tmpdir(), 'gankit-dp-bench-'));

/** Seconds of training (run.json's clock, without start-up) of one epoch. */
function epochSeconds(flags: string[], out: string): number {
  gankit(['train', ...flags, '--epochs', '1', '--out', out]);
  const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n');
  return (JSON.parse(lines.at(-1)!) as { trainSeconds: number }).trainSeconds;
}

const results = [];
try {
  for (const setting of SETTINGS) {
    const best = { private: Infinity, nonPrivate: Infinity };
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      const out = (kind: string) => join(scratch, `${results.length}-${kind}-${repeat}`);
      best.private = Math.min(best.private, epochSeconds([...setting.train, ...PRIVATE], out('private')));
      best.nonPrivate = Math.min(best.nonPrivate, epochSeconds(setting.train, out('plain')));
    }
    const ratio = best.private / best.nonPrivate;
    results.push({ setting: setting.name, flags: setting.train.join(' '), privateFlags: PRIVATE.join(' '), epochSeconds: best, ratio });
    console.log(`${setting.name}: ${best.private.toFixed(1)} s private, ${best.nonPrivate.toFixed(1)} s not, ${ratio.toFixed(2)}×`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
save('dp-epoch', { machine: machineInfo(engine), repeats: REPEATS, target: 'a DP epoch ≤ 1.5× a non-private epoch of the same settings', results });
