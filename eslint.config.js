// ESLint's flat config: JavaScript's and typescript-eslint's recommended rules
// over the sources, tests, benches and scripts; `npm test` runs it.
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

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
    files: ['**/*.js', '**/*.mjs', '**/*.cjs'],
    languageOptions: {
      globals: { process: 'readonly', console: 'readonly', URL: 'readonly', Buffer: 'readonly', performance: 'readonly', setTimeout: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
