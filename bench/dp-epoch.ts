// npm run bench:dp: what privacy costs a training epoch. Trains one MNIST epoch
// with gankit train, private (DP-SGD: Poisson sampling, per-example clipping,
// noise) and not, with the same settings otherwise, alternating the two and
// keeping each one's fastest of three; for the DP recipe's settings (studies/
// dp-recipe.yaml: conditional, D without dropout, batch 128, n_D 5) and for
// --dp's defaults (study preset, batch 64, n_D 10), and for the DCGAN (--arch
// dcgan, the recipe's settings, an epoch of 6,400 images: a full one takes
// half an hour here). Target: a DP epoch at most 1.5× the non-private one.
// `--repeats N` (default 3) for a quicker or steadier figure; `--only TEXT`
// measures the settings whose name holds TEXT and keeps the file's others
// (each result carries its date, repeats and machine). Writes bench/results/dp-epoch.json.
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { startEngine } from '../src/engine/engine.js';
import { gankit, machineInfo, resultsDir, save } from './bench-io.js';

const { values } = parseArgs({ options: { repeats: { type: 'string', default: '3' }, only: { type: 'string', default: '' } } });
const REPEATS = Number(values.repeats);
if (!Number.isInteger(REPEATS) || REPEATS < 1) throw new Error('--repeats takes a positive integer.');
const SETTINGS = [
  { name: 'DP recipe: conditional, D without dropout, batch 128, n_D 5', train: ['--conditional', '--dropout-d', '0', '--batch', '128', '--d-steps', '5'] },
  { name: "--dp's defaults: study preset, batch 64, n_D 10", train: ['--d-steps', '10'] },
  {
    name: 'DCGAN: conditional, batch 128, n_D 5, 6,400 images',
    train: ['--arch', 'dcgan', '--conditional', '--batch', '128', '--d-steps', '5', '--limit', '6400'],
  },
].filter((setting) => setting.name.includes(values.only));
if (SETTINGS.length === 0) throw new Error(`--only ${values.only}: no setting's name holds it.`);
const PRIVATE = ['--dp', '--dp-noise', '1'];

const engine = await startEngine({ quiet: true });
const scratch = mkdtempSync(join(tmpdir(), 'gankit-dp-bench-'));

/** Seconds of training (run.json's clock, without start-up) of one epoch. */
function epochSeconds(flags: string[], out: string): number {
  gankit(['train', ...flags, '--epochs', '1', '--out', out]);
  const lines = readFileSync(join(out, 'metrics.jsonl'), 'utf8').trim().split('\n');
  return (JSON.parse(lines.at(-1)!) as { trainSeconds: number }).trainSeconds;
}

const results: Array<{ setting: string } & Record<string, unknown>> = [];
try {
  for (const setting of SETTINGS) {
    const best = { private: Infinity, nonPrivate: Infinity };
    for (let repeat = 0; repeat < REPEATS; repeat++) {
      const out = (kind: string) => join(scratch, `${results.length}-${kind}-${repeat}`);
      best.private = Math.min(best.private, epochSeconds([...setting.train, ...PRIVATE], out('private')));
      best.nonPrivate = Math.min(best.nonPrivate, epochSeconds(setting.train, out('plain')));
    }
    const ratio = best.private / best.nonPrivate;
    const measured = { date: new Date().toISOString(), repeats: REPEATS, machine: machineInfo(engine) };
    results.push({ setting: setting.name, flags: setting.train.join(' '), privateFlags: PRIVATE.join(' '), epochSeconds: best, ratio, measured });
    console.log(`${setting.name}: ${best.private.toFixed(1)} s private, ${best.nonPrivate.toFixed(1)} s not, ${ratio.toFixed(2)}×`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
// The file's results for the settings not measured now stay, with their own dates.
const file = join(resultsDir, 'dp-epoch.json');
const kept = existsSync(file)
  ? (JSON.parse(readFileSync(file, 'utf8')) as { results: Array<{ setting: string }> }).results.filter(
      (old) => !results.some((now) => now.setting === old.setting),
    )
  : [];
save('dp-epoch', { target: 'a DP epoch ≤ 1.5× a non-private epoch of the same settings', results: [...kept, ...results] });
