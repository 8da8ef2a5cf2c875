// Study files: the built-in ones, every mistake as one sentence with its line,
// the command line's refusals (nothing made, nothing submitted), and the cost
// estimate of --dry-run.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isDeepStrictEqual } from 'node:util';
import { baselineOf, parseStudy, readStudyFile } from '../../src/study/study-file.js';
import { claimStudyDirectory, readStudyDirectory } from '../../src/study/study-directory.js';
import { estimateTaskSeconds } from '../../src/study/cost-estimate.js';
import { studyTasks } from '../../src/study/study-tasks.js';
import { gankitWith } from '../helpers/gankit-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const STUDIES = fileURLToPath(new URL('../../../studies/', import.meta.url));

const TINY = `seeds: 2
runs:
  - name: a
    train: --epochs 1 --limit 256
rows:
  - method: A
    run: a
`;

test('the built-in studies hold every row of the study, with 1, 3 and 5 seeds, against vanilla; the sweeps, the DP sweeps and the 5-seed vanilla study parse', () => {
  const files = readdirSync(STUDIES)
    .filter((file) => file.startsWith('reproduce-'))
    .sort();
  assert.deepEqual(files, ['reproduce-full.yaml', 'reproduce-quick.yaml', 'reproduce-standard.yaml']);
  assert.deepEqual(
    readdirSync(STUDIES).filter((file) => !files.includes(file)),
    ['dp-dcgan.yaml', 'dp-recipe-seeds.yaml', 'dp-recipe.yaml', 'ema-and-cs-sweep.yaml', 'standard-vanilla-seeds.yaml'],
  );
  assert.equal(readStudyFile(join(STUDIES, 'ema-and-cs-sweep.yaml')).seeds.length, 1);
  // The DP sweeps (the MLP's and the DCGAN's) score every row by the CAS of its labelled samples.
  const [mlp, dcgan] = ['dp-recipe.yaml', 'dp-dcgan.yaml'].map((file) => readStudyFile(join(STUDIES, file)));
  for (const dp of [mlp, dcgan]) {
    assert.equal(dp.evaluation.cas, 'short');
    assert.ok(dp.runs.every((run) => run.train.includes('--conditional')));
  }
  assert.ok(dcgan.runs.every((run) => run.train.includes('dcgan') && run.train.includes('--dp')));
  // The recipe's seeds train the sweep's recipe run and draw it as the sweep does: seed 0's run can be copied in.
  const recipeSeeds = readStudyFile(join(STUDIES, 'dp-recipe-seeds.yaml'));
  const recipe = mlp.runs.find((run) => run.name === 'eps10-nd5-lrd7e-5')!;
  assert.deepEqual(recipeSeeds.seeds, [0, 1, 2, 3, 4]);
  assert.deepEqual(
    recipeSeeds.runs.map((run) => run.train),
    [recipe.train],
  );
  assert.ok(mlp.rows.some((row) => row.run === recipe.name && isDeepStrictEqual(row.generate, recipeSeeds.rows[0].generate)));
  // The 5-seed study reuses the standard study's vanilla runs and shapings: the same flags, so they can be copied in.
  const standard = readStudyFile(join(STUDIES, 'reproduce-standard.yaml'));
  const vanillaSeeds = readStudyFile(join(STUDIES, 'standard-vanilla-seeds.yaml'));
  assert.equal(vanillaSeeds.seeds.length, 5);
  assert.deepEqual(
    vanillaSeeds.runs,
    standard.runs.filter((run) => run.name === 'vanilla'),
  );
  assert.deepEqual(vanillaSeeds.shapings, standard.shapings);
  assert.deepEqual(
    vanillaSeeds.rows,
    standard.rows.filter((row) => row.run === 'vanilla'),
  );
  const seeds: Record<string, number> = { 'reproduce-quick.yaml': 1, 'reproduce-standard.yaml': 3, 'reproduce-full.yaml': 5 };
  for (const file of files) {
    const study = readStudyFile(join(STUDIES, file));
    assert.equal(study.seeds.length, seeds[file], file);
    assert.equal(study.rows.length, 11, file);
    assert.equal(baselineOf(study), 'Vanilla GAN', file);
    assert.deepEqual(
      study.rows.filter((row) => !row.generate.includes('--no-ema') && row.run === 'vanilla').map((row) => row.method),
      ['Vanilla + EMA'],
      `${file}: only the EMA row samples the vanilla run's moving average`,
    );
    assert.ok(
      study.rows.filter((row) => row.shaping).every((row) => row.generate.includes('--refine')),
      `${file}: CS rows refine`,
    );
    // 5 runs, 2 shapings and 11 rows per seed, then the table.
    assert.equal(studyTasks(study).length, (5 + 2 + 11) * seeds[file] + 1, file);
  }
});

