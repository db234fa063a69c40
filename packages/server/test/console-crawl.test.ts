// Every link a role can see in the console, followed: the demo accounts (seedDemo) sign in, and a
// bounded same-origin crawl from /console (from /apps for a visitor) opens each page a link points
// to. Each answers the role 2xx (or a redirect that is not to the sign-in page); the same URLs are
// refused to every role the access table does not name for them (a redirect to sign-in), and a
// developer of another organisation gets 404 for the first developer's objects. On SQLite and
// PostgreSQL, over app.inject. New screens are covered as soon as a role's navigation links them.
import assert from 'node:assert/strict';
import type { Actor } from '../src/http/access.js';
import { ACCESS } from '../src/http/access-table.js';
import { seedDemo } from '../src/demo.js';
import { newId } from '../src/ids.js';
import { ConsoleClient } from './support/console.js';
import { bothDatabases } from './support/databases.js';
import { harness, member } from './support/http.js';
import { detectedSubmission, listedApp } from './support/listed.js';

/** Pages per role at most: the crawl is bounded (lists are paginated; ids repeat the same route). */
const MAX_PAGES = 150;
/** At most this many URLs per route pattern (a list of 50 objects is one route checked a few times). */
const PER_ROUTE = 3;

// Every GET page of the one access table (the API's routes are not crawled: links to /api are skipped).
const ROUTES = Object.entries(ACCESS)
  .filter(([key]) => key.startsWith('GET ') && !key.startsWith('GET /api/'))
  .map(([key, access]) => {
    const path = key.slice(4);
    const pattern = new RegExp(`^${path.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/:[a-zA-Z]+/g, '[^/]+')}$`);
    return { key, path, pattern, roles: access.roles, scope: access.scope };
  });

function routeOf(url: string) {
  const path = url.split('?')[0]!;
  return ROUTES.find((r) => r.pattern.test(path));
}

/** The same-origin page links of a page (no assets, API, sign-out or language switch), decoded. */
function links(body: string): string[] {
  const out = new Set<string>();
  for (const m of body.matchAll(/<a\b[^>]*\bhref="([^"]+)"/g)) {
    const href = m[1]!.replaceAll('&amp;', '&');
    if (!href.startsWith('/') || href.startsWith('//')) continue;
    if (/^\/(api|assets|health|metrics)\b/.test(href) || href.startsWith('/console/lang')) continue;
    out.add(href);
  }
  return [...out];
}

async function crawl(client: ConsoleClient, start: string, who: string): Promise<string[]> {
  const seen = new Set<string>([start]);
  const queue = [start];
  const perRoute = new Map<string, number>();
  const visited: string[] = [];
  while (queue.length > 0 && visited.length < MAX_PAGES) {
    const url = queue.shift()!;
    const route = routeOf(url);
    assert.ok(route, `${who}: ${url} is a link to no console route`);
    // A visitor's "Sign in" link: the console's home, which sends a visitor to the sign-in form.
    if (who === 'anonymous' && route.key === 'GET /console') continue;
    const count = perRoute.get(route.key) ?? 0;
    if (count >= PER_ROUTE) continue;
    perRoute.set(route.key, count + 1);
    const page = await client.get(url);
    const redirect = page.status >= 300 && page.status < 400;
    assert.ok(
      page.status < 300 || (redirect && !page.location?.startsWith('/console/login')),
      `${who}: ${url} answered ${page.status} ${page.location ?? ''}`,
    );
    visited.push(url);
    if (redirect) continue;
    assert.doesNotMatch(page.body, /<script(?![^>]*src="\/assets\/console\.js")/, `${who}: ${url} has an inline script`);
    for (const link of links(page.body))
      if (!seen.has(link)) {
        seen.add(link);
        queue.push(link);
      }
  }
  return visited;
}

