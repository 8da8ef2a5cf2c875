import { Command } from 'commander';
import { DataError } from '../errors.js';
import { startEngine } from '../engine/engine.js';
import { buildServer, LOOPBACK } from '../serve/server.js';
import { integerInRange, requireRunsDirectory } from './arguments.js';

async function runServe(flags: { runs: string; port: number; host: string }): Promise<void> {
  requireRunsDirectory(flags.runs);
  // The engine computes features and regenerates samples for "nearest training images".
  await startEngine({ quiet: true });
  const app = await buildServer(flags.runs, flags.host);
  try {
    await app.listen({ host: flags.host, port: flags.port });
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new DataError(`Port ${flags.port} on ${flags.host} is in use: pass another --port.`);
    if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND') throw new DataError(`${flags.host} is not an address of this machine: pass another --host.`);
    throw error;
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : flags.port;
  const host = flags.host.includes(':') ? `[${flags.host}]` : flags.host;
  process.stdout.write(`gankit serve: http://${host}:${port}/ shows the runs in ${flags.runs} (Ctrl-C stops it)\n`);
  if (!LOOPBACK.has(flags.host)) process.stderr.write(`gankit: listening on ${flags.host}: anyone who can reach this machine can read these runs.\n`);
}

export function serveCommand(): Command {
  return new Command('serve')
    .description('a live dashboard of the runs in a directory, and a generator playground that runs in the browser')
    .option('--runs <dir>', 'the directory of runs (a study or reproduce output too; runs are found in its subdirectories)', 'runs')
    .option('--port <n>', 'the port to listen on (0: any free one)', integerInRange(0, 65535), 8080)
    .option('--host <address>', 'the address to listen on; anything but 127.0.0.1 lets other machines in', '127.0.0.1')
    .action(runServe);
}
