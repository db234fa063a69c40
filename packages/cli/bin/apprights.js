#!/usr/bin/env node
/**
 * Starts the bundled CLI (dist/bundle/apprights.cjs) through node:vm with a V8 code cache
 * (code-cache.cjs): compiling the 1.5 MB bundle took more of a short command's time than Node's own start.
 */
import { statSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { setFlagsFromString } from 'node:v8';
import { Worker } from 'node:worker_threads';
import { runCached } from './code-cache.cjs';

const bundle = fileURLToPath(new URL('../dist/bundle/apprights.cjs', import.meta.url));
const argv = process.argv.slice(2);
const command = argv.find((a) => !a.startsWith('-')) ?? '';

// A scan of a large package reads part of it in a second thread (analyzePackageAsync, from 8 MB).
// Started here, that thread boots while this one compiles the bundle; the scan takes it over. It
// loads its own bundle through the code cache too (bin/analysis-worker.cjs): compiling it was most of
// the thread's start, and the thread's work is on the scan's critical path.
if ((command === 'scan' || command === 'diff') && argv.some(isLargeFile)) {
  // On two cores this thread and the worker already keep both busy: V8's background compiler threads
  // would only take turns with them, and code optimised late has run slowly meanwhile. The worker's
  // isolate (created after this, the only one the flag reaches) then optimises on its own thread:
  // 7.6 % fewer instructions for a cold scan of the 18 MB benchmark APK (callgrind, medians of 3).
  if (availableParallelism() <= 2) setFlagsFromString('--no-concurrent-recompilation');
  try {
    const worker = new Worker(new URL('./analysis-worker.cjs', import.meta.url));
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

// The bundle loads its rarely used parts (the X.509/CMS schemas) through the same cache, on first use.
globalThis[Symbol.for('apprights.runCached')] = runCached;
const { exports, save } = runCached(bundle, 'cli');
process.exitCode = await exports.main(argv);
// The cache is written again after the first run of each command whose code it lacks.
save(command);
