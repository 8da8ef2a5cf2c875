// gankit serve's server over real runs: the runs listing (damaged runs listed
// with their reason, a study's table), a run's detail, the files a browser
// fetches, every way out of the served directory refused, a new metrics line
// streamed within 2 s, nearest training images checked against a brute-force
// search, nothing written, and the command's one-sentence refusals.
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { appendFileSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { startEngine } from '../../src/engine/engine.js';
import { extractAll } from '../../src/metrics/evaluation.js';
import { featureExtractorFor } from '../../src/metrics/feature-extractor.js';
import { loadImageSet } from '../../src/data/image-set.js';
import { Rng } from '../../src/engine/rng.js';
import { latestCheckpoint } from '../../src/run/checkpoints.js';
import { drawImages, generatorSource } from '../../src/sampling/generate-images.js';
import { openRun } from '../../src/run/trained-run.js';
import { buildServer } from '../../src/serve/server.js';
import type { NearestAnswer, RunDetail, RunsIndex } from '../../src/serve/api-types.js';
import { GANKIT_BIN, gankit } from '../helpers/gankit-cli.js';
import { makeServedRuns, RUNS, SECRET } from '../helpers/served-runs.js';

await startEngine({ quiet: true });
const served = await makeServedRuns();
const app = await buildServer(served.root);
await app.listen({ host: '127.0.0.1', port: 0 });
after(() => app.close());
const port = (app.server.address() as AddressInfo).port;

/** A GET with the path sent exactly as written (no client-side normalisation of `..`). */
function get(path: string): Promise<{ status: number; body: string; type: string }> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method: 'GET', agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode!, body: Buffer.concat(chunks).toString('utf8'), type: String(res.headers['content-type']) }));
    });
    req.on('error', reject);
    req.end();
  });
}
const getJson = async <T>(path: string) => JSON.parse((await get(path)).body) as T;
const q = encodeURIComponent;

/** Every file under the served directory with its size and modification time (but the log the stream test appends to): the server must change none. */
function snapshot(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile() && join(e.parentPath, e.name) !== join(served.root, served.run, 'metrics.jsonl'))
    .map((e) => {
      const path = join(e.parentPath, e.name);
      const stat = statSync(path);
      return `${path} ${stat.size} ${stat.mtimeMs}`;
    })
    .sort();
}
const before = snapshot(served.root);

test('the runs listing: every run, nested ones too, damaged ones with their reason; the study table', async () => {
  const index = await getJson<RunsIndex>('/api/runs');
  assert.deepEqual(Object.fromEntries(index.runs.map((r) => [r.path, r.damaged])), RUNS);
  const tiny = index.runs.find((r) => r.path === 'runs/tiny')!;
  const metrics = readFileSync(join(served.root, served.run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n');
  const last = JSON.parse(metrics[metrics.length - 1]);
  assert.equal(tiny.state, 'finished');
  assert.equal(tiny.objective, 'nonsaturating');
  assert.equal(tiny.preset, 'study');
  assert.equal(tiny.epochs, 2);
  assert.equal(tiny.epoch, last.epoch);
  assert.deepEqual(tiny.last, { dLoss: last.dLoss, gLoss: last.gLoss, dReal: last.dReal, dFake: last.dFake });
  assert.equal(tiny.damaged, undefined);
  // What can be read of a damaged run is shown.
  assert.equal(index.runs.find((r) => r.path === 'runs/damaged-metrics')!.objective, 'nonsaturating');
  assert.equal(index.runs.find((r) => r.path === 'runs/damaged-config')!.state, 'finished');
  assert.equal(index.runs.find((r) => r.path === 'runs/log-is-directory')!.objective, 'nonsaturating');
  assert.equal(index.studies.length, 1);
  const [study] = index.studies;
  assert.equal(study.path, 'study');
  assert.equal(study.rows[0].method, 'Vanilla GAN');
  assert.equal(study.rows[0].n, 2);
  assert.equal(study.rows[0].cells[study.headings.indexOf('FID') - 3], '105.0 ± 7.1');
});

test("a run's detail: configuration, evaluation curve, grids and the generator the browser loads (the moving average)", async () => {
  const detail = await getJson<RunDetail>(`/api/run?run=${q(served.run)}`);
  assert.equal(detail.config.epochs, 2);
  assert.equal(detail.config.gEma, 0.9);
  assert.deepEqual(
    detail.grids.map((g) => g.epoch),
    [1, 2],
  );
  assert.deepEqual(
    detail.evalCurve.map((p) => p.epoch),
    [1, 2],
  );
  const checkpoint = latestCheckpoint(join(served.root, served.run))!;
  assert.equal(detail.generator?.kind, 'ema');
  assert.equal(detail.generator?.checkpoint, checkpoint.split('/').pop());
  const model = await get(detail.generator!.modelUrl);
  assert.equal(model.status, 200);
  assert.deepEqual(JSON.parse(model.body).weightsManifest[0].paths, ['./weights.bin']);
  const weights = await get(detail.generator!.modelUrl.replace('model.json', 'weights.bin'));
  assert.equal(weights.status, 200);
  assert.equal(weights.type, 'application/octet-stream');
  assert.equal(detail.grids[1].url, `/files/${served.run}/samples/epoch-002.png`);
  const grid = await get(detail.grids[1].url);
  assert.equal(grid.status, 200);
  assert.equal(grid.type, 'image/png');
  const page = await get('/');
  assert.match(page.body, /<script type="module" src="app.js">/);
  assert.equal((await get('/app.js')).status, 200);
});

test('nothing outside the served directory is served: .., encoded .., absolute paths and symbolic links out', async () => {
  for (const path of [
    '/files/../secret.json',
    '/files/%2e%2e/secret.json',
    '/files/%2E%2E%2Fsecret.json',
    `/files/${served.run}/../../../secret.json`,
    '/files/runs/%2e%2e/%2e%2e/secret.json',
    `/files/${q(served.secret)}`,
    `/files/${served.secret}`,
    '/files/%2Fetc%2Fpasswd',
    '/files/..%5csecret.json',
    '/files/runs/outside/secret.json',
    `/files/${served.run}/leak.json`,
    '/files/runs/tiny/%00config.json',
    `/api/run?run=${q('../')}`,
    `/api/run?run=${q(served.secret.replace('/secret.json', ''))}`,
    `/api/run?run=${q('runs/../../served/runs/tiny')}`,
    '/api/run?run=runs/outside',
    '/api/run?run=runs/linked-log',
    '/api/metrics?run=runs/linked-log',
    '/files/runs/linked-log/metrics.jsonl',
    `/api/metrics?run=${q('../..')}`,
    '/%2e%2e/secret.json',
    '/../secret.json',
  ]) {
    const answer = await get(path);
    assert.ok([400, 404].includes(answer.status), `${path}: ${answer.status}`);
    assert.ok(!answer.body.includes(SECRET), path);
  }
  // Files inside that are not run files a browser needs are not sent either.
  assert.equal((await get(`/files/${served.run}/note.md`)).status, 200);
  assert.equal((await get(`/files/${served.run}/checkpoints`)).status, 404);
});

test('a request addressed to another host name is refused (DNS rebinding)', async () => {
  for (const host of ['evil.example', `evil.example:${port}`]) {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: '/api/runs', headers: { host }, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end();
    });
    assert.equal(status, 403, host);
  }
  assert.equal((await get('/api/runs')).status, 200);
});