test('a malformed study gets one sentence: the field, its line, what was expected', () => {
  const cases: Array<[string, RegExp]> = [
    [TINY.replace('    train: --epochs 1 --limit 256', '    train: --epochs 1\n    nmae: x'), /s\.yaml line 5: runs\[0\]\.nmae is not a field of runs\[0\]\.$/],
    [TINY.replace('--epochs 1', '--epoch 1'), /s\.yaml line 4: runs\[0\]\.train: gankit train unknown option '--epoch' \(Did you mean --epochs\?\)\.$/],
    [TINY.replace('--epochs 1', '--epochs 0'), /s\.yaml line 4: runs\[0\]\.train: gankit train option '--epochs <n>' argument '0' is invalid/],
    [TINY.replace('--epochs 1', '--seed 3'), /s\.yaml line 4: runs\[0\]\.train: --seed is set by the study: the seeds come from the study's seeds\.$/],
    [TINY.replace('--epochs 1', '--dp-noise 1'), /line 4: runs\[0\]\.train: gankit train --dp-noise applies to DP training: add --dp\.$/],
    [TINY.replace('  - name: a\n', '  - name: a\n  - name: a\n'), /s\.yaml line 4: runs\[1\]\.name: the name a is used twice \(also by runs\[0\]\)/],
    [TINY.replace('    run: a', '    run: c'), /s\.yaml line 7: rows\[0\]\.run: no run is named c \(the runs are a\)\.$/],
    [`${TINY}  - method: a!\n    run: a\n`, /s\.yaml line 8: rows\[1\]\.method: the method a! names the same files as A \(a\)/],
    [`${TINY}  - method: +\n    run: a\n`, /s\.yaml line 8: rows\[1\]\.method: the method \+ needs a letter or digit/],
    [TINY.replace('  - name: a\n', '  - name: a\n  - name: A\n'), /line 4: runs\[1\]\.name: the name A is used twice \(also by runs\[0\]\)/],
    [`${TINY}    shaping: s\n`, /s\.yaml line 8: rows\[0\]\.shaping: no shaping is named s\.$/],
    [`${TINY}    generate: --refine magic\n`, /line 8: rows\[0\]\.generate: gankit generate option '--refine <method>' argument 'magic' is invalid/],
    [`${TINY}    generate: --n 5\n`, /line 8: rows\[0\]\.generate: --n is set by the study: evaluation\.n sets the number of samples\.$/],
    [TINY.replace('seeds: 2', 'seeds: [1, x]'), /s\.yaml line 1: seeds: expected a count of seeds, or a list of seeds \(integers ≥ 0\)\.$/],
    [TINY.replace('seeds: 2', 'seeds: [1, 1]'), /s\.yaml line 1: seeds: a seed is listed twice\.$/],
    [`${TINY}baseline: B\n`, /s\.yaml line 8: baseline: no row's method is B \(the baseline names the row the others are compared with\)\.$/],
    [TINY.replace('  - name: a', '  - name: a/b'), /s\.yaml line 3: runs\[0\]\.name: expected a name of letters, digits, - and _/],
    [`${TINY}evaluation: {n: 0}\n`, /s\.yaml line 8: evaluation\.n: Too small: expected number to be >0\.$/],
    [`${TINY}  evaluation: 3\n`, /s\.yaml line 8: it is not valid YAML/],
    [TINY.replace(/rows:[^]*/, ''), /s\.yaml line 1: rows: expected array, received undefined\.$/],
  ];
  for (const [text, expected] of cases) assert.throws(() => parseStudy(text, 's.yaml'), expected, text);
});

test('settings a run would refuse are refused by --dry-run, before anything runs: exit 2, one sentence naming the line', () => {
  const root = tempDir();
  const cases: Array<[string, RegExp]> = [
    ['--objective began --pretrain js:5', /--pretrain needs an objective whose D has one output; began uses an autoencoder\.$/],
    [
      '--dp --objective wgan-gp --dp-noise 1',
      /--dp needs a D loss that is a sum over examples, to clip each one; wgan-gp's is not\. Choose one of .*nonsaturating/,
    ],
    ['--dp', /--dp needs --dp-noise σ, or --dp-epsilon ε to calibrate σ\.$/],
  ];
  for (const [flags, message] of cases) {
    const file = join(root, 'refused.yaml');
    writeFileSync(file, TINY.replace('--epochs 1 --limit 256', `--epochs 1 --limit 256 ${flags}`));
    const out = join(root, 'out');
    const result = gankitWith({}, 'study', 'run', file, '--out', out, '--dry-run');
    assert.equal(result.code, 2, `${flags}: ${result.stderr}`);
    assert.match(result.stderr, /refused\.yaml line 4: runs\[0\]\.train: gankit train /, flags);
    assert.match(result.stderr.trim(), message, flags);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
    assert.ok(!existsSync(out), 'nothing was made');
  }
});

test('a study directory made for another study is refused, not mixed; a study that only adds seeds, runs and rows continues it', () => {
  const dir = join(tempDir(), 'study');
  claimStudyDirectory(dir, parseStudy(TINY, 'a.yaml'), 'a.yaml');
  claimStudyDirectory(dir, parseStudy(TINY, 'a.yaml'), 'a.yaml');
  for (const other of [TINY.replace('seeds: 2', 'seeds: [0, 2]'), TINY.replace('--epochs 1 --limit 256', '--epochs 2 --limit 256')]) {
    assert.throws(() => claimStudyDirectory(dir, parseStudy(other, 'b.yaml'), 'b.yaml'), /holds the results of a different study than b\.yaml/);
  }
  // Seeds 0 and 1 kept, seed 2 added: the same study given one more seed.
  claimStudyDirectory(dir, parseStudy(TINY.replace('seeds: 2', 'seeds: 3'), 'seeded.yaml'), 'seeded.yaml');
  assert.deepEqual(readStudyDirectory(dir).seeds, [0, 1, 2]);
  const grown = TINY.replace('seeds: 2', 'seeds: 3')
    .replace('runs:\n', 'runs:\n  - name: b\n    train: --epochs 2 --limit 256\n')
    .replace('rows:\n', 'rows:\n  - method: B\n    run: b\n');
  claimStudyDirectory(dir, parseStudy(grown, 'grown.yaml'), 'grown.yaml');
  assert.deepEqual(
    readStudyDirectory(dir).runs.map((run) => run.name),
    ['b', 'a'],
  );
  // Dropping a seed or a run is not growing: the grown study's directory refuses the first one now.
  assert.throws(() => claimStudyDirectory(dir, parseStudy(TINY, 'a.yaml'), 'a.yaml'), /different study than a\.yaml/);
  const oldReproduce = join(tempDir(), 'reproduce-quick');
  mkdirSync(join(oldReproduce, 'done'), { recursive: true });
  assert.throws(() => claimStudyDirectory(oldReproduce, parseStudy(TINY, 'a.yaml'), 'a.yaml'), /was written by gankit reproduce before study files existed/);
});

test('the cost estimate grows with the epochs, the seeds, the samples and the architecture', () => {
  const cost = (text: string) => {
    const study = parseStudy(text, 's.yaml');
    return [...estimateTaskSeconds(study, studyTasks(study)).values()].reduce((a, b) => a + b, 0);
  };
  const base = cost(TINY);
  const epochs = (n: number) => cost(TINY.replace('--epochs 1', `--epochs ${n}`));
  assert.ok(Math.abs((epochs(11) - base) / (epochs(2) - base) - 10) < 1e-6, 'training cost ∝ epochs');
  assert.ok(Math.abs(cost(TINY.replace('seeds: 2', 'seeds: 4')) - 2 * base) < 6, 'two more seeds: twice the tasks (the table once)');
  assert.ok(cost(`${TINY}evaluation: {n: 50000}\n`) > base);
  const perEpoch = (text: string) => cost(text.replace('--epochs 1', '--epochs 2')) - cost(text);
  assert.ok(perEpoch(TINY.replace('--epochs 1', '--arch dcgan --epochs 1')) > 10 * perEpoch(TINY), 'a DCGAN epoch costs many MLP epochs');
});

test('the command refuses bad flags and files in one line each, and makes nothing', () => {
  const root = tempDir();
  const file = join(root, 'tiny.yaml');
  writeFileSync(file, TINY);
  const out = join(root, 'out');
  const noSlurm = { PATH: '/nonexistent' };
  const cases: Array<[string[], Record<string, string>, number, RegExp]> = [
    [['--jobs', '0'], {}, 2, /option '--jobs <n>' argument '0' is invalid/],
    [['--executor', 'slurm'], noSlurm, 2, /--executor slurm needs Slurm’s sbatch, squeue, scancel and scontrol on the PATH; none was submitted/],
    [['--executor', 'pbs'], {}, 2, /argument 'pbs' is invalid. Allowed choices are local, slurm/],
    [['--slurm-time', '1:00:00'], {}, 2, /the --slurm-… and --sbatch-arg flags apply to --executor slurm/],
  ];
  for (const [flags, env, code, message] of cases) {
    const result = gankitWith(env, 'study', 'run', file, '--out', out, ...flags);
    assert.equal(result.code, code, result.stderr);
    assert.match(result.stderr, message);
    assert.equal(result.stderr.trim().split('\n').length, 1, result.stderr);
  }
  const missing = gankitWith({}, 'study', 'run', join(root, 'none.yaml'), '--out', out);
  assert.equal(missing.code, 1);
  assert.match(missing.stderr, /the study file .*none\.yaml does not exist/);
  assert.ok(!existsSync(out), 'nothing was made');
  const notStudy = gankitWith({}, 'study', 'status', root);
  assert.equal(notStudy.code, 2);
  assert.match(notStudy.stderr, /is not a study directory \(it has no study\.json\)/);
});

test('--dry-run prints the task graph and its cost, and runs nothing', () => {
  const root = tempDir();
  const result = gankitWith({}, 'reproduce', '--budget', 'standard', '--out', join(root, 'r'), '--dry-run');
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /5 run\(s\), 2 shaping\(s\) and 11 row\(s\), over 3 seed\(s\) \(0, 1, 2\)/);
  assert.match(result.stdout, /train-vanilla-seed2 +\d+ min/);
  assert.match(result.stdout, /row-cs-lsi-seed1 .* after train-vanilla-seed1, shape-shaped-1-seed1/);
  assert.match(result.stdout, /55 of 55 tasks to run, about [\d.]+ h of tasks/);
  assert.ok(!existsSync(join(root, 'r')));
});
