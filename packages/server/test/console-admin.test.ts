// The console's further screens over app.inject, on SQLite and PostgreSQL: the platform admin's
// (users, organisations, every token with revoke, the calendar's coverage and import, the queue with
// dead jobs' reasons, retry and cancel, the workers' heartbeats, the audit search with filters and
// pages), everyone's API tokens (the secret shown once), the developer's deadlines, the store's gate
// dry run (nothing changed), patrols, credit and delisting tasks, the SDK registry (versions, PI,
// options, embedding apps, a proposal approved by two reviewers who are not its author), and the
// language cookie. Hostile strings render as text; forms without their token are refused.
import assert from 'node:assert/strict';
import { diffPackages } from '@apprights/engine';
import { shippedCalendarYears } from '../src/calendar/calendar.js';
import { CONSOLE_EXTRA_ACCESS } from '../src/console/extra-access.js';
import { newId } from '../src/ids.js';
import { ConsoleClient, csrfOf } from './support/console.js';
import { bothDatabases } from './support/databases.js';
import { bearer, harness, member } from './support/http.js';
import { APKS } from './support/jobs.js';
import { detectedSubmission, listedApp } from './support/listed.js';

const HOSTILE = '<img src=x onerror=alert(1)>\u202Egnp.exe';
const ESCAPED = '&lt;img src=x onerror=alert(1)&gt;';

let diffBody: Promise<unknown> | undefined;
/** The engine's diff of a real package with itself (computed once for both databases). */
function sampleDiff(): Promise<unknown> {
  diffBody ??= diffPackages(APKS.settings, APKS.settings);
  return diffBody;
}

function assertText(body: string, what: string): void {
  assert.doesNotMatch(body, /<img src=x/, `${what}: raw markup`);
  assert.ok(body.includes(ESCAPED), `${what}: the hostile string is shown as text`);
}

