// npm run bench:audit: gankit privacy audit at a fuller scale than the test's
// (1,000 canaries), on all of MNIST and on a 1,000-image subset where each
// canary is seen far more often: the empirical ε beside the accountant's for
// honest runs at ε = 1 and 10, and for a run with its noise off, which shows
// how much this attack can detect at all. Writes bench/results/privacy-audit.json.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEngine } from '../src/engine/engine.js';
import { gankit, machineInfo, save } from './bench-io.js';

const CANARIES = 1000;
const SETTINGS = [
  { name: 'MNIST, ε = 10, 2 epochs at batch 64', audit: [], train: ['--dp', '--dp-epsilon', '10', '--epochs', '2'] },
  { name: 'MNIST, ε = 1, 2 epochs at batch 64', audit: [], train: ['--dp', '--dp-epsilon', '1', '--epochs', '2'] },
  { name: 'MNIST, noise off (σ = 1e-9), 2 epochs at batch 64', audit: [], train: ['--dp', '--dp-noise', '1e-9', '--epochs', '2'] },
  { name: '1,000 images, ε = 10, 20 epochs at batch 64', audit: ['--limit', '1000'], train: ['--dp', '--dp-epsilon', '10', '--epochs', '20'] },
  { name: '1,000 images, noise off (σ = 1e-9), 20 epochs at batch 64', audit: ['--limit', '1000'], train: ['--dp', '--dp-noise', '1e-9', '--epochs', '20'] },
];

const engine = await startEngine({ quiet: true });
const scratch = mkdtempSync(join(tmpdir(), 'gankit-audit-bench-'));
const audits = [];
try {
  for (const setting of SETTINGS) {
    const out = join(scratch, String(audits.length));
    const { seconds } = gankit(['privacy', 'audit', '--out', out, '--canaries', String(CANARIES), ...setting.audit, '--', ...setting.train]);
    const report = JSON.parse(readFileSync(join(out, 'audit.json'), 'utf8'));
    const { run: _run, ...kept } = report;
    audits.push({
      setting: setting.name,
      command: `gankit privacy audit --canaries ${CANARIES} ${[...setting.audit, '--', ...setting.train].join(' ')}`,
      seconds,
      ...kept,
    });
    console.log(`${setting.name}: ε ≥ ${report.empiricalEpsilon.toFixed(3)} (accountant ${report.accountantEpsilon.toPrecision(4)}), ${seconds.toFixed(0)} s`);
  }
} finally {
  rmSync(scratch, { recursive: true, force: true });
}
save('privacy-audit', { machine: machineInfo(engine), canaries: CANARIES, audits });
