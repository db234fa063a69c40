import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import noInputSizedSpread from './scripts/eslint/no-input-sized-spread.mjs';

export default tseslint.config(
  { ignores: ['**/dist/**', '**/node_modules/**', 'packages/*/schemas/**'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        Buffer: 'readonly',
        URL: 'readonly',
        TextDecoder: 'readonly',
        TextEncoder: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // Inputs are hostile: an argument list the input sizes overflows the stack (issue 12 §3).
    files: ['packages/*/src/**/*.ts'],
    plugins: { apprights: { rules: { 'no-input-sized-spread': noInputSizedSpread } } },
    rules: { 'apprights/no-input-sized-spread': 'error' },
  },
  {
    // The rule modules are being rewritten on other branches; their two remaining spreads are reported
    // as warnings until those land, then this block goes.
    files: ['packages/rules/src/rules/**/*.ts'],
    rules: { 'apprights/no-input-sized-spread': 'warn' },
  },
);
