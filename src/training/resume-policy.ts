// Which runs may start where: a new run needs a directory without one, and a
// resume may change only the settings that train the same model.
import { existsSync, statSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { DataError, UsageError } from '../errors.js';
import type { DpConfig } from '../privacy/dp-config.js';
import type { TrainConfig } from '../run/run-config.js';
import { runPaths } from '../run/run-directory.js';
import { hasRunRecord } from '../run/run-record.js';

/** The settings a resume applies; every other one defines the models, the data or a DP run's accounting, and may not change. */
const APPLIED_ON_RESUME = ['epochs', 'logEvery'] as const;

/** Settings the user asked for when resuming (the flags given), each compared with the saved run's. */
export type ResumeChanges = Partial<Omit<TrainConfig, 'dp'>> & { dp?: Partial<DpConfig> };

/** The saved settings with the applicable changes applied; a UsageError lists any other that differs. */
export function resumedConfig(saved: TrainConfig, changes: ResumeChanges): TrainConfig {
  const { dp, ...rest } = changes;
  const differs = (key: keyof TrainConfig, value: unknown) => value !== undefined && !isDeepStrictEqual(value, saved[key]);
  const refused = Object.entries(rest)
    .filter(([key, value]) => !(APPLIED_ON_RESUME as readonly string[]).includes(key) && differs(key as keyof TrainConfig, value))
    .map(([key]) => key);
  if (dp && !saved.dp) refused.push('dp');
  if (dp && saved.dp) {
    refused.push(
      ...Object.entries(dp)
        .filter(([key, value]) => value != null && value !== saved.dp![key as keyof DpConfig])
        .map(([key]) => `dp.${key}`),
    );
  }
  if (refused.length) {
    const savedValue = (key: string) => JSON.stringify(key.startsWith('dp.') ? saved.dp![key.slice(3) as keyof DpConfig] : saved[key as keyof TrainConfig]);
    throw new UsageError(
      `This run was trained with ${refused.map((key) => `${key} = ${savedValue(key)}`).join(', ')}; a resume can change only --epochs and --log-every ` +
        `(other settings would train another model${saved.dp ? ' or void the privacy accounting' : ''}). Resume without them, or start a new run.`,
    );
  }
  return { ...saved, epochs: changes.epochs ?? saved.epochs, logEvery: changes.logEvery ?? saved.logEvery };
}

/** Refuses an --out that is a file, or that already holds a run. */
export function checkNewRunDirectory(runDir: string): void {
  if (existsSync(runDir) && !statSync(runDir).isDirectory()) throw new UsageError(`--out ${runDir} is a file; give a directory for the run.`);
  if (hasRunRecord(runDir) || existsSync(runPaths(runDir).checkpoints)) {
    throw new DataError(`${runDir} already holds a run; pass --resume to continue it, or choose another --out.`);
  }
}
