// The public complaint form at its per-address limit, over app.inject on SQLite and PostgreSQL: the
// visitor past COMPLAINTS_PER_HOUR gets a page in both languages (429, Retry-After, the console's
// CSP, a way back to the app), not the REST API's JSON problem; nothing more is filed; the REST
// route keeps its JSON answer. The public pages' micro-cache (publicCacheMs) is checked here too:
// a page is reused within the TTL, counted on /metrics, and a 404 stays a 404 from the cache; past
// its freshness the page is sent stale while it is rebuilt, then as rebuilt.
import assert from 'node:assert/strict';
import { TestClock } from '../src/calendar/clock.js';
import { COMPLAINTS_PER_HOUR } from '../src/workflows/complaints/index.js';
import { ConsoleClient, csrfOf } from './support/console.js';
import { bothDatabases } from './support/databases.js';
import { harness, member, type Harness } from './support/http.js';
import { addListedApp, addOrgOfKind } from './support/regulator.js';

bothDatabases('console complaint form: past the hourly limit a bilingual 429 page, nothing filed', async (_t, under) => {
  const h = await harness(under);
  try {
    const db = h.platform.store.db;
    const dev = await member(h.platform, 'limit-operator', 'developer');
    const storeId = await addOrgOfKind(db, 'store', 'limit-store');
    const app = await addListedApp(db, { developerOrgId: dev.orgId, storeIds: [storeId], packageName: 'com.example.limit' });
    const visitor = new ConsoleClient(h.app);
    const form = await visitor.get(`/console/complain/${app.listingId}?lang=zh-CN`);
    assert.equal(form.status, 200);
    const send = () =>
      visitor.postForm(`/console/complain/${app.listingId}?lang=zh-CN`, {
        _csrf: csrfOf(form.body),
        category: 'permissions',
        text: 'It reads the contacts at start without asking.',
      });
    for (let i = 0; i < COMPLAINTS_PER_HOUR; i++) assert.equal((await send()).status, 303, `complaint ${i + 1} is filed`);

    const refused = await send();
    assert.equal(refused.status, 429);
    assert.match(String(refused.headers['content-type']), /^text\/html/);
    assert.ok(Number(refused.headers['retry-after']) > 0, 'Retry-After says when');
    assert.match(String(refused.headers['content-security-policy']), /default-src 'self'/);
    assert.match(refused.body, /<html lang="zh-CN">/);
    assert.match(refused.body, /该地址提交投诉过于频繁/);
    assert.match(refused.body, /同一地址每小时最多提交 5 次投诉/);
    assert.match(refused.body, /At most 5 complaints an hour/);
    assert.match(refused.body, new RegExp(`href="/apps/${app.listingId}\\?lang=zh-CN"`));
    const filed = await db.selectFrom('complaints').select(db.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    assert.equal(Number(filed.n), COMPLAINTS_PER_HOUR, 'the refused one is not filed');

    // A hostile id in the path (refused before the parameters are checked) is not echoed into links.
    const odd = await visitor.postForm(`/console/complain/${encodeURIComponent('"><img src=x onerror=alert(1)>')}?lang=en`, { text: 'x' });
    assert.equal(odd.status, 429);
    assert.doesNotMatch(odd.body, /<img src=x/);
    assert.match(odd.body, /href="\/apps\?lang=en"/);

    // The REST route answers programs: still a problem document.
    const api = await h.app.inject({
      method: 'POST',
      url: `/api/v1/public/listings/${app.listingId}/complaints`,
      payload: { category: 'permissions', text: 'It reads the contacts at start without asking.' },
    });
    if (api.statusCode === 429) assert.match(String(api.headers['content-type']), /application\/problem\+json/);
  } finally {
    await h.close();
  }
});

/** One listed app of a developer in a store, named by `slug`. */
async function listedApp(h: Harness, slug: string) {
  const db = h.platform.store.db;
  const dev = await member(h.platform, `${slug}-operator`, 'developer');
  const storeId = await addOrgOfKind(db, 'store', `${slug}-store`);
  return addListedApp(db, { developerOrgId: dev.orgId, storeIds: [storeId], packageName: `com.example.${slug}` });
}

bothDatabases(
  'console public pages: the micro-cache reuses a page within its TTL, counts on /metrics, keeps a 404 a 404',
  async (_t, under) => {
    const h = await harness(under, { publicCacheMs: 60_000 });
    try {
      const db = h.platform.store.db;
      const app = await listedApp(h, 'cached');
      const get = (url: string) => h.app.inject({ method: 'GET', url });
      const first = await get(`/apps/${app.listingId}?lang=en`);
      assert.equal(first.statusCode, 200);
      await db.updateTable('listings').set({ state: 'delisted' }).where('id', '=', app.listingId).execute();
      const again = await get(`/apps/${app.listingId}?lang=en`);
      assert.equal(again.statusCode, 200, 'within the TTL the built page is reused');
      assert.equal(again.headers.etag, first.headers.etag);
      assert.equal((await get(`/apps/${app.listingId}?lang=zh-CN`)).statusCode, 404, 'another language is another entry');
      const missing = `/apps/${'0'.repeat(26)}?lang=en`;
      assert.equal((await get(missing)).statusCode, 404);
      const missingAgain = await get(missing);
      assert.equal(missingAgain.statusCode, 404, 'a cached 404 is still a 404');
      assert.match(missingAgain.body, /<h1>/);
      const metrics = (await get('/metrics')).body;
      assert.match(metrics, /^apprights_public_cache_hits_total [1-9]/m);
      assert.match(metrics, /^apprights_public_cache_misses_total [1-9]/m);
    } finally {
      await h.close();
    }
  },
);

bothDatabases('console public pages: past its freshness a page is sent stale while it is rebuilt, then as rebuilt', async (_t, under) => {
  const clock = new TestClock(Date.now());
  const h = await harness(under, { publicCacheMs: 1000 }, clock);
  try {
    const db = h.platform.store.db;
    const app = await listedApp(h, 'stale');
    const get = (url: string) => h.app.inject({ method: 'GET', url });
    const page = `/apps/${app.listingId}?lang=en`;
    const first = await get(page);
    assert.equal(first.statusCode, 200);
    await db.updateTable('listings').set({ state: 'delisted' }).where('id', '=', app.listingId).execute();
    clock.advance(1500);
    const stale = await get(page);
    assert.equal(stale.statusCode, 200, 'past its freshness the page is sent as it was, at once');
    assert.equal(stale.headers.etag, first.headers.etag);
    // The rebuild runs behind that answer; the page as rebuilt follows (a bounded wait, not a timing).
    let rebuilt = stale;
    for (let i = 0; i < 200 && rebuilt.statusCode === 200; i++) {
      await new Promise((resolve) => setTimeout(resolve, 5));
      rebuilt = await get(page);
    }
    assert.equal(rebuilt.statusCode, 404, 'the delisting shows once the rebuild is done');
    const metrics = (await get('/metrics')).body;
    assert.match(metrics, /^apprights_public_cache_stale_total [1-9]/m);
  } finally {
    await h.close();
  }
});
