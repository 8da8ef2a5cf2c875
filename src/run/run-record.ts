// config.json: a run's resolved settings and what it was trained with (the
// objective, optimizer, data, models and engine), for people, reports and resumes.
import { existsSync } from 'node:fs';
import { z } from 'zod';
import type { EngineInfo } from '../engine/engine.js';
import { writeFileAtomic } from '../files/atomic-write.js';
import { readJsonFile } from '../files/json-file.js';
import { describeModels } from '../models/gan-models.js';
import { describeDcgan } from '../models/dcgan-models.js';
import type { Objective } from '../objectives/objective.js';
import { completeSavedConfig, SAVED_CONFIG_SCHEMA, type TrainConfig } from './run-config.js';
import { runPaths } from './run-directory.js';

/** config.json as readers use it: the settings, checked, and the objective's name; the rest is as written. */
const RUN_RECORD_SCHEMA = z.looseObject({
  config: SAVED_CONFIG_SCHEMA,
  objective: z.looseObject({ name: z.string() }).optional(),
});

export type RunRecord = z.infer<typeof RUN_RECORD_SCHEMA>;

/** What a new run's record is made from besides its settings. */
export interface RunRecordParts {
  objective: Objective;
  /** The optimizers' settings as the run builds them. */
  optimizer: Record<string, unknown>;
  data: { source: string; images: number; stepsPerEpoch: number };
  engine: EngineInfo | undefined;
}

/** Whether `runDir` has a config.json (a run was started there). */
export function hasRunRecord(runDir: string): boolean {
  return existsSync(runPaths(runDir).config);
}

/** config.json as written, validated. */
export function readRunRecord(runDir: string): RunRecord {
  return readJsonFile(runPaths(runDir).config, RUN_RECORD_SCHEMA);
}

/** The run's settings, completed with the defaults of their time (a config without a preset is a course-preset run). */
export function readRunConfig(runDir: string): TrainConfig {
  return completeSavedConfig(readRunRecord(runDir).config);
}

/** Writes a new run's config.json. */
export function writeRunRecord(runDir: string, config: TrainConfig, { objective, optimizer, data, engine }: RunRecordParts): void {
  const models =
    config.arch === 'dcgan'
      ? describeDcgan(config.conditional)
      : describeModels(config.dropoutG, config.dropoutD, objective.discriminator, config.conditional, config.classInD);
  const record = {
    config,
    objective: {
      name: objective.name,
      description: objective.description,
      constants: objective.constants,
      paperDefaults: objective.defaults,
      pretrain: config.pretrain && { objective: `fgan:${config.pretrain.divergence}`, epochs: config.pretrain.epochs },
    },
    optimizer,
    data: { ...data, pixelRange: [-1, 1] },
    models: {
      ...models,
      generatorEma:
        config.gEma === null
          ? null
          : `moving average of G's weights, decay ${config.gEma}${config.gEmaStart ? `, from G step ${config.gEmaStart}` : ''}; sampling uses it`,
    },
    engine: engine ?? null,
    created: new Date().toISOString(),
  };
  writeFileAtomic(runPaths(runDir).config, `${JSON.stringify(record, null, 2)}\n`);
}
