// npm run quickstart: train the default GAN on MNIST for 5 epochs into
// runs/quickstart (continuing it if an earlier quickstart was stopped), then
// draw 100 samples into runs/quickstart/grid.png.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('..', import.meta.url).pathname;
const run = join('runs', 'quickstart');
const gankit = (...args) => {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'gankit.js'), ...args], { cwd: root, stdio: 'inherit' });
  if (result.status !== 0) process.exit(result.status ?? 1);
};

const resume = existsSync(join(root, run, 'checkpoints', 'latest.json')) ? ['--resume'] : [];
gankit('train', '--data', 'mnist', '--epochs', '5', '--out', run, ...resume);
gankit('generate', '--run', run, '--n', '100', '--out', join(run, 'generated'), '--grid', join(run, 'grid.png'));
console.log(`Per-epoch grids: ${run}/samples/epoch-001.png … epoch-005.png; fresh samples: ${run}/grid.png`);
