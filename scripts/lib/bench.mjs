// What the benchmarks on the synthetic market share (bench-workflows.mjs, bench-console.mjs): the
// machine line, the load average, the market seeded into a fresh SQLite folder or PostgreSQL
// database, the server's configuration for a benchmark, wrk against one URL or a random draw from
// many, and headless Chromium.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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

/**
 * A kept seed (BENCH_KEEP=NAME): the market is seeded once into a template (a SQLite file under
 * $TMPDIR/apprights-market-NAME, the PostgreSQL database apprights_market_NAME) with a marker file
 * holding the seed's options and ids; every run works on a fresh copy of it (a file copy; CREATE
 * DATABASE … TEMPLATE), so runs start from the same rows as a fresh seed without its minutes, and
 * the copy is dropped after the run. The template stays (removeKept(NAME) or the commands the bench prints drop it).
 */
const keptName = (keep) => {
  if (!/^[a-z0-9_]{1,40}$/.test(keep)) throw new Error(`BENCH_KEEP: lower-case letters, digits and _ only (${keep})`);
  return keep;
};
const keptMarker = (dir) => join(dir, 'bench-seed.json');
/** The marker's seed when it was made with the same options, else undefined. */
function keptSeed(dir, options) {
  if (!existsSync(keptMarker(dir))) return undefined;
  const marker = JSON.parse(readFileSync(keptMarker(dir), 'utf8'));
  return JSON.stringify(marker.options) === JSON.stringify(options) ? marker.seeded : undefined;
}

/** The market in a new SQLite data folder. options: seedMarket's (apps, factsStores …); keep: see keptName. */
export async function seedSqlite(reports, options, keep) {
  const dir = mkdtempSync(join(tmpdir(), 'apprights-market-'));
  let seeded;
  if (keep) {
    const template = join(tmpdir(), `apprights-market-${keptName(keep)}`);
    seeded = keptSeed(template, options);
    if (!seeded) {
      rmSync(template, { recursive: true, force: true });
      mkdirSync(template, { recursive: true });
      seeded = await seedSqliteInto(template, reports, options);
      writeFileSync(keptMarker(template), JSON.stringify({ options, seeded }));
    } else console.log(`sqlite: the kept seed ${template} (BENCH_KEEP=${keep})`);
    const started = performance.now();
    copyFileSync(join(template, 'apprights.db'), join(dir, 'apprights.db'));
    // Migrations added since the seed was kept.
    await (await server.openStore({ dataDir: dir, migrate: true })).close();
    console.log(`sqlite copy of the kept seed: ${fmt((performance.now() - started) / 1000)} s`);
  } else seeded = await seedSqliteInto(dir, reports, options);
  return { name: 'sqlite', dataDir: dir, seeded, drop: async () => rmSync(dir, { recursive: true, force: true }) };
}

async function seedSqliteInto(dir, reports, options) {
  const store = await server.openStore({ dataDir: dir, migrate: true });
  await store.close();
  const sqlite = new Sqlite(join(dir, 'apprights.db'));
  sqlite.pragma('journal_mode = WAL');
  const started = performance.now();
  const seeded = await seedMarket(sqliteWriter(sqlite), reports, { ...options, onProgress: progress('sqlite') });
  // One file to copy (a kept seed): the WAL folded back into the database.
  sqlite.pragma('wal_checkpoint(TRUNCATE)');
  sqlite.close();
  process.stdout.write('\n');
  console.log(`sqlite seed: ${fmt((performance.now() - started) / 1000)} s`);
  return seeded;
}

/** The market in a new PostgreSQL database made beside `adminUrl`'s, dropped by drop(); keep: see keptName. */
export async function seedPostgres(reports, options, adminUrl, keep) {
  const admin = new pg.Client({ connectionString: adminUrl });
  await admin.connect();
  const urlOf = (name) => {
    const url = new URL(adminUrl);
    url.pathname = `/${name}`;
    return url.href;
  };
  const dir = mkdtempSync(join(tmpdir(), 'apprights-market-pg-'));
  let name;
  let seeded;
  if (keep) {
    const template = `apprights_market_${keptName(keep)}`;
    const markerDir = join(tmpdir(), `apprights-market-pg-${keep}`);
    const exists = (await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [template])).rowCount > 0;
    seeded = exists ? keptSeed(markerDir, options) : undefined;
    if (!seeded) {
      rmSync(markerDir, { recursive: true, force: true });
      await admin.query(`DROP DATABASE IF EXISTS ${template} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${template}`);
      seeded = await seedPostgresInto(urlOf(template), reports, options);
      mkdirSync(markerDir, { recursive: true });
      writeFileSync(keptMarker(markerDir), JSON.stringify({ options, seeded }));
    } else console.log(`postgres: the kept seed ${template} (BENCH_KEEP=${keep})`);
    name = `${template}_run`;
    const started = performance.now();
    await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
    // FILE_COPY: the template's files copied after a checkpoint, not written through the WAL (gigabytes).
    await admin.query(`CREATE DATABASE ${name} TEMPLATE ${template} STRATEGY FILE_COPY`);
    await (await server.openStore({ databaseUrl: urlOf(name), migrate: true })).close();
    console.log(`postgres copy of the kept seed: ${fmt((performance.now() - started) / 1000)} s`);
  } else {
    name = `apprights_market_${randomBytes(4).toString('hex')}`;
    await admin.query(`CREATE DATABASE ${name}`);
    seeded = await seedPostgresInto(urlOf(name), reports, options);
  }
  return {
    name: 'postgres',
    dataDir: dir,
    databaseUrl: urlOf(name),
    seeded,
    drop: async () => {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function seedPostgresInto(url, reports, options) {
  const store = await server.openStore({ databaseUrl: url, migrate: true });
  await store.close();
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  const started = performance.now();
  const seeded = await seedMarket(postgresWriter(client), reports, { ...options, onProgress: progress('postgres') });
  // As autovacuum leaves a table after a bulk insert (PostgreSQL 13+ vacuums on inserts too): the
  // statistics, and the visibility map that lets index-only scans (the list's search) skip the heap.
  await client.query('VACUUM ANALYZE');
  await client.end();
  process.stdout.write('\n');
  console.log(`postgres seed: ${fmt((performance.now() - started) / 1000)} s`);
  return seeded;
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
