// The columns the runs page and the compare page show of a run.
import type { RunSummary } from '../api-types.js';
import { formatEpoch, formatNumber } from './dom.js';

export interface RunColumn {
  heading: string;
  value(run: RunSummary): string | number | undefined;
  /** How a number shows. Absent for text. */
  format?(value: number | undefined): string;
}

const fixed = (digits: number) => (value: number | undefined) => formatNumber(value, digits);

export const RUN_COLUMNS: RunColumn[] = [
  { heading: 'run', value: (run) => run.path },
  { heading: 'state', value: (run) => run.state },
  { heading: 'objective', value: (run) => run.objective },
  { heading: 'preset', value: (run) => run.preset },
  { heading: 'epoch', value: (run) => run.epoch, format: formatEpoch },
  { heading: 'epochs', value: (run) => run.epochs, format: fixed(0) },
  { heading: 'ε', value: (run) => run.epsilon, format: fixed(2) },
  { heading: 'D loss', value: (run) => run.last.dLoss, format: fixed(3) },
  { heading: 'G loss', value: (run) => run.last.gLoss, format: fixed(3) },
  { heading: 'D(x)', value: (run) => run.last.dReal, format: fixed(3) },
  { heading: 'D(G(z))', value: (run) => run.last.dFake, format: fixed(3) },
  { heading: 'FID', value: (run) => run.scores?.fid, format: fixed(1) },
  { heading: 'precision', value: (run) => run.scores?.precision, format: fixed(3) },
  { heading: 'recall', value: (run) => run.scores?.recall, format: fixed(3) },
];

/** Missing values sort last whichever way. */
export function compareValues(a: string | number | undefined, b: string | number | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  return typeof a === 'number' && typeof b === 'number' ? a - b : String(a).localeCompare(String(b));
}

/** A column's value as the tables show it. */
export function columnText(run: RunSummary, column: RunColumn): string {
  const value = column.value(run);
  return column.format === undefined ? String(value ?? '–') : column.format(value as number | undefined);
}