bothDatabases('console admin: users, organisations, tokens, calendar, queue, workers, audit', async (_t, under) => {
  const h = await harness(under);
  try {
    const db = h.platform.store.db;
    const admin = await member(h.platform, 'adm-platform', 'platform-admin');
    const dev = await member(h.platform, 'adm-dev', 'developer');
    await db.updateTable('users').set({ display_name: HOSTILE }).where('id', '=', dev.userId).execute();
    await db.updateTable('organisations').set({ name: HOSTILE }).where('id', '=', dev.orgId).execute();
    const b = new ConsoleClient(h.app);
    await b.signIn(admin.login, admin.password);

    // Every form of these screens the admin may send refuses a missing token (the 403 page, both languages).
    for (const key of Object.keys(CONSOLE_EXTRA_ACCESS).filter(
      (k) => k.startsWith('POST ') && CONSOLE_EXTRA_ACCESS[k]!.roles.includes('platform-admin'),
    )) {
      const res = await b.postForm(key.slice(5).replace(/:[a-zA-Z]+/g, newId()), { anything: '1' });
      assert.equal(res.status, 403, key);
      assert.match(res.body, /安全令牌/, key);
    }

    // Users and organisations: hostile names are text.
    let page = await b.get('/console/admin/users?lang=zh-CN');
    assert.equal(page.status, 200);
    assertText(page.body, 'users');
    assert.match(page.body, /开发者/);
    page = await b.get('/console/admin/organisations?kind=developer');
    assert.equal(page.status, 200);
    assertText(page.body, 'organisations');
    assert.doesNotMatch(page.body, /<code>adm-platform<\/code>/, 'filtered by kind');

    // Every token; the admin revokes the developer's, which then opens nothing.
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/sessions/current', headers: bearer(dev) })).statusCode, 200);
    page = await b.get('/console/admin/tokens');
    const tokenRow = await db.selectFrom('api_tokens').select(['id', 'prefix']).where('user_id', '=', dev.userId).executeTakeFirstOrThrow();
    assert.ok(page.body.includes(tokenRow.prefix));
    const refused = await b.postForm(`/console/admin/tokens/${tokenRow.id}/revoke`, {});
    assert.equal(refused.status, 403, 'no token, no revoke');
    const revoked = await b.postForm(`/console/admin/tokens/${tokenRow.id}/revoke`, { _csrf: csrfOf(page.body) });
    assert.equal(revoked.status, 303);
    assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/sessions/current', headers: bearer(dev) })).statusCode, 401);
    assert.equal((await b.postForm(`/console/admin/tokens/${newId()}/revoke`, { _csrf: csrfOf(page.body) })).status, 404);

    // The calendar: coverage per year; an import of the next year moves coveredThrough; a bad one names the line.
    page = await b.get('/console/admin/calendar');
    const shipped = shippedCalendarYears();
    const last = shipped[shipped.length - 1]!;
    assert.ok(page.body.includes(`${last.year}-12-31`));
    const csrf = csrfOf(page.body);
    const bad = await b.postForm('/console/admin/calendar', { _csrf: csrf, year: '{"year": 2031,\n "sources": oops}' });
    assert.equal(bad.status, 400);
    assert.match(bad.body, /line 2|第 2 行/);
    const next = last.year + 1;
    const shift = (d: string) => `${next}${d.slice(4)}`;
    const year = {
      ...last,
      year: next,
      holidays: last.holidays
        .filter((x) => !x.from.endsWith('02-29') && !x.to.endsWith('02-29'))
        .map((x) => ({ ...x, from: shift(x.from), to: shift(x.to) })),
      workdays: [],
    };
    const good = await b.postForm('/console/admin/calendar', { _csrf: csrf, year: JSON.stringify(year) });
    assert.equal(good.status, 303, good.body.slice(0, 2000));
    page = await b.get(good.location!);
    assert.ok(page.body.includes(`${next}-12-31`));
    assert.ok(await db.selectFrom('audit_log').select('id').where('action', '=', 'calendar.import').executeTakeFirst());

    // The queue: a dead job with its (hostile) reason; retry queues it again, audited; cancel a queued one.
    const dead = await h.platform.queue.submit({ kind: 'fetch-policy', orgId: dev.orgId, payload: { url: 'https://example.com/p' } });
    await db
      .updateTable('jobs')
      .set({ state: 'dead', attempts: 3, max_attempts: 3, error_code: 'crashed', error_message: HOSTILE, finished_at: Date.now() })
      .where('id', '=', dead.id)
      .execute();
    const queued = await h.platform.queue.submit({ kind: 'fetch-policy', orgId: dev.orgId, payload: { url: 'https://example.com/q' } });
    const running = await h.platform.queue.submit({ kind: 'fetch-policy', orgId: dev.orgId, payload: { url: 'https://example.com/r' } });
    const now = Date.now();
    await db
      .updateTable('jobs')
      .set({ state: 'running', attempts: 1, locked_by: 'node-a:0', lease_until: now + 60_000, updated_at: now - 1000 })
      .where('id', '=', running.id)
      .execute();
    await db
      .insertInto('job_attempts')
      .values({
        id: newId(),
        job_id: running.id,
        attempt: 1,
        worker: 'node-a:0',
        started_at: now - 5000,
        ended_at: null,
        outcome: null,
        error_code: null,
        error_message: null,
      })
      .execute();
    page = await b.get('/console/admin/queue');
    assert.equal(page.status, 200);
    assertText(page.body, 'dead job reason');
    assert.ok(page.body.includes(dead.id));
    assert.ok(page.body.includes('node-a:0'), 'the worker holding a lease');
    const retried = await b.postForm(`/console/admin/jobs/${dead.id}/retry`, { _csrf: csrfOf(page.body) });
    assert.equal(retried.status, 303);
    const again = await db.selectFrom('jobs').selectAll().where('id', '=', dead.id).executeTakeFirstOrThrow();
    assert.equal(again.state, 'queued');
    assert.equal(again.max_attempts, 4);
    assert.ok(
      await db.selectFrom('audit_log').select('id').where('action', '=', 'job.retry').where('subject', '=', dead.id).executeTakeFirst(),
    );
    const notAgain = await h.app.inject({ method: 'POST', url: `/api/v1/jobs/${dead.id}/retry`, headers: bearer(admin) });
    assert.equal(notAgain.statusCode, 409, 'a queued job is not retried');
    const cancelled = await b.postForm(`/console/admin/jobs/${queued.id}/cancel`, { _csrf: csrfOf(page.body) });
    assert.equal(cancelled.status, 303);
    assert.equal((await db.selectFrom('jobs').select('state').where('id', '=', queued.id).executeTakeFirstOrThrow()).state, 'cancelled');
    const api = await h.app.inject({ method: 'GET', url: '/api/v1/queue', headers: bearer(admin) });
    assert.equal(api.statusCode, 200);
    assert.equal((api.json() as { workers: { worker: string }[] }).workers[0]!.worker, 'node-a:0');

    // The audit log: by action, by family, by subject; 50 a page with a next link that continues.
    for (let i = 0; i < 55; i++)
      await db
        .insertInto('audit_log')
        .values({
          id: newId(),
          at: Date.now(),
          actor_user_id: admin.userId,
          actor_org_id: admin.orgId,
          action: 'test.bulk',
          subject: `s${i}`,
          detail: JSON.stringify({ note: HOSTILE }),
          ip: null,
        })
        .execute();
    page = await b.get('/console/admin/audit?action=test.bulk');
    assertText(page.body, 'audit detail');
    const firstPage = (page.body.match(/<code>test\.bulk<\/code>/g) ?? []).length;
    assert.equal(firstPage, 50);
    const nextHref = /rel="next" href="([^"]+)"/.exec(page.body)![1]!.replaceAll('&amp;', '&');
    const second = await b.get(nextHref);
    assert.equal((second.body.match(/<code>test\.bulk<\/code>/g) ?? []).length, 5);
    page = await b.get('/console/admin/audit?action=job.');
    assert.ok(page.body.includes('job.retry'));
    assert.ok(!page.body.includes('<code>test.bulk</code>'));
    page = await b.get(`/console/admin/audit?subject=${dead.id}&from=2000-01-01&to=2999-01-01`);
    assert.ok(page.body.includes('job.retry'));

    // Another role: to sign-in.
    const d = new ConsoleClient(h.app);
    await d.signIn(dev.login, dev.password);
    const other = await d.get('/console/admin/queue');
    assert.equal(other.status, 303);
    assert.match(other.location!, /why=other-role/);
  } finally {
    await h.close();
  }
});

