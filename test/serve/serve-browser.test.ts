// gankit serve end to end in headless Chromium (Debian's chromium through
// playwright-core): the real command serving a real tiny run. The runs page
// lists it (an HTML-like run name shows as text), the run page's curve gains
// a point when a line is appended to metrics.jsonl, the playground draws a
// 10×10 grid of 28×28 samples from the run's generator in the browser (a
// conditional run's with a class picker, and its nearest images), and
// no page logs an error. Screenshots of each page are taken and checked.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, existsSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { startEngine } from '../../src/engine/engine.js';
import { GANKIT_BIN, gankit } from '../helpers/gankit-cli.js';
import { HTML_NAME, makeServedRuns, RUNS } from '../helpers/served-runs.js';

const CHROMIUM = '/usr/bin/chromium';

test(
  'gankit serve in headless Chromium: runs page, live run page, playground',
  { skip: !existsSync(CHROMIUM) && `${CHROMIUM} is absent (apt-get install chromium)`, timeout: 180_000 },
  async () => {
    await startEngine({ quiet: true });
    const served = await makeServedRuns();
    const server = spawn(process.execPath, [GANKIT_BIN, 'serve', '--runs', served.root, '--port', '0'], { env: { ...process.env, GANKIT_THREADS: '1' } });
    after(() => server.kill('SIGTERM'));
    const url = await new Promise<string>((resolve, reject) => {
      server.stdout.once('data', (chunk: Buffer) => resolve(/http:\/\/\S+\//.exec(chunk.toString())![0]));
      server.once('exit', (code) => reject(new Error(`gankit serve exited with ${code}`)));
    });

    const { chromium } = await import('playwright-core');
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    after(() => browser.close());
    const page = await browser.newPage({ viewport: { width: 1300, height: 950 } });
    const errors: string[] = [];
    page.on('console', (message) => {
      if (message.type() === 'error') errors.push(message.text());
    });
    page.on('pageerror', (error) => errors.push(error.message));
    const screenshot = async (name: string) => {
      const path = join(served.root, '..', `${name}.png`);
      await page.screenshot({ path, fullPage: true });
      assert.ok(statSync(path).size > 10_000, name);
    };

    // The runs page: every run, the HTML-like name as text, the damaged ones with their reason, the study's table.
    await page.goto(`${url}#/runs`);
    await page.waitForSelector('table.runs tbody tr');
    const runLinks = await page.$$eval('table.runs tbody td.text a', (links) => links.map((a) => a.textContent));
    assert.deepEqual([...runLinks].sort(), Object.keys(RUNS).sort());
    assert.ok(runLinks.includes(`runs/${HTML_NAME}`));
    assert.equal(await page.locator('table.runs img').count(), 0);
    assert.match((await page.textContent('table.runs'))!, /damaged: metrics\.jsonl is damaged: line 3 is not a JSON object/);
    assert.match((await page.textContent('table.results'))!, /Vanilla GAN.*105\.0 ± 7\.1/);
    await screenshot('runs-page');

    // The run page, live: a line appended to metrics.jsonl becomes a point of the losses chart.
    await page.goto(`${url}#/run?run=${encodeURIComponent(served.run)}`);
    await page.waitForFunction(() => Number(document.querySelector<HTMLElement>('[data-chart="losses"]')?.dataset.points) > 0);
    const before = Number(await page.getAttribute('[data-chart="losses"]', 'data-points'));
    const curve = () => page.$eval('[data-chart="losses"] svg', (svg) => Array.from(svg.querySelectorAll('path'), (p) => p.getAttribute('d')).join());
    await page.waitForSelector('[data-chart="losses"] svg path');
    const drawn = await curve();
    appendFileSync(
      join(served.root, served.run, 'metrics.jsonl'),
      `${JSON.stringify({ epoch: 2.5, step: 30, gSteps: 30, dLoss: 1.2, gLoss: 0.9, dReal: 0.6, dFake: 0.4 })}\n`,
    );
    await page.waitForFunction((count) => Number(document.querySelector<HTMLElement>('[data-chart="losses"]')?.dataset.points) === count + 2, before, {
      timeout: 5000,
    });
    await page.waitForFunction(
      (old) => Array.from(document.querySelectorAll('[data-chart="losses"] svg path'), (p) => p.getAttribute('d')).join() !== old,
      drawn,
    );
    assert.notEqual(await curve(), drawn);
    assert.equal(await page.locator('img.thumb').count(), 2);
    assert.ok(await page.locator('[data-chart="FID"] svg').count());
    await screenshot('run-page');

    // The playground: the generator runs in the page and draws 100 samples, and another seed draws others.
    await page.goto(`${url}#/play?run=${encodeURIComponent(served.run)}`);
    await page.waitForSelector('canvas.playground-grid[data-seed="1"]', { timeout: 60_000 });
    const pixels = () =>
      page.$eval('canvas.playground-grid', (canvas) => {
        const c = canvas as HTMLCanvasElement;
        return {
          width: c.width,
          height: c.height,
          values: Array.from(
            c
              .getContext('2d')!
              .getImageData(0, 0, c.width, c.height)
              .data.filter((_, i) => i % 4 === 0),
          ),
        };
      });
    const first = await pixels();
    assert.deepEqual([first.width, first.height], [280, 280]);
    assert.ok(new Set(first.values).size > 50, `only ${new Set(first.values).size} grey levels`);
    assert.match((await page.textContent('.lead'))!, /G's moving average of checkpoint step-\d+, running in this page on TF\.js's (webgl|cpu) backend/);
    await page.click('text=re-seed');
    await page.waitForSelector('canvas.playground-grid[data-seed="2"]');
    const second = await pixels();
    assert.ok(second.values.some((v, i) => v !== first.values[i]));
    await screenshot('playground');
    assert.equal(await page.isVisible('select[aria-label="class"]'), false);

    // A scored run's page: an epoch reads as the runs page reads it, and scores are rounded for reading.
    const conditional = join(served.root, 'runs', 'conditional');
    assert.equal(gankit('evaluate', '--run', conditional, '--n', '200').code, 0);
    await page.goto(`${url}#/run?run=runs%2Fconditional`);
    await page.waitForSelector('section:has-text("evaluation (eval.json)") td');
    assert.match((await page.textContent('p.lead'))!, /epoch 1 of 1/);
    const scores = await page.$$eval('section:has-text("evaluation (eval.json)") td', (cells) => cells.map((cell) => cell.textContent!));
    assert.ok(scores.length > 3);
    for (const score of scores.filter((text) => /^-?[\d.]+$/.test(text))) assert.ok(score.replace(/^-?0?\.?0*/, '').replace('.', '').length <= 4, score);

    // A conditional run's playground: a row per class, or one class, and the picked sample's class said.
    await page.goto(`${url}#/play?run=runs%2Fconditional`);
    await page.waitForSelector('canvas.playground-grid[data-classes="rows"]', { timeout: 60_000 });
    await page.selectOption('select[aria-label="class"]', '3');
    await page.waitForSelector('canvas.playground-grid[data-classes="3"]');
    await page.click('canvas.playground-grid', { position: { x: 40, y: 40 } });
    await page.waitForFunction(() => /Sample \d+ \(class 3\) of seed 1 picked\./.test(document.body.textContent ?? ''));
    await page.click('text=start of interpolation');
    assert.match((await page.textContent('p.interpolation-ends'))!, /^Start: sample \d+ \(class 3\) of seed 1\. Now pick the end\.$/);
    await page.click('text=nearest training images');
    await page.waitForSelector('.neighbours figure', { timeout: 60_000 });
    await screenshot('conditional-playground');

    assert.deepEqual(errors, []);
  },
);
