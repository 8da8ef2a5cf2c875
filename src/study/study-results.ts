// The study's table: each row's metrics over the seeds, as mean ± standard
// deviation with n, in results.json, results.csv and results.md, and the HTML
// report beside them.
import { cpus } from 'node:os';
import { writeFileSync } from 'node:fs';
import { z } from 'zod';
import type { FeatureNetworkIdentity } from '../metrics/feature-extractor.js';
import { readOptionalJsonFile } from '../files/json-file.js';
import { meanAndSampleStd } from '../metrics/statistics.js';
import type { GeneratorKind } from '../run/trained-run.js';
import { readTaskRecord, studyPaths, summedTaskSeconds, taskId } from './study-directory.js';
import { baselineOf, type Study } from './study-file.js';
import { BOOTSTRAP_FROM_SEEDS, BOOTSTRAP_RESAMPLES, pairedDifference, type PairedDifference } from './paired-comparison.js';

/** The measured columns, in the table's order. */
export const METRICS = [
  'fid',
  'precision',
  'recall',
  'density',
  'coverage',
  'classifierScore',
  'logitFid',
  'trainSeconds',
  'samplingSeconds',
  'epsilon',
  // Last, so that CSV columns keep their places from before conditional runs.
  'labelAccuracy',
  'cas',
] as const;
export type Metric = (typeof METRICS)[number];

/** The metrics each row is not compared on with the baseline: times and ε are not paired. */
const UNPAIRED = ['trainSeconds', 'samplingSeconds', 'epsilon'] as const;
export type ComparedMetric = Exclude<Metric, (typeof UNPAIRED)[number]>;

/** The metrics each row is compared on with the baseline: the sample quality ones. */
export const COMPARED_METRICS = METRICS.filter((m): m is ComparedMetric => !(UNPAIRED as readonly string[]).includes(m));

/** The columns only conditional runs fill (and tables written before them lack): shown where some row has a value. */
const CLASS_METRICS: readonly Metric[] = ['labelAccuracy', 'cas'];

/** `metrics` without the class columns no row of `rows` fills. */
export function shownMetrics<M extends Metric>(metrics: readonly M[], rows: ReadonlyArray<Pick<ResultRow, 'spread'>>): M[] {
  return metrics.filter((m) => !CLASS_METRICS.includes(m) || rows.some((row) => (row.spread[m]?.n ?? 0) > 0));
}

/** One row with one seed: what its row task records. */
export type SeedResult = {
  method: string;
  seed: number;
  /** The run directory (under runs/) it sampled. */
  run: string;
  /** Which of the run's generators sampled: raw G, or its moving average. */
  generator: GeneratorKind;
  /** The feature network that scored it. */
  features: Pick<FeatureNetworkIdentity, 'network' | 'sha256'>;
  /** How its training diverged (it sampled the last good checkpoint), or null. */
  diverged: string | null;
  /** The study's evaluation settings it was scored with. */
  evaluation: Study['evaluation'];
} & Record<Metric, number | null>;

/** A metric over the seeds: null where no seed has a value; std null for fewer than 2 values. */
export interface Spread {
  mean: number | null;
  std: number | null;
  n: number;
}

export interface ResultRow {
  method: string;
  /** The study run it samples. */
  run: string;
  generator: GeneratorKind;
  /** The run's, shaping's and sampling's settings, in words. */
  note: string;
  seeds: SeedResult[];
  spread: Record<Metric, Spread>;
  /**
   * Row − baseline per seed, with the 95% interval of its mean; null where no seed has both, and for the baseline
   * itself. Absent from tables written before the comparisons.
   */
  comparison?: Record<ComparedMetric, PairedDifference | null>;
}

export interface ResultsFile {
  description: string;
  date: string;
  command: string;
  machine: string;
  /** Samples each row is evaluated on, and against which real split. */
  samples: number;
  real: string;
  seeds: number[];
  /** Every task's wall time, summed (training, shaping, sampling, evaluating). */
  taskSeconds: number;
  /** The feature network that scored the rows. */
  features: string;
  /** The method every row is compared with (absent from tables written before the comparisons). */
  baseline?: string;
  rows: ResultRow[];
}

