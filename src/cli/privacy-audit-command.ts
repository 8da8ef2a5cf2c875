// gankit privacy audit: trains a DP run on the data plus canaries (each in with
// probability ½), scores the canaries with its D, and sets the empirical lower
// bound on ε beside the accountant's. The training is `gankit train` itself, in
// a child process, so the audit tests exactly what users run; a rerun resumes it.
import { Command } from 'commander';
import { DataError, EXIT_CODES, UsageError } from '../errors.js';
import { startEngine } from '../engine/engine.js';
import { loadImageSet } from '../data/image-set.js';
import { auditFinding, canaryScores, checkAuditedImages, craftCanaries, MIN_CANARIES, writeCanaryTrainingSet } from '../privacy/canary-audit.js';
import { auditPaths, claimAuditSettings, writeAuditResult, type AuditSettings } from '../run/audit-directory.js';
import { readPrivacyRecord } from '../run/run-directory.js';
import { hasRunRecord } from '../run/run-record.js';
import { openRun } from '../run/trained-run.js';
import { runGankit } from '../study/gankit-process.js';
import { fraction, positiveInteger, nonNegativeInteger, usage } from './arguments.js';

interface AuditFlags {
  out: string;
  canaries: number;
  data: string;
  limit?: number;
  seed: number;
  confidence: number;
}

/** The flags gankit train must not get from the user: the audit sets them. */
const OWNED_FLAGS = ['--data', '--out', '--limit', '--resume'];
/** The audit's data holds a training split only. */
const TEST_SPLIT_FLAGS = ['--eval-every'];

function checkTrainFlags(trainFlags: string[]): void {
  // A flag's name, given as --name value or --name=value.
  const names = trainFlags.map((flag) => flag.split('=')[0]);
  const owned = names.find((name) => OWNED_FLAGS.includes(name));
  if (owned) usage(`${owned} is the audit's to set (it trains on the data plus canaries, in --out): give it to gankit privacy audit, before the --.`);
  const scoring = names.find((name) => TEST_SPLIT_FLAGS.includes(name));
  if (scoring) usage(`${scoring} scores against a test split, which the audit's data (the training images plus canaries) has not; leave it out.`);
  if (!trainFlags.includes('--dp'))
    usage('The audit tests a DP run: give gankit train --dp and its privacy flags after the --, e.g. -- --dp --dp-epsilon 10 --epochs 2.');
}

/** Trains (or resumes) the audited run through gankit train, its progress lines passed on. */
async function trainAudited(paths: ReturnType<typeof auditPaths>, trainFlags: string[]): Promise<number | undefined> {
  const args = hasRunRecord(paths.run) ? ['train', '--resume', '--out', paths.run] : ['train', ...trainFlags, '--data', paths.data, '--out', paths.run];
  const exit = await runGankit(args, { onLine: (line) => process.stderr.write(`train: ${line}\n`) });
  // Ctrl-C reaches the child too, which saves a checkpoint: the audit stops with its code, and a rerun resumes.
  if (exit.code === EXIT_CODES.interrupted || exit.code === EXIT_CODES.terminated) {
    process.stderr.write(`Stopped; run the same command again to resume the audited run.\n`);
    return exit.code;
  }
  const said = exit.stderrTail.at(-1)?.replace(/^gankit: /, '');
  // A bad train flag is the user's command line: the same exit code as train's own.
  if (exit.code === EXIT_CODES.usage && said) throw new UsageError(`gankit train: ${said}`);
  if (exit.code !== 0) throw new DataError(`gankit ${args.join(' ')} failed (exit ${exit.code ?? exit.signal}): ${said ?? 'no message'}`);
}

/** ε as the summary shows it: a run without noise has an astronomical one. */
const shown = (epsilon: number) => (epsilon < 1e4 ? epsilon.toFixed(3) : epsilon.toExponential(2));

