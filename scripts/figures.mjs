// Every figure of the README and docs/ with where it came from. A figure is a
// table of measurements (numbers right-aligned, `---:`), or an image; its section (the text under one
// heading) must hold a source line, which names the date, the machine, the
// feature network (or "no feature network") and the command that produced it,
// and, where there is one, the committed file that keeps it:
//
//   > **Source:** 2026-12-06 · 2-core AMD EPYC, Node 20 · mnist-v3 · `npm run bench:quality` · bench/results/quality.json
//
// With no flag it lists the figures with their source, oldest first, and how many
// commits have changed src/ since each was measured (a hint of what to re-measure).
// `--check` exits 1 where a figure has no source line, a source line lacks a field,
// or a file it names is missing (the tests run it).
//
//   node scripts/figures.mjs [--check]
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';

// `--root DIR` checks another tree (the tests check that a figure without its source fails).
const rootFlag = process.argv.indexOf('--root');
const root = rootFlag > 0 ? process.argv[rootFlag + 1] : fileURLToPath(new URL('..', import.meta.url));
/** Generated pages: their tables are the code's own output, not measurements. */
const GENERATED = new Set(['docs/commands.md', 'docs/architecture.md']);
const SOURCE_LINE = /^> \*\*Source:\*\* (.*)$/;

const docs = existsSync(join(root, 'docs')) ? readdirSync(join(root, 'docs')) : [];
const pages = ['README.md', ...docs.filter((f) => f.endsWith('.md')).map((f) => `docs/${f}`)].filter((page) => !GENERATED.has(page));

/** The page's sections: each heading with its lines up to the next heading (fenced code left out). */
function sections(text) {
  const result = [{ heading: '(top)', lines: [] }];
  let fenced = false;
  for (const [index, line] of text.split('\n').entries()) {
    if (/^\s*(```|~~~)/.test(line)) fenced = !fenced;
    if (!fenced && /^#{1,4} /.test(line)) result.push({ heading: line.replace(/^#+ /, ''), lines: [] });
    else if (!fenced) result[result.length - 1].lines.push({ number: index + 1, line });
  }
  return result;
}

/** The figures of a section: tables of measurements (the README's convention: their numbers right-aligned, `---:`), and images. */
function figuresOf(section) {
  const figures = [];
  section.lines.forEach(({ number, line }, i) => {
    const separator = section.lines[i + 1]?.line ?? '';
    if (line.startsWith('|') && /^\|[\s\-:|]+\|$/.test(separator) && separator.includes('-:')) {
      figures.push({ line: number, kind: 'table', what: line.slice(0, 70) });
    }
    for (const image of line.matchAll(/!\[([^\]]*)\]\(([^)]+)\)/g)) figures.push({ line: number, kind: 'image', what: image[2] });
  });
  return figures;
}

/** A source line's fields, and what is wrong with it. */
function parseSource(text, page) {
  const fields = text.split(' · ').map((f) => f.trim());
  const [date, machine, features, command, file] = fields;
  const problems = [];
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date ?? '')) problems.push(`its date "${date}" is not YYYY-MM-DD`);
  if (!machine) problems.push('it names no machine');
  if (!features || !/mnist-v\d|feature network|Inception/.test(features))
    problems.push(`"${features}" names no feature network (say "no feature network" for timings)`);
  if (!command || !command.includes('`')) problems.push('it names no command in backticks');
  if (file) {
    for (const path of file.split(/,\s*/)) {
      const resolved = join(root, dirname(page), path.replace(/^\[([^\]]*)\]\(([^)]+)\)$/, '$2'));
      if (!existsSync(resolved)) problems.push(`${path} does not exist`);
    }
  }
  return { date, machine, features, command, file, problems };
}

const commitsSince = (date) => Number(execFileSync('git', ['rev-list', '--count', `--since=${date}T23:59:59`, 'HEAD', '--', 'src'], { cwd: root }).toString());

const listed = [];
const problems = [];
for (const page of pages) {
  for (const section of sections(readFileSync(join(root, page), 'utf8'))) {
    const figures = figuresOf(section);
    if (!figures.length) continue;
    const sources = section.lines.flatMap(({ number, line }) => {
      const match = SOURCE_LINE.exec(line);
      return match ? [{ number, ...parseSource(match[1], page) }] : [];
    });
    for (const source of sources) for (const problem of source.problems) problems.push(`${page}:${source.number}: the source line's ${problem}`);
    if (!sources.length) {
      for (const figure of figures) problems.push(`${page}:${figure.line}: the ${figure.kind} ${figure.what} has no source line in "${section.heading}"`);
      continue;
    }
    // Each figure takes the nearest source line above it, else the section's first.
    for (const figure of figures) {
      const source = [...sources].reverse().find((s) => s.number < figure.line) ?? sources[0];
      listed.push({ page, heading: section.heading, figure, source });
    }
  }
}

if (process.argv.includes('--check')) {
  if (problems.length) {
    process.stderr.write(`${problems.join('\n')}\n`);
    process.exit(1);
  }
} else {
  listed.sort((a, b) => (a.source.date ?? '').localeCompare(b.source.date ?? ''));
  for (const { page, heading, figure, source } of listed) {
    const since = /^\d{4}-\d{2}-\d{2}$/.test(source.date ?? '') ? commitsSince(source.date) : '?';
    process.stdout.write(
      `${source.date}  ${relative(root, join(root, page))}:${figure.line} (${heading}) ${figure.kind} ${figure.what}\n` +
        `            ${source.features} · ${source.command}${source.file ? ` · ${source.file}` : ''} · ${since} commit(s) under src/ since\n`,
    );
  }
  if (problems.length) process.stdout.write(`\n${problems.length} problem(s):\n${problems.join('\n')}\n`);
}
