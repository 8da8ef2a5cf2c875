// A privacy audit's directory (gankit privacy audit --out): the settings that
// made its canaries, the training set with the included canaries, the audited
// run, and the result. Other modules ask here for a path instead of spelling it.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { DataError } from '../errors.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { readOptionalJsonFile } from '../files/json-file.js';
import { hasRunRecord } from './run-record.js';

/** The paths of one audit. */
export function auditPaths(out: string) {
  return {
    /** What made the canaries and their training set (AuditSettings). */
    settings: join(out, 'canaries.json'),
    /** The training data plus the included canaries, as IDX files. */
    data: join(out, 'data'),
    /** The audited training run. */
    run: join(out, 'run'),
    result: join(out, 'audit.json'),
  };
}

const SETTINGS_SCHEMA = z.object({
  canaries: z.number(),
  seed: z.number(),
  data: z.string(),
  limit: z.number().nullable(),
  /** gankit train's flags. */
  train: z.array(z.string()),
});
export type AuditSettings = z.infer<typeof SETTINGS_SCHEMA>;

/** Records the audit's settings in `out`; once its run has started, they must be the ones it started with. */
export function claimAuditSettings(out: string, settings: AuditSettings): void {
  const paths = auditPaths(out);
  const saved = readOptionalJsonFile(paths.settings, SETTINGS_SCHEMA);
  if (hasRunRecord(paths.run)) {
    // The run trained on canaries made from these settings: others would be scored against the wrong coins.
    if (!saved) throw new DataError(`${paths.run} holds a run but ${paths.settings} is missing, so its canaries are unknown; give another --out.`);
    if (JSON.stringify(saved) !== JSON.stringify(settings))
      throw new DataError(`${out} holds an audit with other settings (${paths.settings}); give another --out, or the same flags.`);
  }
  mkdirSync(out, { recursive: true });
  writeFileAtomic(paths.settings, `${JSON.stringify(settings, null, 2)}\n`);
}

/** audit.json: the verdict, both ε, the attack and what was audited. */
export interface AuditResult {
  /** The empirical bound is at most the accountant's ε. */
  holds: boolean;
  empiricalEpsilon: number;
  accountantEpsilon: number;
  /** The largest ε any of the attacks could have shown (every guess right). */
  detectableEpsilon: number;
  delta: number;
  confidence: number;
  attack: { kEachWay: number; guesses: number; correct: number };
  canaries: { count: number; included: number; kind: string };
  trainingImages: number;
  method: string;
  run: string;
}

/** Writes audit.json. */
export function writeAuditResult(out: string, result: AuditResult): void {
  writeFileAtomic(auditPaths(out).result, `${JSON.stringify(result, null, 2)}\n`);
}