async function runAudit(trainFlags: string[], flags: AuditFlags): Promise<void> {
  checkTrainFlags(trainFlags);
  if (flags.canaries < MIN_CANARIES) usage(`--canaries must be at least ${MIN_CANARIES}: fewer bound nothing useful.`);
  if (flags.confidence <= 0) usage('--confidence must be above 0.');
  const paths = auditPaths(flags.out);
  const settings: AuditSettings = { canaries: flags.canaries, seed: flags.seed, data: flags.data, limit: flags.limit ?? null, train: trainFlags };
  const base = loadImageSet(flags.data, { split: 'train', limit: flags.limit });
  checkAuditedImages(base);
  claimAuditSettings(flags.out, settings);
  const canaries = craftCanaries(flags.canaries, flags.seed);
  const included = canaries.included.filter(Boolean).length;
  if (!hasRunRecord(paths.run)) writeCanaryTrainingSet(paths.data, base, canaries);
  const stopped = await trainAudited(paths, trainFlags);
  if (stopped !== undefined) {
    process.exitCode = stopped;
    return;
  }
  const privacy = readPrivacyRecord(paths.run);
  if (!privacy) throw new DataError(`${paths.run} has no privacy.json: the audited run did not train with --dp.`);
  if (privacy.examples !== undefined && privacy.examples !== base.count + included) {
    throw new DataError(
      `${paths.run} trained on ${privacy.examples} images, not the ${base.count} of ${flags.data} plus ${included} canaries: its canaries are not these.`,
    );
  }
  await startEngine({ quiet: true });
  const run = await openRun(paths.run, { ema: false });
  const { bound, detectable } = auditFinding(await canaryScores(run.discriminator, canaries), canaries, privacy.delta, flags.confidence);
  const holds = bound.epsilon <= privacy.epsilon;
  writeAuditResult(flags.out, {
    holds,
    empiricalEpsilon: bound.epsilon,
    accountantEpsilon: privacy.epsilon,
    detectableEpsilon: detectable,
    delta: privacy.delta,
    confidence: flags.confidence,
    attack: { kEachWay: bound.k, guesses: bound.guesses, correct: bound.correct },
    canaries: { count: canaries.count, included, kind: 'random black-and-white 28×28 images with random classes' },
    trainingImages: base.count,
    method:
      'one-run auditing (Steinke, Nasr & Jagielski 2023): the top- and bottom-scored canaries by D’s logit guessed members and non-members. ' +
      'The training set’s size, and with it the steps and a calibrated σ, depends on the coins: the accountant’s ε is that of the run as trained.',
    run: paths.run,
  });
  const verdict = holds
    ? `No violation found: this audit detects ε up to ${shown(detectable)}${privacy.epsilon > detectable ? ', below the accountant’s, so it cannot test the whole claim (more canaries, or more epochs on fewer images, test more)' : ''}.`
    : 'The guarantee is broken: the run leaks more than its accountant says.';
  process.stdout.write(
    `Audit of ${paths.run} (${canaries.count} canaries, ${included} in): ${bound.correct} of ${bound.guesses} guesses right, ` +
      `so ε ≥ ${shown(bound.epsilon)} with ${flags.confidence * 100}% confidence; the accountant's ε = ${shown(privacy.epsilon)} (δ = ${privacy.delta}). ` +
      `${verdict} Details: ${auditPaths(flags.out).result}\n`,
  );
  if (!holds) process.exitCode = EXIT_CODES.guaranteeBroken;
}

export function privacyAuditCommand(): Command {
  return new Command('audit')
    .description(
      `train a DP run with canaries and bound its ε from below (one-run auditing); exits ${EXIT_CODES.guaranteeBroken} when the bound passes the accountant's ε`,
    )
    .argument('<train-flags...>', 'gankit train flags, after --: --dp and its privacy settings, epochs, batch, …')
    .requiredOption('--out <dir>', 'audit directory: canaries.json, data/ (the data plus the included canaries), run/, audit.json; a rerun continues it')
    .option('--canaries <m>', `canaries, each in the training set with probability ½ (at least ${MIN_CANARIES})`, positiveInteger, 1000)
    .option('--data <source>', 'the training data the canaries join (as gankit train --data)', 'mnist')
    .option('--limit <n>', 'train on the first N images (plus the canaries)', positiveInteger)
    .option('--seed <s>', 'seed of the canaries and their coins', nonNegativeInteger, 0)
    .option('--confidence <c>', 'confidence of the lower bound', fraction, 0.95)
    .action(runAudit)
    .exitOverride();
}
