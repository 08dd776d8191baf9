// `npm run lint`: ESLint with typescript-eslint's recommended rules over the TypeScript, the
// build scripts and the editor helper; Prettier (.prettierrc) owns the layout.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'test/core-parity/upstream/',
      'test/core-parity/*.adapted.js',
      'dist/',
      'resources/',
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
  ...tseslint.configs.recommended,
  {
    files: ['**/*.ts'],
    languageOptions: { globals: globals.node },
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
    files: ['scripts/**/*.js', '*.config.js', '*.conf.js'],
    languageOptions: { sourceType: 'commonjs', globals: globals.node },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Runs in the Node-RED editor page, beside jQuery and RED.
    files: ['src/editor/**/*.js'],
    languageOptions: { sourceType: 'script', globals: { ...globals.browser, $: 'readonly', RED: 'readonly' } },
    rules: { 'no-unused-vars': ['error', { varsIgnorePattern: '^createOAuth1Editor$' }] },
  },
);
