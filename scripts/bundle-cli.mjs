#!/usr/bin/env node
// Bundles the CLI (and the analysis worker it starts) into two files. Loading ~70 separate ES
// modules costs a short-lived command more than its work on small inputs; one file loads in a
// fraction of that, and with the code cache bin/apprights.js keeps, it is not even compiled again. tsc still builds every package (types, the library's own dist); this only adds
// packages/cli/dist/bundle/. Some dependencies stay external (see `external` below).
import { build } from 'esbuild';
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));

// Loaded on first use from node_modules rather than parsed at every start: the JSON Schema validator
// (stored reports given to diff) and the Chinese word segmenter (a native addon with its dictionary
// file, for policies). The platform (`@apprights/server`: database drivers, HTTP, native addons) is loaded
// from node_modules by `serve`/`worker`/`migrate`/`admin` only; no scan pays for it. `frida` (the Frida recorder's native binding, an optional install) must never
// be bundled or loaded at start: `record --frida` imports it on use, and a CLI without it still works.
const external = ['ajv', 'ajv/*', '@node-rs/jieba', '@node-rs/jieba/*', 'frida', 'frida/*', '@apprights/server'];

/**
 * The analysis worker verifies the signatures of every large APK, so it always needs the X.509
 * schemas: resolving and loading @peculiar/asn1-* file by file from node_modules took ~100 ms of
 * the worker's time, on the scan's critical path. Bundled, they cost a parse. signing/asn1.ts loads
 * them through createRequire (which esbuild leaves alone); this gives the worker's bundle the same
 * two functions over plain require() calls, which esbuild bundles and runs on first call.
 */
const bundledAsn1 = {
  name: 'bundled-asn1',
  setup(b) {
    b.onLoad({ filter: /[\\/]apk[\\/]src[\\/]signing[\\/]asn1\.ts$/ }, () => ({
      loader: 'js',
      contents: `
        let x509Loaded;
        let cmsLoaded;
        export function asn1() {
          x509Loaded ??= { schema: require('@peculiar/asn1-schema'), x509: require('@peculiar/asn1-x509') };
          return x509Loaded;
        }
        export function asn1Cms() {
          cmsLoaded ??= require('@peculiar/asn1-cms');
          return { schema: asn1().schema, cms: cmsLoaded };
        }
      `,
    }));
  },
};

/**
 * The CLI's own thread verifies the signatures of packages too small for the analysis worker (and
 * `verify` always does): loading @peculiar/asn1-* file by file from node_modules, compiled afresh
 * each run, took ~70 ms of a scan of ApiDemos (6 MB, a v1 signature). They are bundled apart
 * (dist/bundle/asn1.cjs, built below) and loaded on first use through the code cache bin/apprights.js
 * hands over; without it (the bundle run some other way) they come from node_modules as before.
 * Either way all three packages come from one place, so their classes are the same objects.
 */
const cachedAsn1 = {
  name: 'cached-asn1',
  setup(b) {
    // The CLI imports @apprights/apk's compiled dist/; the worker bundles build from src/.
    b.onLoad({ filter: /[\\/]apk[\\/](?:src|dist)[\\/]signing[\\/]asn1\.[jt]s$/ }, () => ({
      loader: 'js',
      contents: `
        let bundled;
        let x509Loaded;
        let cmsLoaded;
        function schemas() {
          if (bundled !== undefined) return bundled;
          bundled = null;
          const runCached = globalThis[Symbol.for('apprights.runCached')];
          if (typeof runCached !== 'function') return bundled;
          try {
            const { exports, save } = runCached(require('node:path').join(__dirname, 'asn1.cjs'), 'asn1');
            bundled = exports;
            // The cache holds the code compiled by then: the CMS part only once a v1 signature was read.
            process.once('exit', () => save(cmsLoaded ? 'cms' : 'x509'));
          } catch {
            bundled = null;
          }
          return bundled;
        }
        export function asn1() {
          x509Loaded ??= schemas()?.x509() ?? { schema: require('@peculiar/asn1-schema'), x509: require('@peculiar/asn1-x509') };
          return x509Loaded;
        }
        export function asn1Cms() {
          const { schema } = asn1();
          cmsLoaded ??= bundled ? bundled.cms() : require('@peculiar/asn1-cms');
          return { schema, cms: cmsLoaded };
        }
      `,
    }));
  },
};

// A fresh folder each build: chunk and bundle names change, and stale files would linger beside them.
rmSync(join(root, 'packages/cli/dist/bundle'), { recursive: true, force: true });

