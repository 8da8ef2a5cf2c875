// npm run quickstart: train the fixed GAN on MNIST, conditional on the digit,
// for 10 epochs into runs/quickstart (about 5 minutes on 2 cores; continuing it
// if an earlier quickstart was stopped), keeping G's moving average over the
// second half, then draw 100 samples, every class in turn, into
// runs/quickstart/grid.png. Conditional because at this budget the
// unconditional GAN still draws speckled, blurred digits (docs/training.md):
// the class makes it far easier.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const run = join('runs', 'quickstart');
const EPOCHS = 10;
/** G steps in an MNIST epoch at batch 64: the average starts halfway. */
const STEPS_PER_EPOCH = 937;
const gankit = (...args) => {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'gankit.js'), ...args], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

const config = join(root, run, 'config.json');
// An earlier gankit's quickstart (unconditional) cannot be continued with these settings: say so rather than fail on a flag.
if (existsSync(config) && JSON.parse(readFileSync(config, 'utf8')).config?.conditional !== true) {
  console.error(`gankit quickstart: ${run} holds an earlier, unconditional quickstart; move it aside or remove it, then run npm run quickstart again.`);
  process.exit(1);
}
const resume = existsSync(config) ? ['--resume'] : [];
const settings = ['--conditional', '--g-ema', '0.999', '--g-ema-start', String((EPOCHS / 2) * STEPS_PER_EPOCH)];
gankit('train', '--data', 'mnist', '--epochs', String(EPOCHS), ...settings, '--out', run, ...resume);
gankit('generate', '--run', run, '--n', '100', '--out', join(run, 'generated'), '--grid', join(run, 'grid.png'));
console.log(`Per-epoch grids (a row per class): ${run}/samples/epoch-001.png … epoch-${String(EPOCHS).padStart(3, '0')}.png; fresh samples: ${run}/grid.png`);
