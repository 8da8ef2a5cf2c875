// The HTML report of a small run: every chart and image present, then (where
// Debian's chromium is installed) rendered in headless Chromium, checked
// non-empty, and screenshotted.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cpSync, existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { startEngine } from '../../src/engine/engine.js';
import { writeReport } from '../../src/report/report.js';
import { METRICS } from '../../src/study/study-results.js';
import { configFor } from '../../src/training/train-config.js';
import { train } from '../../src/training/trainer.js';
import { gankit } from '../helpers/gankit-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const CHROMIUM = '/usr/bin/chromium';

await startEngine({ quiet: true });
const root = tempDir();
const run = join(root, 'runs', 'vanilla');
await train(configFor('nonsaturating', { limit: 320, epochs: 2, logEvery: 1, evalEvery: 1, evalN: 200 }), run);
assert.equal(gankit('evaluate', '--run', run, '--n', '200').code, 0);
assert.equal(gankit('generate', '--run', run, '--interpolate', join(run, 'interpolation.png')).code, 0);
const report = await writeReport(root, join(root, 'report'));
const html = readFileSync(report, 'utf8');

test('the report holds the configuration, curves, grids, interpolation strips and class histogram, all inline', () => {
  assert.match(html, /<details><summary>configuration<\/summary>/);
  // Losses, D's scores, the FID and the precision/recall curves of --eval-every, the class histogram.
  assert.equal(html.match(/<svg/g)?.length, 5);
  assert.match(html, /FID during training \(200 samples, G\)/);
  // Two epoch grids, the large grid (the last epoch's: no study sampled this run), the interpolation strips: all data URIs, nothing fetched.
  assert.equal(html.match(/<img[^>]+src="data:image\/png;base64,/g)?.length, 4);
  assert.match(html, /<figure class="enlarged"><img class="final" [^>]+><figcaption>after epoch 2<\/figcaption><\/figure>/);
  assert.doesNotMatch(html, /(src|href)="(https?:|\/\/)/);
});

test(
  'in headless Chromium, every image loads and every chart draws',
  { skip: !existsSync(CHROMIUM) && `${CHROMIUM} is absent (apt-get install chromium)` },
  async () => {
    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    try {
      const page = await browser.newPage({ viewport: { width: 1200, height: 900 } });
      await page.goto(pathToFileURL(report).href);
      const images = await page.$$eval('img', (nodes) =>
        nodes.map((n) => ({ complete: (n as HTMLImageElement).complete, width: (n as HTMLImageElement).naturalWidth })),
      );
      assert.equal(images.length, 4);
      assert.ok(
        images.every((image) => image.complete && image.width > 0),
        JSON.stringify(images),
      );
      const charts = await page.$$eval('svg', (nodes) =>
        nodes.map((n) => ({
          width: n.getBoundingClientRect().width,
          height: n.getBoundingClientRect().height,
          marks: n.querySelectorAll('path, rect, line').length,
        })),
      );
      assert.equal(charts.length, 5);
      assert.ok(
        charts.every((chart) => chart.width > 100 && chart.height > 50 && chart.marks > 5),
        JSON.stringify(charts),
      );
      // A click on epoch 1's thumbnail shows it in the large grid.
      await page.click('img.epoch >> nth=0');
      assert.equal(await page.textContent('figure.enlarged figcaption'), 'after epoch 1');
      assert.equal(await page.getAttribute('figure.enlarged img', 'src'), await page.getAttribute('img.epoch >> nth=0', 'src'));
      const screenshot = join(root, 'report', 'screenshot.png');
      await page.screenshot({ path: screenshot, fullPage: true });
      assert.ok(statSync(screenshot).size > 20000);
    } finally {
      await browser.close();
    }
  },
);

test("an older gankit's results.json (no seeds) leaves the table out and says why; the runs are still reported", async () => {
  const old = tempDir();
  cpSync(run, join(old, 'runs', 'vanilla'), { recursive: true });
  writeFileSync(join(old, 'results.json'), JSON.stringify({ rows: [{ method: 'Vanilla GAN', run: 'vanilla', fid: 194.5 }] }));
  const page = readFileSync(await writeReport(old, join(old, 'report')), 'utf8');
  assert.match(page, /<p>No results table: .*results\.json is damaged: rows\.0\.seeds: expected array, received undefined\. \(an older gankit/);
  assert.match(page, /<h2>vanilla<\/h2>/);
});

test('a study whose rows have ε and CAS gets the privacy–utility curve: one line per schedule, the non-private row as the ceiling', async () => {
  const study = tempDir();
  cpSync(run, join(study, 'runs', 'vanilla'), { recursive: true });
  const spread = (values: Record<string, number>) =>
    Object.fromEntries(METRICS.map((m) => [m, m in values ? { mean: values[m], std: null, n: 1 } : { mean: null, std: null, n: 0 }]));
  const row = (method: string, values: Record<string, number>) => ({ method, run: 'vanilla', generator: 'raw', note: '', seeds: [], spread: spread(values) });
  const results = {
    description: 'DP sweep',
    date: '2026-12-07',
    command: 'gankit study run',
    machine: 'test',
    samples: 200,
    real: 'test',
    seeds: [0],
    taskSeconds: 1,
    features: 'mnist-v3',
    rows: [
      row('non-private', { fid: 50, cas: 0.9 }),
      row('ε = 10, n_D 5', { fid: 100, cas: 0.4, epsilon: 10 }),
      row('ε = 1, n_D 5', { fid: 200, cas: 0.2, epsilon: 1 }),
    ],
  };
  writeFileSync(join(study, 'results.json'), JSON.stringify(results));
  const page = readFileSync(await writeReport(study, join(study, 'report')), 'utf8');
  assert.match(page, /<figure class="chart"><svg[^>]*>[\s\S]*privacy against utility: CAS at each ε[\s\S]*?<\/svg><\/figure>/);
  // The ceiling's label, and the schedule's name without its ε as the legend.
  assert.match(page, />non-private</);
  assert.match(page, />n_D 5</);
});

test('gankit report takes a run directory itself (with or without a trailing slash); a missing one is bad data, exit code 1', () => {
  for (const given of [run, `${run}/`]) {
    const out = join(tempDir(), 'report');
    const reported = gankit('report', '--runs', given, '--out', out);
    assert.equal(reported.code, 0, reported.stderr);
    assert.deepEqual(readFileSync(join(out, 'index.html'), 'utf8').match(/<h2>[^<]*<\/h2>/g), ['<h2>vanilla</h2>']);
  }
  const missing = gankit('report', '--runs', join(root, 'nope'), '--out', join(tempDir(), 'report'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^gankit: .*nope is not a directory: --runs takes a run, or the directory your runs are in/);
});
