// The reproduce table as results.json, results.csv and results.md.
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from './plan.js';
import type { ResultRow } from './reproduce.js';

export interface ResultsFile {
  budget: string;
  date: string;
  command: string;
  machine: string;
  samples: number;
  /** Every task's wall time, summed (training, shaping, sampling, evaluating). */
  taskSeconds: number;
  rows: ResultRow[];
}

/** Columns of the table: heading, value, and which way is better (for highlighting). */
export const COLUMNS: Array<{ key: keyof ResultRow; heading: string; better: 'low' | 'high' | null; digits: number }> = [
  { key: 'fid', heading: 'FID', better: 'low', digits: 1 },
  { key: 'precision', heading: 'precision', better: 'high', digits: 3 },
  { key: 'recall', heading: 'recall', better: 'high', digits: 3 },
  { key: 'density', heading: 'density', better: 'high', digits: 3 },
  { key: 'coverage', heading: 'coverage', better: 'high', digits: 3 },
  { key: 'classifierScore', heading: 'classifier score', better: 'high', digits: 2 },
  { key: 'logitFid', heading: 'logit FID', better: 'low', digits: 1 },
  { key: 'trainSeconds', heading: 'training s', better: 'low', digits: 0 },
  { key: 'samplingSeconds', heading: 'sampling s', better: 'low', digits: 1 },
  { key: 'epsilon', heading: 'ε', better: null, digits: 3 },
];

export function formatCell(row: ResultRow, column: (typeof COLUMNS)[number]): string {
  const value = row[column.key];
  return typeof value === 'number' && Number.isFinite(value) ? value.toFixed(column.digits) : '–';
}

/** Which generator a row sampled, for the tables (older records have none: raw G). */
export const generatorLabel = (row: ResultRow) => (row.generator === 'ema' ? 'EMA' : 'raw');

export function writeResults(outDir: string, plan: Plan, rows: ResultRow[], command: string, machine: string, taskSeconds: number): ResultsFile {
  const date = new Date().toISOString().slice(0, 10);
  const results: ResultsFile = { budget: plan.budget, date, command, machine, samples: plan.samples, taskSeconds, rows };
  writeFileSync(join(outDir, 'results.json'), `${JSON.stringify(results, null, 2)}\n`);
  const csvCell = (value: unknown) => (typeof value === 'string' && /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : String(value ?? ''));
  const keys: Array<keyof ResultRow> = ['method', 'generator', ...COLUMNS.map((c) => c.key), 'note'];
  writeFileSync(join(outDir, 'results.csv'), [keys.join(','), ...rows.map((row) => keys.map((key) => csvCell(row[key])).join(','))].join('\n') + '\n');
  const header = `| method | G | ${COLUMNS.map((c) => c.heading).join(' | ')} |`;
  const rule = `| --- | --- | ${COLUMNS.map(() => '---:').join(' | ')} |`;
  const lines = rows.map((row) => `| ${row.method} | ${generatorLabel(row)} | ${COLUMNS.map((c) => formatCell(row, c)).join(' | ')} |`);
  const notes = rows.map((row) => `- ${row.method}: ${row.note}.`);
  const markdown = [
    `# gankit reproduce --budget ${plan.budget}`,
    '',
    `${results.date}, ${machine}. Command: \`${command}\`. Each row: ${plan.samples.toLocaleString('en')} samples against MNIST test, ` +
      `features from gankit's feature network ${rows[0]?.features?.network ?? 'mnist-v1'} (not comparable with Inception FIDs). Every run trains the study preset ` +
      '(dropout 0.3 in G and D); G: the raw generator, or its moving average (EMA).',
    '',
    header,
    rule,
    ...lines,
    '',
    `Cost: ${(taskSeconds / 60).toFixed(1)} min of tasks in all (each task's wall time, summed; a stopped and resumed reproduce counts each task once).`,
    '',
    'Settings and budget cuts:',
    ...notes,
    '',
  ].join('\n');
  writeFileSync(join(outDir, 'results.md'), markdown);
  return results;
}
