/**
 * npm run bench's "fixed costs" probe: a process that does what a cold `apprights scan` of a large
 * APK does before and around reading its code, and nothing else. It starts Node, starts a second
 * thread as bin/apprights.js does, loads both bundles through the same V8 code cache, reads the
 * file, inflates every classes*.dex (the largest in the second thread, the rest in this one, as the
 * scan's shared DEX queue splits the benchmark APK) and hashes the file with SHA-256 in the second
 * thread. No DEX is parsed, nothing is matched, no rule runs, no report is written.
 *
 * Its time, beside the unzip floor, says how much of the cold-scan target is left for the work that
 * is ours to make faster (parsing, matching, rules, report) once these costs are paid.
 *
 * Usage (from scripts/bench.mjs): node scripts/lib/startup-floor.cjs APK. The APK is the benchmark's
 * own, trusted: the directory reader below has none of packages/apk's checks.
 */
'use strict';
const { readFileSync } = require('node:fs');
const { join } = require('node:path');
const { isMainThread, parentPort, Worker, workerData } = require('node:worker_threads');
const { inflateRawSync } = require('node:zlib');

const root = join(__dirname, '../..');
const { runCached } = require(join(root, 'packages/cli/bin/code-cache.cjs'));

/** The classes*.dex entries of a ZIP held in memory, largest first. */
function dexEntries(zip) {
  const eocd = zip.lastIndexOf(Buffer.from([0x50, 0x4b, 0x05, 0x06]));
  if (eocd < 0) throw new Error('no end of central directory record');
  const count = zip.readUInt16LE(eocd + 10);
  const entries = [];
  for (let i = 0, at = zip.readUInt32LE(eocd + 16); i < count; i++) {
    const nameLength = zip.readUInt16LE(at + 28);
    const name = zip.toString('latin1', at + 46, at + 46 + nameLength);
    if (/^classes\d*\.dex$/.test(name)) {
      entries.push({ method: zip.readUInt16LE(at + 10), compressedSize: zip.readUInt32LE(at + 20), header: zip.readUInt32LE(at + 42) });
    }
    at += 46 + nameLength + zip.readUInt16LE(at + 30) + zip.readUInt16LE(at + 32);
  }
  return entries.sort((a, b) => b.compressedSize - a.compressedSize);
}

function inflate(zip, entry) {
  const dataAt = entry.header + 30 + zip.readUInt16LE(entry.header + 26) + zip.readUInt16LE(entry.header + 28);
  const data = zip.subarray(dataAt, dataAt + entry.compressedSize);
  return entry.method === 0 ? data.length : inflateRawSync(data).length;
}

if (isMainThread) {
  const apk = process.argv[2];
  if (!apk) throw new Error('usage: startup-floor.cjs APK');
  const worker = new Worker(__filename, { workerData: apk });
  runCached(join(root, 'packages/cli/dist/bundle/apprights.cjs'), 'cli');
  const zip = readFileSync(apk);
  let bytes = 0;
  for (const entry of dexEntries(zip).slice(1)) bytes += inflate(zip, entry);
  worker.once('message', (answer) => {
    worker.unref();
    process.stdout.write(`${JSON.stringify({ mainBytes: bytes, ...answer })}\n`);
  });
} else {
  // The analysis worker's bundle registers its own message listener; this probe never posts to it.
  runCached(join(root, 'packages/cli/dist/bundle/analysis-worker.cjs'), 'worker');
  const zip = readFileSync(workerData);
  const [largest] = dexEntries(zip);
  const workerBytes = largest ? inflate(zip, largest) : 0;
  const sha256 = require('node:crypto').createHash('sha256').update(zip).digest('hex');
  parentPort.postMessage({ workerBytes, sha256 });
}