test('read-only: no method but GET', async () => {
  for (const method of ['POST', 'PUT', 'DELETE']) {
    const status = await new Promise<number>((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, path: `/files/${served.run}/config.json`, method, agent: false }, (res) => {
        res.resume();
        resolve(res.statusCode!);
      });
      req.on('error', reject);
      req.end(method === 'DELETE' ? undefined : '{}');
    });
    assert.equal(status, 404, method);
  }
});

test('a line appended to metrics.jsonl reaches a live stream within 2 s', async () => {
  const events: Array<{ event: string; data: unknown; at: number }> = [];
  const response = await new Promise<import('node:http').IncomingMessage>((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path: `/api/metrics?run=${q(served.run)}`, agent: false }, resolve);
    req.on('error', reject);
    req.end();
  });
  assert.equal(response.headers['content-type'], 'text/event-stream');
  let buffer = '';
  response.on('data', (chunk: Buffer) => {
    buffer += chunk.toString('utf8');
    for (let end = buffer.indexOf('\n\n'); end >= 0; end = buffer.indexOf('\n\n')) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      const event = /^event: (.*)$/m.exec(block)?.[1];
      const data = /^data: (.*)$/m.exec(block)?.[1];
      if (event && data) events.push({ event, data: JSON.parse(data), at: Date.now() });
    }
  });
  const waitFor = async (check: () => boolean, ms: number) => {
    const start = Date.now();
    while (!check()) {
      if (Date.now() - start > ms) return false;
      await new Promise((r) => setTimeout(r, 20));
    }
    return true;
  };
  const metrics = join(served.root, served.run, 'metrics.jsonl');
  const lines = readFileSync(metrics, 'utf8').trim().split('\n').length;
  assert.ok(await waitFor(() => events.length > 0, 2000));
  assert.equal(events[0].event, 'points');
  assert.equal((events[0].data as unknown[]).length, lines);
  const appended = Date.now();
  appendFileSync(metrics, `${JSON.stringify({ epoch: 2.5, step: 99999, gSteps: 99999, dLoss: 0.5, gLoss: 1.5 })}\n`);
  const arrived = await waitFor(() => events.some((e) => e.event === 'points' && (e.data as Array<{ step: number }>).some((p) => p.step === 99999)), 2000);
  assert.ok(arrived, `no new point within 2 s: ${JSON.stringify(events.slice(1))}`);
  const point = events.find((e) => (e.data as Array<{ step: number }>).some?.((p) => p.step === 99999))!;
  assert.ok(point.at - appended < 2000);
  response.destroy();
});

