#!/usr/bin/env node
// The platform end to end, through its API, beside the CLI in the same run (part of `npm run
// bench:platform`; the queue figures come from scripts/bench-platform.mjs). A benchmark, not a test:
// nothing here fails a build.
//
//   scans      BENCH_SCANS (default 40) scans of the real npm APKs: `apprights scan` processes run
//              P at a time, then the same scans submitted to `apprights serve --concurrency P`
//              (uploaded once each, then one scan job per item), for P = 1 and 2. Throughput ratio
//              platform / CLI (target >= 1.3x: warm workers pay no start-up), per-scan latency.
//   upload     a BENCH_UPLOAD_MIB (default 1024) MiB file sent with curl as the raw body, against
//              `cp` + `sync` of the same file (target <= 2x), BENCH_UPLOAD_ROUNDS (default 3) rounds
//              alternating the two, medians compared; and the server's RSS growth.
//   projection hours to re-check 2.58 million apps with N two-core workers (full scan), from the
//              measured platform throughput with 2 workers on this 2-core machine.
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, mkdtempSync, openSync, readdirSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { randomBytes } from 'node:crypto';

const root = fileURLToPath(new URL('..', import.meta.url));
const cli = join(root, 'packages/cli/bin/apprights.js');
const apks = [
  'node_modules/android-apidemos/apks/ApiDemos-debug.apk',
  'node_modules/appium-uiautomator2-server/apks/appium-uiautomator2-server-v10.6.6.apk',
  'node_modules/appium-uiautomator2-server/apks/appium-uiautomator2-server-debug-androidTest.apk',
  'node_modules/io.appium.settings/apks/settings_apk-debug.apk',
].map((p) => join(root, p));
const SCANS = Number(process.env.BENCH_SCANS ?? 40);
const UPLOAD_MIB = Number(process.env.BENCH_UPLOAD_MIB ?? 1024);
const UPLOAD_ROUNDS = Math.max(1, Number(process.env.BENCH_UPLOAD_ROUNDS ?? 3));
const MARKET = 2_580_000;

const items = Array.from({ length: SCANS }, (_, i) => apks[i % apks.length]);
const seconds = (start) => Number(process.hrtime.bigint() - start) / 1e9;

function freePort() {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address();
      server.close(() => resolve(port));
    });
  });
}

/** Runs `apprights scan` over the items, `parallel` processes at a time; returns the wall time. */
async function cliRun(parallel) {
  const start = process.hrtime.bigint();
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const apk = items[next++];
      await new Promise((resolve, reject) => {
        const child = spawn(process.execPath, [cli, 'scan', apk, '--format', 'json', '-o', '/dev/null', '--no-config'], {
          stdio: 'ignore',
        });
        child.once('error', reject);
        child.once('exit', (code) => (code === 0 || code === 1 ? resolve() : reject(new Error(`apprights scan ${apk} exited ${code}`))));
      });
    }
  };
  await Promise.all(Array.from({ length: parallel }, lane));
  return seconds(start);
}

function rssKiB(pid) {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
  } catch {
    return 0;
  }
}

/** The resident size of a process and its children (the workers), in KiB. */
/** A process's children, from /proc (no pgrep: spawning one every 50 ms took a third of a core from the upload it watched). */
function childrenOf(pid) {
  try {
    return readdirSync(`/proc/${pid}/task`).flatMap((tid) => {
      try {
        return readFileSync(`/proc/${pid}/task/${tid}/children`, 'utf8').split(' ').filter(Boolean).map(Number);
      } catch {
        return [];
      }
    });
  } catch {
    return [];
  }
}
function treeRssKiB(pid) {
  return rssKiB(pid) + childrenOf(pid).reduce((sum, child) => sum + treeRssKiB(child), 0);
}

