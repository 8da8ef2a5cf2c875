// ESLint's flat config: JavaScript's and typescript-eslint's recommended rules
// over the sources, tests, benches and scripts, and src/'s layers (the table in
// scripts/layers.mjs) through eslint-plugin-boundaries; `npm test` runs it.
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import boundaries from 'eslint-plugin-boundaries';
import tseslint from 'typescript-eslint';
import { EXCEPTIONS, LAYERS } from './scripts/layers.mjs';

// boundaries classifies files by folder: the table's folders, innermost first, then src/ itself for the files directly in it (errors.ts).
const folders = [
  ...Object.keys(LAYERS)
    .filter((part) => !part.endsWith('.ts'))
    .sort((a, b) => b.length - a.length),
  '',
];
const elementType = (folder) => (folder ? `src/${folder}` : 'src');

/** boundaries' selector for a path of the table: a folder, or a file of a folder. */
function selector(path) {
  const folder = folders.find((candidate) => candidate === '' || path === candidate || path.startsWith(`${candidate}/`));
  const type = elementType(folder);
  return path === folder ? { element: { type } } : { element: { type, fileInternalPath: folder ? path.slice(folder.length + 1) : path } };
}

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'src/native/build/', 'runs/', 'samples/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    rules: {
      // A value taken apart only to leave it out of the rest (or named with a leading underscore) is not unused.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', ignoreRestSiblings: true }],
    },
  },
  {
    files: ['src/**/*.ts'],
    plugins: { boundaries },
    settings: {
      // The folders are relative to the repository, wherever ESLint runs from (boundaries would take the working directory).
      'boundaries/root-path': fileURLToPath(new URL('.', import.meta.url)),
      'boundaries/elements': folders.map((folder) => ({ type: elementType(folder), pattern: elementType(folder), partialMatch: false })),
      // Resolves the `.js` specifiers of the TypeScript sources to their `.ts` files.
      'import/resolver': { typescript: true },
    },
    rules: {
      'boundaries/dependencies': [
        'error',
        {
          default: 'disallow',
          message: '{{from.type}} may not import {{to.type}}/{{to.internalPath}} (the layers are in scripts/layers.mjs)',
          policies: [
            ...Object.entries(LAYERS).map(([part, allowed]) => ({ from: selector(part), allow: { to: [part, ...allowed].map(selector) } })),
            ...EXCEPTIONS.map(({ from, to }) => ({ from: selector(from), allow: { to: to.map(selector) } })),
          ],
        },
      ],
    },
  },
  {
    // The run's life cycle and files stay readable in one sitting: no function longer than 100 lines.
    files: ['src/training/**/*.ts', 'src/run/**/*.ts'],
    rules: { 'max-lines-per-function': ['error', { max: 100, skipBlankLines: false, skipComments: false, IIFEs: true }] },
  },
  {
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', performance: 'readonly', setTimeout: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
