#!/usr/bin/env node
// npm run bench:console: the console's public pages and signed-in screens on the synthetic market
// (scripts/lib/market.mjs: 100,000 listed apps with the facts of real reports), on SQLite and
// PostgreSQL. A benchmark, not a timed test: it prints figures beside their targets, the machine and
// the load average.
//
//   latency   wrk (30 s, 64 connections, 2 threads) on loopback against an API node (no workers,
//             no scheduler), one run per page kind, each request drawing its URL at random from a
//             pool in both languages (scripts/lib/wrk-paths.lua), so the pages' micro-cache (3 s) is
//             measured at the hit rate such traffic gives it (fresh, and stale while rebuilt), printed
//             beside each figure with the server-side time and the event-loop delay: app pages
//             (/apps/:id) of BENCH_POOL_APPS (2000) apps spread over the market; the disclosure list
//             (/apps: first and later pages, each store and type) and its search (package and name
//             fragments, a word no app has: each walks the search index); the bulletins list and
//             BENCH_BULLETINS (10) published bulletins (/bulletins/:id). p50/p99 (target p99 ≤ 150 ms
//             each), beside the floor: /health/live under the same load. BENCH_SINGLE_URL=1 adds one
//             run per page kind on a single URL (what the cache answers when every reader asks the same).
//   weight    the public app page's HTML + CSS + JS, uncompressed (target ≤ 100 KB), and in Chromium
//             every request the page makes stays on this origin.
//   render    headless Chromium (/usr/bin/chromium) signed in as each demo role opens its console
//             pages: navigation → load (target ≤ 1 s each).
//
// Usage: npm run bench:console. BENCH_MARKET_APPS (100000), BENCH_WRK_SECONDS (30), BENCH_PG
// (postgres://root@127.0.0.1:5432/postgres; 0 skips PostgreSQL), BENCH_SQLITE=0 skips SQLite,
// BENCH_CHROMIUM (/usr/bin/chromium; 0 skips the browser part), BENCH_BULLETIN_ITEMS (200 apps per
// bulletin), BENCH_BULLETINS, BENCH_POOL_APPS, BENCH_SINGLE_URL (above).
// BENCH_ONLY (page kinds to run, comma-separated: 'app page,disclosure list'), BENCH_WARM=1 (each
// run again on the cache it left, printed beside it as warm), BENCH_TRACE=1 (a line a second: below).
// BENCH_KEEP=NAME seeds the market once and measures a fresh copy of it each run (as bench:workflows,
// which shares the kept seed when the market options match; scripts/bench-workflows.mjs).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { subscribe } from 'node:diagnostics_channel';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';
import { join } from 'node:path';
import { realReports } from './lib/market.mjs';
import { pathToFileURL, URLSearchParams } from 'node:url';
import { benchConfig, fmt, load, machine, root, seedPostgres, seedSqlite, server, wrk, launchChromium } from './lib/bench.mjs';

const { newId } = await import(pathToFileURL(join(root, 'packages/server/dist/ids.js')).href);

const APPS = Number(process.env.BENCH_MARKET_APPS ?? 100_000);
const WRK_SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 30);
const PG_ADMIN = process.env.BENCH_PG ?? 'postgres://root@127.0.0.1:5432/postgres';
const CHROMIUM = process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium';
const BULLETIN_ITEMS = Number(process.env.BENCH_BULLETIN_ITEMS ?? 200);
const BULLETINS = Number(process.env.BENCH_BULLETINS ?? 10);
const POOL_APPS = Number(process.env.BENCH_POOL_APPS ?? 2000);
const SINGLE_URL = process.env.BENCH_SINGLE_URL === '1';
const ONLY = process.env.BENCH_ONLY;
const WARM = process.env.BENCH_WARM === '1';
// Facts are not read by any page measured here: keep them in one store (the seed is smaller and faster).
const FACTS_STORES = 1;

console.log(machine());
console.log(
  `market: ${APPS} apps × 10 versions, 10 stores; wrk ${WRK_SECONDS} s, 64 connections; ${BULLETINS} bulletins of ${BULLETIN_ITEMS} apps\n`,
);

const reports = await realReports(root);

