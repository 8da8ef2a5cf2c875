// gankit report: one self-contained HTML page (inline SVG charts, images as
// data URIs) that opens from disk: the results table with the best value of
// each column highlighted, then each run's configuration, curves, sample
// grids, interpolation strips and class histogram.
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { DataError } from '../errors.js';
import { studyPaths } from '../study/study-directory.js';
import {
  COLUMNS,
  COMPARED_METRICS,
  comparisonDescription,
  differenceVerdict,
  formatDifference,
  formatSpread,
  generatorLabel,
  methodLabel,
  METRICS,
  shownMetrics,
  readResultsFile,
  type ResultRow,
  type ResultsFile,
} from '../study/study-results.js';
import type { PairedDifference } from '../study/paired-comparison.js';
import { readEpochScores } from '../run/eval-curve.js';
import { readMetrics } from '../run/metrics-log.js';
import { epochGrid, epochGrids, readEvaluationFile, readPrivacyRecord, runPaths } from '../run/run-directory.js';
import { hasRunRecord, readRunRecord } from '../run/run-record.js';
import { describeGenerator } from '../run/trained-run.js';
import { classHistogram, curveChart, forestChart, privacyUtilityChart, spreadChart } from './charts.js';

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const pngData = (path: string) => `data:image/png;base64,${readFileSync(path).toString('base64')}`;
const image = (path: string, alt: string, className = '') => `<img class="${className}" src="${pngData(path)}" alt="${escape(alt)}">`;
/** `root` itself when it is a run; else the run directories (with config.json) in `root` and in `root/runs`. */
function findRuns(root: string): string[] {
  if (hasRunRecord(root)) return [root];
  return [root, join(root, 'runs')]
    .filter((dir) => existsSync(dir))
    .flatMap((dir) =>
      readdirSync(dir, { withFileTypes: true })
        .filter((e) => e.isDirectory())
        .map((e) => join(dir, e.name)),
    )
    .filter(hasRunRecord)
    .sort();
}

async function resultsTable(results: ResultsFile, root: string): Promise<string> {
  const paths = studyPaths(root);
  const metrics = shownMetrics(METRICS, results.rows);
  const ranked = metrics.filter((m) => COLUMNS[m].better);
  const best = new Map(
    ranked.map((m) => {
      const means = results.rows.map((row) => row.spread[m].mean).filter((v): v is number => v !== null);
      return [m, COLUMNS[m].better === 'low' ? Math.min(...means) : Math.max(...means)];
    }),
  );
  const rows = results.rows.map((row) => {
    const first = row.seeds[0];
    const grid = first ? paths.rowGrid(row.method, first.seed) : '';
    const cells = metrics.map((m) => `<td class="${best.get(m) === row.spread[m].mean ? 'best' : ''}">${formatSpread(row.spread[m], m)}</td>`).join('');
    const thumb = grid && existsSync(grid) ? image(grid, `samples: ${row.method}, seed ${first.seed}`, 'thumb') : '';
    return `<tr><th>${escape(methodLabel(row))}</th><td>${generatorLabel(row)}</td><td>${row.seeds.length}</td>${cells}<td>${thumb}</td><td class="note">${escape(row.note)}</td></tr>`;
  });
  const seeds = results.seeds.length;
  const spread =
    seeds > 1 ? `Each cell: mean ± standard deviation over n seeds (${results.seeds.join(', ')}); the charts below show every seed.` : 'One seed: no spread.';
  const table = `<h2>Results</h2>
<p>${escape(results.date)}, ${escape(results.machine)}: <code>${escape(results.command)}</code>. ${results.samples} samples per row against the ${escape(results.real)} split of the run's data. ${spread} Best mean of each column in bold.${
    results.taskSeconds ? ` The tasks took ${(results.taskSeconds / 60).toFixed(1)} min in all.` : ''
  }</p>
<table class="results"><thead><tr><th>method</th><th>G</th><th>n</th>${metrics.map((m) => `<th>${escape(COLUMNS[m].heading)}</th>`).join('')}<th>samples</th><th>settings</th></tr></thead>
<tbody>${rows.join('\n')}</tbody></table>`;
  const comparison = (await privacyUtilityFigure(results)) + (await comparisonSection(results));
  if (seeds < 2) return table + comparison;
  const charts = (['fid', 'precision', 'recall'] as const).map((m) =>
    spreadChart(
      `${COLUMNS[m].heading} per seed, and mean ± std`,
      results.rows.flatMap((row) => row.seeds.map((s) => ({ method: row.method, value: s[m] }))),
    ),
  );
  const svgs = await Promise.all(charts);
  return `${table}<div class="charts">${svgs.map((svg) => `<figure class="chart">${svg}</figure>`).join('')}</div>${comparison}`;
}

/**
 * CAS against ε where private rows have both (the mean over seeds), one line per schedule: the rows whose
 * methods differ only in their "ε = …"; the rows without privacy are the ceiling. Empty without private rows.
 */