/** Starts `apprights serve` on a fresh data folder; resolves when /health/ready answers. */
async function startServe(dataDir, concurrency, extra = []) {
  const port = await freePort();
  const child = spawn(
    process.execPath,
    [cli, 'serve', '--data', dataDir, '--port', String(port), ...(concurrency > 0 ? ['--concurrency', String(concurrency)] : []), ...extra],
    { stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env, APPRIGHTS_DATABASE_URL: '' } },
  );
  let stderr = '';
  child.stderr.on('data', (d) => (stderr += d));
  const base = `http://127.0.0.1:${port}`;
  for (let i = 0; i < 300; i++) {
    if (child.exitCode !== null) throw new Error(`apprights serve exited ${child.exitCode}: ${stderr}`);
    try {
      if ((await fetch(`${base}/health/ready`)).ok) break;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    base,
    pid: child.pid,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

function adminToken(dataDir) {
  const result = spawnSync(
    process.execPath,
    [cli, 'admin', 'create-user', '--data', dataDir, '--org', 'bench', '--role', 'developer', '--print-token'],
    {
      encoding: 'utf8',
      env: { ...process.env, APPRIGHTS_DATABASE_URL: '' },
    },
  );
  if (result.status !== 0) throw new Error(`admin create-user failed: ${result.stderr}`);
  return result.stdout.trim();
}

async function api(base, token, method, path, body) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
    ...(body ? { body: JSON.stringify(body) } : {}),
  });
  const text = await response.text();
  if (!response.ok) throw new Error(`${method} ${path} → ${response.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text);
}

/** Sends a file as the raw body with curl (not waiting on it, so RSS can be sampled meanwhile); the API's answer. */
function upload(base, token, file, path = '/api/v1/packages') {
  return new Promise((resolve, reject) => {
    const args = ['-fsS', '-H', `Authorization: Bearer ${token}`, '-H', 'content-type: application/octet-stream', '-T', file, '-X', 'POST'];
    const child = spawn('curl', [...args, `${base}${path}`], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.once('error', reject);
    child.once('exit', (code) =>
      code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`upload of ${file} failed (curl ${code}): ${err}`)),
    );
  });
}

/** Uploads each distinct APK once, then submits one scan per item and waits for all; returns wall time and latencies. */
async function platformRun(parallel) {
  const dataDir = mkdtempSync(join(tmpdir(), 'apprights-bench-'));
  try {
    const token = adminToken(dataDir);
    const server = await startServe(dataDir, parallel);
    try {
      const uploads = new Map();
      for (const apk of apks) uploads.set(apk, (await upload(server.base, token, apk)).id);
      // Let the worker processes finish starting (they are warm from here on, which is the point).
      await new Promise((r) => setTimeout(r, 1500));
      const start = process.hrtime.bigint();
      const jobs = [];
      for (const apk of items) jobs.push((await api(server.base, token, 'POST', '/api/v1/scans', { upload: uploads.get(apk) })).id);
      const latencies = [];
      const pending = new Set(jobs);
      // One list call per poll (newest first, one page holds them all): polling each job would hit
      // the API's rate limit, which is doing its job.
      while (pending.size > 0) {
        const page = await api(server.base, token, 'GET', `/api/v1/jobs?limit=200`);
        for (const job of page.items) {
          if (!pending.has(job.id) || !['succeeded', 'failed', 'dead', 'cancelled'].includes(job.state)) continue;
          if (job.state !== 'succeeded') throw new Error(`job ${job.id} ended ${job.state}: ${JSON.stringify(job.error ?? job)}`);
          pending.delete(job.id);
          const created = toMillis(job.createdAt);
          const finished = toMillis(job.finishedAt);
          if (Number.isFinite(created) && Number.isFinite(finished)) latencies.push((finished - created) / 1000);
        }
        if (pending.size > 0) await new Promise((r) => setTimeout(r, 200));
      }
      return { wall: seconds(start), latencies };
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Node's own HTTP floor: a bare node:http server that counts the body and drops it, in a process of
 * its own. curl into it costs what any Node server pays to receive the bytes, before hashing or disk.
 */
async function startSink() {
  const port = await freePort();
  const code = `require('node:http').createServer((q, r) => { let n = 0; q.on('data', (c) => (n += c.length)); q.on('end', () => r.writeHead(201, { 'content-type': 'application/json' }).end(JSON.stringify({ bytes: n }))); }).listen(${port}, '127.0.0.1', () => process.stdout.write('ready'));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  await new Promise((resolve, reject) => {
    child.stdout.once('data', resolve);
    child.once('exit', (c) => reject(new Error(`the HTTP sink exited ${c}`)));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise((resolve) => {
        child.once('exit', resolve);
        child.kill('SIGTERM');
      }),
  };
}

/** The API gives times as milliseconds since the epoch (an ISO string is taken too). */
function toMillis(value) {
  return typeof value === 'number' ? value : Date.parse(value);
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length === 0 ? NaN : sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
}

async function uploadBench() {
  const dir = mkdtempSync(join(tmpdir(), 'apprights-bench-upload-'));
  const dataDir = join(dir, 'data');
  try {
    const file = join(dir, 'big.apk');
    // A ZIP signature first (the upload checks the type), then random blocks: nothing compresses it.
    const fd = openSync(file, 'w');
    const block = randomBytes(1 << 20);
    block.write('PK\u0003\u0004', 0, 'latin1');
    for (let i = 0; i < UPLOAD_MIB; i++) writeSync(fd, block);
    closeSync(fd);
    spawnSync('sync');
    const token = adminToken(dataDir);
    const server = await startServe(dataDir, 0, ['--no-workers', '--max-upload', `${UPLOAD_MIB + 1}MiB`]);
    const sink = await startSink();
    try {
      // Alternating rounds of cp + sync and the upload (the same bytes again are hashed and written
      // again, then found to be one blob): the page cache and the disk vary from minute to minute here,
      // so each upload is set beside the copy made just before it, and medians are compared.
      const copy = [];
      const floor = [];
      const uploads = [];
      const before = treeRssKiB(server.pid);
      let peak = before;
      for (let round = 0; round < UPLOAD_ROUNDS; round++) {
        let start = process.hrtime.bigint();
        spawnSync('cp', [file, join(dir, 'copy')]);
        spawnSync('sync');
        copy.push(seconds(start));
        rmSync(join(dir, 'copy'));
        spawnSync('sync');
        start = process.hrtime.bigint();
        await upload(sink.base, token, file, '/');
        floor.push(seconds(start));
        const sampler = setInterval(() => (peak = Math.max(peak, treeRssKiB(server.pid))), 50);
        start = process.hrtime.bigint();
        try {
          await upload(server.base, token, file);
        } finally {
          clearInterval(sampler);
        }
        uploads.push(seconds(start));
      }
      return { copy, floor, uploads, rssGrowthMiB: (peak - before) / 1024 };
    } finally {
      await sink.stop();
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const cpu = cpus()[0]?.model ?? 'unknown CPU';
console.log(
  `machine: ${cpu}, ${cpus().length} cores, Node ${process.version}; load average at start ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
console.log(`scans: ${SCANS} items over ${apks.length} real APKs (${apks.map((a) => a.split('/').pop()).join(', ')})`);
let perSecondWith2;
// One warm-up of the CLI's code cache, so the CLI is measured as a user's second run.
if (SCANS > 0) await cliRun(1).catch(() => {});
for (const parallel of SCANS > 0 ? [1, 2] : []) {
  const cliWall = await cliRun(parallel);
  const platform = await platformRun(parallel);
  const ratio = cliWall / platform.wall;
  if (parallel === 2) perSecondWith2 = SCANS / platform.wall;
  console.log(
    `scans, ${parallel} at a time: CLI ${cliWall.toFixed(1)} s (${(SCANS / cliWall).toFixed(2)}/s); platform ${platform.wall.toFixed(1)} s (${(SCANS / platform.wall).toFixed(2)}/s) → platform throughput ${ratio.toFixed(2)}x the CLI's (target >= 1.3x); latency per scan median ${median(platform.latencies).toFixed(2)} s, max ${Math.max(...platform.latencies).toFixed(2)} s`,
  );
}
if (process.env.BENCH_UPLOAD !== '0') {
  const up = await uploadBench();
  const list = (xs) => xs.map((x) => x.toFixed(2)).join(' / ');
  console.log(
    `upload of ${UPLOAD_MIB} MiB, ${UPLOAD_ROUNDS} rounds alternating with cp + sync: upload ${list(up.uploads)} s, cp + sync ${list(up.copy)} s; medians ${median(up.uploads).toFixed(2)} s against ${median(up.copy).toFixed(2)} s → ${(median(up.uploads) / median(up.copy)).toFixed(2)}x (target <= 2x); server RSS growth ${up.rssGrowthMiB.toFixed(1)} MiB`,
  );
  console.log(
    `  Node's HTTP floor (curl into a bare node:http server that drops the body, same rounds): ${list(up.floor)} s, median ${median(up.floor).toFixed(2)} s = ${(median(up.floor) / median(up.copy)).toFixed(2)}x cp + sync; the upload is ${(median(up.uploads) / median(up.floor)).toFixed(2)}x that floor`,
  );
}
if (perSecondWith2) {
  console.log(`projection (full scan, this mix of APKs, ${perSecondWith2.toFixed(2)} apps/s per two-core worker machine):`);
  for (const n of [1, 10, 50, 100])
    console.log(
      `  ${String(n).padStart(3)} two-core workers: ${(MARKET / (perSecondWith2 * n) / 3600).toFixed(1)} h for 2.58 million apps`,
    );
}
console.log(
  `load average at end ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}`,
);
