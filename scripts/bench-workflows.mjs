#!/usr/bin/env node
// npm run bench:workflows: the workflows on a synthetic market (scripts/lib/market.mjs: 100,000
// apps, 1,000,000 versions, 10 stores, 50,000 developers; the facts of real reports), in SQLite and
// PostgreSQL. A benchmark, not a timed test: it prints figures beside their targets and the machine.
//
//   patrol      a catalogue change re-runs the rules on the stored facts of listed apps (rerun-rules
//               jobs at campaign priority through the real queue and warm workers), 1 and 2 workers:
//               apps/s (target ≥ 50 per worker), the projection for 2.58 M apps, and the CPU per app
//               of the runner, its children and (PostgreSQL) the database's backends. The seed holds
//               every listed app; the run judges BENCH_PATROL of them (default 1,000) so it ends in
//               minutes, and the rate is what is projected.
//   disclosure  GET /api/v1/public/listings under wrk (30 s, 64 connections, 2 threads) on loopback:
//               p99 (target ≤ 100 ms).
//
// Usage: npm run bench:workflows. BENCH_MARKET_APPS (100000), BENCH_PATROL (1000), BENCH_CAMPAIGN
// (10000), BENCH_WRK_SECONDS (30), BENCH_FACTS_STORES (2), BENCH_PG (postgres://root@127.0.0.1:5432/postgres;
// 0 skips PostgreSQL), BENCH_SQLITE=0 skips SQLite. A 0 for BENCH_PATROL, BENCH_CAMPAIGN or
// BENCH_WRK_SECONDS skips that part (BENCH_PATROL=0 BENCH_CAMPAIGN=0 BENCH_WRK_SECONDS=0: seed and rankings).
// BENCH_KEEP=NAME (lower-case letters, digits, _; unset by default: a fresh seed, dropped after) keeps the
// seed for later runs: the first run seeds the SQLite folder $TMPDIR/apprights-market-NAME and the
// PostgreSQL database apprights_market_NAME (with its marker in $TMPDIR/apprights-market-pg-NAME);
// every run, the first too, measures a fresh copy of them (a file copy, CREATE DATABASE … TEMPLATE:
// seconds to a minute at 100,000 apps instead of the seed's minutes), migrated to the build and
// dropped after. A kept seed made with other BENCH_MARKET_APPS or BENCH_FACTS_STORES is seeded again.
// Remove it with: rm -rf $TMPDIR/apprights-market-NAME $TMPDIR/apprights-market-pg-NAME; dropdb apprights_market_NAME.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { performance } from 'node:perf_hooks';
import { realReports } from './lib/market.mjs';
import {
  benchConfig as config,
  fmt,
  load,
  machine,
  root,
  seedPostgres as seedPostgresMarket,
  seedSqlite as seedSqliteMarket,
  server,
  wrk as wrkFor,
} from './lib/bench.mjs';

const APPS = Number(process.env.BENCH_MARKET_APPS ?? 100_000);
const PATROL = Math.min(APPS, Number(process.env.BENCH_PATROL ?? 1000));
const WRK_SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 30);
const PG_ADMIN = process.env.BENCH_PG ?? 'postgres://root@127.0.0.1:5432/postgres';
const MARKET_APPS_TOTAL = 2_580_000;
// Facts are ~50–180 KB a report: all 100,000 would be ~10 GB per database. The apps of the first
// BENCH_FACTS_STORES stores (default 2 of 10: 20,000 apps) carry them, enough for the patrol samples
// and the 10,000-app campaign; the rest keep body and summary.
const FACTS_STORES = Number(process.env.BENCH_FACTS_STORES ?? 2);
const CAMPAIGN = Number(process.env.BENCH_CAMPAIGN ?? 10_000);
const KEEP = process.env.BENCH_KEEP || undefined;

console.log(machine());
console.log(
  `market: ${APPS} apps × 10 versions, 10 stores, ${Math.min(50_000, APPS)} developers, facts kept in ${FACTS_STORES} stores; patrol sample ${PATROL}; campaign ${CAMPAIGN}\n`,
);

const reports = await realReports(root);
const seedSqlite = () => seedSqliteMarket(reports, { apps: APPS, factsStores: FACTS_STORES }, KEEP);
const seedPostgres = () => seedPostgresMarket(reports, { apps: APPS, factsStores: FACTS_STORES }, PG_ADMIN, KEEP);
const wrk = (url) => wrkFor(url, WRK_SECONDS);

