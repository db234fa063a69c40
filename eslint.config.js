import { dirname, relative, resolve, sep } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import noInputSizedSpread from './scripts/eslint/no-input-sized-spread.mjs';

/** The workspace package folder (`packages/<name>`) a path lies in, or null. */
function packageOf(path) {
  const parts = relative(import.meta.dirname, path).split(sep);
  return parts[0] === 'packages' && parts.length > 2 ? parts[1] : null;
}

/**
 * Packages import each other by name (`@apprights/apk`, `@apprights/testkit`), never by a relative
 * path into another package's folder: such an import skips the other package's public API and build,
 * and breaks as soon as either package moves.
 */
const noCrossPackageImports = {
  meta: {
    type: 'problem',
    schema: [],
    messages: { cross: 'relative import into packages/{{target}} from packages/{{from}}: import it by its package name instead' },
  },
  create(context) {
    const from = packageOf(context.filename);
    if (!from) return {};
    const check = (node) => {
      const source = node.source?.value;
      if (typeof source !== 'string' || !source.startsWith('.')) return;
      const target = packageOf(resolve(dirname(context.filename), source));
      if (target && target !== from) context.report({ node: node.source, messageId: 'cross', data: { target, from } });
    };
    return { ImportDeclaration: check, ExportAllDeclaration: check, ExportNamedDeclaration: check, ImportExpression: check };
  },
};

/** The project's own lint rules, as one plugin. */
const apprights = { rules: { 'no-cross-package-imports': noCrossPackageImports, 'no-input-sized-spread': noInputSizedSpread } };

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
        setInterval: 'readonly',
        clearInterval: 'readonly',
        fetch: 'readonly',
        AbortController: 'readonly',
        AbortSignal: 'readonly',
      },
    },
    plugins: { apprights },
    rules: {
      'apprights/no-cross-package-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/no-non-null-assertion': 'off',
      'no-constant-condition': ['error', { checkLoops: false }],
    },
  },
  {
    // CommonJS files (bin/*.cjs: the code cache and the worker's loader; scripts/lib/startup-floor.cjs).
    files: ['**/*.cjs'],
    languageOptions: {
      sourceType: 'commonjs',
      globals: { require: 'readonly', module: 'writable', __dirname: 'readonly', __filename: 'readonly' },
    },
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
  {
    // Inputs are hostile: an argument list the input sizes overflows the stack (issue 12 §3).
    files: ['packages/*/src/**/*.ts'],
    rules: { 'apprights/no-input-sized-spread': 'error' },
  },
);
