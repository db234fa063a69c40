#!/usr/bin/env node
// The platform end to end, through its API, beside the CLI in the same run (part of `npm run
// bench:platform`; the queue figures come from scripts/bench-platform.mjs). A benchmark, not a test:
// nothing here fails a build.
//
//   scans      BENCH_SCANS (default 40) scans of the real npm APKs: `apprights scan` processes run
//              P at a time, then the same scans submitted to `apprights serve --concurrency P`
//              (uploaded once each, then one scan job per item), for P = 1 and 2. Throughput ratio
//              platform / CLI (target >= 1.3x: warm workers pay no start-up), per-scan latency.
//   upload     a BENCH_UPLOAD_MIB (default 1024) MiB file sent with curl as the raw body and as a
//              multipart part, against `cp` + `sync` of the same file (target <= 2x),
//              BENCH_UPLOAD_ROUNDS (default 3) rounds alternating them, medians compared (each
//              timing starts with the last one's files removed and synced); the server's and
//              curl's CPU per upload, and the server's RSS growth.
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

/** A process's CPU seconds (user + system) and minor page faults so far, every thread, from one read of /proc. */
function procStat(pid) {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return { cpu: (Number(fields[11]) + Number(fields[12])) / 100, faults: Number(fields[7]) };
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

/**
 * Sends a file with curl, as the raw body or (`multipart`) as the form part `file`; resolves with the
 * API's answer and curl's own CPU seconds (user + system, from the shell's `times`), so a run shows
 * whether the client, on the same two cores, is what limits it. Arguments reach curl as "$@", never
 * through a command string.
 */
function upload(base, token, file, path = '/api/v1/packages', multipart = false) {
  return new Promise((resolve, reject) => {
    const body = multipart
      ? ['-F', `file=@${file};type=application/vnd.android.package-archive`]
      : ['-H', 'content-type: application/octet-stream', '-T', file, '-X', 'POST'];
    const args = ['-fsS', '-H', `Authorization: Bearer ${token}`, ...body, `${base}${path}`];
    const child = spawn('sh', ['-c', 'curl "$@"; s=$?; times >&2; exit $s', 'sh', ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (err += d));
    child.once('error', reject);
    child.once('exit', (code) => {
      // `times` prints the shell's user and system time, then its children's (curl's): the last line.
      const last = err.trim().split('\n').pop() ?? '';
      const cpu = [...last.matchAll(/(\d+)m([\d.]+)s/g)].reduce((sum, m) => sum + Number(m[1]) * 60 + Number(m[2]), 0);
      if (code === 0) resolve({ ...JSON.parse(out), clientCpu: cpu });
      else reject(new Error(`upload of ${file} failed (curl ${code}): ${err}`));
    });
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

/**
 * Resolves once `folder` (if given) holds no upload's partial file (at most 30 s), sync has run, and
 * a second more has passed: a removed file's blocks are discarded after the file system's commit (the
 * root file system here is mounted with discard), work the disk does after sync returns.
 */
async function settled(folder) {
  for (let i = 0; i < 600 && folder && readdirSync(folder).some((name) => name.endsWith('.part')); i++) {
    await new Promise((r) => setTimeout(r, 50));
  }
  spawnSync('sync');
  await new Promise((r) => setTimeout(r, 1000));
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
      // Alternating rounds of cp + sync, curl into the bare sink and the upload by each route (the
      // same bytes again are hashed and written again, then found to be one blob): the page cache and
      // the disk vary from minute to minute here, so each upload is set beside the copy made just
      // before it, and medians are compared.
      const copy = [];
      const floor = [];
      const routes = {
        raw: { wall: [], client: [], server: [], faults: [], peak: 0 },
        multipart: { wall: [], client: [], server: [], faults: [], peak: 0 },
      };
      const before = treeRssKiB(server.pid);
      for (let round = 0; round < UPLOAD_ROUNDS; round++) {
        let start = process.hrtime.bigint();
        spawnSync('cp', [file, join(dir, 'copy')]);
        spawnSync('sync');
        copy.push(seconds(start));
        rmSync(join(dir, 'copy'));
        await settled();
        start = process.hrtime.bigint();
        await upload(sink.base, token, file, '/');
        floor.push(seconds(start));
        for (const [name, route] of Object.entries(routes)) {
          const sampler = setInterval(() => (route.peak = Math.max(route.peak, treeRssKiB(server.pid))), 50);
          const statBefore = procStat(server.pid);
          start = process.hrtime.bigint();
          try {
            const answer = await upload(server.base, token, file, '/api/v1/packages', name === 'multipart');
            route.wall.push(seconds(start));
            route.client.push(answer.clientCpu);
            if (answer.blob.size !== UPLOAD_MIB << 20) throw new Error(`the ${name} upload stored ${answer.blob.size} bytes`);
          } finally {
            clearInterval(sampler);
          }
          const statAfter = procStat(server.pid);
          route.server.push(statAfter.cpu - statBefore.cpu);
          route.faults.push(statAfter.faults - statBefore.faults);
          // As the copy is removed and settled before the next timing, so is the upload's: the same
          // bytes again are a duplicate, whose file the server removes after answering (freeing
          // 1 GiB: 0.3-0.45 s of discards on this VM's ext4), which would otherwise be charged to the
          // next upload.
          await settled(join(dataDir, 'blobs', 'tmp'));
        }
      }
      for (const route of Object.values(routes)) route.rssGrowthMiB = (route.peak - before) / 1024;
      return { copy, floor, routes };
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
  const copy = median(up.copy);
  console.log(
    `upload of ${UPLOAD_MIB} MiB, ${UPLOAD_ROUNDS} rounds, each: cp + sync, curl into a bare node:http sink, then the upload by each route (curl)`,
  );
  console.log(`  cp + sync ${list(up.copy)} s, median ${copy.toFixed(2)} s`);
  for (const [name, route] of Object.entries(up.routes)) {
    const wall = median(route.wall);
    console.log(
      `  ${name === 'raw' ? 'raw body ' : 'multipart'} ${list(route.wall)} s, median ${wall.toFixed(2)} s → ${(wall / copy).toFixed(2)}x cp + sync (target <= 2x); CPU per upload: server ${median(route.server).toFixed(2)} s (${Math.round(median(route.faults))} page faults), curl ${median(route.client).toFixed(2)} s; server RSS growth ${route.rssGrowthMiB.toFixed(1)} MiB`,
    );
  }
  console.log(
    `  Node's HTTP floor (curl into a bare node:http server that drops the body): ${list(up.floor)} s, median ${median(up.floor).toFixed(2)} s = ${(median(up.floor) / copy).toFixed(2)}x cp + sync`,
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
