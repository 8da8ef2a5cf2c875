import { Command, Option } from 'commander';
import { makeAccountant, type AccountantName } from '../privacy/accountant.js';
import { calibrateNoise } from '../privacy/noise-calibration.js';
import type { RdpConversion } from '../privacy/rdp-accountant.js';
import { positiveInteger, positiveNumber, usage } from './arguments.js';
import { privacyAuditCommand } from './privacy-audit-command.js';

interface PrivacyFlags {
  /** Required; not declared so to commander, which would then require it of `privacy audit` too. */
  q?: number;
  sigma?: number;
  steps?: number;
  epochs?: number;
  delta: number;
  epsilon?: number;
  accountant: AccountantName;
  conversion: RdpConversion;
  json?: boolean;
}

function runPrivacy(flags: PrivacyFlags): void {
  if (flags.q === undefined) usage('give --q, the sampling rate B/N.');
  if (flags.q > 1) usage('--q is a sampling rate: it must be at most 1.');
  if ((flags.steps === undefined) === (flags.epochs === undefined)) usage('give exactly one of --steps and --epochs.');
  // An epoch at rate q is 1/q steps (Opacus's convention: int(epochs / q)).
  const steps = flags.steps ?? Math.floor(flags.epochs! / flags.q);
  const account = makeAccountant(flags.accountant, flags.q, flags.delta, flags.conversion);
  const accountant = (sigma: number) => account(sigma, steps);
  let result: Record<string, number | string>;
  if (flags.epsilon !== undefined) {
    if (flags.sigma !== undefined) usage('give --sigma to get ε, or --epsilon to get σ, not both.');
    const sigma = calibrateNoise(flags.epsilon, accountant);
    const spent = accountant(sigma);
    result = { sigma, epsilon: spent.epsilon, order: spent.order };
  } else {
    if (flags.sigma === undefined) usage('give --sigma σ to get ε, or --epsilon ε to calibrate σ.');
    const spent = accountant(flags.sigma!);
    result = { sigma: flags.sigma!, epsilon: spent.epsilon, order: spent.order };
  }
  result = { ...result, q: flags.q, steps, delta: flags.delta, accountant: flags.accountant, conversion: flags.conversion };
  if (flags.json) {
    process.stdout.write(`${JSON.stringify(result)}\n`);
    return;
  }
  const calibrated = flags.epsilon !== undefined;
  process.stdout.write(
    `${calibrated ? `σ = ${Number(result.sigma).toFixed(4)} (calibrated to ε ≤ ${flags.epsilon})\n` : ''}` +
      `ε = ${Number(result.epsilon).toFixed(4)} at δ = ${flags.delta} ` +
      `(${flags.accountant === 'prv' ? 'PRV upper bound' : `RDP, best order ${result.order}`}), ` +
      `after ${steps} steps at q = ${flags.q} with σ = ${Number(result.sigma).toFixed(4)}\n`,
  );
}

export function privacyCommand(): Command {
  return new Command('privacy')
    .description('the (ε, δ) of DP-SGD with the Poisson-subsampled Gaussian mechanism, or the σ that reaches a target ε')
    .option('--q <rate>', 'sampling rate B/N (required)', positiveNumber)
    .option('--sigma <s>', 'noise multiplier σ', positiveNumber)
    .option('--epsilon <e>', 'target ε: print the σ that reaches it (bisection to within 0.01, as Opacus)', positiveNumber)
    .option('--steps <t>', 'number of steps', positiveInteger)
    .option('--epochs <e>', 'number of epochs (1/q steps each)', positiveNumber)
    .option('--delta <d>', 'δ', positiveNumber, 1e-5)
    .addOption(
      new Option('--accountant <name>', 'rdp (Rényi DP) or prv (privacy loss random variables: tighter, slower)').choices(['rdp', 'prv']).default('rdp'),
    )
    .addOption(
      new Option('--conversion <kind>', 'RDP to (ε, δ): improved (Balle et al. 2020, as Opacus) or classic (rdp − log δ/(α−1))')
        .choices(['improved', 'classic'])
        .default('improved'),
    )
    .option('--json', 'print one JSON object')
    .action(runPrivacy)
    .addCommand(privacyAuditCommand());
}
