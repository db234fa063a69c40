// The signed-in console over app.inject, on SQLite and PostgreSQL: sign-in (CSRF field, session
// rotation, `next` kept on this site, expiry mid-form, sign-out ending the session server-side),
// refusals (other roles → sign-in, other organisations' objects → 404), and the store workflow
// driven through the forms with the real queue: identity, upload of ApiDemos with a listing, the
// progress JSON, rejection with reasons, resubmission, a reviewer's claim and decisions, the gate
// policy editor, and the listed app on the public list. Hostile strings render as text.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { sha256Hex } from '../src/http/auth.js';
import { buildApp } from '../src/http/app.js';
import { CONSOLE_APP_ACCESS } from '../src/console/pages.js';
import { startWorkers } from '../src/jobs/index.js';
import { dispatchEvents } from '../src/workflows/events.js';
import { ConsoleClient, csrfOf } from './support/console.js';
import { bothDatabases } from './support/databases.js';
import { bearer, harness, member } from './support/http.js';
import { APKS, testPlatform, waitFor } from './support/jobs.js';
import { API_DEMOS_LISTING, API_DEMOS_PERMISSION_LINES } from './support/api-demos-listing.js';

const HOSTILE = '<img src=x onerror=alert(1)>\u202Egnp.exe';
const ENTERPRISE = API_DEMOS_LISTING.enterpriseName;
const CREDIT_CODE = '91110108123456788E';
const POLICY = API_DEMOS_LISTING.policy;
const PERMISSIONS = API_DEMOS_PERMISSION_LINES;

