// What `gankit reproduce` runs: the study's table, one row per method, from a
// few trained runs (the sampling variants all come from the vanilla run).
// Every run trains the study preset (the default); the vanilla run also keeps
// a moving average of G, which only its own row uses.
import type { GeneratorKind } from '../training/trained-run.js';

export type Budget = 'quick' | 'standard' | 'full';

export const BUDGETS: readonly Budget[] = ['quick', 'standard', 'full'];

/** The vanilla run's generator EMA decay (Yazıcı et al. 2019's 0.999). */
export const VANILLA_EMA = 0.999;

export interface RunSpec {
  /** Directory name under OUT/runs. */
  name: string;
  /** `gankit train` flags, beyond --out. */
  args: string[];
  /** How the budget cut this run, for the table's notes. */
  note: string;
}

export interface ShapingSpec {
  name: string;
  epochs: number;
  /** Shape on the first N images (null: all). */
  limit: number | null;
}

export interface RowSpec {
  method: string;
  run: string;
  /** The shaped D that CS refines against (a ShapingSpec name). */
  shaping?: string;
  sampler: 'gaussian' | 'lsi' | 'dirichlet';
  /** Which of the run's generators samples: raw G unless the row is about the average. */
  generator: GeneratorKind;
}

export interface Plan {
  budget: Budget;
  runs: RunSpec[];
  /** Shaped copies of the vanilla run. */
  shapings: ShapingSpec[];
  rows: RowSpec[];
  /** Samples each row is evaluated on, against MNIST test. */
  samples: number;
}

/** The run whose generator the sampling variants share. */
export const VANILLA = 'vanilla';

/** Epochs of each base run, per budget: quick fits 30 minutes on 2 cores, standard about 2 hours, full is the study's. */
const EPOCHS: Record<Budget, { vanilla: number; fgan: number; pretrain: number; wgan: number; wganGp: number; dp: number }> = {
  quick: { vanilla: 3, fgan: 3, pretrain: 1, wgan: 3, wganGp: 2, dp: 2 },
  standard: { vanilla: 20, fgan: 20, pretrain: 2, wgan: 20, wganGp: 20, dp: 20 },
  full: { vanilla: 100, fgan: 100, pretrain: 10, wgan: 100, wganGp: 100, dp: 100 },
};

/** Images D is shaped on (null: all): shaping refines every batch with 50 CS steps, about 4 min an epoch of MNIST here. */
const SHAPING_LIMIT: Record<Budget, number | null> = { quick: 1280, standard: 6400, full: null };

export function reproducePlan(budget: Budget): Plan {
  const e = EPOCHS[budget];
  const epochs = (n: number) => `${n} epoch${n === 1 ? '' : 's'}`;
  const runs: RunSpec[] = [
    {
      name: VANILLA,
      args: ['--epochs', String(e.vanilla), '--g-ema', String(VANILLA_EMA)],
      note: `${epochs(e.vanilla)}, G's EMA kept (decay ${VANILLA_EMA})`,
    },
    {
      name: 'fgan-kl',
      args: ['--objective', 'fgan:kl', '--pretrain', `js:${e.pretrain}`, '--grad-clip', '1', '--epochs', String(e.fgan)],
      note: `${epochs(e.fgan)}, the first ${e.pretrain === 1 ? '' : `${e.pretrain} `}with JS`,
    },
    { name: 'wgan', args: ['--objective', 'wgan', '--epochs', String(e.wgan)], note: epochs(e.wgan) },
    { name: 'wgan-gp', args: ['--objective', 'wgan-gp', '--epochs', String(e.wganGp)], note: epochs(e.wganGp) },
    {
      name: 'dp',
      args: ['--dp', '--dp-epsilon', '10', '--epochs', String(e.dp)],
      note: `σ for ε = 10 in ${epochs(e.dp)}`,
    },
  ];
  const limit = SHAPING_LIMIT[budget];
  const shapings: ShapingSpec[] = [
    { name: 'shaped-1', epochs: 1, limit },
    { name: 'shaped-5', epochs: 5, limit },
  ];
  const raw = 'raw' as const;
  const rows: RowSpec[] = [
    { method: 'Vanilla GAN', run: VANILLA, sampler: 'gaussian', generator: raw },
    { method: 'Vanilla + EMA', run: VANILLA, sampler: 'gaussian', generator: 'ema' },
    { method: 'CS, 1 shaping epoch', run: VANILLA, shaping: 'shaped-1', sampler: 'gaussian', generator: raw },
    { method: 'CS, 5 shaping epochs', run: VANILLA, shaping: 'shaped-5', sampler: 'gaussian', generator: raw },
    { method: 'Vanilla + LSI', run: VANILLA, sampler: 'lsi', generator: raw },
    { method: 'CS + LSI', run: VANILLA, shaping: 'shaped-1', sampler: 'lsi', generator: raw },
    { method: 'CS + LSI-variant', run: VANILLA, shaping: 'shaped-1', sampler: 'dirichlet', generator: raw },
    { method: 'f-GAN (KL, pretrained with JS)', run: 'fgan-kl', sampler: 'gaussian', generator: raw },
    { method: 'WGAN', run: 'wgan', sampler: 'gaussian', generator: raw },
    { method: 'WGAN-GP', run: 'wgan-gp', sampler: 'gaussian', generator: raw },
    { method: 'DP-GAN (ε = 10)', run: 'dp', sampler: 'gaussian', generator: raw },
  ];
  return { budget, runs, shapings, rows, samples: 10000 };
}
