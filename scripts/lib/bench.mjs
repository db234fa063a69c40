// What the benchmarks on the synthetic market share (bench-workflows.mjs, bench-console.mjs): the
// machine line, the load average, the market seeded into a fresh SQLite folder or PostgreSQL
// database, the server's configuration for a benchmark, wrk against one URL or a random draw from
// many, and headless Chromium.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir, totalmem } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { postgresWriter, seedMarket, sqliteWriter } from './market.mjs';

export const root = fileURLToPath(new URL('../..', import.meta.url));
const require = createRequire(join(root, 'packages/server/package.json'));
export const server = await import(pathToFileURL(join(root, 'packages/server/dist/index.js')).href);
const Sqlite = require('better-sqlite3');
const { default: pg } = await import('pg');

export const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');
export const fmt = (n, d = 1) => (Number.isFinite(n) ? n.toFixed(d) : String(n));

export function machine() {
  return `machine: ${cpus()[0]?.model ?? 'unknown'}, ${cpus().length} cores, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}`;
}

function progress(label) {
  let last = 0;
  return (table, done, total) => {
    const now = performance.now();
    if (now - last < 1000 && done < total) return;
    last = now;
    process.stdout.write(`\r${label}: ${table} ${done}/${total}   `);
  };
}

/** The market in a new SQLite data folder. options: seedMarket's (apps, factsStores …). */
export async function seedSqlite(reports, options) {
  const dir = mkdtempSync(join(tmpdir(), 'apprights-market-'));
  const store = await server.openStore({ dataDir: dir, migrate: true });
  await store.close();
  const sqlite = new Sqlite(join(dir, 'apprights.db'));
  sqlite.pragma('journal_mode = WAL');
  const started = performance.now();
  const seeded = await seedMarket(sqliteWriter(sqlite), reports, { ...options, onProgress: progress('sqlite') });
  sqlite.close();
  process.stdout.write('\n');
  console.log(`sqlite seed: ${fmt((performance.now() - started) / 1000)} s`);
  return { name: 'sqlite', dataDir: dir, seeded, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

/** The market in a new PostgreSQL database made beside `adminUrl`'s, dropped by drop(). */
export async function seedPostgres(reports, options, adminUrl) {
  const name = `apprights_market_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  await admin.query(`CREATE DATABASE ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  const dir = mkdtempSync(join(tmpdir(), 'apprights-market-pg-'));
  const store = await server.openStore({ databaseUrl: url.href, migrate: true });
  await store.close();
  const client = new pg.Client({ connectionString: url.href });
  await client.connect();
  const started = performance.now();
  const seeded = await seedMarket(postgresWriter(client), reports, { ...options, onProgress: progress('postgres') });
  // As autovacuum leaves a table after a bulk insert (PostgreSQL 13+ vacuums on inserts too): the
  // statistics, and the visibility map that lets index-only scans (the list's search) skip the heap.
  await client.query('VACUUM ANALYZE');
  await client.end();
  process.stdout.write('\n');
  console.log(`postgres seed: ${fmt((performance.now() - started) / 1000)} s`);
  return {
    name: 'postgres',
    dataDir: dir,
    databaseUrl: url.href,
    seeded,
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A benchmark server's configuration on a seeded database (no rate limit). */
export function benchConfig(db, overrides = {}) {
  return server.defaultConfig({
    dataDir: db.dataDir,
    ...(db.databaseUrl ? { databaseUrl: db.databaseUrl } : {}),
    port: 0,
    rateLimitPerMinute: 1_000_000_000,
    ...overrides,
  });
}

/**
 * wrk (spawned: the server answering it may run in this process); p50/p99 in ms and requests/s.
 * `target` is one URL, or { base, paths }: every request then asks for one of `paths` (on `base`)
 * drawn at random (wrk-paths.lua), so a cache in front of the pages is measured at its real hit rate.
 */
export async function wrk(target, seconds) {
  const args = ['-t2', '-c64', `-d${seconds}s`, '--latency'];
  let pathsDir;
  if (typeof target === 'string') args.push(target);
  else {
    pathsDir = mkdtempSync(join(tmpdir(), 'apprights-wrk-'));
    writeFileSync(join(pathsDir, 'paths.txt'), `${target.paths.join('\n')}\n`);
    args.push('-s', join(root, 'scripts/lib/wrk-paths.lua'), target.base, '--', join(pathsDir, 'paths.txt'));
  }
  const child = spawn('wrk', args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (chunk) => (out += chunk));
  const failure = await new Promise((resolve) => {
    child.on('error', (error) => resolve(`wrk: ${error.message} (apt-get install wrk)`));
    child.on('exit', (code) => resolve(code === 0 ? undefined : `wrk exited with ${code}`));
  });
  if (pathsDir) rmSync(pathsDir, { recursive: true, force: true });
  if (failure) return { error: failure };
  const pick = (label) => {
    const m = new RegExp(`^\\s*${label}%\\s+([\\d.]+)(us|ms|s)`, 'm').exec(out);
    if (!m) return NaN;
    const v = Number(m[1]);
    return m[2] === 'us' ? v / 1000 : m[2] === 's' ? v * 1000 : v;
  };
  const rps = Number(/Requests\/sec:\s+([\d.]+)/.exec(out)?.[1]);
  const non2xx = Number(/Non-2xx or 3xx responses: (\d+)/.exec(out)?.[1] ?? 0);
  return { p50: pick('50'), p99: pick('99'), rps, non2xx };
}

/** Debian's Chromium through playwright-core, headless, in a fresh profile folder (the e2e tests' flags). */
export async function launchChromium(executablePath, userDataDir, options = {}) {
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(userDataDir, {
    executablePath,
    headless: true,
    ...options,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
    ],
  });
}
