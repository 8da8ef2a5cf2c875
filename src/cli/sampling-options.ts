// Flags shared by `generate` and `shape`: collaborative sampling's settings.
import type * as tfl from '@tensorflow/tfjs-layers';
import { Command, Option } from 'commander';
import { loadImageSet } from '../data/image-set.js';
import { checkClassLabels, isConditional, realDiscriminatorInput } from '../models/class-condition.js';
import { CS_DEFAULTS, meanRealScore, type CsOptions } from '../sampling/collaborative-sampling.js';
import { integerInRange, nonNegativeInteger, positiveNumber } from './arguments.js';
import { GENERATOR_WIDTHS } from '../models/gan-models.js';
import { isDcgan } from '../models/dcgan-models.js';
import { UsageError } from '../errors.js';

export interface CsFlags {
  csLayer?: number;
  csSteps: number;
  csRate: number;
  csEta?: number;
  csSelect: 'last' | 'best';
  data?: string;
}

const ETA_IMAGES = 1000;
const HIDDEN_LAYERS = GENERATOR_WIDTHS.length - 2;

export function addCsOptions(command: Command): Command {
  return command
    .option(
      '--cs-layer <l>',
      `refine the output of G's hidden layer l (1-3); 0: the pixels (default: ${CS_DEFAULTS.layer}; a DCGAN's: 0, its only choice)`,
      integerInRange(0, HIDDEN_LAYERS),
    )
    .option('--cs-steps <K>', 'at most K refinement steps', nonNegativeInteger, CS_DEFAULTS.steps)
    .option('--cs-rate <λ>', 'refinement step size', positiveNumber, CS_DEFAULTS.rate)
    .option('--cs-eta <η>', 'stop refining a sample once D(x) ≥ η (default: mean D(x) on 1,000 real images)', positiveNumber)
    .addOption(
      new Option('--cs-select <which>', 'keep the last step, or the best-scored (official code)').choices(['last', 'best']).default(CS_DEFAULTS.select),
    )
    .option('--data <source>', "real images for η's default (default: the run's training data)");
}

/** The CS settings, with η measured on real images when not given. */
export async function csOptionsFrom(flags: CsFlags, discriminator: tfl.LayersModel, runData: string): Promise<CsOptions> {
  let eta = flags.csEta;
  if (eta === undefined) {
    const real = loadImageSet(flags.data ?? runData, { limit: ETA_IMAGES });
    const conditional = isConditional(discriminator);
    if (conditional) checkClassLabels(real);
    const batch = realDiscriminatorInput(real, conditional);
    eta = await meanRealScore(discriminator, batch);
    batch.dispose();
  }
  // A DCGAN's hidden layers are feature maps: it is refined at its pixels.
  const dcgan = isDcgan(discriminator);
  if (dcgan && flags.csLayer !== undefined && flags.csLayer !== 0) {
    throw new UsageError(`--cs-layer ${flags.csLayer}: a DCGAN run is refined at its pixels only (--cs-layer 0).`);
  }
  return { layer: flags.csLayer ?? (dcgan ? 0 : CS_DEFAULTS.layer), steps: flags.csSteps, rate: flags.csRate, eta, select: flags.csSelect };
}
