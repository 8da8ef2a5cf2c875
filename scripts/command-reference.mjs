// docs/commands.md's reference from the commands themselves: `gankit --help`,
// then every command's and subcommand's `--help`, as a person sees them.
// `--write` puts it between the file's markers; `--check` exits 1 where the
// section is stale (the tests run it), so the reference never drifts from the code.
//
//   node scripts/command-reference.mjs --write|--check
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { withSection } from './generated-section.mjs';

const root = fileURLToPath(new URL('..', import.meta.url));
const docPath = join(root, 'docs', 'commands.md');
const BEGIN = '<!-- commands:begin -->';
const END = '<!-- commands:end -->';

/** What `gankit …words --help` prints; commander wraps at 80 columns off a terminal, so the text is the same everywhere. */
function help(words) {
  const result = spawnSync(process.execPath, [join(root, 'bin', 'gankit.js'), ...words, '--help'], {
    encoding: 'utf8',
    env: { ...process.env, COLUMNS: '80' },
  });
  if (result.status !== 0) throw new Error(`gankit ${words.join(' ')} --help failed: ${result.stderr}`);
  return result.stdout.trimEnd();
}

/** The subcommands a help text lists under "Commands:", without commander's own `help`. */
function subcommands(text) {
  const section = text.split('\nCommands:\n')[1];
  if (!section) return [];
  return section
    .split('\n')
    .map((line) => /^ {2}(\S+)/.exec(line)?.[1])
    .filter((name) => name && name !== 'help');
}

/** One section per command, depth first, in the order `gankit --help` lists them. */
function reference() {
  const sections = [];
  const visit = (words) => {
    const text = help(words);
    sections.push(`### gankit${words.map((w) => ` ${w}`).join('')}\n\n\`\`\`text\n${text}\n\`\`\``);
    for (const sub of subcommands(text)) visit([...words, sub]);
  };
  visit([]);
  return sections.join('\n\n');
}

const section = reference();
const doc = readFileSync(docPath, 'utf8');
const fresh = withSection(doc, 'docs/commands.md', BEGIN, END, `${section}\n`);
if (process.argv.includes('--write')) {
  writeFileSync(docPath, fresh);
} else if (process.argv.includes('--check')) {
  if (fresh !== doc) {
    process.stderr.write("docs/commands.md is stale: a command's --help changed. Run node scripts/command-reference.mjs --write.\n");
    process.exit(1);
  }
} else {
  process.stdout.write(`${section}\n`);
}
