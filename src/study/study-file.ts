// A study file: the runs, shapings and rows of a comparison, the seeds every
// run is trained with, and how each row is evaluated. YAML (or JSON, which is
// YAML too); a mistake gets one sentence with the field, its line and what was
// expected.
import { readFileSync } from 'node:fs';
import { LineCounter, parseDocument, isMap, isPair, isScalar, type Document, type Node } from 'yaml';
import { z } from 'zod';
import { DataError, UsageError } from '../errors.js';
import { NEIGHBOURHOOD_K } from '../metrics/evaluation.js';
import { CAS_PROTOCOLS } from '../metrics/classification-accuracy-score.js';
import { checkStudyFlags } from './study-flags.js';

/** A method's name in file names and task ids: "CS + LSI" → cs-lsi. */
export const methodSlug = (method: string) =>
  method
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');

/** A directory-safe name: runs and shapings become directories NAME-seedS. */
const NAME = z.string().regex(/^[a-z0-9][a-z0-9_-]*$/i, 'expected a name of letters, digits, - and _ (it names a directory)');

/** Command-line flags as one string ("--epochs 3 --g-ema 0.999") or a list of words. */
const FLAGS = z
  .union([z.string(), z.array(z.string())], { error: 'expected flags, as one string or a list of strings' })
  .transform((flags) => (typeof flags === 'string' ? flags.split(/\s+/).filter(Boolean) : flags));

const RUN = z.strictObject({
  name: NAME,
  /** `gankit train` flags, beyond --out and --seed. */
  train: FLAGS.default([]),
  /** The run's settings in words, for the table's notes (default: its flags). */
  note: z.string().optional(),
  /** Also draw latent interpolation strips of the trained run's raw G (the report shows them). */
  strips: z.boolean().default(false),
});

const SHAPING = z.strictObject({
  name: NAME,
  /** The run whose copy is shaped. */
  run: NAME,
  /** `gankit shape` flags, beyond --run and --seed. */
  shape: FLAGS.default([]),
  note: z.string().optional(),
});

const ROW = z.strictObject({
  method: z.string().min(1),
  run: NAME,
  /** Sample the copy of the run whose D this shaping shaped (for --refine cs). */
  shaping: NAME.optional(),
  /** `gankit generate` flags, beyond --run, --n, --seed and --out: sampler, refiner, --no-ema, ... */
  generate: FLAGS.default([]),
  note: z.string().optional(),
});

/** Samples a CAS protocol trains and chooses its epoch on. */
const casSamples = (protocol: 'short' | 'full') => CAS_PROTOCOLS[protocol].train + CAS_PROTOCOLS[protocol].holdOut;

const EVALUATION = z
  .strictObject({
    /** Samples each row draws and is scored on. */
    n: z.int().positive().default(10000),
    /** The real split the samples are compared with. */
    real: z.enum(['test', 'train']).default('test'),
    /** k of precision and recall (gankit evaluate's, 3, by default). */
    k: z.int().positive().default(NEIGHBOURHOOD_K.k),
    /** The CAS protocol the rows of conditional runs are scored with too, on their samples (gankit evaluate --cas); absent: none. */
    cas: z.enum(['short', 'full']).optional(),
  })
  .refine(({ n, cas }) => !cas || n >= casSamples(cas), {
    error: ({ input }) =>
      `cas: ${(input as { cas: 'short' | 'full' }).cas} trains on the row's samples and needs n ≥ ${casSamples((input as { cas: 'short' | 'full' }).cas)}`,
  });

const STUDY = z.strictObject({
  description: z.string().optional(),
  /** The seeds every run is trained with: a list, or a count N for 0 … N−1. */
  seeds: z
    .union([z.int().positive(), z.array(z.int().nonnegative()).min(1)], { error: 'expected a count of seeds, or a list of seeds (integers ≥ 0)' })
    .transform((seeds) => (typeof seeds === 'number' ? Array.from({ length: seeds }, (_, i) => i) : seeds)),
  runs: z.array(RUN).min(1),
  shapings: z.array(SHAPING).default([]),
  rows: z.array(ROW).min(1),
  /** The row every other is compared with, seed by seed (its method); absent: the first row. */
  baseline: z.string().optional(),
  evaluation: EVALUATION.default({ n: 10000, real: 'test', k: NEIGHBOURHOOD_K.k }),
});

export type Study = z.infer<typeof STUDY>;
export type StudyRun = Study['runs'][number];
export type StudyShaping = Study['shapings'][number];
export type StudyRow = Study['rows'][number];

/** The method of the row the others are compared with. */
export const baselineOf = (study: Study) => study.baseline ?? study.rows[0].method;

type Path = ReadonlyArray<string | number>;

/** "runs[1].train" */
const fieldName = (path: Path) => path.map((key, i) => (typeof key === 'number' ? `[${key}]` : `${i ? '.' : ''}${key}`)).join('') || 'the study';