/** CPU ms (user + system) of a process from /proc (Linux), its own and its reaped children's; zeros elsewhere. */
function procCpu(pid) {
  try {
    const f = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    const ms = 1000 / 100; // USER_HZ
    return { own: (Number(f[11]) + Number(f[12])) * ms, reaped: (Number(f[13]) + Number(f[14])) * ms };
  } catch {
    return { own: 0, reaped: 0 };
  }
}

/** The CPU ms of the PostgreSQL backends serving `dbname` (by their process titles), by pid. */
function backendsCpu(dbname) {
  const out = new Map();
  if (!dbname || !existsSync('/proc')) return out;
  for (const pid of readdirSync('/proc')) {
    if (!/^\d+$/.test(pid)) continue;
    try {
      const title = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (title.startsWith('postgres: ') && title.includes(` ${dbname} `)) out.set(pid, procCpu(pid).own);
    } catch {
      // gone meanwhile
    }
  }
  return out;
}

/**
 * Where the patrol's CPU goes, per app: this process (the runner: claims, reads, writes), its warm
 * children (live ones read directly, recycled ones through the reaped-children counter) and, on
 * PostgreSQL, the backends serving the database. Less bent by other work on the machine than apps/s.
 */
function cpuMeter(pool, dbname) {
  const children = () => new Map(pool.childPids().map((pid) => [pid, procCpu(pid).own]));
  const start = { runner: process.cpuUsage(), reaped: procCpu(process.pid).reaped, children: children(), backends: backendsCpu(dbname) };
  return (count) => {
    const runner = process.cpuUsage(start.runner);
    let child = procCpu(process.pid).reaped - start.reaped;
    for (const ms of children().values()) child += ms;
    for (const ms of start.children.values()) child -= ms;
    let backends = 0;
    for (const [pid, ms] of backendsCpu(dbname)) backends += ms - (start.backends.get(pid) ?? 0);
    const per = (ms) => ms / count;
    return { runner: per((runner.user + runner.system) / 1000), children: per(child), backends: per(backends) };
  };
}