/** A published bulletin naming BULLETIN_ITEMS listed apps, written as the regulator workflow leaves one. */
async function publishBulletin(db, regulatorOrgId, nth) {
  const listed = await db
    .selectFrom('listings as l')
    .innerJoin('apps as a', 'a.id', 'l.app_id')
    .select(['a.id as app_id', 'l.developer_org_id', 'l.package_name'])
    .where('l.state', '=', 'listed')
    .orderBy('l.id')
    .offset(nth * BULLETIN_ITEMS * 2)
    .limit(BULLETIN_ITEMS * 2)
    .execute()
    // An app listed in two stores is named once.
    .then((rows) => [...new Map(rows.map((r) => [r.app_id, r])).values()].slice(0, BULLETIN_ITEMS));
  const now = Date.now() + nth * (BULLETIN_ITEMS + 1);
  const id = newId(now);
  await db
    .insertInto('reg_bulletins')
    .values({
      id,
      org_id: regulatorOrgId,
      state: 'published',
      title: `Bulletin ${nth + 1} on apps infringing users’ rights (benchmark)`,
      title_zh: `关于侵害用户权益行为的APP通报（基准测试 ${nth + 1}）`,
      measure: 'P1',
      legal_basis: '工信部信管函〔2023〕26号',
      sdk_prefixes: '[]',
      domains: '[]',
      ips: '[]',
      deadline_kind: 'working-days',
      deadline_value: '5',
      due_date: '2026-01-12',
      provisional: 0,
      created_by: null,
      created_at: now,
      published_at: now,
      updated_at: now,
    })
    .execute();
  const items = listed.map((row, i) => ({
    id: newId(now + i + 1),
    bulletin_id: id,
    app_id: row.app_id,
    developer_org_id: row.developer_org_id,
    package_name: row.package_name,
    signer_sha256: null,
    fingerprints: '[]',
    evidence: JSON.stringify([{ ruleId: 'demo-rule', severity: 'high', measures: ['P1'] }]),
    state: 'open',
    retest_job_id: null,
    retest_report_id: null,
    retest_attempts: 0,
    retest_requested_at: null,
    due_date: '2026-01-12',
    closed_at: null,
    on_time: null,
    updated_at: now,
  }));
  for (let i = 0; i < items.length; i += 100)
    await db
      .insertInto('reg_bulletin_items')
      .values(items.slice(i, i + 100))
      .execute();
  return id;
}

/** A deterministic shuffle (the same draw on both databases). */
function sample(rows, n, seed = 20261207) {
  const out = [...rows];
  let x = seed;
  for (let i = out.length - 1; i > 0; i--) {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    const j = x % (i + 1);
    [out[i], out[j]] = [out[j], out[i]];
  }
  return out.slice(0, n);
}

/**
 * The URLs each latency run draws from, in both languages: app pages of POOL_APPS listed apps spread
 * over the whole market; the disclosure list's first page, later pages (cursors anywhere in the
 * market), each store and app type, store × type; searches (package fragments, names, a word no app
 * has); the bulletins list and each published bulletin.
 */
async function urlPools(db, bulletinIds) {
  const ids = await db.selectFrom('listings').select(['id', 'store_id', 'package_name']).where('state', '=', 'listed').execute();
  const stores = [...new Set(ids.map((r) => r.store_id))];
  const types = (await db.selectFrom('listings').select('app_type').distinct().execute()).map((r) => r.app_type).filter(Boolean);
  const langs = ['zh-CN', 'en'];
  const both = (paths) => paths.flatMap((p) => langs.map((lang) => `${p}${p.includes('?') ? '&' : '?'}lang=${lang}`));
  const picked = sample(ids, POOL_APPS);
  const lists = ['/apps'];
  for (const r of sample(ids, 100, 7)) lists.push(`/apps?cursor=${r.id}`);
  for (const store of stores) lists.push(`/apps?store=${store}`);
  for (const type of types) lists.push(`/apps?type=${type}`);
  for (const store of stores.slice(0, 5)) for (const type of types) lists.push(`/apps?store=${store}&type=${type}`);
  const terms = [
    ...sample(ids, 20, 11).map((r) => r.package_name.split('.').pop()),
    ...sample(ids, 10, 13).map((r) => `应用 ${/\d+/.exec(r.package_name)?.[0] ?? '1'}`),
    'zzzz-no-such-app',
  ];
  const searches = terms.map((term) => `/apps?${new URLSearchParams({ q: term })}`);
  return {
    'app page': both(picked.map((r) => `/apps/${r.id}`)),
    'disclosure list': both(lists),
    'disclosure search': both(searches),
    'bulletin page': both(['/bulletins', ...bulletinIds.map((id) => `/bulletins/${id}`)]),
  };
}

/**
 * Server-side time of each request (parsed → response handed to the socket), from Node's HTTP
 * diagnostics channels: wrk's figure minus this is time spent queued in the kernel or in wrk itself,
 * which grows with the load other processes put on the machine.
 */
