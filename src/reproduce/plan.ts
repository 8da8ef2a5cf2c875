// What `gankit reproduce` runs: the study's table, one row per method, from a
// few trained runs (the sampling variants all come from the vanilla run).
export type Budget = 'quick' | 'full';

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

export function reproducePlan(budget: Budget): Plan {
  const quick = budget === 'quick';
  const epochs = (full: number, short: number) => String(quick ? short : full);
  const runs: RunSpec[] = [
    { name: VANILLA, args: ['--epochs', epochs(100, 3)], note: quick ? '3 epochs' : '100 epochs' },
    {
      name: 'fgan-kl',
      args: ['--objective', 'fgan:kl', '--pretrain', quick ? 'js:1' : 'js:10', '--grad-clip', '1', '--epochs', epochs(100, 3)],
      note: quick ? '3 epochs, the first with JS' : '100 epochs, the first 10 with JS',
    },
    { name: 'wgan', args: ['--objective', 'wgan', '--epochs', epochs(100, 3)], note: quick ? '3 epochs' : '100 epochs' },
    { name: 'wgan-gp', args: ['--objective', 'wgan-gp', '--epochs', epochs(100, 2)], note: quick ? '2 epochs' : '100 epochs' },
    {
      name: 'dp',
      args: ['--dp', '--dp-epsilon', '10', '--epochs', epochs(100, 2)],
      note: quick ? 'σ for ε = 10 in 2 epochs' : 'σ for ε = 10 in 100 epochs',
    },
  ];
  // Shaping refines every batch with 50 CS steps (~4 min an epoch of MNIST here): quick shapes on a subset.
  const limit = quick ? 1280 : null;
  const shapings: ShapingSpec[] = [
    { name: 'shaped-1', epochs: 1, limit },
    { name: 'shaped-5', epochs: 5, limit },
  ];
  const rows: RowSpec[] = [
    { method: 'Vanilla GAN', run: VANILLA, sampler: 'gaussian' },
    { method: 'CS, 1 shaping epoch', run: VANILLA, shaping: 'shaped-1', sampler: 'gaussian' },
    { method: 'CS, 5 shaping epochs', run: VANILLA, shaping: 'shaped-5', sampler: 'gaussian' },
    { method: 'Vanilla + LSI', run: VANILLA, sampler: 'lsi' },
    { method: 'CS + LSI', run: VANILLA, shaping: 'shaped-1', sampler: 'lsi' },
    { method: 'CS + LSI-variant', run: VANILLA, shaping: 'shaped-1', sampler: 'dirichlet' },
    { method: 'f-GAN (KL, pretrained with JS)', run: 'fgan-kl', sampler: 'gaussian' },
    { method: 'WGAN', run: 'wgan', sampler: 'gaussian' },
    { method: 'WGAN-GP', run: 'wgan-gp', sampler: 'gaussian' },
    { method: 'DP-GAN (ε = 10)', run: 'dp', sampler: 'gaussian' },
  ];
  return { budget, runs, shapings, rows, samples: 10000 };
}