async function privacyUtilityFigure(results: ResultsFile): Promise<string> {
  const cas = (row: ResultRow) => row.spread.cas?.mean ?? null;
  const points = results.rows.flatMap((row) => {
    const [epsilon, utility] = [row.spread.epsilon?.mean ?? null, cas(row)];
    if (epsilon === null || utility === null) return [];
    return [{ group: row.method.replace(/ε\s*=\s*[\d.]+,?\s*/, '') || 'private runs', epsilon, cas: utility }];
  });
  if (!points.length) return '';
  const ceilings = results.rows.flatMap((row) => (row.spread.epsilon?.mean == null && cas(row) !== null ? [{ method: row.method, cas: cas(row)! }] : []));
  const svg = await privacyUtilityChart('privacy against utility: CAS at each ε', points, ceilings);
  return `<figure class="chart">${svg}</figure>`;
}

/** Each row against the baseline: the paired differences' table, and forest plots of Δ FID and Δ recall. */
async function comparisonSection(results: ResultsFile): Promise<string> {
  const compared = results.rows.filter((row) => row.method !== results.baseline && row.comparison?.fid);
  if (!results.baseline || !compared.length) return '';
  const metrics = shownMetrics(COMPARED_METRICS, results.rows);
  const cell = (difference: PairedDifference | null, m: (typeof COMPARED_METRICS)[number]) =>
    `<td class="${differenceVerdict(difference, m)}">${formatDifference(difference, m)}</td>`;
  const rows = compared.map(
    (row) =>
      `<tr><th>${escape(methodLabel(row))}</th><td>${row.comparison!.fid?.perSeed.length ?? 0}</td>${metrics.map((m) => cell(row.comparison![m] ?? null, m)).join('')}</tr>`,
  );
  const forests = await Promise.all(
    (['fid', 'recall'] as const).map((m) =>
      forestChart(
        `Δ ${COLUMNS[m].heading} against ${results.baseline}, 95% interval`,
        compared.flatMap((row) => {
          const difference = row.comparison![m];
          return difference ? [{ method: row.method, mean: difference.mean, low: difference.low, high: difference.high, separates: difference.separates }] : [];
        }),
      ),
    ),
  );
  return `<h3>Against ${escape(results.baseline)}, seed by seed</h3>
<p>${escape(comparisonDescription(results))} Green: better than ${escape(results.baseline)} and red: worse, where the interval excludes 0; red in the plots: the interval excludes 0.</p>
<table class="results"><thead><tr><th>method</th><th>n</th>${metrics.map((m) => `<th>Δ ${escape(COLUMNS[m].heading)}</th>`).join('')}</tr></thead>
<tbody>${rows.join('\n')}</tbody></table>
<div class="charts">${forests.map((svg) => `<figure class="chart">${svg}</figure>`).join('')}</div>`;
}