const serverTimes = { started: new WeakMap(), ms: [] };
subscribe('http.server.request.start', ({ request }) => serverTimes.started.set(request, performance.now()));
subscribe('http.server.response.finish', ({ request }) => {
  const start = serverTimes.started.get(request);
  if (start !== undefined) serverTimes.ms.push(performance.now() - start);
});
const percentile = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * p))];

/**
 * BENCH_TRACE=1: one line per second of each run, to see where a tail comes from: requests answered
 * and their server-side p99/max, the event loop's longest delay, and on PostgreSQL the wait for a
 * pool connection (p99/max, the most callers waiting at once) and the statements' time (p99/max).
 */
const TRACE = process.env.BENCH_TRACE === '1';
const trace = { ends: [], rounds: [], poolWaits: [], queries: [], waitingMax: 0 };
if (TRACE) {
  // wrk sends a connection's next request as soon as it has read the answer: the time from one
  // answer handed to the socket to the next request parsed is time the request spent in wrk, the
  // kernel or waiting for the event loop, so that wait plus the server side is close to what wrk sees.
  const lastFinish = new WeakMap();
  subscribe('http.server.response.finish', ({ request }) => {
    const start = serverTimes.started.get(request);
    if (start === undefined) return;
    const now = performance.now();
    trace.ends.push(now - start);
    const before = lastFinish.get(request.socket);
    if (before !== undefined) trace.rounds.push(now - before);
    lastFinish.set(request.socket, now);
  });
  const { default: pg } = await import('pg');
  const connect = pg.Pool.prototype.connect;
  pg.Pool.prototype.connect = function (...args) {
    if (args.length > 0) return connect.apply(this, args);
    const asked = performance.now();
    const promise = connect.apply(this, args);
    trace.waitingMax = Math.max(trace.waitingMax, this.waitingCount);
    return promise.then((client) => {
      trace.poolWaits.push(performance.now() - asked);
      return client;
    });
  };
  const query = pg.Client.prototype.query;
  pg.Client.prototype.query = function (...args) {
    const result = query.apply(this, args);
    if (!result || typeof result.then !== 'function') return result;
    const started = performance.now();
    return result.then((r) => {
      trace.queries.push(performance.now() - started);
      return r;
    });
  };
}

/** Prints a trace line every second until the returned function is called. */
function traceEvery(label, base) {
  if (!TRACE) return () => {};
  const delay = monitorEventLoopDelay({ resolution: 5 });
  delay.enable();
  let second = 0;
  let counters;
  const take = (list) => list.splice(0).sort((a, b) => a - b);
  const tick = async () => {
    second++;
    const ends = take(trace.ends);
    const rounds = take(trace.rounds);
    const waits = take(trace.poolWaits);
    const queries = take(trace.queries);
    const waiting = trace.waitingMax;
    trace.waitingMax = 0;
    const loopMax = delay.max / 1e6;
    delay.reset();
    const now = await cacheCounters(base).catch(() => undefined);
    const d = (k) => (counters && now ? now[k] - counters[k] : NaN);
    console.log(
      `  ${label} t=${second}s: ${ends.length} answered, server p99 ${fmt(percentile(ends, 0.99))} max ${fmt(ends.at(-1))} ms; ` +
        `answer to answer p99 ${fmt(percentile(rounds, 0.99))} max ${fmt(rounds.at(-1))} ms, ${rounds.filter((ms) => ms > 150).length} over 150; ` +
        `loop max ${fmt(loopMax)} ms; cache +${d('hits')} fresh +${d('stale')} stale +${d('misses')} miss` +
        (waits.length
          ? `; pool wait p99 ${fmt(percentile(waits, 0.99))} max ${fmt(waits.at(-1))} ms (${waits.length}, ≤${waiting} waiting); ` +
            `statements p99 ${fmt(percentile(queries, 0.99))} max ${fmt(queries.at(-1))} ms (${queries.length})`
          : '') +
        ` [load ${load()}]`,
    );
    counters = now;
  };
  cacheCounters(base).then((c) => (counters = c));
  trace.ends = [];
  trace.rounds = [];
  trace.poolWaits = [];
  trace.queries = [];
  const timer = setInterval(() => void tick(), 1000);
  return () => {
    clearInterval(timer);
    delay.disable();
  };
}

/** The micro-cache's counters from /metrics. */
async function cacheCounters(base) {
  const text = await (await fetch(`${base}/metrics`)).text();
  const read = (name) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(text)?.[1] ?? NaN);
  return {
    hits: read('apprights_public_cache_hits_total'),
    stale: read('apprights_public_cache_stale_total'),
    misses: read('apprights_public_cache_misses_total'),
  };
}

