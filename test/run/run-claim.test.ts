// Two `train` processes started together on one new run directory: exactly
// one trains it; the other gets one sentence and exit code 1, and the run is
// the winner's alone. (The claim's exclusive lock closes a window of
// microseconds between the check and the write that this test rarely hits:
// it checks the outcome, whichever path the refusal takes.)
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { readRunState } from '../../src/run/run-state.js';
import { GANKIT_BIN } from '../helpers/gankit-cli.js';
import { tempDir } from '../helpers/temp-dir.js';

function train(out: string): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [GANKIT_BIN, 'train', '--limit', '128', '--epochs', '2', '--out', out], {
    env: { ...process.env, GANKIT_THREADS: '1' },
  });
  let stderr = '';
  child.stderr.on('data', (chunk) => (stderr += chunk));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stderr })));
}

test('two trains started together on one run: one trains it, the other is refused in one sentence', async () => {
  const out = join(tempDir(), 'run');
  const results = await Promise.all([train(out), train(out)]);
  const codes = results.map((result) => result.code).sort();
  assert.deepEqual(codes, [0, 1], results.map((result) => result.stderr).join('\n'));
  const refused = results.find((result) => result.code === 1)!;
  assert.match(refused.stderr, /already holds a run|is being trained by process/);
  assert.equal(readRunState(out)?.state, 'finished');
});
