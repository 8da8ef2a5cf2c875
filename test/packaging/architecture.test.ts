// src/'s layers (scripts/layers.mjs) hold: ESLint's boundary rule refuses an
// upward import and lets a downward one through, and scripts/architecture.mjs
// finds docs/architecture.md's diagram current and no import breaking the table.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ESLint } from 'eslint';

const root = fileURLToPath(new URL('../../../', import.meta.url));

/** The boundary rule's messages for `code` linted as a file of src/engine; the file is never written, as other processes may read the tree. */
async function boundaryMessages(code: string): Promise<string[]> {
  const [result] = await new ESLint({ cwd: root }).lintText(code, { filePath: join(root, 'src', 'engine', 'upward-probe.ts') });
  return result.messages.filter((message) => message.ruleId === 'boundaries/dependencies').map((message) => message.message);
}

test('the boundary rule refuses an import from engine up to the command line', async () => {
  const messages = await boundaryMessages("import '../cli/main.js';\n");
  assert.equal(messages.length, 1);
  assert.match(messages[0], /src\/engine may not import src\/cli\/main\.ts/);
});

test('the boundary rule lets engine import the ground floor and its own files', async () => {
  const messages = await boundaryMessages(
    "import { DataError } from '../errors.js';\nimport { Rng } from './rng.js';\n\nexport const probe = [DataError, Rng];\n",
  );
  assert.deepEqual(messages, []);
});

test('docs/architecture.md shows the layers the code has, and no import breaks the table', () => {
  const result = spawnSync(process.execPath, [join(root, 'scripts', 'architecture.mjs'), '--check'], { encoding: 'utf8' });
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
});
