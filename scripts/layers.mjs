// gankit's layers: each part of src/ and the parts it may import, the one table
// that eslint.config.js enforces and scripts/architecture.mjs draws and checks.
// A part is a folder (covering every file under it) or a single `.ts` file, named
// relative to src/; a file may always import files of its own part.

// The ground floor: errors, file helpers and type declarations, for every part to use.
const GROUND = ['errors.ts', 'types', 'files'];

/** Each part and what it may import, from the bottom up. */
export const LAYERS = {
  'errors.ts': [],
  types: [],
  files: ['errors.ts'],
  engine: [...GROUND],
  data: [...GROUND, 'engine'],
  models: [...GROUND, 'engine', 'data'],
  objectives: [...GROUND, 'engine', 'models'],
  privacy: [...GROUND, 'engine', 'data', 'models', 'objectives'],
  metrics: [...GROUND, 'engine', 'data', 'models'],
  run: [...GROUND, 'engine', 'data', 'models', 'objectives', 'privacy', 'metrics'],
  sampling: [...GROUND, 'engine', 'data', 'models', 'objectives', 'privacy', 'metrics', 'run'],
  training: [...GROUND, 'engine', 'data', 'models', 'objectives', 'privacy', 'metrics', 'run', 'sampling'],
  study: [...GROUND, 'engine', 'data', 'models', 'objectives', 'privacy', 'metrics', 'run', 'sampling', 'training'],
  report: [...GROUND, 'engine', 'data', 'models', 'objectives', 'privacy', 'metrics', 'run', 'sampling', 'training', 'study'],
  serve: [...GROUND, 'engine', 'data', 'models', 'objectives', 'privacy', 'metrics', 'run', 'sampling', 'training', 'study', 'report'],
  // Browser code, bundled by esbuild: the server's API types and the few modules free of Node.
  'serve/page': ['serve/api-types.ts', 'engine/rng.ts', 'models/gan-models.ts', 'models/class-rows.ts', 'sampling/latent-samplers.ts'],
  cli: [...GROUND, 'engine', 'data', 'models', 'objectives', 'privacy', 'metrics', 'run', 'sampling', 'training', 'study', 'report', 'serve'],
};

/** Imports allowed against the table, each with its reason. */
export const EXCEPTIONS = [
  {
    from: 'study/study-flags.ts',
    to: ['cli/train-command.ts', 'cli/generate-command.ts', 'cli/shape-command.ts'],
    why: "a study's free flags are those commands' flags, parsed with their own parsers",
  },
];

const within = (path, part) => path === part || path.startsWith(`${part}/`);

/** The part a path under src/ belongs to (the innermost one), or undefined for a path in none. */
export function partOf(path) {
  return Object.keys(LAYERS)
    .filter((part) => within(path, part))
    .sort((a, b) => b.length - a.length)[0];
}

/** Whether the table lets one file of src/ import another (paths relative to src/). */
export function allowed(from, to) {
  const part = partOf(from);
  return (
    part === partOf(to) ||
    LAYERS[part].some((entry) => within(to, entry)) ||
    EXCEPTIONS.some((exception) => exception.from === from && exception.to.includes(to))
  );
}