bothDatabases('console crawl: every link a role sees opens for it and is refused to the roles it is not for', async (_t, under) => {
  const h = await harness(under);
  try {
    const db = h.platform.store.db;
    const { accounts } = await seedDemo(h.platform);
    const byRole = new Map(accounts.map((a) => [a.role, a]));
    const org = async (slug: string) =>
      (await db.selectFrom('organisations').select('id').where('slug', '=', slug).executeTakeFirstOrThrow()).id;
    const storeId = await org('demo-store');
    const devId = await org('demo-developer');
    const vendorId = await org('demo-vendor');
    // Objects for the links to reach: a listed app, a submission of it, an SDK with a version, a deadline, a proposal.
    const app = await listedApp(db, { storeId, developerOrgId: devId, packageName: 'com.example.crawl' });
    const now = Date.now();
    await detectedSubmission(db, app, { storeId, developerOrgId: devId, name: 'Crawl', state: 'review', outcome: 'manual-review', now });
    const sdkId = newId();
    await db
      .insertInto('sdk_registry_sdks')
      .values({
        id: sdkId,
        vendor_org_id: vendorId,
        catalog_id: 'crawlpush',
        entry: JSON.stringify({ id: 'crawlpush' }),
        compliance_guide_url: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    await db
      .insertInto('sdk_proposals')
      .values({
        id: newId(),
        sdk_id: sdkId,
        vendor_org_id: vendorId,
        author_user_id: (await db.selectFrom('users').select('id').where('login', '=', 'vendor@demo').executeTakeFirstOrThrow()).id,
        catalog_id: 'crawlpush',
        entry: JSON.stringify({ id: 'crawlpush' }),
        state: 'open',
        warnings: '[]',
        created_at: now,
        decided_at: null,
      })
      .execute();
    await db
      .insertInto('notifications')
      .values({
        id: newId(),
        org_id: devId,
        topic: 'finding.new',
        subject: app.listingId,
        title_en: 'Rectify',
        title_zh: '整改',
        detail: '{}',
        due_at: now + 86_400_000,
        created_at: now,
        read_at: null,
      })
      .execute();

    const clients = new Map<Actor, ConsoleClient>();
    for (const account of accounts) {
      const c = new ConsoleClient(h.app);
      await c.signIn(account.login, account.password);
      clients.set(account.role, c);
    }
    clients.set('anonymous', new ConsoleClient(h.app));

    const visitedBy = new Map<Actor, string[]>();
    for (const [actor, client] of clients) visitedBy.set(actor, await crawl(client, actor === 'anonymous' ? '/apps' : '/console', actor));

    // Every role reached its own screens (more than the home page and the public list).
    for (const role of byRole.keys()) assert.ok(visitedBy.get(role)!.length > 2, `${role} sees links: ${visitedBy.get(role)!.join(' ')}`);
    assert.ok(visitedBy.get('platform-admin')!.some((u) => u.startsWith('/console/admin/queue')));
    assert.ok(visitedBy.get('developer')!.some((u) => u.startsWith('/console/submissions/')));
    assert.ok(visitedBy.get('sdk-vendor')!.some((u) => u.startsWith(`/console/sdk-registry/sdks/${sdkId}`)));

    // The same URLs, as every actor the access table does not name for them: refused (to sign-in).
    let refusals = 0;
    for (const [owner, urls] of visitedBy)
      for (const url of urls) {
        const route = routeOf(url)!;
        for (const [actor, client] of clients) {
          if (actor === owner || route.roles.includes(actor)) continue;
          const res = await client.get(url);
          assert.ok(
            (res.status === 303 && res.location?.startsWith('/console/login')) || res.status === 403 || res.status === 404,
            `${url} (seen by ${owner}) answered ${actor} ${res.status} ${res.location ?? ''}`,
          );
          refusals++;
        }
      }
    assert.ok(refusals > 50, `refusals checked: ${refusals}`);

    // A developer of another organisation: the first developer's objects are not found.
    const stranger = await member(h.platform, 'crawl-other-dev', 'developer');
    const s = new ConsoleClient(h.app);
    await s.signIn(stranger.login, stranger.password);
    const objectPages = (role: Actor) =>
      visitedBy
        .get(role)!
        // Objects of the organisation; a public page of one (a listed app's complaint form) is for everyone.
        .filter((u) => u.startsWith('/console/') && /\/[0-9A-HJKMNP-TV-Z]{26}(\/|\?|$)/.test(u) && routeOf(u)?.scope !== 'public');
    const objects = objectPages('developer');
    assert.ok(objects.length > 0, 'the developer saw object pages');
    for (const url of objects) assert.equal((await s.get(url)).status, 404, url);
    // And so for a vendor of another organisation.
    const otherVendor = await member(h.platform, 'crawl-other-vendor', 'sdk-vendor');
    const ov = new ConsoleClient(h.app);
    await ov.signIn(otherVendor.login, otherVendor.password);
    for (const url of objectPages('sdk-vendor')) assert.equal((await ov.get(url)).status, 404, url);
  } finally {
    await h.close();
  }
});
