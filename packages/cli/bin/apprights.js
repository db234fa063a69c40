#!/usr/bin/env node
/**
 * Starts the bundled CLI (dist/bundle/apprights.cjs) through node:vm with a V8 code cache: compiling
 * the 1.3 MB bundle took more of a short command's time than Node's own start. Node 20 has no
 * module.enableCompileCache, so this does what it would: the bytecode V8 produced on an earlier run
 * is kept in a per-user cache folder and handed back to V8, which checks it against this V8 and
 * these flags and compiles from source when it does not fit (e.g. a newer Node).
 *
 * The cache is an optimisation only: a folder that cannot be made or written, a damaged or foreign
 * file, or APPRIGHTS_CODE_CACHE=0 just means compiling as before. Nothing is written but the one
 * cache file (through a temporary file renamed into place, so concurrent runs never read half a file).
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { homedir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Script } from 'node:vm';
import { Worker } from 'node:worker_threads';

const bundle = fileURLToPath(new URL('../dist/bundle/apprights.cjs', import.meta.url));
const argv = process.argv.slice(2);
const command = argv.find((a) => !a.startsWith('-')) ?? '';

// A scan of a large package reads part of it in a second thread (analyzePackageAsync, from 8 MB).
// Started here, that thread boots while this one compiles the bundle; the scan takes it over.
if ((command === 'scan' || command === 'diff') && argv.some(isLargeFile)) {
  try {
    const worker = new Worker(new URL('../dist/bundle/analysis-worker.js', import.meta.url));
    worker.unref();
    worker.once('error', () => {}); // a failed start: the scan starts its own worker
    globalThis[Symbol.for('apprights.analysisWorker')] = worker;
  } catch {
    // the scan starts its own worker
  }
}

function isLargeFile(arg) {
  try {
    return statSync(arg).size >= 8 * 1024 * 1024;
  } catch {
    return false;
  }
}

const source = readFileSync(bundle, 'utf8');

/** The folder for the cache, or undefined when turned off. */
function cacheDir() {
  const setting = process.env.APPRIGHTS_CODE_CACHE;
  if (setting === '0' || setting === 'off') return undefined;
  if (process.env.APPRIGHTS_CACHE_DIR) return process.env.APPRIGHTS_CACHE_DIR;
  const base = process.env.XDG_CACHE_HOME || (homedir() ? join(homedir(), '.cache') : undefined);
  return base ? join(base, 'apprights') : undefined;
}

const dir = cacheDir();
// The cache is for these exact bytes on this Node and V8 (V8 itself only compares the length).
const key = createHash('sha256')
  .update(`${process.version} ${process.arch} ${process.versions.v8}\0`)
  .update(source)
  .digest('hex')
  .slice(0, 24);
const file = dir && join(dir, `cli-${key}.v8cache`);
const MAGIC = 'apprights-v8cache-1';

/** The cache file: a header line (magic, the commands whose code it holds) then V8's bytes. */
function readCache() {
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

function writeCache(script, commands) {
  try {
    makeDir(dir);
    const header = Buffer.from(`${JSON.stringify({ magic: MAGIC, commands })}\n`, 'utf8');
    const temp = `${file}.${process.pid}.tmp`;
    writeFileSync(temp, Buffer.concat([header, script.createCachedData()]), { mode: 0o600 });
    renameSync(temp, file);
    // Caches of earlier builds or other Node versions are of no further use.
    for (const name of readdirSync(dir)) {
      if (/^cli-[0-9a-f]{24}\.v8cache$/.test(name) && join(dir, name) !== file) rmSync(join(dir, name), { force: true });
    }
  } catch {
    // A read-only or full disk, or a folder we may not write: run without a cache.
  }
}

const cached = readCache();
// Wrapped like Node wraps a CommonJS module, on the bundle's first line so its line numbers hold.
const script = new Script(`(function (exports, require, module, __filename, __dirname) {${source}\n})`, {
  filename: bundle,
  ...(cached ? { cachedData: cached.data } : {}),
});
const module = { exports: {} };
script.runInThisContext()(module.exports, createRequire(bundle), module, bundle, dirname(bundle));
process.exitCode = await module.exports.main(argv);

// V8 caches the functions compiled so far, so a cache written after `--version` lacks the scan's
// code: it is written again, once, after the first run of each command it does not hold yet.
const usable = cached && !script.cachedDataRejected;
if (file && (!usable || !cached.commands.includes(command))) {
  writeCache(script, [...new Set([...(usable ? cached.commands : []), command])]);
}