bothDatabases('console tokens, deadlines, gate dry run, patrols, credit, delisting, language cookie', async (_t, under) => {
  const h = await harness(under);
  try {
    const db = h.platform.store.db;
    const dev = await member(h.platform, 'tk-dev', 'developer');
    const other = await member(h.platform, 'tk-dev2', 'developer');
    const storeAdmin = await member(h.platform, 'tk-store', 'store-admin');
    const reviewer = await member(h.platform, 'tk-store', 'store-reviewer');
    const d = new ConsoleClient(h.app);
    await d.signIn(dev.login, dev.password);

    // Tokens: created with its secret shown once (not in a URL), usable, listed by prefix, revoked.
    let page = await d.get('/console/tokens?lang=zh-CN');
    assert.equal(page.status, 200);
    page = await d.postForm('/console/tokens?lang=zh-CN', { _csrf: csrfOf(page.body), name: HOSTILE, days: '30' });
    assert.equal(page.status, 201);
    assert.equal(page.headers['cache-control'], 'no-store');
    assertText(page.body, 'token name');
    const secret = /<code class="secret">(ar_[A-Za-z0-9_-]{43})<\/code>/.exec(page.body)![1]!;
    assert.equal(
      (await h.app.inject({ method: 'GET', url: '/api/v1/sessions/current', headers: { authorization: `Bearer ${secret}` } })).statusCode,
      200,
    );
    const listed = await d.get('/console/tokens');
    assert.ok(!listed.body.includes(secret), 'the secret is not shown again');
    assert.ok(listed.body.includes(secret.slice(0, 11)));
    assert.equal((await d.postForm('/console/tokens', { _csrf: csrfOf(listed.body), name: 'x', days: '400' })).status, 400);
    const mine = await db.selectFrom('api_tokens').select('id').where('prefix', '=', secret.slice(0, 11)).executeTakeFirstOrThrow();
    const theirs = await db.selectFrom('api_tokens').select('id').where('user_id', '=', other.userId).executeTakeFirstOrThrow();
    assert.equal((await d.postForm(`/console/tokens/${theirs.id}/revoke`, { _csrf: csrfOf(listed.body) })).status, 404);
    assert.equal((await d.postForm(`/console/tokens/${mine.id}/revoke`, { _csrf: csrfOf(listed.body) })).status, 303);
    assert.equal(
      (await h.app.inject({ method: 'GET', url: '/api/v1/sessions/current', headers: { authorization: `Bearer ${secret}` } })).statusCode,
      401,
    );

    // Deadlines: notifications with a due date, overdue marked.
    const now = Date.now();
    for (const [due, title] of [
      [now - 86_400_000, 'past'],
      [now + 86_400_000, HOSTILE],
    ] as const)
      await db
        .insertInto('notifications')
        .values({
          id: newId(),
          org_id: dev.orgId,
          topic: 'finding.new',
          subject: null,
          title_en: title,
          title_zh: title,
          detail: '{}',
          due_at: due,
          created_at: now,
          read_at: null,
        })
        .execute();
    page = await d.get('/console/developer/deadlines?lang=zh-CN');
    assert.equal(page.status, 200);
    assertText(page.body, 'deadline title');
    assert.match(page.body, /已逾期/);

    // The gate's dry run: a listed submission whose report has a high finding would be rejected by a stricter policy.
    const app = await listedApp(db, { storeId: storeAdmin.orgId, developerOrgId: dev.orgId, packageName: 'com.example.dry' });
    await db
      .updateTable('reports')
      .set({
        body: JSON.stringify({
          app: { package: 'com.example.dry' },
          findings: [
            { ruleId: 'demo-rule', severity: 'high', measures: ['m1'], fingerprint: 'f'.repeat(64), message: { en: 'x', zh: 'x' } },
          ],
        }),
      })
      .where('id', '=', app.reportId)
      .execute();
    const subId = await detectedSubmission(db, app, {
      storeId: storeAdmin.orgId,
      developerOrgId: dev.orgId,
      name: HOSTILE,
      state: 'listed',
      outcome: 'pass',
      now,
    });
    const s = new ConsoleClient(h.app);
    await s.signIn(storeAdmin.login, storeAdmin.password);
    page = await s.get('/console/store/gate');
    assert.match(page.body, /formaction="\/console\/store\/gate\/dry-run/);
    const strict = { rules: [{ id: 'no-high', when: { severityAtLeast: 'high' }, then: 'reject' }], otherwise: 'pass' };
    const before = await db.selectFrom('store_gate_policies').select('id').execute();
    const run = await s.postForm('/console/store/gate/dry-run', { _csrf: csrfOf(page.body), policy: JSON.stringify(strict) });
    assert.equal(run.status, 200);
    assertText(run.body, 'submission name');
    assert.match(run.body, /would reject: 1/);
    assert.match(run.body, /changed: 1/);
    assert.deepEqual(await db.selectFrom('store_gate_policies').select('id').execute(), before, 'nothing saved');
    assert.equal(
      (await db.selectFrom('store_submissions').select('state').where('id', '=', subId).executeTakeFirstOrThrow()).state,
      'listed',
    );
    const invalid = await s.postForm('/console/store/gate/dry-run', { _csrf: csrfOf(page.body), policy: '{"rules": [{"id": "x"}]}' });
    assert.equal(invalid.status, 400);
    assert.match(invalid.body, /\/rules\/0/);
    const rest = await h.app.inject({ method: 'POST', url: '/api/v1/store/gate/dry-run', headers: bearer(reviewer), payload: strict });
    assert.equal(rest.statusCode, 200);
    assert.equal((rest.json() as { items: { would: string }[] }).items[0]!.would, 'reject');

    // Versions and their diff: the developer's app with a second version; the comparison is a diff job,
    // and its page shows the engine's diff once the job has a report. Another organisation: not found.
    const v2 = newId();
    await db
      .insertInto('blobs')
      .values({ sha256: 'c'.repeat(64), size: 1, media_type: 'application/vnd.android.package-archive', created_at: now })
      .execute();
    await db
      .insertInto('versions')
      .values({
        id: v2,
        app_id: app.appId,
        org_id: dev.orgId,
        version_code: '2',
        version_name: HOSTILE,
        signer_sha256: null,
        blob_sha256: 'c'.repeat(64),
        created_at: now,
      })
      .execute();
    page = await d.get('/console/developer/apps');
    assert.ok(page.body.includes(`/console/developer/apps/${app.appId}`));
    page = await d.get(`/console/developer/apps/${app.appId}`);
    assertText(page.body, 'version name');
    const same = await d.postForm(`/console/developer/apps/${app.appId}/diff`, { _csrf: csrfOf(page.body), newer: v2, older: v2 });
    assert.equal(same.status, 400);
    const compared = await d.postForm(`/console/developer/apps/${app.appId}/diff`, {
      _csrf: csrfOf(page.body),
      newer: v2,
      older: app.versionId,
    });
    assert.equal(compared.status, 303);
    const jobId = /\/console\/developer\/diffs\/([0-9A-Z]{26})/.exec(compared.location!)![1]!;
    const diffJob = await db.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow();
    assert.equal(diffJob.kind, 'diff');
    assert.equal(JSON.parse(diffJob.payload).newBlob, 'c'.repeat(64));
    page = await d.get(compared.location!);
    assert.match(page.body, /http-equiv="refresh"/);
    await db.updateTable('jobs').set({ state: 'succeeded', finished_at: now }).where('id', '=', jobId).execute();
    await db
      .insertInto('reports')
      .values({
        id: newId(),
        job_id: jobId,
        org_id: dev.orgId,
        kind: 'diff',
        version_id: null,
        knowledge_id: null,
        body: JSON.stringify(await sampleDiff()),
        facts: null,
        summary: '{}',
        created_at: now,
      })
      .execute();
    page = await d.get(`/console/developer/diffs/${jobId}?lang=zh-CN`);
    assert.doesNotMatch(page.body, /http-equiv="refresh"/);
    assert.match(page.body, /<pre class="code diff">/);
    const o = new ConsoleClient(h.app);
    await o.signIn(other.login, other.password);
    assert.equal((await o.get(`/console/developer/apps/${app.appId}`)).status, 404);
    assert.equal((await o.get(`/console/developer/diffs/${jobId}`)).status, 404);

    // Patrols and credit.
    await db
      .insertInto('store_patrols')
      .values({
        id: newId(),
        listing_id: app.listingId,
        version_id: app.versionId,
        knowledge_to: 'k'.repeat(20),
        job_id: newId(),
        state: 'done',
        result_report_id: app.reportId,
        new_findings: 2,
        created_at: now,
        updated_at: now,
      })
      .execute();
    page = await s.get('/console/store/patrols');
    assert.ok(page.body.includes('com.example.dry'));
    assert.ok(page.body.includes(`/console/store/credit/${dev.orgId}`));
    page = await s.get(`/console/store/credit/${dev.orgId}`);
    assert.equal(page.status, 200);
    assert.match(page.body, /credit\/1/);
    assert.equal((await s.get(`/console/store/credit/${storeAdmin.orgId}`)).status, 404);

    // Delisting: an order's task; the reviewer sees it, the admin marks it done and the listing is delisted.
    const orderId = newId();
    await db
      .insertInto('reg_removal_orders')
      .values({
        id: orderId,
        item_id: newId(),
        bulletin_id: newId(),
        package_name: 'com.example.dry',
        signer_sha256: null,
        sdk_prefixes: '[]',
        domains: '[]',
        ips: '[]',
        legal_basis: HOSTILE,
        valid_until: '2999-12-31',
        issued_at: now,
      })
      .execute();
    const taskId = newId();
    await db
      .insertInto('reg_delisting_tasks')
      .values({
        id: taskId,
        order_id: orderId,
        listing_id: app.listingId,
        store_id: storeAdmin.orgId,
        state: 'open',
        created_at: now,
        done_by: null,
        done_at: null,
      })
      .execute();
    const r = new ConsoleClient(h.app);
    await r.signIn(reviewer.login, reviewer.password);
    page = await r.get('/console/store/delisting');
    assertText(page.body, 'legal basis');
    assert.ok(!page.body.includes(`/console/store/delisting/${taskId}/done`), 'a reviewer does not mark it done');
    page = await s.get('/console/store/delisting');
    const done = await s.postForm(`/console/store/delisting/${taskId}/done`, { _csrf: csrfOf(page.body) });
    assert.equal(done.status, 303);
    assert.equal(
      (await db.selectFrom('listings').select('state').where('id', '=', app.listingId).executeTakeFirstOrThrow()).state,
      'delisted',
    );

    // The language switch sets ar_lang; a page without ?lang= then follows it over Accept-Language.
    const anon = new ConsoleClient(h.app);
    const apps = await anon.get('/apps', { 'accept-language': 'en' });
    const sw = /href="(\/console\/lang\?[^"]+)"/.exec(apps.body)![1]!.replaceAll('&amp;', '&');
    const set = await anon.get(sw);
    assert.equal(set.status, 303);
    assert.equal(anon.cookies.get('ar_lang'), 'zh-CN');
    assert.equal(set.location, '/apps?lang=zh-CN');
    const after = await anon.get('/apps', { 'accept-language': 'en' });
    assert.match(after.body, /<html lang="zh-CN">/);
    const evil = await anon.get('/console/lang?lang=en&next=//evil.example/');
    assert.equal(evil.location, '/apps?lang=en');
  } finally {
    await h.close();
  }
});

