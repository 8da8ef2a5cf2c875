// The docs cannot go stale unnoticed: the command reference is what the
// commands print, every figure names where it came from, and the README
// stays a front door (at most 250 lines) whose links all lead somewhere.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tempDir } from '../helpers/temp-dir.js';

const root = fileURLToPath(new URL('../../../', import.meta.url));
const script = (name: string, ...args: string[]) => spawnSync(process.execPath, [join(root, 'scripts', name), '--check', ...args], { encoding: 'utf8' });
const pages = [
  'README.md',
  ...readdirSync(join(root, 'docs'))
    .filter((f) => f.endsWith('.md'))
    .map((f) => `docs/${f}`),
];
/** Markdown without its fenced code blocks, whose links and images are examples. */
const prose = (page: string) => readFileSync(join(root, page), 'utf8').replace(/^\s*(```|~~~)[\s\S]*?^\s*\1/gm, '');
/** GitHub's anchor of a heading: lower case, punctuation dropped, spaces as hyphens. */
const anchorOf = (heading: string) =>
  heading
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s_-]/gu, '')
    .replace(/\s/g, '-');

test("docs/commands.md is every command's --help as the commands print it now", () => {
  const result = script('command-reference.mjs');
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
});

test('every figure of the README and docs/ has a source line naming its date, machine, feature network, command and file', () => {
  const result = script('figures.mjs');
  assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
});

test('the figure check fails on a table of measurements or an image without a source line, or a source line short of a field', () => {
  const tree = tempDir();
  mkdirSync(join(tree, 'docs'));
  writeFileSync(join(tree, 'README.md'), '# x\n\n## Speed\n\n| step | ms |\n| --- | ---: |\n| D | 19.7 |\n\n```\n| a | b |\n| --- | ---: |\n```\n');
  writeFileSync(join(tree, 'docs', 'grid.md'), '# y\n\n> **Source:** 2026-12-07 · a laptop · `gankit train`\n\n![a grid](grid.png)\n');
  const result = script('figures.mjs', '--root', tree);
  assert.equal(result.status, 1);
  assert.deepEqual(result.stderr.trim().split('\n'), [
    'README.md:5: the table | step | ms | has no source line in "Speed"',
    'docs/grid.md:3: the source line\'s "`gankit train`" names no feature network (say "no feature network" for timings)',
    "docs/grid.md:3: the source line's it names no command in backticks",
  ]);
});

test('the README is at most 250 lines, and every relative link of the README and docs/ leads to a file and a heading in it', () => {
  assert.ok(readFileSync(join(root, 'README.md'), 'utf8').split('\n').length <= 250);
  const broken = pages.flatMap((page) =>
    [...prose(page).matchAll(/\]\(([^)\s#]*)(?:#([^)\s]+))?\)/g)].flatMap(([, target, anchor]) => {
      if (/^[a-z]+:/.test(target)) return [];
      const file = target ? join(root, dirname(page), target) : join(root, page);
      if (!existsSync(file)) return [`${page} → ${target}`];
      if (!anchor || !file.endsWith('.md')) return [];
      const headings = [...prose(relative(root, file)).matchAll(/^#{1,6} (.*)$/gm)].map(([, heading]) => anchorOf(heading));
      return headings.includes(anchor) ? [] : [`${page} → ${target}#${anchor}`];
    }),
  );
  assert.deepEqual(broken, []);
});

test('every image in docs/images is shown by a page', () => {
  const shown = pages.map((page) => readFileSync(join(root, page), 'utf8')).join('\n');
  assert.deepEqual(
    readdirSync(join(root, 'docs', 'images')).filter((image) => !shown.includes(`images/${image}`)),
    [],
  );
});