const SPREAD = z.object({ mean: z.number().nullable(), std: z.number().nullable(), n: z.number() });
/** results.json as far as readers (the report, gankit serve) use it; an older gankit's table, without seeds, fails it. */
const RESULTS_SCHEMA = z.looseObject({
  rows: z.array(
    z.looseObject({
      method: z.string(),
      run: z.string(),
      seeds: z.array(z.looseObject({ seed: z.number(), run: z.string() })),
      spread: z.object(Object.fromEntries(METRICS.map((m) => [m, CLASS_METRICS.includes(m) ? SPREAD.optional() : SPREAD]))),
    }),
  ),
});

/** A study directory's results.json; undefined before its table is written, a DataError when it is damaged or too old. */
export function readResultsFile(dir: string): ResultsFile | undefined {
  return readOptionalJsonFile(studyPaths(dir).results('json'), RESULTS_SCHEMA) as ResultsFile | undefined;
}

/** How each column reads in the tables: heading, which way is better (for highlighting), digits. */
export const COLUMNS: Record<Metric, { heading: string; better: 'low' | 'high' | null; digits: number }> = {
  fid: { heading: 'FID', better: 'low', digits: 1 },
  precision: { heading: 'precision', better: 'high', digits: 3 },
  recall: { heading: 'recall', better: 'high', digits: 3 },
  density: { heading: 'density', better: 'high', digits: 3 },
  coverage: { heading: 'coverage', better: 'high', digits: 3 },
  classifierScore: { heading: 'classifier score', better: 'high', digits: 2 },
  logitFid: { heading: 'logit FID', better: 'low', digits: 1 },
  labelAccuracy: { heading: 'label accuracy', better: 'high', digits: 3 },
  cas: { heading: 'CAS', better: 'high', digits: 3 },
  trainSeconds: { heading: 'training s', better: 'low', digits: 0 },
  samplingSeconds: { heading: 'sampling s', better: 'low', digits: 1 },
  epsilon: { heading: 'ε', better: null, digits: 3 },
};

/** Mean and sample standard deviation (n − 1) of the finite values. */
export function spreadOf(values: ReadonlyArray<number | null>): Spread {
  const finite = values.filter((v): v is number => typeof v === 'number' && Number.isFinite(v));
  const n = finite.length;
  if (n === 0) return { mean: null, std: null, n };
  const { mean, std } = meanAndSampleStd(finite);
  return { mean, std: n < 2 ? null : std, n };
}

/** "12.3 ± 0.4", "12.3" with one seed, "–" with none. */
export function formatSpread(spread: Spread, metric: Metric): string {
  const { digits } = COLUMNS[metric];
  if (spread.mean === null) return '–';
  return spread.std === null ? spread.mean.toFixed(digits) : `${spread.mean.toFixed(digits)} ± ${spread.std.toFixed(digits)}`;
}

/** A row's method, marked † where a seed's training diverged (its note says how). */
export const methodLabel = (row: ResultRow) => `${row.method}${row.seeds.some((s) => s.diverged) ? ' †' : ''}`;

/** Which generator a row sampled, for the tables. */
export const generatorLabel = (row: { generator: GeneratorKind }) => (row.generator === 'ema' ? 'EMA' : 'raw');

const flagsNote = (command: string, flags: string[]) => (flags.length ? `${command} ${flags.join(' ')}` : '');

/** The rows of the study, from its row tasks' records over every seed. */
function studyRows(study: Study, dir: string): ResultRow[] {
  return study.rows.map((row) => {
    const seeds = study.seeds
      .map((seed) => readTaskRecord(dir, taskId('row', row.method, seed)) as unknown as SeedResult | undefined)
      .filter((r) => r !== undefined);
    const run = study.runs.find((r) => r.name === row.run)!;
    const shaping = study.shapings.find((s) => s.name === row.shaping);
    const note = [
      run.note ?? flagsNote('train', run.train),
      shaping ? (shaping.note ?? flagsNote('shape', shaping.shape)) : '',
      row.note ?? flagsNote('generate', row.generate),
      ...seeds
        .filter((s) => s.diverged)
        .map((s) => `seed ${s.seed} diverged (${s.diverged!.replace(/\. Try a lower learning rate\.$/, '')}), so its last good checkpoint was sampled`),
    ]
      .filter(Boolean)
      .join('; ');
    const spread = Object.fromEntries(METRICS.map((metric) => [metric, spreadOf(seeds.map((s) => s[metric]))])) as Record<Metric, Spread>;
    return { method: row.method, run: row.run, generator: seeds[0]?.generator ?? 'raw', note, seeds, spread };
  });
}

