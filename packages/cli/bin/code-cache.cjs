/**
 * Runs a CommonJS bundle through node:vm with a V8 code cache: compiling a bundle of a megabyte or
 * more takes more of a short command's time than Node's own start. Node 20 has no
 * module.enableCompileCache, so this does what it would: the bytecode V8 produced on an earlier run
 * is kept in a per-user cache folder and handed back to V8, which checks it against this V8 and
 * these flags and compiles from source when it does not fit (e.g. a newer Node).
 *
 * The cache is an optimisation only: a folder that cannot be made or written, a damaged or foreign
 * file, or APPRIGHTS_CODE_CACHE=0 just means compiling as before. Nothing is written but the one
 * cache file per bundle (through a temporary file renamed into place, so concurrent runs never read
 * half a file). Used by bin/apprights.js (the CLI) and bin/analysis-worker.cjs (its second thread).
 */
'use strict';
// CommonJS: the analysis worker's start (bin/analysis-worker.cjs) skips the ES module loader.
const { isAscii } = require('node:buffer');
const { createHash } = require('node:crypto');
const { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } = require('node:fs');
const { createRequire } = require('node:module');
const { homedir } = require('node:os');
const { dirname, join } = require('node:path');
const { Script } = require('node:vm');

/** The folder for the cache, or undefined when turned off. */
function cacheDir() {
  const setting = process.env.APPRIGHTS_CODE_CACHE;
  if (setting === '0' || setting === 'off') return undefined;
  if (process.env.APPRIGHTS_CACHE_DIR) return process.env.APPRIGHTS_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : undefined);
  return base ? join(base, 'apprights') : undefined;
}

const MAGIC = 'apprights-v8cache-1';

/** The cache file: a header line (magic, the parts of the code it holds) then V8's bytes. */
function readCache(file) {
  if (!file) return undefined;
  try {
    const raw = readFileSync(file);
    const newline = raw.indexOf(10);
    if (newline < 0 || newline > 4096) return undefined;
    const header = JSON.parse(raw.subarray(0, newline).toString('utf8'));
    if (header?.magic !== MAGIC || !Array.isArray(header.commands)) return undefined;
    return { commands: header.commands.filter((c) => typeof c === 'string'), data: raw.subarray(newline + 1) };
  } catch {
    return undefined; // absent or unreadable: compile from source
  }
}

/** mkdir -p, one level at a time: Node 20's recursive mkdirSync can spin forever under /proc. */
function makeDir(path, depth = 0) {
  try {
    mkdirSync(path, { mode: 0o700 });
  } catch (error) {
    if (error?.code === 'EEXIST') return;
    if (error?.code !== 'ENOENT' || depth >= 16 || dirname(path) === path) throw error;
    makeDir(dirname(path), depth + 1);
    mkdirSync(path, { mode: 0o700 });
  }
}

/**
 * Compiles and runs `bundle` (a CommonJS file) with the cache named `prefix`. Returns the bundle's
 * exports and `save(part)`: V8 caches the functions compiled so far, so a cache written after
 * `--version` lacks the scan's code; save writes the cache again, once, after the first run of each
 * part (command) it does not hold yet, and does nothing otherwise.
 */
function runCached(bundle, prefix) {
  const bytes = readFileSync(bundle);
  // The build writes the bundles as ASCII (scripts/bundle-cli.mjs): read as Latin-1 that is a
  // copy, where decoding UTF-8 took tens of milliseconds. Any other file is decoded as UTF-8.
  const source = isAscii(bytes) ? bytes.toString('latin1') : bytes.toString('utf8');
  const dir = cacheDir();
  // The cache is for these exact bytes on this Node and V8 (V8 itself only compares the length).
  const key = createHash('sha256')
    .update(`${process.version} ${process.arch} ${process.versions.v8}\0`)
    .update(bytes)
    .digest('hex')
    .slice(0, 24);
  const file = dir && join(dir, `${prefix}-${key}.v8cache`);
  const cached = readCache(file);
  // Wrapped like Node wraps a CommonJS module, on the bundle's first line so its line numbers hold.
  const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
    filename: bundle,
    ...(cached ? { cachedData: cached.data } : {}),
  });
  const module = { exports: {} };
  script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));

  const usable = cached && !script.cachedDataRejected;
  let held = usable ? cached.commands : [];
  const save = (part) => {
    if (!file || held.includes(part)) return;
    held = [...held, part];
    try {
      makeDir(dir);
      const header = Buffer.from(`${JSON.stringify({ magic: MAGIC, commands: held })}\n`, 'utf8');
      const temp = `${file}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
      writeFileSync(temp, Buffer.concat([header, script.createCachedData()]), { mode: 0o600 });
      renameSync(temp, file);
      // Caches of earlier builds or other Node versions are of no further use.
      const stale = new RegExp(`^${prefix}-[0-9a-f]{24}\\.v8cache$`);
      for (const name of readdirSync(dir)) {
        if (stale.test(name) && join(dir, name) !== file) rmSync(join(dir, name), { force: true });
      }
    } catch {
      // A read-only or full disk, or a folder we may not write: run without a cache.
    }
  };
  return { exports: module.exports, save };
}

module.exports = { runCached };