async function runSection(runDir: string, root: string, results?: ResultsFile): Promise<string> {
  const name = basename(resolve(runDir));
  const saved = readRunRecord(runDir);
  const paths = runPaths(runDir);
  const metrics = readMetrics(paths.metrics);
  const parts = [`<section><h2>${escape(name)}</h2>`];
  const settings = Object.entries(saved.config)
    .map(([key, value]) => `<tr><th>${escape(key)}</th><td>${escape(JSON.stringify(value))}</td></tr>`)
    .join('');
  parts.push(`<details><summary>configuration</summary><table class="config">${settings}</table></details>`);
  if (metrics.length) {
    const losses = await curveChart('losses', metrics, { dLoss: 'D loss', gLoss: 'G loss' });
    const scores = await curveChart("D's mean score", metrics, { dReal: 'D(x)', dFake: 'D(G(z))' });
    parts.push(`<div class="charts"><figure class="chart">${losses}</figure><figure class="chart">${scores}</figure></div>`);
  }
  const scored = readEpochScores(runDir);
  if (scored.length) {
    const fid = await curveChart(`FID during training (${scored[0].samples} samples, ${describeGenerator(scored[0].generator)})`, scored, { fid: 'FID' });
    const pr = await curveChart('precision and recall during training', scored, { precision: 'precision', recall: 'recall', coverage: 'coverage' });
    parts.push(`<div class="charts"><figure class="chart">${fid}</figure><figure class="chart">${pr}</figure></div>`);
  }
  // The first study row that sampled this run: its fresh samples' grid, and its class histogram where the run has no eval.json.
  const sampled = results?.rows.flatMap((r) => r.seeds.filter((s) => s.run === name).map((s) => ({ method: r.method, seed: s.seed })))[0];
  const grids = epochGrids(runDir).map((epoch) => ({ epoch, path: epochGrid(runDir, epoch) }));
  if (grids.length) {
    const freshGrid = sampled && studyPaths(root).rowGrid(sampled.method, sampled.seed);
    const fresh =
      freshGrid && existsSync(freshGrid) ? { path: freshGrid, caption: `fresh samples: ${sampled.method}, seed ${sampled.seed}`, label: 'fresh' } : undefined;
    const last = grids[grids.length - 1];
    // The study row's fresh samples lead the strip, so that a click can bring them back to the large grid.
    const thumbs = [...(fresh ? [fresh] : []), ...grids.map(({ epoch, path }) => ({ path, caption: `after epoch ${epoch}`, label: String(epoch) }))];
    const strip = thumbs
      .map(({ path, caption, label }) => `<figure>${image(path, caption, 'epoch')}<figcaption>${escape(label)}</figcaption></figure>`)
      .join('');
    const heading = fresh ? 'fresh samples, and the grid after each epoch' : 'samples after each epoch';
    parts.push(`<h3>${heading} (the grids from the same latents; click one to enlarge it)</h3><div class="strip">${strip}</div>`);
    const shown = fresh ?? { path: last.path, caption: `after epoch ${last.epoch}` };
    parts.push(`<figure class="enlarged">${image(shown.path, shown.caption, 'final')}<figcaption>${escape(shown.caption)}</figcaption></figure>`);
  }
  const { interpolation } = runPaths(runDir);
  if (existsSync(interpolation)) parts.push(`<h3>latent-space interpolation strips</h3>${image(interpolation, 'interpolation strips', 'final')}`);
  const evaluation = readEvaluationFile(paths.eval) ?? (sampled ? readEvaluationFile(studyPaths(root).rowEvaluation(sampled.method, sampled.seed)) : undefined);
  if (evaluation?.modes) {
    const histogram = await classHistogram(`predicted classes (${evaluation.modes.classesCovered} of 10 with ≥ 1%)`, evaluation.modes.histogram);
    parts.push(
      `<figure class="chart">${histogram}</figure><p>FID ${evaluation.fid.toFixed(1)}, precision ${evaluation.precision.toFixed(3)}, recall ${evaluation.recall.toFixed(3)}</p>`,
    );
  }
  const privacy = readPrivacyRecord(runDir);
  if (privacy)
    parts.push(
      `<p>Privacy: ε = ${privacy.epsilon.toFixed(2)} at δ = ${privacy.delta}, σ = ${privacy.noiseMultiplier.toFixed(3)}, ${privacy.steps} D steps.</p>`,
    );
  parts.push('</section>');
  return parts.join('\n');
}

/** The page's one script: a click on an epoch's thumbnail shows it in its section's large grid. */
const SCRIPT = `document.addEventListener('click', (event) => {
  const thumb = event.target;
  if (!(thumb instanceof HTMLImageElement) || !thumb.classList.contains('epoch')) return;
  const enlarged = thumb.closest('section').querySelector('figure.enlarged');
  enlarged.querySelector('img').src = thumb.src;
  enlarged.querySelector('figcaption').textContent = thumb.alt;
});`;

const STYLE = `body{font:14px/1.45 system-ui,sans-serif;margin:2em auto;max-width:1100px;color:#222}
table{border-collapse:collapse}td,th{padding:3px 8px;border-bottom:1px solid #ddd;text-align:right;vertical-align:middle}
th{text-align:left}td.best,td.better{font-weight:bold;background:#e6f4ea}td.worse{font-weight:bold;background:#fce8e6}td.note{text-align:left;font-size:12px;color:#555;max-width:260px}
table.results td:not(.note){white-space:nowrap}
.thumb{height:64px;image-rendering:pixelated}.strip{display:flex;flex-wrap:wrap;gap:6px}.strip figure{margin:0;text-align:center;font-size:11px}
.epoch{width:110px;image-rendering:pixelated;cursor:pointer}figure.enlarged{margin:1em 0}.final{width:420px;image-rendering:pixelated}.charts{display:flex;flex-wrap:wrap;gap:12px}
figure.chart{margin:0}section{border-top:2px solid #ccc;margin-top:2em}`;

/** Writes OUT/index.html for the runs in `root` (a study's output or a directory of runs); returns its path. */
export async function writeReport(root: string, outDir: string): Promise<string> {
  const runs = findRuns(root);
  if (!runs.length) throw new DataError(`${root} is not a run and holds no runs (directories with config.json), nor does ${join(root, 'runs')}.`);
  // A results.json of an older gankit (before study files: no seeds, no spread) leaves the table out, and says so.
  let results: ResultsFile | undefined;
  let resultsNote = '';
  try {
    results = readResultsFile(root);
  } catch (error) {
    if (!(error instanceof DataError)) throw error;
    resultsNote = `<p>No results table: ${escape(error.message)} (an older gankit's table has no seeds; run the study again to rebuild it).</p>`;
  }
  const sections = [];
  for (const run of runs) sections.push(await runSection(run, root, results));
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>gankit report</title><style>${STYLE}</style></head>
<body><h1>gankit report</h1>
${results ? await resultsTable(results, root) : resultsNote}
${sections.join('\n')}
<script>${SCRIPT}</script>
</body></html>`;
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, 'index.html');
  writeFileSync(path, html);
  return path;
}
