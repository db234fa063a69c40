#!/usr/bin/env node
// npm run bench:console: the console's public pages and signed-in screens on the synthetic market
// (scripts/lib/market.mjs: 100,000 listed apps with the facts of real reports), on SQLite and
// PostgreSQL. A benchmark, not a timed test: it prints figures beside their targets, the machine and
// the load average.
//
//   latency   wrk (30 s, 64 connections, 2 threads) on loopback against an API node (no workers,
//             no scheduler): an app page (/apps/:id), the disclosure list (/apps) and a bulletin page
//             (the console's /bulletins/:id when this build has it, else the API's public bulletin):
//             p99 (target ≤ 150 ms each), beside the floor: /health/live under the same load.
//   weight    the public app page's HTML + CSS + JS, uncompressed (target ≤ 100 KB), and in Chromium
//             every request the page makes stays on this origin.
//   render    headless Chromium (/usr/bin/chromium) signed in as each demo role opens its console
//             pages: navigation → load (target ≤ 1 s each).
//
// Usage: npm run bench:console. BENCH_MARKET_APPS (100000), BENCH_WRK_SECONDS (30), BENCH_PG
// (postgres://root@127.0.0.1:5432/postgres; 0 skips PostgreSQL), BENCH_SQLITE=0 skips SQLite,
// BENCH_CHROMIUM (/usr/bin/chromium; 0 skips the browser part), BENCH_BULLETIN_ITEMS (200).
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { realReports } from './lib/market.mjs';
import { pathToFileURL } from 'node:url';
import { benchConfig, fmt, load, machine, root, seedPostgres, seedSqlite, server, wrk, launchChromium } from './lib/bench.mjs';

const { newId } = await import(pathToFileURL(join(root, 'packages/server/dist/ids.js')).href);

const APPS = Number(process.env.BENCH_MARKET_APPS ?? 100_000);
const WRK_SECONDS = Number(process.env.BENCH_WRK_SECONDS ?? 30);
const PG_ADMIN = process.env.BENCH_PG ?? 'postgres://root@127.0.0.1:5432/postgres';
const CHROMIUM = process.env.BENCH_CHROMIUM ?? '/usr/bin/chromium';
const BULLETIN_ITEMS = Number(process.env.BENCH_BULLETIN_ITEMS ?? 200);
// Facts are not read by any page measured here: keep them in one store (the seed is smaller and faster).
const FACTS_STORES = 1;

console.log(machine());
console.log(`market: ${APPS} apps × 10 versions, 10 stores; wrk ${WRK_SECONDS} s, 64 connections; bulletin of ${BULLETIN_ITEMS} apps\n`);

const reports = await realReports(root);

/** A published bulletin naming BULLETIN_ITEMS listed apps, written as the regulator workflow leaves one. */
async function publishBulletin(db, regulatorOrgId) {
  const listed = await db
    .selectFrom('listings as l')
    .innerJoin('apps as a', 'a.id', 'l.app_id')
    .select(['a.id as app_id', 'l.developer_org_id', 'l.package_name'])
    .where('l.state', '=', 'listed')
    .orderBy('l.id')
    .limit(BULLETIN_ITEMS * 2)
    .execute()
    // An app listed in two stores is named once.
    .then((rows) => [...new Map(rows.map((r) => [r.app_id, r])).values()].slice(0, BULLETIN_ITEMS));
  const now = Date.now();
  const id = newId(now);
  await db
    .insertInto('reg_bulletins')
    .values({
      id,
      org_id: regulatorOrgId,
      state: 'published',
      title: 'Bulletin on apps infringing users’ rights (benchmark)',
      title_zh: '关于侵害用户权益行为的APP通报（基准测试）',
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
if (process.env.BENCH_SQLITE !== '0') targets.push(() => seedSqlite(reports, { apps: APPS, factsStores: FACTS_STORES }));
if (PG_ADMIN !== '0') targets.push(() => seedPostgres(reports, { apps: APPS, factsStores: FACTS_STORES }, PG_ADMIN));
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
    const bulletinId = await publishBulletin(dbh, db.seeded.regulator);
    const middle = await dbh
      .selectFrom('listings')
      .select('id')
      .where('state', '=', 'listed')
      .orderBy('id')
      .offset(Math.floor(APPS / 2))
      .limit(1)
      .executeTakeFirst();
    const appPath = `/apps/${middle?.id ?? ''}?lang=zh-CN`;
    const consoleBulletin = await fetch(`${base}/bulletins/${bulletinId}?lang=zh-CN`);
    const bulletinPath = consoleBulletin.status === 200 ? `/bulletins/${bulletinId}?lang=zh-CN` : `/api/v1/public/bulletins/${bulletinId}`;
    const pages = [
      ['app page', appPath],
      ['disclosure list', '/apps?lang=zh-CN'],
      [consoleBulletin.status === 200 ? 'bulletin page' : 'bulletin (API; no console page on this build)', bulletinPath],
    ];
    // The floor: the same server answering its liveness probe (no database, no body) under the same load.
    const floor = await wrk(`${base}/health/live`, WRK_SECONDS);
    if (!floor.error)
      console.log(
        `${db.name} floor /health/live: p50 ${fmt(floor.p50)} ms, p99 ${fmt(floor.p99)} ms, ${fmt(floor.rps, 0)} req/s [load ${load()}]`,
      );
    for (const [what, path] of pages) {
      const probe = await fetch(`${base}${path}`);
      if (probe.status !== 200) {
        console.log(`${db.name} ${what}: ${path} answered ${probe.status}; skipped`);
        continue;
      }
      const r = await wrk(`${base}${path}`, WRK_SECONDS);
      if (r.error) console.log(`${db.name} ${what}: skipped: ${r.error}`);
      else
        console.log(
          `${db.name} ${what}: p50 ${fmt(r.p50)} ms, p99 ${fmt(r.p99)} ms (target ≤ 150), ${fmt(r.rps, 0)} req/s` +
            `${r.non2xx ? `, ${r.non2xx} non-2xx` : ''} [load ${load()}]`,
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
