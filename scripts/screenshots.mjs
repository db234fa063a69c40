#!/usr/bin/env node
// npm run screenshots: the README's pictures of the console, taken from a running server in headless
// Chromium. A small synthetic market (scripts/lib/market.mjs: the real reports of the npm APKs,
// copied to 30 apps) in a temporary SQLite folder, the demo accounts, three submissions waiting in
// a store's review queue; then, in zh-CN and en, the public app page and the review queue, saved as
// PNG under docs/img/ (1024 × 640, one screen each, to stay small).
//
// Usage: npm run screenshots. SCREENSHOTS_CHROMIUM (/usr/bin/chromium), SCREENSHOTS_OUT (docs/img).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { realReports } from './lib/market.mjs';
import { benchConfig, root, seedSqlite, server, launchChromium } from './lib/bench.mjs';

const CHROMIUM = process.env.SCREENSHOTS_CHROMIUM ?? '/usr/bin/chromium';
const OUT = process.env.SCREENSHOTS_OUT ?? join(root, 'docs/img');
if (!existsSync(CHROMIUM)) {
  console.error(`screenshots: no Chromium at ${CHROMIUM} (apt-get install chromium fonts-noto-cjk)`);
  process.exit(2);
}
const { newId } = await import(pathToFileURL(join(root, 'packages/server/dist/ids.js')).href);

const db = await seedSqlite(await realReports(root), { apps: 30, stores: 2, developers: 10, versionsPerApp: 2 });
const running = await server.startServer(
  benchConfig(db, { host: '127.0.0.1', scheduler: false, workers: { ...server.defaultConfig().workers, concurrency: 0 } }),
);
const userDataDir = mkdtempSync(join(tmpdir(), 'apprights-screenshots-'));
try {
  const store = running.platform.store.db;
  const base = running.url;
  const storeId = db.seeded.stores[0];
  const password = `screens-${newId()}`;
  await server.createUser(store, { login: 'reviewer@store-0', password, organisation: storeId, role: 'store-reviewer' });
  // Three of the store's apps, submitted again as updates waiting for a reviewer.
  const listed = await store
    .selectFrom('listings as l')
    .innerJoin('store_listing_checks as c', 'c.listing_id', 'l.id')
    .select(['l.id', 'l.developer_org_id', 'l.elements', 'l.app_type', 'l.version_id', 'c.report_id'])
    .where('l.store_id', '=', storeId)
    .orderBy('l.id')
    .limit(3)
    .execute();
  const now = Date.now();
  for (const [i, l] of listed.entries())
    await store
      .insertInto('store_submissions')
      .values({
        id: newId(now - i * 3_600_000),
        store_id: storeId,
        developer_org_id: l.developer_org_id,
        blob_sha256: `${String(i).repeat(64)}`.slice(0, 64),
        elements: l.elements,
        app_type: l.app_type ?? 'utility',
        gate_version: 0,
        download_url: null,
        resubmission_of: null,
        state: 'review',
        scan_job_id: null,
        policy_job_id: null,
        scan_report_id: l.report_id,
        policy_report_id: null,
        policy_error: null,
        version_id: l.version_id,
        diff: '[]',
        outcome: 'manual-review',
        reasons: '[]',
        claimed_by: null,
        decided_by: null,
        decision_comment: null,
        listing_id: null,
        created_at: now - i * 3_600_000,
        updated_at: now - i * 3_600_000,
      })
      .execute();
  const app = listed[0];

  const context = await launchChromium(CHROMIUM, userDataDir, { viewport: { width: 1024, height: 640 }, deviceScaleFactor: 1 });
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    mkdirSync(OUT, { recursive: true });
    const shot = async (path, file) => {
      await page.goto(`${base}${path}`, { waitUntil: 'load' });
      await page.screenshot({ path: join(OUT, file), fullPage: false });
      console.log(`${file}: ${path}`);
    };
    for (const lang of ['zh-CN', 'en']) await shot(`/apps/${app.id}?lang=${lang}`, `console-app-${lang}.png`);
    await page.goto(`${base}/console/login?lang=en`, { waitUntil: 'load' });
    await page.fill('input[name="login"]', 'reviewer@store-0');
    await page.fill('input[name="password"]', password);
    await Promise.all([page.waitForNavigation({ waitUntil: 'load' }), page.click('form.stack button[type="submit"]')]);
    for (const lang of ['zh-CN', 'en']) await shot(`/console/submissions?state=review&lang=${lang}`, `console-review-${lang}.png`);
  } finally {
    await context.close();
  }
} finally {
  await running.close();
  await db.drop();
  rmSync(userDataDir, { recursive: true, force: true });
}
