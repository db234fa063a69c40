#!/usr/bin/env node
// Bundles the CLI (and the worker threads it starts) into a few files. Loading ~70 separate ES
// modules costs a short-lived command more than its work on small inputs; one file loads in a
// fraction of that. tsc still builds every package (types, the library's own dist); this only adds
// packages/cli/dist/bundle/. Some dependencies stay external (see `external` below).
import { build } from 'esbuild';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
await build({
  absWorkingDir: root,
  entryPoints: {
    apprights: 'packages/cli/src/main.ts',
    'analysis-worker': 'packages/apk/src/package/analysis-worker.ts',
    'scan-worker': 'packages/engine/src/scan-worker.ts',
  },
  // Commands are imported when they run (see main.ts): split there, so `--version`, `--help` and the
  // catalogue commands load a small first chunk, and only scan, diff and the like load the readers.
  splitting: true,
  chunkNames: '[name]-[hash]',
  outdir: 'packages/cli/dist/bundle',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  // Loaded on first use from node_modules rather than parsed at every start: X.509/CMS schemas (v1
  // signatures), the JSON Schema validator (stored reports given to diff) and the Chinese word
  // segmenter (a native addon with its dictionary file, for policies). `frida` (the Frida recorder's
  // native binding, an optional install) must never be bundled or loaded at start: `record --frida`
  // imports it on use, and a CLI without it still works.
  external: ['@peculiar/*', 'ajv', 'ajv/*', '@node-rs/jieba', '@node-rs/jieba/*', 'frida', 'frida/*'],
  // commander is CommonJS and requires Node built-ins; an ES module bundle needs a require for that.
  banner: {
    js: "import { createRequire as __appRightsCreateRequire } from 'node:module'; const require = __appRightsCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
});