/** HTML + the stylesheet and scripts it names, uncompressed; and any resource of another origin it names. */
async function pageWeight(base, path) {
  const res = await fetch(`${base}${path}`, { headers: { 'accept-encoding': 'identity' } });
  const text = await res.text();
  let bytes = Buffer.byteLength(text);
  const assets = [...text.matchAll(/<(?:link[^>]+href|script[^>]+src)="(\/[^"/][^"]*)"/g)].map((m) => m[1]);
  for (const asset of new Set(assets)) bytes += (await (await fetch(`${base}${asset}`)).arrayBuffer()).byteLength;
  // Resources the page loads (not links a reader may follow, such as the app's privacy policy).
  const foreign = [...text.matchAll(/<(?:img|script|link|iframe|source|video|audio)\b[^>]*\b(?:src|href)="((?:[a-z]+:)?\/\/[^"]+)"/gi)].map(
    (m) => m[1],
  );
  return { bytes, assets: new Set(assets).size, foreign };
}

async function browserPart(base, accounts, appPath) {
  if (CHROMIUM === '0') return { skipped: 'BENCH_CHROMIUM=0' };
  if (!existsSync(CHROMIUM)) return { skipped: `no Chromium at ${CHROMIUM}` };
  const userDataDir = mkdtempSync(join(tmpdir(), 'apprights-bench-chromium-'));
  const context = await launchChromium(CHROMIUM, userDataDir);
  const origin = new URL(base).origin;
  const foreign = [];
  const timings = [];
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    page.on('request', (request) => {
      const url = request.url();
      if (!url.startsWith(origin) && !url.startsWith('data:')) foreign.push(url);
    });
    const open = async (who, path) => {
      await page.goto(`${base}${path}`, { waitUntil: 'load' });
      const ms = await page.evaluate(() => {
        const nav = globalThis.performance.getEntriesByType('navigation')[0];
        return nav ? nav.loadEventEnd - nav.startTime : NaN;
      });
      timings.push({ who, path, ms });
    };
    for (const path of ['/apps', appPath]) await open('anonymous', path);
    const screens = {
      'platform-admin': ['/console', '/console/admin/users', '/console/admin/queue', '/console/admin/audit', '/console/admin/calendar'],
      'store-reviewer': ['/console/submissions?state=review', '/console/store/gate', '/console/store/patrols'],
      developer: ['/console/submissions', '/console/developer/deadlines', '/console/tokens'],
      'sdk-vendor': ['/console/sdk-registry/sdks', '/console/sdk-registry/proposals'],
    };
    for (const [role, paths] of Object.entries(screens)) {
      const account = accounts.find((a) => a.role === role);
      await context.clearCookies();
      await page.goto(`${base}/console/login?lang=en`, { waitUntil: 'load' });
      await page.fill('input[name="login"]', account.login);
      await page.fill('input[name="password"]', account.password);
      await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form.stack button[type="submit"]')]);
      for (const path of paths) await open(role, path);
    }
  } finally {
    await context.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
  return { timings, foreign };
}

const targets = [];
if (process.env.BENCH_SQLITE !== '0')
  targets.push(() => seedSqlite(reports, { apps: APPS, factsStores: FACTS_STORES }, process.env.BENCH_KEEP || undefined));
if (PG_ADMIN !== '0')
  targets.push(() => seedPostgres(reports, { apps: APPS, factsStores: FACTS_STORES }, PG_ADMIN, process.env.BENCH_KEEP || undefined));
