/**
 * The analysis worker as bin/apprights.js starts it: its bundle (dist/bundle/analysis-worker.cjs)
 * through the V8 code cache of code-cache.js. Compiling the 0.7 MB bundle was most of the thread's
 * start, and that start is on a large scan's critical path: the main thread waits for this thread's
 * share of the package. The cache is written after the first package is answered, when V8 has
 * compiled the code a scan runs.
 */
'use strict';
// CommonJS, so the thread's start skips the ES module loader.
const { join } = require('node:path');
const { parentPort } = require('node:worker_threads');
const { runCached } = require('./code-cache.cjs');

const { save } = runCached(join(__dirname, '../dist/bundle/analysis-worker.cjs'), 'worker');
// Registered after the bundle's own listener, so this runs once the answer has been posted.
parentPort?.once('message', () => save('scan'));