bothDatabases('console sign-in: CSRF field, session rotation, safe next, expiry mid-form, sign-out, role refusals', async (_t, under) => {
  const h = await harness(under);
  try {
    const db = h.platform.store.db;
    const dev = await member(h.platform, 'console-dev', 'developer');
    const reviewer = await member(h.platform, 'console-store', 'store-reviewer');
    const browser = new ConsoleClient(h.app);

    // The public pages' weight (HTML + CSS + JS, uncompressed) stays under 100 KB, with no other origin named.
    const apps = await browser.get('/apps?lang=zh-CN');
    const css = await browser.get('/assets/console.css');
    const js = await browser.get('/assets/console.js');
    const weight = Buffer.byteLength(apps.body) + Buffer.byteLength(css.body) + Buffer.byteLength(js.body);
    assert.ok(weight < 100 * 1024, `public page weight ${weight} B`);
    assert.doesNotMatch(apps.body, /(src|href)="(https?:)?\/\//, 'no resource of another origin');

    // Signed out: a console page sends to the sign-in page, which will come back to it.
    const away = await browser.get('/console/developer/identity?lang=zh-CN');
    assert.equal(away.status, 303);
    assert.match(away.location!, /^\/console\/login\?next=%2Fconsole%2Fdeveloper%2Fidentity/);

    // The sign-in form carries a token; without it (or with another) the answer is the 403 page in both languages.
    const form = await browser.get('/console/login?next=%2Fconsole%2Fdeveloper%2Fidentity');
    assert.equal(form.status, 200);
    assert.match(String(form.headers['content-security-policy']), /default-src 'self'/);
    const token = csrfOf(form.body);
    for (const sent of [undefined, 'x'.repeat(43)]) {
      const refused = await browser.postForm('/console/login', {
        login: dev.login,
        password: dev.password,
        ...(sent ? { _csrf: sent } : {}),
      });
      assert.equal(refused.status, 403);
      assert.match(refused.body, /security token/);
      assert.match(refused.body, /安全令牌/);
      assert.equal(browser.cookies.has('ar_session'), false);
    }
    // A wrong password: the form again, with the reason in both languages.
    const wrong = await browser.postForm('/console/login', { _csrf: token, login: dev.login, password: 'nope' });
    assert.equal(wrong.status, 401);
    assert.match(wrong.body, /用户名或密码错误/);

    // A session id planted before login is discarded: login rotates it, and the old row is gone.
    browser.cookies.set('ar_session', 'planted-session-value-000000000000000000000');
    const signedIn = await browser.postForm('/console/login', {
      _csrf: token,
      login: dev.login,
      password: dev.password,
      next: '/console/developer/identity',
    });
    assert.equal(signedIn.status, 303);
    assert.equal(signedIn.location, '/console/developer/identity?lang=en');
    const cookie = browser.cookies.get('ar_session')!;
    assert.notEqual(cookie, 'planted-session-value-000000000000000000000');
    assert.ok(await db.selectFrom('sessions').select('id').where('id', '=', sha256Hex(cookie)).executeTakeFirst());

    // `next` stays on this site: other hosts, scheme-relative and backslash tricks land on /console.
    for (const next of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', 'javascript:alert(1)', '/%0d%0aSet-Cookie:x']) {
      const other = new ConsoleClient(h.app);
      const res = await other.signIn(dev.login, dev.password, next);
      assert.ok(
        !/[\r\n]/.test(res.location!) && res.location!.startsWith('/') && !res.location!.startsWith('//'),
        `${next} → ${res.location}`,
      );
      if (next !== '/%0d%0aSet-Cookie:x') assert.equal(res.location, '/console?lang=en', next);
    }

    // Signed in, the page shows the form with the session's own CSRF secret.
    const identity = await browser.get('/console/developer/identity');
    assert.equal(identity.status, 200);
    const row = await db.selectFrom('sessions').select('csrf_secret').where('id', '=', sha256Hex(cookie)).executeTakeFirstOrThrow();
    assert.equal(csrfOf(identity.body), row.csrf_secret);

    // Every console form refuses a missing token with the 403 page (the role is right, the token is not).
    const posts = Object.keys(CONSOLE_APP_ACCESS).filter(
      (k) => k.startsWith('POST ') && CONSOLE_APP_ACCESS[k]!.roles.includes('developer'),
    );
    for (const key of posts) {
      // A path parameter gets a well-formed id: the token is checked before the object is looked up.
      const res = await browser.postForm(key.slice(5).replace(/:[a-zA-Z]+/g, '01ARZ3NDEKTSV4RRFFQ69G5FAV'), { anything: '1' });
      assert.equal(res.status, 403, key);
      assert.match(res.body, /安全令牌/, key);
    }

    // The session expires while a form is open: the post goes to sign-in, which returns to the form's page.
    await db
      .updateTable('sessions')
      .set({ expires_at: Date.now() - 1 })
      .where('id', '=', sha256Hex(cookie))
      .execute();
    const expired = await browser.postForm('/console/developer/identity', { _csrf: row.csrf_secret, enterpriseName: 'x' });
    assert.equal(expired.status, 303);
    assert.match(expired.location!, /^\/console\/login\?next=%2Fconsole%2Fdeveloper%2Fidentity&lang=en&why=expired$/);
    const again = await browser.get(expired.location!);
    assert.match(again.body, /Your session has ended/);
    const back = await browser.postForm('/console/login', {
      _csrf: csrfOf(again.body),
      login: dev.login,
      password: dev.password,
      next: '/console/developer/identity',
    });
    assert.equal(back.location, '/console/developer/identity?lang=en');

    // Another role's page: to sign-in (as someone who has that role).
    const staff = new ConsoleClient(h.app);
    await staff.signIn(reviewer.login, reviewer.password);
    const notMine = await staff.get('/console/developer/submit');
    assert.equal(notMine.status, 303);
    assert.match(notMine.location!, /why=other-role/);

    // Sign-out ends the session in the database; the old cookie opens nothing.
    const before = browser.cookies.get('ar_session')!;
    const home = await browser.get('/console');
    const out = await browser.postForm('/console/logout', { _csrf: csrfOf(home.body) });
    assert.equal(out.status, 303);
    assert.equal(await db.selectFrom('sessions').select('id').where('id', '=', sha256Hex(before)).executeTakeFirst(), undefined);
    const replay = await h.app.inject({ method: 'GET', url: '/console', cookies: { ar_session: before } });
    assert.equal(replay.statusCode, 303);
    assert.match(String(replay.headers.location), /why=expired/);
  } finally {
    await h.close();
  }
});

bothDatabases(
  'console store workflow: identity, upload, progress, rejection reasons, resubmission, review, gate editor, public list',
  async (_t, under) => {
    const policyServer: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(POLICY);
    });
    await new Promise<void>((resolve) => policyServer.listen(0, '127.0.0.1', resolve));
    const policyUrl = `http://127.0.0.1:${(policyServer.address() as AddressInfo).port}/privacy`;
    const p = await testPlatform(under, { config: { allowPrivateFetch: true, maxUploadBytes: 20 * 1024 * 1024 } });
    const workers = await startWorkers(p, { concurrency: 1 });
    const app = await buildApp(p);
    const db = p.store.db;
    const settled = (id: string) =>
      waitFor(
        `submission ${id} to be gated`,
        async () => {
          await dispatchEvents(p);
          const row = await db.selectFrom('store_submissions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
          return row.state === 'detecting' ? undefined : row;
        },
        120_000,
      );
    try {
      const dev = await member(p, 'c-dev', 'developer');
      const otherDev = await member(p, 'c-dev-other', 'developer');
      const storeAdmin = await member(p, 'c-store', 'store-admin');
      const reviewer = await member(p, 'c-store', 'store-reviewer');
      await db
        .updateTable('organisations')
        .set({ name: `Store ${HOSTILE}` })
        .where('id', '=', storeAdmin.orgId)
        .execute();
      const d = new ConsoleClient(app);
      await d.signIn(dev.login, dev.password);

      // Identity: a wrong check character is named on the form; then saved, unverified.
      let page = await d.get('/console/developer/identity?lang=zh-CN');
      const identity = {
        _csrf: csrfOf(page.body),
        enterpriseName: ENTERPRISE,
        creditCode: '91110108123456788F',
        contactName: HOSTILE,
        contactEmail: 'zhang@example.com',
      };
      page = await d.postForm('/console/developer/identity?lang=zh-CN', identity);
      assert.equal(page.status, 400);
      assert.match(page.body, /<code>\/creditCode<\/code>/);
      assert.match(page.body, /统一社会信用代码/);
      page = await d.postForm('/console/developer/identity?lang=zh-CN', { ...identity, creditCode: CREDIT_CODE });
      assert.equal(page.status, 303, page.body.slice(0, 500));
      page = await d.get(page.location!);
      assert.match(page.body, /已保存/);
      assert.match(page.body, /待认证/);
      assert.ok(!page.body.includes('<img src=x'), 'the contact name is text');
      assert.ok(page.body.includes('&lt;img src=x onerror=alert(1)&gt;'));

      // Not verified yet: the submission is refused with the reason on the form.
      const apk = readFileSync(APKS.apiDemos);
      const listing = (name: string, extra: Record<string, string> = {}) => ({
        store: storeAdmin.orgId,
        appType: 'utilities',
        name,
        version: '5.0.0',
        developer: ENTERPRISE,
        privacyPolicyUrl: policyUrl,
        permissions: PERMISSIONS,
        description: `API demos ${HOSTILE}`,
        ...extra,
      });
      page = await d.get('/console/developer/submit');
      let token = csrfOf(page.body);
      page = await d.postMultipart('/console/developer/submit', { _csrf: token, ...listing('API Demos') }, { name: 'a.apk', content: apk });
      assert.equal(page.status, 409);
      assert.match(page.body, /开发者身份尚未通过认证/);

      // The store's staff see the identity (its hostile contact as text); a reviewer has no decision
      // form; the store admin verifies it from the console.
      const rv = new ConsoleClient(app);
      await rv.signIn(reviewer.login, reviewer.password);
      page = await rv.get('/console/store/developers');
      assert.ok(page.body.includes(CREDIT_CODE));
      assert.ok(!page.body.includes('<img src=x') && page.body.includes('&lt;img src=x'));
      assert.ok(!page.body.includes('/decision'), 'no decision form for a reviewer');
      const refused = await rv.postForm(`/console/store/developers/${dev.orgId}/decision`, {
        _csrf: csrfOf(page.body),
        decision: 'verified',
      });
      assert.match(refused.location ?? '', /^\/console\/login\?next=%2Fconsole%2Fstore%2Fdevelopers&.*why=other-role/);
      const still = await db.selectFrom('store_developers').select('state').where('org_id', '=', dev.orgId).executeTakeFirstOrThrow();
      assert.equal(still.state, 'unverified');
      const sa = new ConsoleClient(app);
      await sa.signIn(storeAdmin.login, storeAdmin.password);
      page = await sa.get('/console/store/developers?lang=zh-CN');
      page = await sa.postForm(`/console/store/developers/${dev.orgId}/decision?lang=zh-CN`, {
        _csrf: csrfOf(page.body),
        decision: 'verified',
        comment: 'ok',
      });
      assert.equal(page.status, 303);
      assert.equal(page.location, '/console/store/developers?state=verified&lang=zh-CN');
      page = await sa.get(page.location!);
      assert.ok(page.body.includes(CREDIT_CODE));

      // Bad uploads: without the token nothing is stored; a non-APK is refused in both languages, nothing stored.
      const uploads = async () =>
        Number(
          (
            await db
              .selectFrom('uploads')
              .select((eb) => eb.fn.countAll().as('n'))
              .executeTakeFirstOrThrow()
          ).n,
        );
      const n0 = await uploads();
      page = await d.postMultipart('/console/developer/submit', listing('API Demos'), { name: 'a.apk', content: apk });
      assert.equal(page.status, 403);
      page = await d.postMultipart(
        '/console/developer/submit',
        { _csrf: token, ...listing('API Demos') },
        { name: 'x.apk', content: Buffer.from('MZ not a zip') },
      );
      assert.equal(page.status, 415);
      assert.match(page.body, /not a ZIP archive/);
      assert.match(page.body, /上传内容不是 ZIP 归档/);
      page = await d.postMultipart('/console/developer/submit', { _csrf: token, ...listing('') }, { name: 'a.apk', content: apk });
      assert.equal(page.status, 400, 'an empty name is refused before the package is stored');
      assert.match(page.body, /\/elements\/name/);
      assert.equal(await uploads(), n0, 'nothing stored');

      // A listing whose name contradicts the APK (and is hostile): rejected by the default gate, with reasons.
      page = await d.postMultipart('/console/developer/submit', { _csrf: token, ...listing(HOSTILE) }, { name: 'a.apk', content: apk });
      assert.equal(page.status, 303, page.body.slice(0, 500));
      const first = page.location!.match(/\/console\/submissions\/([0-9A-Z]+)/)![1]!;
      // The same form sent again while it is pending: the same submission.
      const twice = await d.postMultipart(
        '/console/developer/submit',
        { _csrf: token, ...listing(HOSTILE) },
        { name: 'a.apk', content: apk },
      );
      assert.equal(twice.location, page.location);
      const progress = await d.get(`/console/submissions/${first}/progress`);
      assert.equal(progress.status, 200);
      const state = JSON.parse(progress.body) as { state: string; jobs: { kind: string }[] };
      assert.equal(state.jobs.length, 2);
      page = await d.get(`/console/submissions/${first}`);
      if (state.state === 'detecting') {
        assert.match(page.body, /data-poll="\/console\/submissions\//);
        assert.match(page.body, /<noscript><meta http-equiv="refresh" content="5" \/><\/noscript>/);
      }
      const rejected = await settled(first);
      assert.equal(rejected.state, 'rejected');
      page = await d.get(`/console/submissions/${first}?lang=zh-CN`);
      assert.match(page.body, /已驳回/);
      assert.match(page.body, /label-mismatch/);
      assert.ok(!page.body.includes('<img src=x'), 'the hostile listing renders as text');
      assert.match(page.body, /href="\/console\/developer\/submit\?resubmit=/);
      assert.match(page.body, /href="\/console\/reports\/[0-9A-Z]+/);
      const reportId = rejected.scan_report_id!;
      const report = await d.get(`/console/reports/${reportId}`);
      assert.match(report.body, /<iframe class="report" sandbox="" src="\/console\/reports\/[0-9A-Z]+\/frame\?lang=en"/);
      const frame = await d.get(`/console/reports/${reportId}/frame?lang=zh-CN`);
      assert.equal(frame.status, 200);
      assert.match(String(frame.headers['content-security-policy']), /sandbox/);
      assert.match(String(frame.headers['content-security-policy']), /default-src 'none'/);
      assert.match(frame.body, /<html/);

      // Another developer organisation: 404 for these objects, in the console as in the API.
      const o = new ConsoleClient(app);
      await o.signIn(otherDev.login, otherDev.password);
      assert.equal((await o.get(`/console/submissions/${first}`)).status, 404);
      assert.equal((await o.get(`/console/reports/${reportId}`)).status, 404);
      assert.equal((await o.get(`/console/reports/${reportId}/frame`)).status, 404);
      assert.equal((await o.get(`/console/developer/submit?resubmit=${first}`)).status, 404);

      // The store admin's gate editor: not JSON, a wrong shape (named by pointer), then every submission to review.
      const a = new ConsoleClient(app);
      await a.signIn(storeAdmin.login, storeAdmin.password);
      page = await a.get('/console/store/gate');
      const adminToken = csrfOf(page.body);
      page = await a.postForm('/console/store/gate', { _csrf: adminToken, policy: '{"rules": [' });
      assert.equal(page.status, 400);
      assert.match(page.body, /not JSON/);
      page = await a.postForm('/console/store/gate', { _csrf: adminToken, policy: '{"rules":[{"id":"x","when":{},"then":"ban"}]}' });
      assert.equal(page.status, 400);
      assert.match(page.body, /<code>\/rules\/0\/then<\/code>/);
      page = await a.postForm('/console/store/gate', { _csrf: adminToken, policy: '{"rules":[],"otherwise":"manual-review"}' });
      assert.equal(page.status, 303, page.body.slice(0, 400));
      page = await a.get(page.location!);
      assert.match(page.body, /Version: <strong>1<\/strong>/);

      // Resubmission from the rejected one's page: the form comes filled in; the corrected listing goes to review.
      page = await d.get(`/console/developer/submit?resubmit=${first}`);
      assert.match(page.body, new RegExp(`name="resubmissionOf" value="${first}"`));
      token = csrfOf(page.body);
      page = await d.postMultipart(
        '/console/developer/submit',
        { _csrf: token, ...listing('API Demos', { resubmissionOf: first }) },
        { name: 'a.apk', content: apk },
      );
      assert.equal(page.status, 303, page.body.slice(0, 500));
      const second = page.location!.match(/\/console\/submissions\/([0-9A-Z]+)/)![1]!;
      assert.equal((await settled(second)).state, 'review');

      // The reviewer: queue, claim, reject with a reason; the developer reads it and resubmits; then pass.
      const r = new ConsoleClient(app);
      await r.signIn(reviewer.login, reviewer.password);
      page = await r.get('/console/submissions?state=review&lang=zh-CN');
      assert.match(page.body, /审核队列/);
      assert.ok(page.body.includes(`/console/submissions/${second}`));
      page = await r.get(`/console/submissions/${second}`);
      page = await r.postForm(`/console/submissions/${second}/claim`, { _csrf: csrfOf(page.body) });
      assert.equal(page.status, 303);
      page = await r.get(`/console/submissions/${second}`);
      assert.match(page.body, /name="decision" value="reject"/);
      page = await r.postForm(`/console/submissions/${second}/decision`, {
        _csrf: csrfOf(page.body),
        decision: 'reject',
        comment: `Explain the SMS permissions ${HOSTILE}`,
      });
      assert.equal(page.status, 303);
      page = await d.get(`/console/submissions/${second}`);
      assert.match(page.body, /Explain the SMS permissions &lt;img/);
      assert.ok(!page.body.includes('<img src=x'));
      // A second decision on a decided submission: the page with the conflict, nothing changed.
      page = await r.get(`/console/submissions/${second}`);
      const late = await r.postForm(`/console/submissions/${second}/decision`, {
        _csrf: csrfOf(page.body),
        decision: 'pass',
        comment: 'late',
      });
      assert.equal(late.status, 409);

      page = await d.get(`/console/developer/submit?resubmit=${second}`);
      page = await d.postMultipart(
        '/console/developer/submit',
        { _csrf: csrfOf(page.body), ...listing('API Demos', { resubmissionOf: second }) },
        { name: 'a.apk', content: apk },
      );
      const third = page.location!.match(/\/console\/submissions\/([0-9A-Z]+)/)![1]!;
      assert.equal((await settled(third)).state, 'review');
      page = await r.get(`/console/submissions/${third}`);
      await r.postForm(`/console/submissions/${third}/claim`, { _csrf: csrfOf(page.body) });
      page = await r.get(`/console/submissions/${third}`);
      page = await r.postForm(`/console/submissions/${third}/decision`, { _csrf: csrfOf(page.body), decision: 'pass', comment: 'OK' });
      assert.equal(page.status, 303);
      const listed = await db.selectFrom('store_submissions').selectAll().where('id', '=', third).executeTakeFirstOrThrow();
      assert.equal(listed.state, 'listed');

      // On the public list, anonymous.
      const list = await app.inject({ method: 'GET', url: '/apps?q=API%20Demos' });
      assert.equal(list.statusCode, 200);
      assert.ok(list.body.includes(`/apps/${listed.listing_id}`));
      assert.ok(!list.body.includes('<img src=x'), 'the hostile store name is text');
    } finally {
      await app.close();
      await workers.stop({ graceMs: 1000 });
      await p.close();
      await new Promise<void>((resolve) => policyServer.close(() => resolve()));
    }
  },
  { timeout: 600_000 },
);

bothDatabases('console upload: an oversized package is refused in both languages and nothing is stored', async (_t, under) => {
  const h = await harness(under, { maxUploadBytes: 4096 });
  try {
    const db = h.platform.store.db;
    const dev = await member(h.platform, 'big-dev', 'developer');
    const admin = await member(h.platform, 'big-store', 'store-admin');
    const identity = await h.app.inject({
      method: 'POST',
      url: '/api/v1/store/developer',
      headers: bearer(dev),
      payload: { enterpriseName: ENTERPRISE, creditCode: CREDIT_CODE, contacts: [{ name: '张三' }] },
    });
    assert.equal(identity.statusCode, 200, identity.body);
    const verified = await h.app.inject({
      method: 'POST',
      url: `/api/v1/store/developers/${dev.orgId}/decision`,
      headers: bearer(admin),
      payload: { decision: 'verified' },
    });
    assert.equal(verified.statusCode, 200, verified.body);
    const browser = new ConsoleClient(h.app);
    await browser.signIn(dev.login, dev.password);
    const form = await browser.get('/console/developer/submit?lang=zh-CN');
    const big = Buffer.concat([Buffer.from([0x50, 0x4b, 0x03, 0x04]), Buffer.alloc(64 * 1024, 1)]);
    const res = await browser.postMultipart(
      '/console/developer/submit?lang=zh-CN',
      {
        _csrf: csrfOf(form.body),
        store: admin.orgId,
        appType: 'utilities',
        name: 'Big',
        version: '1.0',
        developer: ENTERPRISE,
        privacyPolicyUrl: 'https://example.cn/privacy',
        permissions: '',
        description: 'big',
      },
      { name: 'big.apk', content: big },
    );
    assert.equal(res.status, 413);
    assert.match(res.body, /larger than this platform accepts/);
    assert.match(res.body, /超过本平台允许的大小/);
    assert.equal((await db.selectFrom('uploads').selectAll().execute()).length, 0);
    assert.equal((await db.selectFrom('store_submissions').selectAll().execute()).length, 0);
  } finally {
    await h.close();
  }
});