/** Rules re-run on the stored facts of `count` listed apps by `workers` warm children; apps/s. */
async function patrol(db, workers, offset, count) {
  const cfg = config(db, { workers: { ...server.defaultConfig().workers, concurrency: workers } });
  const store = await server.openStore({ ...(db.databaseUrl ? { databaseUrl: db.databaseUrl } : { dataDir: db.dataDir }) });
  const queue = server.createQueue({ store, config: cfg });
  const blobs = new server.LocalBlobStore(join(db.dataDir, 'blobs'));
  const platform = { config: cfg, store, blobs, queue, clock: server.systemClock };
  await queue.start();
  const pool = await server.startWorkers(platform, { concurrency: workers });
  // Children warm before the clock starts (they load the engine and the knowledge once).
  await new Promise((r) => setTimeout(r, 1500));
  const ids = db.seeded.listedReports.slice(offset, offset + count);
  const orgOf = new Map(
    (await store.db.selectFrom('reports').select(['id', 'org_id']).where('id', 'in', ids).execute()).map((r) => [r.id, r.org_id]),
  );
  const meter = cpuMeter(pool, db.databaseUrl ? new URL(db.databaseUrl).pathname.slice(1) : undefined);
  const started = performance.now();
  // Queued as the patrol queues them (patrolListings): up to 500 listings a transaction, their jobs
  // submitted together.
  const jobs = [];
  for (let i = 0; i < ids.length; i += 500) {
    const slice = ids.slice(i, i + 500);
    const rows = await store.db.transaction().execute((trx) =>
      queue.submitMany(
        slice.map((reportId) => ({ kind: 'rerun-rules', orgId: orgOf.get(reportId), payload: { reportId }, priority: -10 })),
        trx,
      ),
    );
    for (const row of rows) jobs.push(row.id);
  }
  for (;;) {
    const left = await store.db
      .selectFrom('jobs')
      .select((eb) => eb.fn.countAll().as('n'))
      .where('kind', '=', 'rerun-rules')
      .where('state', 'in', ['queued', 'running'])
      .executeTakeFirstOrThrow();
    if (Number(left.n) === 0) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const seconds = (performance.now() - started) / 1000;
  const cpu = meter(count);
  const failed = await store.db
    .selectFrom('jobs')
    .select((eb) => eb.fn.countAll().as('n'))
    .where('id', 'in', jobs)
    .where('state', '<>', 'succeeded')
    .executeTakeFirstOrThrow();
  await pool.stop({ graceMs: 1000 });
  await queue.stop();
  await store.close();
  return { seconds, rate: count / seconds, failed: Number(failed.n), cpu };
}

/**
 * A campaign over CAMPAIGN listed apps with facts, through the API as a regulator would run it:
 * create (selection + jobs), rules re-run by 2 warm workers, results handed to the campaign by the
 * event dispatcher, high findings confirmed in bulk, a bulletin drafted. Seconds from the first
 * request to the draft (target ≤ 300).
 */
async function campaign(db) {
  const cfg = config(db, { workers: { ...server.defaultConfig().workers, concurrency: 2 } });
  const store = await server.openStore({ ...(db.databaseUrl ? { databaseUrl: db.databaseUrl } : { dataDir: db.dataDir }) });
  const queue = server.createQueue({ store, config: cfg });
  const blobs = new server.LocalBlobStore(join(db.dataDir, 'blobs'));
  const platform = { config: cfg, store, blobs, queue, clock: server.systemClock };
  await queue.start();
  const pool = await server.startWorkers(platform, { concurrency: 2 });
  const app = await server.buildApp(platform);
  const regulator = await server.createUser(store.db, {
    login: `bench-regulator-${Date.now()}`,
    organisation: db.seeded.regulator,
    role: 'regulator',
  });
  const { token } = await server.createApiToken(store.db, { userId: regulator.id, orgId: db.seeded.regulator, name: 'bench' });
  const call = async (method, url, payload) => {
    const res = await app.inject({ method, url, headers: { authorization: `Bearer ${token}` }, ...(payload ? { payload } : {}) });
    if (res.statusCode >= 400) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body.slice(0, 300)}`);
    return res.json();
  };
  await new Promise((r) => setTimeout(r, 1500));
  const started = performance.now();
  const created = await call('POST', '/api/v1/regulator/campaigns', {
    name: 'bench',
    selection: { storeIds: db.seeded.factsStoreIds, sampleSize: Math.min(CAMPAIGN, 20_000), seed: 'bench-workflows' },
  });
  const createdSeconds = (performance.now() - started) / 1000;
  // Judged = every item's outcome recorded in the campaign (its findings on the triage list), not
  // only its job finished: the two differ by one event dispatch, and a gap that stays means the
  // events are not being dispatched (the campaign's findings would never reach triage).
  let jobsSettledAt;
  for (;;) {
    await server.dispatchEvents(platform);
    const c = await call('GET', `/api/v1/regulator/campaigns/${created.id}`);
    const p = c.progress ?? {};
    const items = c.items ?? {};
    if ((items.succeeded ?? 0) + (items.failed ?? 0) + (items.skipped ?? 0) >= created.selected) break;
    if ((p.succeeded ?? 0) + (p.failed ?? 0) + (p.dead ?? 0) + (p.cancelled ?? 0) + (p.skipped ?? 0) >= created.selected) {
      jobsSettledAt ??= performance.now();
      if (performance.now() - jobsSettledAt > 120_000)
        throw new Error(`every job ended but the campaign recorded only ${JSON.stringify(items)} two minutes later: events not dispatched`);
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  const judgedSeconds = (performance.now() - started) / 1000;
  const judged = await call('GET', `/api/v1/regulator/campaigns/${created.id}`);
  const triageList = await call('GET', `/api/v1/regulator/campaigns/${created.id}/findings?state=new&limit=1`);
  console.log(
    `  campaign judged in ${fmt(judgedSeconds)} s: jobs ${JSON.stringify(judged.progress)}, items ${JSON.stringify(judged.items)}; findings to triage: ${triageList.items.length ? 'yes' : 'none'}`,
  );
  // The regulator confirms every finding (a bulletin names up to 5,000 of them).
  await call('POST', `/api/v1/regulator/campaigns/${created.id}/triage`, {
    decision: 'confirm',
    severities: ['high', 'medium', 'low', 'info'],
  });
  const ids = [];
  let cursor;
  while (ids.length < 5000) {
    const page = await call(
      'GET',
      `/api/v1/regulator/campaigns/${created.id}/findings?state=confirmed&limit=200${cursor ? `&cursor=${cursor}` : ''}`,
    );
    ids.push(...page.items.map((f) => f.id));
    if (!page.nextCursor) break;
    cursor = page.nextCursor;
  }
  if (ids.length === 0) throw new Error(`the campaign left no finding to confirm (progress ${JSON.stringify(judged.progress)})`);
  await call('POST', '/api/v1/regulator/bulletins', {
    title: 'bench',
    titleZh: '基准测试',
    measure: 'rectify',
    legalBasis: '工信部信管函〔2023〕26号',
    findings: ids.slice(0, 5000),
    deadline: { workingDays: 15 },
  });
  const seconds = (performance.now() - started) / 1000;
  await app.close();
  await pool.stop({ graceMs: 1000 });
  await queue.stop();
  await store.close();
  return { apps: created.selected, createdSeconds, judgedSeconds, seconds, findings: ids.length };
}

/** The regulator's rankings recomputed over the whole market (target ≤ 10 s). */
async function rankings(db) {
  const store = await server.openStore({ ...(db.databaseUrl ? { databaseUrl: db.databaseUrl } : { dataDir: db.dataDir }) });
  const { recomputeRankings } = await import(pathToFileURL(join(root, 'packages/server/dist/workflows/regulator/rankings.js')).href);
  const started = performance.now();
  await recomputeRankings(store.db, Date.now());
  const seconds = (performance.now() - started) / 1000;
  await store.close();
  return { seconds };
}

async function disclosure(db) {
  // An API node as a scale-out deployment runs it: no workers, and the periodic work (patrols,
  // rankings, label refresh over the whole market) kept on other nodes (APPRIGHTS_SCHEDULER=off).
  const running = await server.startServer(
    config(db, { host: '127.0.0.1', scheduler: false, workers: { ...server.defaultConfig().workers, concurrency: 0 } }),
  );
  try {
    const probe = await fetch(`${running.url}/api/v1/public/listings?limit=20`);
    if (probe.status === 404) return { error: 'no /api/v1/public/listings route on this build' };
    // The floor: the same server answering its liveness probe (no database, no body) under the same load.
    const floor = await wrk(`${running.url}/health/live`);
    return { ...(await wrk(`${running.url}/api/v1/public/listings?limit=20`)), floor };
  } finally {
    await running.close();
  }
}

const results = [];
const targets = [];
if (process.env.BENCH_SQLITE !== '0') targets.push(seedSqlite);
if (PG_ADMIN !== '0') targets.push(seedPostgres);
for (const seed of targets) {
  const db = await seed();
  try {
    for (const workers of [1, 2]) {
      // The 2-worker run takes the next PATROL apps with facts; a small market may have none left.
      const count = Math.min(PATROL, Math.max(0, db.seeded.listedReports.length - (workers === 1 ? 0 : PATROL)));
      if (count === 0) continue;
      const r = await patrol(db, workers, workers === 1 ? 0 : PATROL, count);
      results.push({ db: db.name, what: `patrol, ${workers} worker${workers > 1 ? 's' : ''}`, ...r });
      console.log(
        `${db.name} patrol ${workers}w: ${count} apps in ${fmt(r.seconds)} s = ${fmt(r.rate)} apps/s (${fmt(r.rate / workers)} per worker; target ≥ 50)` +
          `${r.failed ? `, ${r.failed} not succeeded` : ''}; 2.58 M apps: ${fmt(MARKET_APPS_TOTAL / r.rate / 3600)} h on one ${workers}-worker node; ` +
          `CPU per app ${fmt(r.cpu.runner + r.cpu.children + r.cpu.backends, 2)} ms (runner ${fmt(r.cpu.runner, 2)}, children ${fmt(r.cpu.children, 2)}` +
          `${db.databaseUrl ? `, PostgreSQL backends ${fmt(r.cpu.backends, 2)}` : ''}) [load ${load()}]`,
      );
    }
    const c = CAMPAIGN > 0 ? await campaign(db) : undefined;
    if (c)
      console.log(
        `${db.name} campaign: ${c.apps} apps: created in ${fmt(c.createdSeconds)} s, judged in ${fmt(c.judgedSeconds)} s, ` +
          `bulletin of ${c.findings} findings drafted at ${fmt(c.seconds)} s (target ≤ 300 s with 2 workers) [load ${load()}]`,
      );
    const r = await rankings(db);
    console.log(`${db.name} rankings over the whole market: ${fmt(r.seconds, 2)} s (target ≤ 10) [load ${load()}]`);
    const d = WRK_SECONDS > 0 ? await disclosure(db) : { error: 'BENCH_WRK_SECONDS=0' };
    if (d.error) console.log(`${db.name} disclosure: skipped: ${d.error}`);
    else
      console.log(
        `${db.name} disclosure: p50 ${fmt(d.p50)} ms, p99 ${fmt(d.p99)} ms (target ≤ 100), ${fmt(d.rps, 0)} req/s${d.non2xx ? `, ${d.non2xx} non-2xx` : ''}; ` +
          `floor /health/live p50 ${fmt(d.floor.p50)} ms, p99 ${fmt(d.floor.p99)} ms, ${fmt(d.floor.rps, 0)} req/s [load ${load()}]`,
      );
  } finally {
    await db.drop();
  }
}
