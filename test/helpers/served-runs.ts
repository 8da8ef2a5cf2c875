// A directory for gankit serve's tests: a real tiny run (2 epochs on 320
// MNIST images, with G's moving average and --eval-every), a conditional one, copies of it with a
// damaged metrics.jsonl, a broken config.json, a name that is HTML, a
// metrics.jsonl that links outside, a metrics.jsonl that is a directory, and
// data that does not exist; a study directory with a results table, and a
// secret file beside the directory that symbolic links inside point at.
import { appendFileSync, cpSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { METRICS, spreadOf, type ResultsFile } from '../../src/study/study-results.js';
import { configFor } from '../../src/training/train-config.js';
import { train } from '../../src/training/trainer.js';
import { tempDir } from './temp-dir.js';

export const HTML_NAME = '<img src=x onerror=alert(1)>';
/** Every run of the directory, and why each copy is damaged. */
export const RUNS: Record<string, string | undefined> = {
  'runs/tiny': undefined,
  [`runs/${HTML_NAME}`]: undefined,
  'runs/damaged-metrics': 'metrics.jsonl is damaged: line 3 is not a JSON object',
  'runs/damaged-config': 'runs/damaged-config/config.json is damaged: it is not valid JSON (cut short?).',
  'runs/linked-log': 'runs/linked-log/metrics.jsonl links outside the served directory, so the run is not read',
  'runs/log-is-directory': 'runs/log-is-directory/metrics.jsonl cannot be read (EISDIR)',
  'runs/missing-data': undefined,
  'runs/conditional': undefined,
};
export const SECRET = 'secret-outside-the-served-directory';

export interface ServedRuns {
  /** The directory to serve. */
  root: string;
  /** The real run, relative to root. */
  run: string;
  /** A file outside root. */
  secret: string;
}

function results(): ResultsFile {
  const seeds = [0, 1].map((seed) => ({
    method: 'Vanilla GAN',
    seed,
    run: `vanilla-seed${seed}`,
    generator: 'raw' as const,
    features: { network: 'mnist-v2', sha256: '0' },
    diverged: null,
    evaluation: { n: 100, real: 'test' as const, k: 3 },
    ...Object.fromEntries(METRICS.map((m) => [m, m === 'fid' ? 100 + 10 * seed : null])),
  })) as ResultsFile['rows'][number]['seeds'];
  return {
    description: 'A table for the tests.',
    date: '2026-11-27',
    command: 'gankit study run tiny.yaml',
    machine: 'test',
    samples: 100,
    real: 'test',
    seeds: [0, 1],
    taskSeconds: 1,
    features: 'mnist-v2',
    rows: [
      {
        method: 'Vanilla GAN',
        run: 'vanilla',
        generator: 'raw',
        note: 'two seeds',
        seeds,
        spread: Object.fromEntries(METRICS.map((m) => [m, spreadOf(seeds.map((s) => s[m]))])) as ResultsFile['rows'][number]['spread'],
      },
    ],
  };
}

export async function makeServedRuns(): Promise<ServedRuns> {
  const work = tempDir();
  const root = join(work, 'served');
  const run = 'runs/tiny';
  await train(configFor('nonsaturating', { limit: 320, epochs: 2, logEvery: 1, evalEvery: 1, evalN: 200, gEma: 0.9 }), join(root, run));
  await train(configFor('nonsaturating', { conditional: true, limit: 64, epochs: 1 }), join(root, 'runs', 'conditional'));

  cpSync(join(root, run), join(root, 'runs', 'damaged-metrics'), { recursive: true });
  const metrics = join(root, 'runs', 'damaged-metrics', 'metrics.jsonl');
  const lines = readFileSync(metrics, 'utf8').split('\n');
  lines.splice(2, 0, lines[2].slice(0, 20));
  writeFileSync(metrics, lines.join('\n'));

  cpSync(join(root, run), join(root, 'runs', 'damaged-config'), { recursive: true });
  writeFileSync(join(root, 'runs', 'damaged-config', 'config.json'), '{"config": {"objective": "nonsat');

  cpSync(join(root, run), join(root, 'runs', HTML_NAME), { recursive: true });

  const secret = join(work, 'secret.json');
  writeFileSync(secret, JSON.stringify({ secret: SECRET }));
  cpSync(join(root, run), join(root, 'runs', 'linked-log'), { recursive: true });
  rmSync(join(root, 'runs', 'linked-log', 'metrics.jsonl'));
  symlinkSync(secret, join(root, 'runs', 'linked-log', 'metrics.jsonl'));

  cpSync(join(root, run), join(root, 'runs', 'log-is-directory'), { recursive: true });
  rmSync(join(root, 'runs', 'log-is-directory', 'metrics.jsonl'));
  mkdirSync(join(root, 'runs', 'log-is-directory', 'metrics.jsonl'));

  cpSync(join(root, run), join(root, 'runs', 'missing-data'), { recursive: true });
  const record = JSON.parse(readFileSync(join(root, 'runs', 'missing-data', 'config.json'), 'utf8'));
  record.config.data = join(work, 'no-such-dataset');
  writeFileSync(join(root, 'runs', 'missing-data', 'config.json'), JSON.stringify(record));

  mkdirSync(join(root, 'study'));
  writeFileSync(join(root, 'study', 'study.json'), '{}');
  writeFileSync(join(root, 'study', 'results.json'), JSON.stringify(results()));

  symlinkSync(secret, join(root, run, 'leak.json'));
  symlinkSync(work, join(root, 'runs', 'outside'));
  appendFileSync(join(root, run, 'note.md'), 'a file of the run\n');
  return { root, run, secret };
}
