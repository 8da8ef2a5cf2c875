// The layers of src/ as the code has them: reads every relative import of
// src/**/*.ts, prints the parts as floors (each with the parts it imports) and lists the imports that break the table of scripts/layers.mjs.
// `--write` puts the diagram in docs/architecture.md between its markers;
// `--check` exits 1 where that section is stale or an import breaks the table.
import { readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withSection } from './generated-section.mjs';
import { EXCEPTIONS, LAYERS, allowed, partOf } from './layers.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const docPath = join(root, 'docs', 'architecture.md');
const BEGIN = '<!-- layers:begin -->';
const END = '<!-- layers:end -->';
// `import … from '…'`, `export … from '…'`, `import '…'` and `import('…')` of a relative specifier.
const IMPORT = /\b(?:from|import)\s*\(?\s*'(\.\.?\/[^']+)'/g;

/** Every .ts file of src/, relative to it, with the files it imports (relative to src/, as .ts). */
function readSources() {
  const src = join(root, 'src');
  const files = readdirSync(src, { recursive: true })
    .map((file) => file.split('\\').join('/'))
    .filter((file) => file.endsWith('.ts'))
    .sort();
  return files.map((file) => {
    const text = readFileSync(join(src, file), 'utf8');
    const imports = [...text.matchAll(IMPORT)].map(([, specifier]) => posix.join(posix.dirname(file), specifier).replace(/\.js$/, '.ts'));
    return { file, imports };
  });
}

/** A part's floor: one above the highest part it may import, the ground floor 0. */
function floorOf(part) {
  return Math.max(-1, ...LAYERS[part].map((entry) => floorOf(partOf(entry)))) + 1;
}

/** The diagram: the floors from the top down, each part with the parts it imports, then the exceptions. */
function diagram(sources) {
  const parts = Object.keys(LAYERS).map((part) => {
    const own = sources.filter(({ file }) => partOf(file) === part);
    const imported = new Set(own.flatMap(({ imports }) => imports.map(partOf)).filter((other) => other !== part));
    return { part, floor: floorOf(part), imported };
  });
  const rank = (part) => Object.keys(LAYERS).indexOf(part);
  const width = Math.max(...parts.map(({ part }) => part.length));
  const row = (floor, part, uses) => `${floor.padStart(5)}  ${part.padEnd(width)}  ${uses}`.trimEnd();
  const rows = parts
    .sort((a, b) => b.floor - a.floor || rank(a.part) - rank(b.part))
    .map(({ part, floor, imported }, i, sorted) => {
      const label = i > 0 && sorted[i - 1].floor === floor ? '' : String(floor);
      return row(label, part, [...imported].sort((a, b) => rank(b) - rank(a)).join(', '));
    });
  const exceptions = EXCEPTIONS.map(({ from, to, why }) => `src/${from} → ${to.map((file) => `src/${file}`).join(', ')}: ${why}`);
  return ['```text', row('floor', 'part', 'imports'), ...rows, '```', '', 'Exceptions to the table:', '', ...exceptions.map((line) => `- ${line}`), ''].join(
    '\n',
  );
}

/** What is wrong with the imports: files in no part, and every import the table does not allow. */
function problems(sources) {
  return sources.flatMap(({ file, imports }) =>
    partOf(file) === undefined
      ? [`src/${file} is in no part of scripts/layers.mjs`]
      : imports.filter((to) => !allowed(file, to)).map((to) => `src/${file} imports src/${to} (${partOf(file)} may not import ${partOf(to) ?? 'it'})`),
  );
}

const sources = readSources();
const section = diagram(sources);
const broken = problems(sources);
console.log(section);
console.log(broken.length ? `Imports that break the table:\n${broken.map((line) => `- ${line}`).join('\n')}` : 'No import breaks the table.');

const doc = readFileSync(docPath, 'utf8');
const fresh = withSection(doc, 'docs/architecture.md', BEGIN, END, section);
if (process.argv.includes('--write')) writeFileSync(docPath, fresh);
const stale = process.argv.includes('--check') && fresh !== doc;
if (stale) console.log('docs/architecture.md shows another diagram than the code gives: run `node scripts/architecture.mjs --write`.');
process.exitCode = broken.length || stale ? 1 : 0;
