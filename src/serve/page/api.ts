// The page's side of gankit serve's API (src/serve/server.ts).
import type { MetricsPoint } from '../api-types.js';

/** GETs a JSON answer; an error's message is the server's sentence. */
export async function getJson<T>(url: string): Promise<{ status: number; body: T }> {
  const response = await fetch(url);
  const body = (await response.json()) as T & { error?: string };
  if (!response.ok) throw new Error(body.error ?? `${url}: ${response.status} ${response.statusText}`);
  return { status: response.status, body };
}

export const runQuery = (run: string) => `run=${encodeURIComponent(run)}`;

/** Follows a run's metrics.jsonl: its lines so far, then each new one. Returns the function that stops following. */
export function followMetrics(run: string, on: { points(points: MetricsPoint[]): void; reset(): void; problem(message: string): void }): () => void {
  const source = new EventSource(`/api/metrics?${runQuery(run)}`);
  source.addEventListener('points', (event) => on.points(JSON.parse((event as MessageEvent).data)));
  source.addEventListener('reset', () => on.reset());
  source.addEventListener('problem', (event) => on.problem(JSON.parse((event as MessageEvent).data)));
  return () => source.close();
}