/** Finds where `path` (or, when it is absent, its nearest parent) sits in the file: "line N". */
function lineOf(document: Document, lines: LineCounter, path: Path, key?: string): string {
  for (let depth = path.length; depth >= 0; depth--) {
    const node = depth === 0 ? document.contents : (document.getIn(path.slice(0, depth), true) as Node | undefined);
    if (!node?.range) continue;
    let offset = node.range[0];
    if (depth === path.length && key !== undefined && isMap(node)) {
      const pair = node.items.find((item) => isPair(item) && isScalar(item.key) && item.key.value === key);
      if (pair && isScalar(pair.key) && pair.key.range) offset = pair.key.range[0];
    }
    return `line ${lines.linePos(offset).line}`;
  }
  return 'line 1';
}

/** One sentence for zod's first issue: the field, its line, and what was expected. */
function describeIssue(issue: z.core.$ZodIssue, document: Document, lines: LineCounter): string {
  // Paths into a parsed YAML document hold only keys and indices.
  const path = issue.path as Array<string | number>;
  if (issue.code === 'unrecognized_keys') {
    const key = issue.keys[0];
    return `${lineOf(document, lines, path, key)}: ${fieldName([...path, key])} is not a field of ${fieldName(path)}.`;
  }
  const message = issue.message.replace(/^Invalid input: /, '');
  return `${lineOf(document, lines, path)}: ${fieldName(path)}: ${message}.`;
}

/** The checks that span fields: unique names, and every reference names something declared. */
function crossCheck(study: Study): { path: Path; message: string } | undefined {
  // Names become directories and file names: two that differ only in case would collide on some file systems.
  const seen = new Map<string, string>();
  for (const [list, entries] of [
    ['runs', study.runs],
    ['shapings', study.shapings],
  ] as const) {
    for (const [i, entry] of entries.entries()) {
      const other = seen.get(entry.name.toLowerCase());
      if (other) return { path: [list, i, 'name'], message: `the name ${entry.name} is used twice (also by ${other}); run and shaping names name directories` };
      seen.set(entry.name.toLowerCase(), fieldName([list, i]));
    }
  }
  const runNames = new Set(study.runs.map((run) => run.name));
  const missingRun = (name: string) => `no run is named ${name} (the runs are ${[...runNames].join(', ')})`;
  for (const [i, shaping] of study.shapings.entries()) {
    if (!runNames.has(shaping.run)) return { path: ['shapings', i, 'run'], message: missingRun(shaping.run) };
  }
  // A row's files and task are named by its method's slug ("CS + LSI" → cs-lsi): two methods may not share one.
  const methods = new Map<string, string>();
  for (const [i, row] of study.rows.entries()) {
    const slug = methodSlug(row.method);
    if (!slug) return { path: ['rows', i, 'method'], message: `the method ${row.method} needs a letter or digit (it names the row's files)` };
    const other = methods.get(slug);
    if (other !== undefined) {
      return {
        path: ['rows', i, 'method'],
        message: `the method ${row.method} names the same files as ${other} (${slug}); tell them apart by a letter or digit`,
      };
    }
    methods.set(slug, row.method);
    if (!runNames.has(row.run)) return { path: ['rows', i, 'run'], message: missingRun(row.run) };
    if (row.shaping === undefined) continue;
    const shaping = study.shapings.find((s) => s.name === row.shaping);
    if (!shaping) return { path: ['rows', i, 'shaping'], message: `no shaping is named ${row.shaping}` };
    if (shaping.run !== row.run) return { path: ['rows', i, 'shaping'], message: `the shaping ${shaping.name} shapes run ${shaping.run}, not ${row.run}` };
  }
  if (new Set(study.seeds).size !== study.seeds.length) return { path: ['seeds'], message: 'a seed is listed twice' };
  if (study.baseline !== undefined && !study.rows.some((row) => row.method === study.baseline)) {
    return { path: ['baseline'], message: `no row's method is ${study.baseline} (the baseline names the row the others are compared with)` };
  }
  return undefined;
}

/**
 * Parses and checks a study file's text; `source` names it in errors. A mistake in the
 * user's file is a usage error (exit 2), as the same flags on the command line would be;
 * `Problem` is DataError for the copy a study directory keeps, which only damage can break.
 */
export function parseStudy(text: string, source: string, Problem: new (message: string) => Error = UsageError): Study {
  const lines = new LineCounter();
  const document = parseDocument(text, { lineCounter: lines, prettyErrors: false, uniqueKeys: true });
  const syntax = document.errors[0];
  if (syntax) {
    throw new Problem(
      `${source} line ${lines.linePos(syntax.pos[0]).line}: it is not valid YAML (${syntax.message.split('\n')[0].replace(/ at line \d+.*$/, '')}).`,
    );
  }
  const parsed = STUDY.safeParse(document.toJS());
  if (!parsed.success) throw new Problem(`${source} ${describeIssue(parsed.error.issues[0], document, lines)}`);
  const study = parsed.data;
  const where = (path: Path) => `${source} ${lineOf(document, lines, path)}: ${fieldName(path)}`;
  // Then the flags, with the commands' own parsers and checkTrainConfig.
  const problem = crossCheck(study) ?? checkStudyFlags(study);
  if (problem) throw new Problem(`${where(problem.path)}: ${problem.message}.`);
  return study;
}

/** Reads a study file. */
export function readStudyFile(path: string): Study {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new DataError(code === 'ENOENT' ? `the study file ${path} does not exist.` : `the study file ${path} cannot be read (${code}).`);
  }
  return parseStudy(text, path);
}
