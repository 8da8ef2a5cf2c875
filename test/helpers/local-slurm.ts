// A one-node Slurm cluster on this machine for a test file (scripts/local-slurm.sh),
// stopped when the file ends; or the one-line reason it cannot run here.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after } from 'node:test';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../../../scripts/local-slurm.sh', import.meta.url));

export type LocalSlurm = { conf: string; skip?: undefined } | { conf?: undefined; skip: string };

export function startLocalSlurm(): LocalSlurm {
  // Short: the munge socket's path must fit a Unix socket's 108 bytes.
  const dir = mkdtempSync(join(tmpdir(), 'gks-'));
  // Stopped before its directory (pid files, state) is removed.
  after(() => {
    spawnSync('bash', [SCRIPT, 'stop', dir], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });
  const started = spawnSync('bash', [SCRIPT, 'start', dir], { encoding: 'utf8' });
  if (started.status !== 0) {
    const reason = started.stderr.trim().split('\n').pop() || `exit ${started.status}`;
    return { skip: `no local Slurm cluster: ${reason}` };
  }
  return { conf: started.stdout.trim() };
}
