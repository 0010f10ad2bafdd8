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
    files: ['**/env.ts', 'scripts/**', 'packages/platform/src/config.ts', 'packages/testkit/**', '**/test/**', 'tests/**', 'bench/**'],
    rules: { 'no-restricted-properties': 'off' },
  },
);
