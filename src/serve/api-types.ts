// What `gankit serve` answers, shared by the server and its page: the page is
// bundled from src/serve/page/ and imports these types, never the server's code.

/** How a run stands: its run.json's state, or unknown for a run made before run.json existed. */
export type RunStateName = 'training' | 'finished' | 'stopped' | 'failed' | 'unknown';

/** The headline scores of an eval.json. */
export interface Scores {
  fid: number;
  precision: number;
  recall: number;
  density: number;
  coverage: number;
}

/** One run in the runs page. Every field but path and name may be missing from a damaged or young run. */
export interface RunSummary {
  /** Relative to the served directory, '/'-separated: the run's id in every URL. */
  path: string;
  name: string;
  state: RunStateName;
  /** Why it stopped or failed. */
  reason?: string;
  objective?: string;
  preset?: string;
  /** Epochs begun (from the last metrics line), and the epochs asked for. */
  epoch?: number;
  epochs?: number;
  /** ε spent so far, for a private run. */
  epsilon?: number;
  /** The last logged values: dLoss, gLoss, dReal, dFake. */
  last: Record<string, number>;
  scores?: Scores;
  /** Why part of the run cannot be read, in one sentence; the rest is shown. */
  damaged?: string;
}

/** A study or reproduce directory's results table, ready to show. */
export interface StudyTable {
  path: string;
  description: string;
  headings: string[];
  rows: Array<{ method: string; generator: string; n: number; cells: string[]; note: string }>;
  /** Why the table is missing or unreadable. */
  problem?: string;
}

export interface RunsIndex {
  /** The served directory, as given. */
  root: string;
  runs: RunSummary[];
  studies: StudyTable[];
}

/** One scoring of --eval-every (eval-curve.jsonl). */
export interface CurvePoint extends Scores {
  epoch: number;
}

/** Everything the run page shows apart from the live metrics. */
export interface RunDetail {
  summary: RunSummary;
  /** config.json's settings. */
  config: Record<string, unknown>;
  privacy?: Record<string, unknown>;
  evaluation?: Scores & { histogram?: number[]; classesCovered?: number };
  evalCurve: CurvePoint[];
  /** The epochs with a sample grid, and where the page fetches it. */
  grids: Array<{ epoch: number; url: string }>;
  /** The generator the playground loads: the moving average when the run keeps one. */
  generator?: { checkpoint: string; kind: 'ema' | 'raw'; modelUrl: string };
}

/** One line of metrics.jsonl. */
export type MetricsPoint = { epoch: number; step: number } & Record<string, number | string>;

/** The answer of /api/nearest once the training set's features are ready. */
export interface NearestAnswer {
  /** The feature network whose space the distances are in, and the images searched. */
  featureNetwork: string;
  searched: string;
  /** The regenerated sample, as a PNG data URL. */
  sample: string;
  neighbours: Array<{ index: number; distance: number; label?: number; image: string }>;
}

/** While the training set's features are being computed: how far along (0–1). */
export interface NearestPending {
  pending: true;
  featureNetwork: string;
  progress: number;
}