bothDatabases('console SDK registry: versions, PI, options, embedding apps, a proposal approved by two non-authors', async (_t, under) => {
  const h = await harness(under);
  try {
    const db = h.platform.store.db;
    const vendor = await member(h.platform, 'cv-vendor', 'sdk-vendor');
    const otherVendor = await member(h.platform, 'cv-vendor2', 'sdk-vendor');
    const admin = await member(h.platform, 'cv-platform', 'platform-admin');
    const admin2 = await member(h.platform, 'cv-platform', 'platform-admin');
    const regulator = await member(h.platform, 'cv-miit', 'regulator');
    const store = await member(h.platform, 'cv-store', 'store-admin');
    const dev = await member(h.platform, 'cv-dev', 'developer');
    const entry = {
      id: 'consolepush',
      name: { zh: `推送 ${HOSTILE}`, en: `Push ${HOSTILE}` },
      vendor: { zh: '示例科技有限公司', en: 'Example Tech Ltd.' },
      category: 'push',
      region: 'cn',
      tracker: false,
      packages: ['com.consolepush.sdk'],
      personalInformation: ['device-identifiers'],
      sources: {
        identity: 'https://example.com/sdk/guide §1',
        packages: 'https://example.com/sdk/integration',
        personalInformation: 'https://example.com/sdk/privacy §2',
      },
      checked: '2026-12-01',
    };
    const pub = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sdk-registry/sdks',
      headers: bearer(vendor),
      payload: { entry, complianceGuideUrl: 'https://example.com/sdk/guide' },
    });
    assert.equal(pub.statusCode, 201, pub.body);
    const sdkId = (pub.json() as { id: string }).id;
    const version = await h.app.inject({
      method: 'POST',
      url: `/api/v1/sdk-registry/sdks/${sdkId}/versions`,
      headers: bearer(vendor),
      payload: {
        version: '2.1.0',
        personalInformation: [{ category: 'device-identifiers', purpose: HOSTILE, items: 'OAID' }],
        configOptions: [{ function: 'location push', option: 'Push.setLocation(false)', personalInformation: ['device-identifiers'] }],
      },
    });
    assert.equal(version.statusCode, 201, version.body);
    const app = await listedApp(db, {
      storeId: store.orgId,
      developerOrgId: dev.orgId,
      packageName: 'com.example.embeds',
      sdks: [{ id: 'consolepush', version: '2.1.0' }],
    });
    await db
      .insertInto('sdk_version_index')
      .values({
        version_id: app.versionId,
        sdk_id: 'consolepush',
        sdk_version: '2.1.0',
        report_id: app.reportId,
        app_id: app.appId,
        org_id: dev.orgId,
        created_at: Date.now(),
      })
      .execute();

    const v = new ConsoleClient(h.app);
    await v.signIn(vendor.login, vendor.password);
    let page = await v.get('/console/sdk-registry/sdks?lang=zh-CN');
    assertText(page.body, 'SDK name');
    page = await v.get(`/console/sdk-registry/sdks/${sdkId}`);
    assert.equal(page.status, 200);
    assertText(page.body, 'PI purpose');
    assert.ok(page.body.includes('Push.setLocation(false)'));
    assert.ok(page.body.includes('com.example.embeds'), 'the app embedding 2.1.0');
    // Another vendor's SDK is not found.
    const o = new ConsoleClient(h.app);
    await o.signIn(otherVendor.login, otherVendor.password);
    assert.equal((await o.get(`/console/sdk-registry/sdks/${sdkId}`)).status, 404);

    // The vendor proposes; the author cannot review (not a reviewer role); two reviewers approve.
    const proposed = await v.postForm(`/console/sdk-registry/sdks/${sdkId}/proposals`, { _csrf: csrfOf(page.body) });
    assert.equal(proposed.status, 303, proposed.body.slice(0, 500));
    const proposalPath = proposed.location!.split('?')[0]!;
    page = await v.get(proposalPath);
    assert.match(page.body, /0 \/ 2/);
    assert.ok(!page.body.includes('name="decision"'), 'the vendor has no review form');
    const twice = await v.postForm(`/console/sdk-registry/sdks/${sdkId}/proposals`, { _csrf: csrfOf(page.body) });
    assert.equal(twice.status, 409, 'one open proposal per SDK');
    for (const reviewer of [admin, regulator]) {
      const c = new ConsoleClient(h.app);
      await c.signIn(reviewer.login, reviewer.password);
      page = await c.get(proposalPath);
      assert.ok(page.body.includes('name="decision"'));
      const res = await c.postForm(`${proposalPath}/reviews`, { _csrf: csrfOf(page.body), decision: 'approve', comment: HOSTILE });
      assert.equal(res.status, 303);
      // The same reviewer again: refused with the reason on the page.
      const again = await c.postForm(`${proposalPath}/reviews`, { _csrf: csrfOf(page.body), decision: 'approve' });
      assert.equal(again.status, 409);
    }
    page = await v.get(proposalPath);
    assert.match(page.body, /2 \/ 2/);
    assert.match(page.body, /approved/);
    assertText(page.body, 'review comment');
    const late = new ConsoleClient(h.app);
    await late.signIn(admin2.login, admin2.password);
    assert.ok(!(await late.get(proposalPath)).body.includes('name="decision"'), 'closed: no form');
  } finally {
    await h.close();
  }
});