test("nearest training images: the same neighbours and distances as a brute-force search over the run's 320 training images", async () => {
  const detail = await getJson<RunDetail>(`/api/run?run=${q(served.run)}`);
  const z = Array.from({ length: 100 }, (_, i) => Math.sin(i + 1));
  const url = `/api/nearest?run=${q(served.run)}&checkpoint=${detail.generator!.checkpoint}&kind=ema&k=5&z=${z.join(',')}`;
  let answer = await get(url);
  for (let tries = 0; answer.status === 202 && tries < 600; tries++) {
    assert.match(JSON.parse(answer.body).featureNetwork, /^mnist-v3 /);
    await new Promise((r) => setTimeout(r, 100));
    answer = await get(url);
  }
  assert.equal(answer.status, 200, answer.body);
  const nearest = JSON.parse(answer.body) as NearestAnswer;
  assert.match(nearest.featureNetwork, /^mnist-v3 \(layer features, sha256 [0-9a-f]{16}\)$/);
  assert.equal(nearest.searched, 'the first 320 of the 60000 training images of MNIST');
  assert.match(nearest.sample, /^data:image\/png;base64,/);

  // The reference: the sample regenerated here from the same z by the run's moving average, and every training image's distance to it.
  const extractor = await featureExtractorFor('mnist');
  const images = loadImageSet('mnist', { split: 'train', limit: 320 });
  const train = (await extractAll(extractor, images, () => {})).features;
  const opened = await openRun(join(served.root, served.run));
  assert.equal(opened.generatorKind, 'ema');
  const sample = await drawImages(
    generatorSource(opened.generator, () => Float32Array.from(z), new Rng(0)),
    1,
  );
  const [feature] = [(await extractAll(extractor, { pixels: sample, count: 1, height: 28, width: 28, source: 'sample' }, () => {})).features.values];
  const distanceTo = (i: number) => {
    let sum = 0;
    for (let d = 0; d < train.dims; d++) sum += (train.values[i * train.dims + d] - feature[d]) ** 2;
    return Math.sqrt(sum);
  };
  const all = Array.from({ length: train.rows }, (_, index) => ({ index, distance: distanceTo(index) })).sort((a, b) => a.distance - b.distance);
  assert.deepEqual(
    nearest.neighbours.map((n) => n.index),
    all.slice(0, 5).map((n) => n.index),
  );
  nearest.neighbours.forEach((n, i) => {
    // float32 features computed in other batches (the server's of 1000 images) differ in their last bits.
    assert.ok(Math.abs(n.distance - all[i].distance) < 1e-6 * all[i].distance, `${n.distance} vs ${all[i].distance}`);
    assert.equal(n.label, images.labels![n.index]);
  });

  assert.equal((await get(url.replace('k=5', 'k=0'))).status, 400);
  assert.equal((await get(url.replace(/z=[^&]*/, 'z=1,2,3'))).status, 400);
  assert.equal((await get(url.replace(/z=[^&]*/, 'z=NaN'))).status, 400);
  assert.equal((await get(url.replace(/checkpoint=[^&]*/, 'checkpoint=..%2F..'))).status, 400);
  assert.equal((await get(url.replace(/checkpoint=[^&]*/, 'checkpoint=step-000000001'))).status, 404);
  // A run whose data is gone gets one sentence, and the server carries on.
  const missing = await get(url.replace(`run=${q(served.run)}`, 'run=runs/missing-data'));
  assert.equal(missing.status, 422);
  assert.match(JSON.parse(missing.body).error, /^\/.*no-such-dataset has no feature network of its own/);
  assert.equal((await get('/api/runs')).status, 200);
});

test('the server wrote nothing into the served directory', () => {
  assert.deepEqual(snapshot(served.root), before);
});

test('gankit serve: the URL on stdout; a missing directory and a port in use get one sentence each', async () => {
  const missing = gankit('serve', '--runs', join(served.root, 'nope'));
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /^gankit: .*nope is not a directory: --runs takes a run, or the directory your runs are in/);
  assert.equal(missing.stderr.trim().split('\n').length, 1);

  const blocker = createServer().listen(0, '127.0.0.1');
  await new Promise((r) => blocker.once('listening', r));
  const taken = (blocker.address() as AddressInfo).port;
  const busy = gankit('serve', '--runs', served.root, '--port', String(taken));
  blocker.close();
  assert.equal(busy.code, 1);
  assert.equal(busy.stderr, `gankit: Port ${taken} on 127.0.0.1 is in use: pass another --port.\n`);

  const child = spawn(process.execPath, [GANKIT_BIN, 'serve', '--runs', served.root, '--port', '0'], { env: { ...process.env, GANKIT_THREADS: '1' } });
  const line = await new Promise<string>((resolve) => child.stdout.once('data', (chunk: Buffer) => resolve(chunk.toString())));
  child.kill('SIGTERM');
  assert.match(line, /^gankit serve: http:\/\/127\.0\.0\.1:\d+\/ shows the runs in .*served \(Ctrl-C stops it\)\n$/);
});
