// `npm run lint`: ESLint with typescript-eslint's type-checked recommended rules over the
// TypeScript (typed with tsconfig.test.json, which covers src, test, scripts and demo; the
// editor's scripts with tsconfig.editor.json), the plain recommended rules over the build
// scripts; Prettier owns the layout.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'test/core-parity/upstream/',
      'test/core-parity/*.adapted.js',
      'dist/',
      'node_modules/',
      'test-results/',
      '.node-red/',
      '.demo/',
      '.stryker-tmp/',
      'reports/',
    ],
  },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked.map((config) => ({ ...config, files: ['**/*.ts'] })),
  {
    files: ['**/*.ts'],
    languageOptions: { globals: globals.node, parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname } },
    rules: {
      // `_` marks an argument a signature needs but the body does not use.
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrors: 'none' }],
      // `import x = require()` is how TypeScript imports an `export =` module such as oauth-1.0a.
      '@typescript-eslint/no-require-imports': ['error', { allowAsImport: true }],
      // `const node = this` is how every Node-RED node keeps its node for its handlers.
      '@typescript-eslint/no-this-alias': ['error', { allowedNames: ['node'] }],
    },
  },
  {
    // Tests read JSON answers, which are `any` until asserted, stub async functions that need no
    // await, and read sinon spies off node methods without calling them.
    files: ['test/**/*.ts'],
    rules: {
      '@typescript-eslint/unbound-method': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/require-await': 'off',
    },
  },
  {
    files: ['scripts/**/*.js', '*.config.js', '*.conf.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Runs in the Node-RED editor page, beside jQuery; each file declares RED with its type.
    files: ['src/**/*.editor.ts'],
    // Typed with tsconfig.editor.json (DOM, jQuery, Node-RED's editor types), which the other projects leave out.
    languageOptions: {
      globals: { ...globals.browser, $: 'readonly' },
      parserOptions: { project: './tsconfig.editor.json', tsconfigRootDir: import.meta.dirname },
    },
  },
);