/** Each row's paired differences from the baseline row's seeds. */
function compared(rows: ResultRow[], baseline: string): ResultRow[] {
  const base = rows.find((row) => row.method === baseline)!;
  const values = (row: ResultRow, metric: ComparedMetric) => row.seeds.map((s) => ({ seed: s.seed, value: s[metric] }));
  return rows.map((row) => ({
    ...row,
    comparison: Object.fromEntries(
      COMPARED_METRICS.map((metric) => [metric, row === base ? null : pairedDifference(values(row, metric), values(base, metric))]),
    ) as Record<ComparedMetric, PairedDifference | null>,
  }));
}

/** "−12.3 [−20.1, −4.5]", "−12.3" with one seed, "–" with none. */
export function formatDifference(difference: PairedDifference | null, metric: Metric): string {
  if (!difference) return '–';
  const { digits } = COLUMNS[metric];
  const signed = (v: number) => {
    const rounded = Number(v.toFixed(digits));
    return `${rounded > 0 ? '+' : rounded < 0 ? '−' : ''}${Math.abs(rounded).toFixed(digits)}`;
  };
  return difference.low === null ? signed(difference.mean) : `${signed(difference.mean)} [${signed(difference.low)}, ${signed(difference.high!)}]`;
}

const csvCell = (value: unknown) => (typeof value === 'string' && /[",\n]/.test(value) ? `"${value.replace(/"/g, '""')}"` : String(value ?? ''));

/** One line per row and seed: what a spreadsheet or pandas wants; METRIC_vs_baseline is that seed's difference, _low and _high the row's interval. */
function resultsCsv(rows: ResultRow[]): string {
  const paired = COMPARED_METRICS.flatMap((m) => [`${m}_vs_baseline`, `${m}_vs_baseline_low`, `${m}_vs_baseline_high`]);
  const header = ['method', 'generator', 'seed', 'run', ...METRICS, ...paired, 'note'];
  const lines = rows.flatMap((row) =>
    row.seeds.map((s) => {
      const differences = COMPARED_METRICS.flatMap((m) => {
        const difference = row.comparison?.[m];
        return [difference?.perSeed.find((p) => p.seed === s.seed)?.difference, difference?.low, difference?.high];
      });
      return [row.method, row.generator, s.seed, s.run, ...METRICS.map((m) => s[m]), ...differences, row.note].map(csvCell).join(',');
    }),
  );
  return [header.join(','), ...lines].join('\n') + '\n';
}

/** Whether a separating difference is an improvement on `metric` ('better'), a loss ('worse'), or neither separates (''). */
export function differenceVerdict(difference: PairedDifference | null, metric: Metric): 'better' | 'worse' | '' {
  if (!difference?.separates) return '';
  const lowerIsBetter = COLUMNS[metric].better === 'low';
  return difference.mean < 0 === lowerIsBetter ? 'better' : 'worse';
}

/** What a comparison table's cells mean, in words: for results.md and the report alike. */
export function comparisonDescription(results: ResultsFile): string {
  const resamples = BOOTSTRAP_RESAMPLES.toLocaleString('en-US');
  const how = `Student's t with n − 1 degrees of freedom below ${BOOTSTRAP_FROM_SEEDS} seeds, a percentile bootstrap (${resamples} resamples) from ${BOOTSTRAP_FROM_SEEDS}`;
  // The metrics' directions, in words, from COLUMNS: "FID and logit FID", "precision, recall, … and classifier score".
  const headings = (better: 'low' | 'high') =>
    shownMetrics(COMPARED_METRICS, results.rows)
      .filter((m) => COLUMNS[m].better === better)
      .map((m) => COLUMNS[m].heading);
  const listed = (words: string[]) => (words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} and ${words.at(-1)}`);
  return (
    `Against ${results.baseline}, seed by seed: each cell is the mean over the n seeds of (row − ${results.baseline}), both sampled from that seed's runs` +
    (results.seeds.length > 1 ? `, and its 95% confidence interval (${how}).` : '; one seed: no interval.') +
    ` Lower ${listed(headings('low'))}, higher ${listed(headings('high'))} are better.`
  );
}

/** The comparisons as a Markdown table: bold where the 95% interval excludes 0. */
function comparisonMarkdown(results: ResultsFile): string[] {
  const compared = shownMetrics(COMPARED_METRICS, results.rows);
  const header = `| method | n | ${compared.map((m) => `Δ ${COLUMNS[m].heading}`).join(' | ')} |`;
  const rule = `| --- | ---: | ${compared.map(() => '---:').join(' | ')} |`;
  const cell = (row: ResultRow, m: ComparedMetric) => {
    const difference = row.comparison?.[m] ?? null;
    const text = formatDifference(difference, m);
    return difference?.separates ? `**${text}**` : text;
  };
  const lines = results.rows.map((row) =>
    row.method === results.baseline
      ? `| ${methodLabel(row)} | ${row.seeds.length} | ${compared.map(() => 'baseline').join(' | ')} |`
      : `| ${methodLabel(row)} | ${row.comparison?.fid?.perSeed.length ?? 0} | ${compared.map((m) => cell(row, m)).join(' | ')} |`,
  );
  return [`${comparisonDescription(results)} **Bold**: the interval excludes 0.`, '', header, rule, ...lines];
}

function resultsMarkdown(results: ResultsFile): string {
  const seeds = results.seeds.length;
  const metrics = shownMetrics(METRICS, results.rows);
  const header = `| method | G | n | ${metrics.map((m) => COLUMNS[m].heading).join(' | ')} |`;
  const rule = `| --- | --- | ---: | ${metrics.map(() => '---:').join(' | ')} |`;
  const lines = results.rows.map(
    (row) => `| ${methodLabel(row)} | ${generatorLabel(row)} | ${row.seeds.length} | ${metrics.map((m) => formatSpread(row.spread[m], m)).join(' | ')} |`,
  );
  return [
    `# ${results.command}`,
    '',
    ...(results.description ? [results.description.trim(), ''] : []),
    `${results.date}, ${results.machine}. Each row: ${results.samples.toLocaleString('en')} samples against the ${results.real} split of its run's data (MNIST unless --data said otherwise), ` +
      `features from gankit's feature network ${results.features} (not comparable with Inception FIDs). ` +
      (seeds > 1 ? `Each cell: mean ± standard deviation over the n seeds (${results.seeds.join(', ')}). ` : `One seed (${results.seeds[0]}): no spread. `) +
      'G: the raw generator, or its moving average (EMA).',
    '',
    header,
    rule,
    ...lines,
    '',
    ...comparisonMarkdown(results),
    '',
    `Cost: ${(results.taskSeconds / 60).toFixed(1)} min of tasks in all (each task's wall time, summed; a task stopped and resumed counts from its resume).`,
    '',
    "Settings († a seed's training diverged):",
    ...results.rows.map((row) => `- ${row.method}: ${row.note}.`),
    '',
  ].join('\n');
}

/** Writes results.json, .csv and .md of the study in `dir`; `command` is what the table's heading names. */
export function writeStudyResults(study: Study, dir: string, command: string): ResultsFile {
  const paths = studyPaths(dir);
  const baseline = baselineOf(study);
  const rows = compared(studyRows(study, dir), baseline);
  const results: ResultsFile = {
    description: study.description ?? '',
    date: new Date().toISOString().slice(0, 10),
    command,
    machine: `${cpus().length} × ${cpus()[0]?.model ?? 'CPU'}, Node ${process.version}`,
    samples: study.evaluation.n,
    real: study.evaluation.real,
    seeds: study.seeds,
    taskSeconds: summedTaskSeconds(dir),
    features: rows.find((row) => row.seeds.length)?.seeds[0].features.network ?? 'unknown',
    baseline,
    rows,
  };
  writeFileSync(paths.results('json'), `${JSON.stringify(results, null, 2)}\n`);
  writeFileSync(paths.results('csv'), resultsCsv(rows));
  writeFileSync(paths.results('md'), resultsMarkdown(results));
  return results;
}
