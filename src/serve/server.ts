// gankit serve's HTTP server (fastify): the page (bundled from src/serve/page/
// into the package), a JSON API over the runs in one directory, a stream of a
// run's metrics, and the run files a browser needs (grids, generator models).
// Read-only: every route is a GET, and nothing outside the directory is served.
import fastifyStatic from '@fastify/static';
import Fastify, { type FastifyInstance, type FastifyReply } from 'fastify';
import { createReadStream, existsSync, realpathSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DataError } from '../errors.js';
import { CHECKPOINT_NAME } from '../run/checkpoints.js';
import { runPaths } from '../run/run-directory.js';
import { followJsonLines } from './metrics-stream.js';
import { NearestImages } from './nearest-images.js';
import { describeRun, linkedOut, listRuns } from './run-index.js';
import { Refusal, relativeName, resolveInside } from './served-paths.js';
import type { RunsIndex } from './api-types.js';

/** Where the bundled page lives: scripts/bundle-page.mjs writes it beside the compiled server. */
export const PAGE_DIRECTORY = fileURLToPath(new URL('./page/', import.meta.url));

/** The run files a browser may fetch, by extension. */
const CONTENT_TYPES: Record<string, string> = {
  '.png': 'image/png',
  '.json': 'application/json',
  '.bin': 'application/octet-stream',
  '.jsonl': 'application/x-ndjson',
  '.csv': 'text/csv; charset=utf-8',
  '.md': 'text/markdown; charset=utf-8',
};
/** Live metrics streams open at once. */
const MAX_STREAMS = 64;
/** Bytes a live stream may hold unsent before it waits for its client. */
const STREAM_BUFFER_BYTES = 1 << 20;
/** Nearest training images returned at most. */
const MAX_NEIGHBOURS = 32;
/** |z_i| beyond this is no latent a Gaussian draws. */
const MAX_LATENT = 20;

/** A run's directory from the `run` query parameter; a Refusal where it is not a run inside the served directory, all its files inside too. */
function runDirectory(root: string, run: unknown): string {
  const dir = resolveInside(root, run);
  if (!existsSync(runPaths(dir).config)) throw new Refusal(404, `${String(run)} is not a run (it has no config.json).`);
  const outside = linkedOut(root, dir);
  if (outside) throw new Refusal(404, `${outside}.`);
  return dir;
}

function parseLatent(text: unknown): Float32Array {
  const values = typeof text === 'string' ? text.split(',').map(Number) : [];
  if (!values.length || values.some((v) => !Number.isFinite(v) || Math.abs(v) > MAX_LATENT)) {
    throw new Refusal(400, `z must be comma-separated finite numbers within ±${MAX_LATENT}.`);
  }
  return Float32Array.from(values);
}

function parseCount(text: unknown, fallback: number, max: number): number {
  if (text === undefined) return fallback;
  const value = Number(text);
  if (!Number.isInteger(value) || value < 1 || value > max) throw new Refusal(400, `k must be a whole number from 1 to ${max}.`);
  return value;
}

/** Sends a file of the served directory, streamed. */
function sendFile(root: string, relativePath: string, reply: FastifyReply) {
  const path = resolveInside(root, relativePath);
  const type = CONTENT_TYPES[extname(path).toLowerCase()];
  if (!type || !statSync(path).isFile()) throw new Refusal(404, `${relativePath} is not a file gankit serve sends.`);
  return reply.type(type).header('cache-control', 'no-cache').send(createReadStream(path));
}

/** Names of this machine's loopback interface. */
export const LOOPBACK = new Set(['127.0.0.1', 'localhost', '::1', '[::1]']);

/**
 * The server for the runs under `runsDirectory` (which must exist), to listen on
 * `host`. On a loopback address it answers only requests addressed to a loopback
 * name: a web page whose domain was rebound to 127.0.0.1 (DNS rebinding) is refused.
 */
export async function buildServer(runsDirectory: string, host = '127.0.0.1'): Promise<FastifyInstance> {
  const root = realpathSync(runsDirectory);
  const nearest = new NearestImages();
  let streams = 0;
  const app = Fastify({ logger: false, bodyLimit: 1024, requestTimeout: 30_000, connectionTimeout: 60_000, routerOptions: { maxParamLength: 1024 } });

  app.setErrorHandler((error, _request, reply) => {
    if (error instanceof Refusal) return reply.code(error.status).send({ error: error.message });
    if (error instanceof DataError) return reply.code(422).send({ error: error.message.split(`${root}/`).join('') });
    const status = (error as { statusCode?: number }).statusCode;
    if (status && status < 500) return reply.code(status).send({ error: (error as Error).message });
    return reply.code(500).send({ error: `gankit serve failed: ${(error as Error).message}` });
  });
  app.setNotFoundHandler((request, reply) => reply.code(404).send({ error: `Nothing is at ${request.url}.` }));
  if (LOOPBACK.has(host)) {
    app.addHook('onRequest', async (request) => {
      if (!LOOPBACK.has(request.hostname)) throw new Refusal(403, `gankit serve answers requests for ${host} only, not for ${request.hostname}.`);
    });
  }

  if (!existsSync(PAGE_DIRECTORY)) throw new DataError(`gankit serve's page is not built (${PAGE_DIRECTORY} is missing): run npm run setup.`);
  await app.register(fastifyStatic, { root: PAGE_DIRECTORY, prefix: '/', wildcard: false, index: 'index.html' });

  app.get('/api/runs', async (): Promise<RunsIndex> => listRuns(root, runsDirectory));

  app.get<{ Querystring: { run?: string } }>('/api/run', async (request) => describeRun(root, runDirectory(root, request.query.run)));

  app.get<{ Querystring: { run?: string } }>('/api/metrics', (request, reply) => {
    const dir = runDirectory(root, request.query.run);
    if (streams >= MAX_STREAMS) throw new Refusal(503, `${MAX_STREAMS} live streams are open already; close a page.`);
    streams += 1;
    reply.hijack();
    reply.raw.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
    const stop = followJsonLines(
      runPaths(dir).metrics,
      (event, data) => reply.raw.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`),
      // A client that does not keep up is sent nothing more until it has read what it was sent.
      () => reply.raw.writableLength < STREAM_BUFFER_BYTES,
    );
    // A comment now and then keeps proxies and idle timers from closing a quiet stream.
    const keepAlive = setInterval(() => reply.raw.write(': still here\n\n'), 15_000);
    request.raw.on('close', () => {
      stop();
      clearInterval(keepAlive);
      streams -= 1;
    });
  });

  app.get<{ Querystring: { run?: string; checkpoint?: string; kind?: string; z?: string; k?: string } }>('/api/nearest', async (request, reply) => {
    const { run, checkpoint, kind, z, k } = request.query;
    const dir = runDirectory(root, run);
    if (typeof checkpoint !== 'string' || !CHECKPOINT_NAME.test(checkpoint)) throw new Refusal(400, 'checkpoint must name one, step-NNNNNNNNN.');
    if (kind !== 'ema' && kind !== 'raw') throw new Refusal(400, 'kind must be ema or raw.');
    const directory = resolveInside(root, relativeName(root, join(runPaths(dir).checkpoints, checkpoint)));
    const answer = await nearest.query(dir, directory, kind, parseLatent(z), parseCount(k, 8, MAX_NEIGHBOURS));
    return reply.code('pending' in answer ? 202 : 200).send(answer);
  });

  app.get<{ Params: { '*': string } }>('/files/*', (request, reply) => sendFile(root, request.params['*'], reply));
  return app;
}