const common = {
  absWorkingDir: root,
  outdir: 'packages/cli/dist/bundle',
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  sourcemap: true,
  // commander is CommonJS and requires Node built-ins; an ES module bundle needs a require for that.
  banner: {
    js: "import { createRequire as __appRightsCreateRequire } from 'node:module'; const require = __appRightsCreateRequire(import.meta.url);",
  },
  logLevel: 'warning',
};

await Promise.all([
  build({
    ...common,
    entryPoints: { apprights: 'packages/cli/src/main.ts' },
    // CommonJS, run by bin/apprights.js through node:vm with a V8 code cache (Node 20 has no
    // module.enableCompileCache, and vm can cache only scripts, not ES modules). import() of the
    // external packages becomes require(): a script compiled from cached data has no dynamic-import
    // callback in Node 20, and require() loads the ES module packages too (Node >= 20.19).
    format: 'cjs',
    supported: { 'dynamic-import': false },
    outExtension: { '.js': '.cjs' },
    // Each bundled module's import.meta.url was the bundle's own URL; it still is.
    define: { 'import.meta.url': '__appRightsImportMetaUrl' },
    banner: { js: "var __appRightsImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    // The X.509/CMS schemas (v1 signatures) stay out of the main thread's bundle: a scan of a large
    // APK verifies in the worker, and the other commands load them on first use.
    external: [...external, '@peculiar/*'],
    plugins: [cachedAsn1],
  }),
  build({
    ...common,
    // The X.509/CMS schemas for the CLI's own thread (see cachedAsn1), each package initialised on first use.
    stdin: {
      contents:
        "exports.x509 = () => ({ schema: require('@peculiar/asn1-schema'), x509: require('@peculiar/asn1-x509') });\n" +
        "exports.cms = () => require('@peculiar/asn1-cms');\n",
      resolveDir: join(root, 'packages/apk'),
      sourcefile: 'asn1-entry.cjs',
      loader: 'js',
    },
    outdir: undefined,
    outfile: 'packages/cli/dist/bundle/asn1.cjs',
    format: 'cjs',
    banner: {},
  }),
  build({
    ...common,
    // The package reader's second thread as bin/apprights.js starts it: CommonJS like the CLI's
    // bundle, so bin/analysis-worker.js can run it through the code cache.
    entryPoints: { 'analysis-worker': 'packages/apk/src/package/analysis-worker.ts' },
    format: 'cjs',
    outExtension: { '.js': '.cjs' },
    define: { 'import.meta.url': '__appRightsImportMetaUrl' },
    banner: { js: "var __appRightsImportMetaUrl = require('node:url').pathToFileURL(__filename).href;" },
    external,
    plugins: [bundledAsn1],
  }),
  build({
    ...common,
    // The package reader's second thread, and the engine's thread for scans that can be aborted
    // (it reads a whole package, so it verifies signatures too).
    entryPoints: {
      'analysis-worker': 'packages/apk/src/package/analysis-worker.ts',
      'scan-worker': 'packages/engine/src/scan-worker.ts',
    },
    external,
    plugins: [bundledAsn1],
  }),
]);

/**
 * The code-cached bundles as pure ASCII: bin/code-cache.cjs then reads them as Latin-1, a copy,
 * where a UTF-8 file took tens of milliseconds to decode at every start (and made V8 hold the
 * source as a two-byte string). esbuild already escapes most strings; comments, regular
 * expressions and a few strings keep their Chinese and typographic characters. A \uXXXX escape
 * means the same character in every one of those places but a raw template string (String.raw),
 * which is refused here rather than changed.
 */
for (const name of ['apprights.cjs', 'analysis-worker.cjs', 'asn1.cjs']) {
  const file = join(root, 'packages/cli/dist/bundle', name);
  const source = readFileSync(file, 'utf8');
  // eslint-disable-next-line no-control-regex
  const nonAscii = /[^\x00-\x7f]/g;
  for (const line of source.split('\n')) {
    if (line.includes('String.raw') && nonAscii.test(line)) throw new Error(`${name}: non-ASCII text in a String.raw template: ${line}`);
    nonAscii.lastIndex = 0;
  }
  // The pattern matches UTF-16 code units, so an astral character becomes its two surrogate escapes.
  const ascii = source.replace(nonAscii, (c, at) => {
    // After a backslash the escape would be read as the escaped backslash plus text.
    let slashes = 0;
    while (source[at - 1 - slashes] === '\\') slashes++;
    if (slashes % 2 === 1) throw new Error(`${name}: escaped non-ASCII character at offset ${at}`);
    return `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`;
  });
  if (ascii !== source) writeFileSync(file, ascii);
}