for (const seed of targets) {
  const db = await seed();
  // An API node of a scale-out deployment: no workers, the periodic work on other nodes.
  const running = await server.startServer(
    benchConfig(db, { host: '127.0.0.1', scheduler: false, workers: { ...server.defaultConfig().workers, concurrency: 0 } }),
  );
  try {
    const base = running.url;
    const dbh = running.platform.store.db;
    const { accounts } = await server.seedDemo(running.platform);
    const bulletinIds = [];
    for (let b = 0; b < BULLETINS; b++) bulletinIds.push(await publishBulletin(dbh, db.seeded.regulator, b));
    const middle = await dbh
      .selectFrom('listings')
      .select('id')
      .where('state', '=', 'listed')
      .orderBy('id')
      .offset(Math.floor(APPS / 2))
      .limit(1)
      .executeTakeFirst();
    const appPath = `/apps/${middle?.id ?? ''}?lang=zh-CN`;
    const consoleBulletin = await fetch(`${base}/bulletins/${bulletinIds[0]}?lang=zh-CN`);
    if (consoleBulletin.status !== 200) throw new Error(`/bulletins/${bulletinIds[0]} answered ${consoleBulletin.status}`);
    const pools = await urlPools(dbh, bulletinIds);
    // The floor: the same server answering its liveness probe (no database, no body) under the same load.
    const floor = await wrk(`${base}/health/live`, WRK_SECONDS);
    if (!floor.error)
      console.log(
        `${db.name} floor /health/live: p50 ${fmt(floor.p50)} ms, p99 ${fmt(floor.p99)} ms, ${fmt(floor.rps, 0)} req/s [load ${load()}]`,
      );
    const runs = Object.entries(pools)
      .filter(([what]) => !ONLY || ONLY.split(',').includes(what))
      .map(([what, paths]) => [what, { base, paths }, `${paths.length} distinct URLs drawn at random`]);
    if (SINGLE_URL)
      runs.push(
        ['app page, one URL', `${base}${appPath}`, 'one URL: the cache'],
        ['disclosure list, one URL', `${base}/apps?lang=zh-CN`, 'one URL: the cache'],
        ['bulletin page, one URL', `${base}/bulletins/${bulletinIds[0]}?lang=zh-CN`, 'one URL: the cache'],
      );
    // BENCH_WARM=1: each run again right after it, on the cache it left (printed as "warm", beside the cold figure).
    const passes = WARM ? runs.flatMap((run) => [run, [`${run[0]} (warm)`, run[1], `${run[2]}, right after the cold run`]]) : runs;
    for (const [what, target, how] of passes) {
      const before = await cacheCounters(base);
      const loadBefore = load();
      // The server runs in this process: how long its event loop was held up while wrk ran.
      const delay = monitorEventLoopDelay({ resolution: 10 });
      delay.enable();
      serverTimes.ms = [];
      const stopTrace = traceEvery(`${db.name} ${what}`, base);
      const r = await wrk(target, WRK_SECONDS);
      stopTrace();
      delay.disable();
      const handled = serverTimes.ms.sort((a, b) => a - b);
      const after = await cacheCounters(base);
      const hits = after.hits - before.hits;
      const stale = after.stale - before.stale;
      const lookups = hits + stale + after.misses - before.misses;
      if (r.error) console.log(`${db.name} ${what}: skipped: ${r.error}`);
      else
        console.log(
          `${db.name} ${what}: p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms (target ≤ 150), ${fmt(r.rps, 0)} req/s` +
            `${r.non2xx ? `, ${r.non2xx} non-2xx` : ''}; ${how}, cache hit rate ${lookups ? fmt((100 * hits) / lookups) : '—'} % ` +
            `fresh + ${lookups ? fmt((100 * stale) / lookups) : '—'} % stale of ${lookups}; server side p50 ` +
            `${fmt(percentile(handled, 0.5))} ms, p99 ${fmt(percentile(handled, 0.99))} ms; event loop delay p99 ` +
            `${fmt(delay.percentile(99) / 1e6)} ms, max ${fmt(delay.max / 1e6)} ms ` +
            `[load ${loadBefore} → ${load()}]`,
        );
    }
    for (const [what, path] of [
      ['app page', appPath],
      ['disclosure list', '/apps?lang=zh-CN'],
    ]) {
      const w = await pageWeight(base, path);
      console.log(
        `${db.name} ${what} weight: ${fmt(w.bytes / 1024)} KB HTML + ${w.assets} assets, uncompressed (target ≤ 100); ` +
          `resources of other origins: ${w.foreign.length === 0 ? 'none' : w.foreign.join(' ')}`,
      );
    }
    const b = await browserPart(base, accounts, appPath);
    if (b.skipped) console.log(`${db.name} Chromium: skipped: ${b.skipped}`);
    else {
      const worst = b.timings.reduce((a, t) => (t.ms > a.ms ? t : a), { ms: -1 });
      for (const t of b.timings) console.log(`${db.name} render ${t.who} ${t.path}: ${fmt(t.ms, 0)} ms navigation → load`);
      console.log(
        `${db.name} Chromium: ${b.timings.length} pages, slowest ${worst.path} ${fmt(worst.ms, 0)} ms (target ≤ 1000); ` +
          `requests to other origins: ${b.foreign.length === 0 ? 'none' : b.foreign.join(' ')} [load ${load()}]`,
      );
    }
  } finally {
    await running.close();
    await db.drop();
  }
}
