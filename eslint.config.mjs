import js from '@eslint/js';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  { ignores: ['**/node_modules/**', '**/generated/**', '.cache/**', 'schema/**', 'bench/results/**'] },
  js.configs.recommended,
  { files: ['**/*.js', '**/*.cjs'], languageOptions: { sourceType: 'commonjs', globals: { module: 'writable', require: 'readonly', __dirname: 'readonly' } } },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-properties': ['error', { object: 'process', property: 'env', message: 'Read configuration in env.ts (parsed once with zod).' }],
    },
  },
  {
    // Packages meet through their public entry (package.json "main"), never through each
    // other's src: shared code moves to packages/ (docs/architecture.md, "Package boundaries").
    // Within a package, `../src/...` from its own test/ or bench/ is fine; going up two or
    // more levels and down into a src/ is another package.
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { regex: '^@waimai/[^/]+/src(/|$)', message: "Import the package's public entry (@waimai/<name>); move what you need into packages/ if it is shared." },
            { regex: '^(\\.\\./){2,}(.+/)?src(/|$)', message: "That is another package's src: import its public entry, or move the shared piece into packages/." },
          ],
        },
      ],
    },
  },
  {
    files: ['**/env.ts', 'scripts/**', 'packages/platform/src/config.ts', 'packages/testkit/**', '**/test/**', 'tests/**', 'bench/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
