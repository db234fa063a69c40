// The console's workflow screens over app.inject, on SQLite and PostgreSQL, with the TestClock: a
// regulator runs a campaign through the forms (selection, triage), previews a bulletin's deadline,
// drafts and publishes it; the public pages show it (ETag); past the deadline the re-test finds the
// issue again and the removal order reaches the stop-access feed, which an access provider
// acknowledges in its console. Anyone files a complaint on the public form; the operator accepts and
// answers it in its inbox before the deadline; the regulator's KPI moves. Hostile strings render as
// text, forms without their token get the 403 page, other roles go to sign-in, other operators' 404.
import assert from 'node:assert/strict';
import { TestClock } from '../src/calendar/clock.js';
import { startDueRetests } from '../src/workflows/regulator/bulletins.js';
import { dispatchEvents } from '../src/workflows/events.js';
import { ConsoleClient, csrfOf } from './support/console.js';
import { bothDatabases } from './support/databases.js';
import { harness, member } from './support/http.js';
import { addListedApp, addOrgOfKind, completeQueuedJob } from './support/regulator.js';

const HOSTILE = '<img src=x onerror=alert(1)>\u202Egnp.exe';

/** The page shows the hostile string as text only. */
function escaped(body: string, what: string): void {
  assert.doesNotMatch(body, /<img src=x/, `${what}: no live markup`);
  assert.match(body, /&lt;img src=x onerror=alert\(1\)&gt;/, `${what}: the text is shown`);
}

bothDatabases(
  'console workflow screens: campaign, triage, bulletin with deadline preview, re-test, removal order, stop-access feed, complaints and KPI',
  async (_t, under) => {
    const clock = new TestClock('2025-09-26');
    const h = await harness(under, {}, clock);
    try {
      const db = h.platform.store.db;
      const reg = await member(h.platform, 'c-regulator', 'regulator');
      const dev = await member(h.platform, 'c-operator', 'developer');
      const otherDev = await member(h.platform, 'c-operator-2', 'developer');
      const provider = await member(h.platform, 'c-provider', 'access-provider');
      const storeId = await addOrgOfKind(db, 'store', 'c-store', `Store ${HOSTILE}`);
      await addListedApp(db, {
        developerOrgId: dev.orgId,
        storeIds: [storeId],
        packageName: 'com.example.console',
        appType: 'utilities',
        report: {},
      });

      // --- The regulator's campaign --------------------------------------------------------------
      const r = new ConsoleClient(h.app);
      await r.signIn(reg.login, reg.password);
      let page = await r.get('/console/regulator/campaigns?lang=zh-CN');
      assert.equal(page.status, 200);
      assert.match(page.body, /专项检查/);
      escaped(page.body, 'store choice');
      const refused = await r.postForm('/console/regulator/campaigns', { name: 'x' });
      assert.equal(refused.status, 403);
      assert.match(refused.body, /安全令牌/);
      const bad = await r.postForm('/console/regulator/campaigns', { _csrf: csrfOf(page.body), name: 'n', sampleSize: '3' });
      assert.equal(bad.status, 400, 'a sample without a seed');
      assert.match(bad.body, /\/selection\/seed/);
      let res = await r.postForm('/console/regulator/campaigns', {
        _csrf: csrfOf(page.body),
        name: HOSTILE,
        store: storeId,
        appType: 'utilities',
      });
      assert.equal(res.status, 303, res.body.slice(0, 300));
      const campaignId = /\/console\/regulator\/campaigns\/([0-9A-Z]{26})/.exec(res.location!)![1]!;
      page = await r.get(res.location!);
      escaped(page.body, 'campaign name');
      assert.match(page.body, new RegExp(`data-poll="/console/regulator/campaigns/${campaignId}/progress"`), 'jobs still queued');
      const progress = await r.get(`/console/regulator/campaigns/${campaignId}/progress`);
      assert.equal((JSON.parse(progress.body) as { done: boolean }).done, false);
      const item = await db.selectFrom('reg_campaign_items').selectAll().where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
      await completeQueuedJob(db, item.job_id!, [
        { fingerprint: 'fp-consent', severity: 'high', ruleId: 'collect-before-consent' },
        { fingerprint: 'fp-minor', severity: 'low', ruleId: 'minor-thing' },
      ]);
      await dispatchEvents(h.platform);
      page = await r.get(`/console/regulator/campaigns/${campaignId}?lang=en`);
      assert.match(page.body, /data-poll=""/, 'done: nothing to follow');
      const findings = [...page.body.matchAll(/name="finding"\s+value="([0-9A-Z]{26})"/g)].map((m) => m[1]!);
      assert.equal(findings.length, 2);
      res = await r.postForm(`/console/regulator/campaigns/${campaignId}`, {
        _csrf: csrfOf(page.body),
        decision: 'dismiss',
        finding: findings,
      });
      assert.equal(res.status, 400, 'a dismissal needs a note');
      assert.match(res.body, /<code>\/note<\/code>/);
      res = await r.postForm(`/console/regulator/campaigns/${campaignId}`, {
        _csrf: csrfOf(page.body),
        decision: 'confirm',
        finding: findings,
      });
      assert.equal(res.status, 303);
      assert.match(res.location!, /decided=2/);

      // --- The bulletin composer: the deadline previewed from the calendar, then drafted and published
      page = await r.get(`/console/regulator/bulletins/new?campaign=${campaignId}&lang=en`);
      // Friday 2025-09-26 + 15 working days over the National Day holiday and its make-up days.
      assert.match(page.body, /data-due="2025-10-23"/);
      const draft = {
        _csrf: csrfOf(page.body),
        campaign: campaignId,
        title: `Apps ${HOSTILE}`,
        titleZh: '关于侵害用户权益行为的APP通报',
        measure: 'Stop collecting before consent',
        legalBasis: '工信部信管函〔2023〕26号',
        workingDays: '5',
        sdkPrefixes: 'com.example.tracker.',
        domains: 'tracker.example.com',
        ips: '',
        finding: findings,
      };
      res = await r.postForm('/console/regulator/bulletins/new', { ...draft, action: 'preview' });
      assert.equal(res.status, 200);
      assert.match(res.body, /data-due="2025-10-10"/, '5 working days: 09-28 (make-up), 09-29, 09-30, 10-09, 10-10');
      res = await r.postForm('/console/regulator/bulletins/new', { ...draft, workingDays: '15', title: '', action: 'draft' });
      assert.equal(res.status, 400);
      assert.match(res.body, /<code>\/title<\/code>/);
      res = await r.postForm('/console/regulator/bulletins/new', { ...draft, workingDays: '15', action: 'draft' });
      assert.equal(res.status, 303, res.body.slice(0, 500));
      const bulletinId = /\/console\/regulator\/bulletins\/([0-9A-Z]{26})/.exec(res.location!)![1]!;
      page = await r.get(res.location!);
      escaped(page.body, 'bulletin title');
      assert.match(page.body, /data-state="draft"/);
      assert.equal((await new ConsoleClient(h.app).get(`/bulletins/${bulletinId}`)).status, 404, 'a draft is not public');
      res = await r.postForm(`/console/regulator/bulletins/${bulletinId}`, { _csrf: csrfOf(page.body), action: 'publish' });
      assert.equal(res.status, 303);
      page = await r.get(`/console/regulator/bulletins/${bulletinId}`);
      assert.match(page.body, /data-state="published"/);
      assert.match(page.body, /2025-10-23/);

      // Another regulator's campaign and bulletin are not found (404), as if absent.
      const otherReg = await member(h.platform, 'c-regulator-2', 'regulator');
      const r2 = new ConsoleClient(h.app);
      await r2.signIn(otherReg.login, otherReg.password);
      assert.equal((await r2.get(`/console/regulator/campaigns/${campaignId}`)).status, 404);
      assert.equal((await r2.get(`/console/regulator/bulletins/${bulletinId}`)).status, 404);
      assert.doesNotMatch((await r2.get('/console/regulator/bulletins/new')).body, /fp-consent|collect-before-consent/);

      // The public pages: linkable, cacheable, light.
      const anon = new ConsoleClient(h.app);
      const list = await anon.get('/bulletins?lang=zh-CN');
      assert.equal(list.status, 200);
      assert.match(list.body, /关于侵害用户权益行为的APP通报/);
      const pub = await anon.get(`/bulletins/${bulletinId}?lang=en`);
      assert.equal(pub.status, 200);
      escaped(pub.body, 'public bulletin');
      assert.match(pub.body, /2025-10-23/);
      assert.doesNotMatch(pub.body, /fp-consent/, 'no fingerprints in public');
      assert.equal((await anon.get(`/bulletins/${bulletinId}?lang=en`, { 'if-none-match': String(pub.headers.etag) })).status, 304);
      const css = await anon.get('/assets/console.css');
      const js = await anon.get('/assets/console.js');
      const weight = Buffer.byteLength(pub.body) + Buffer.byteLength(css.body) + Buffer.byteLength(js.body);
      assert.ok(weight < 100 * 1024, `public bulletin page weight ${weight} B`);
      assert.doesNotMatch(pub.body, /(src|href)="(https?:)?\/\//, 'no resource of another origin');
      const key = await anon.get('/stop-access?lang=en');
      assert.equal(key.status, 200);
      assert.match(key.body, /BEGIN PUBLIC KEY/);
      assert.match(key.body, /apprights-stop-access-feed\/1/);

      // --- Past the deadline the re-test finds the issue again: removal order → stop-access feed ------
      clock.jumpTo('2025-10-24');
      assert.equal(await startDueRetests(h.platform, clock.now()), 1);
      const retest = await db.selectFrom('reg_bulletin_items').selectAll().where('bulletin_id', '=', bulletinId).executeTakeFirstOrThrow();
      await completeQueuedJob(db, retest.retest_job_id!, [
        { fingerprint: 'fp-consent', severity: 'high', ruleId: 'collect-before-consent' },
      ]);
      await dispatchEvents(h.platform);
      await dispatchEvents(h.platform);
      page = await r.get(`/console/regulator/bulletins/${bulletinId}?lang=en`);
      assert.match(page.body, /class="item-state state-escalated"/);
      assert.match((await anon.get(`/bulletins/${bulletinId}?lang=zh-CN`)).body, /已升级/);
      page = await r.get('/console/regulator/orders?lang=en');
      assert.match(page.body, /class="removal-orders"/);
      assert.match(page.body, /com\.example\.console/);
      assert.match(page.body, /data-seq="1"/, 'the removal order is feed entry 1');
      const removal = await db.selectFrom('reg_removal_orders').selectAll().where('bulletin_id', '=', bulletinId).executeTakeFirstOrThrow();
      const stop = await db.selectFrom('stop_access_orders').selectAll().executeTakeFirstOrThrow();
      assert.equal(stop.removal_order_id, removal.id, 'the feed entry names the removal order it comes from');

      // The access provider acknowledges it in its console.
      const ap = new ConsoleClient(h.app);
      await ap.signIn(provider.login, provider.password);
      page = await ap.get('/console/provider/feed?lang=zh-CN');
      assert.match(page.body, /name="seq"\s+value="1"/);
      assert.match(page.body, /com\.example\.tracker, tracker\.example\.com/);
      assert.equal((await ap.postForm('/console/provider/feed', { _csrf: csrfOf(page.body) })).status, 400, 'nothing picked');
      res = await ap.postForm('/console/provider/feed?since=0', { _csrf: csrfOf(page.body), seq: '1' });
      assert.equal(res.status, 303);
      page = await ap.get(res.location!);
      assert.doesNotMatch(page.body, /name="seq"\s+value="1"/, 'acknowledged');
      assert.equal((await db.selectFrom('stop_access_acks').selectAll().execute()).length, 1);
      // Roles: the provider cannot open the regulator's screens, nor the regulator the provider's.
      assert.match((await ap.get('/console/regulator/orders')).location ?? '', /why=other-role/);
      assert.match((await r.get('/console/provider/feed')).location ?? '', /why=other-role/);

      // A stop-access order issued from the console: the same checks as the API (a bad domain is named), then feed entry 2.
      page = await r.get('/console/regulator/orders?lang=en');
      res = await r.postForm('/console/regulator/orders', { _csrf: csrfOf(page.body), domains: 'not a domain', legalBasis: 'decision 7' });
      assert.equal(res.status, 400);
      assert.match(res.body, /<code>\/domains\/0<\/code>/);
      res = await r.postForm('/console/regulator/orders', {
        _csrf: csrfOf(page.body),
        domains: 'tracker.example.net',
        legalBasis: `decision 7 ${HOSTILE}`,
        validUntil: '2026-10-24',
      });
      assert.equal(res.status, 303);
      page = await r.get('/console/regulator/orders?lang=en');
      assert.match(page.body, /data-seq="2"/);
      const issued = await db.selectFrom('stop_access_orders').selectAll().where('source', '=', 'api').executeTakeFirstOrThrow();
      assert.equal(issued.valid_until, Date.parse('2026-10-24T23:59:59.999+08:00'));
      escaped((await ap.get('/console/provider/feed?lang=en')).body, 'legal basis in the feed');

      // Rankings: recomputed from the console, shown publicly (names as text).
      page = await r.get('/console/regulator/rankings');
      assert.equal((await r.postForm('/console/regulator/rankings', { _csrf: csrfOf(page.body) })).status, 303);
      const rankings = await anon.get('/rankings?dimension=store&lang=en');
      assert.equal(rankings.status, 200);
      escaped(rankings.body, 'ranking names');

      // --- A complaint from the public form, answered in the operator's inbox before the deadline -----
      // (the delisted app of the bulletin is gone from the disclosure: a second app is complained about)
      const other = await addListedApp(db, {
        developerOrgId: dev.orgId,
        storeIds: [storeId],
        packageName: 'com.example.other',
        appType: 'utilities',
      });
      const appPage = await anon.get(`/apps/${other.listingId}?lang=en`);
      assert.match(appPage.body, new RegExp(`href="/console/complain/${other.listingId}\\?lang=en"`));
      page = await anon.get(`/console/complain/${other.listingId}?lang=en`);
      assert.equal(page.status, 200);
      assert.equal(
        (await anon.postForm(`/console/complain/${other.listingId}`, { category: 'permissions', text: 'x'.repeat(20) })).status,
        403,
      );
      res = await anon.postForm(`/console/complain/${other.listingId}?lang=en`, {
        _csrf: csrfOf(page.body),
        category: 'permissions',
        text: 'short',
      });
      assert.equal(res.status, 400);
      assert.match(res.body, /<code>\/text<\/code>/);
      res = await anon.postForm(`/console/complain/${other.listingId}?lang=en`, {
        _csrf: csrfOf(page.body),
        category: 'permissions',
        text: `It asks for the contacts at start ${HOSTILE}`,
      });
      assert.equal(res.status, 303);
      page = await anon.get(res.location!);
      const complaintId = /data-complaint="([0-9A-Z]{26})"/.exec(page.body)![1]!;
      // 2025-10-24 (Friday) + 15 working days.
      assert.match(page.body, /answered by\s+2025-11-14/);

      const kpiCells = async () => {
        const kpi = await r.get('/console/regulator/complaints?quarter=2025-Q4&lang=en');
        const row = new RegExp(`data-operator="${dev.orgId}"[\\s\\S]*?class="on-time">(\\d+)<[\\s\\S]*?class="pending">(\\d+)<`).exec(
          kpi.body,
        );
        assert.ok(row, kpi.body.slice(0, 2000));
        return { onTime: Number(row[1]), pending: Number(row[2]) };
      };
      assert.deepEqual(await kpiCells(), { onTime: 0, pending: 1 });

      const d = new ConsoleClient(h.app);
      await d.signIn(dev.login, dev.password);
      page = await d.get('/console/developer/complaints?lang=zh-CN');
      assert.match(page.body, new RegExp(`/console/developer/complaints/${complaintId}`));
      assert.match(page.body, /2025-11-14/);
      page = await d.get(`/console/developer/complaints/${complaintId}?lang=en`);
      escaped(page.body, 'complaint text');
      assert.match(page.body, /data-state="received"/);
      res = await d.postForm(`/console/developer/complaints/${complaintId}`, {
        _csrf: csrfOf(page.body),
        action: 'answer',
        answer: 'too early',
      });
      assert.equal(res.status, 409, 'answer before accepting');
      res = await d.postForm(`/console/developer/complaints/${complaintId}`, { _csrf: csrfOf(page.body), action: 'accept' });
      assert.equal(res.status, 303);
      clock.jumpTo('2025-11-03');
      res = await d.postForm(`/console/developer/complaints/${complaintId}`, {
        _csrf: csrfOf(page.body),
        action: 'answer',
        answer: `Fixed in 1.1 ${HOSTILE}`,
      });
      assert.equal(res.status, 303);
      page = await d.get(`/console/developer/complaints/${complaintId}?lang=en`);
      assert.match(page.body, /data-state="answered"/);
      escaped(page.body, 'answer');
      assert.deepEqual(await kpiCells(), { onTime: 1, pending: 0 });

      // Another operator does not see it; the regulator's pages refuse the developer.
      const o = new ConsoleClient(h.app);
      await o.signIn(otherDev.login, otherDev.password);
      assert.equal((await o.get(`/console/developer/complaints/${complaintId}`)).status, 404);
      assert.match((await d.get('/console/regulator/campaigns')).location ?? '', /why=other-role/);
      assert.match((await anon.get('/console/regulator/complaints')).location ?? '', /^\/console\/login\?next=/);
    } finally {
      await h.close();
    }
  },
  { timeout: 120_000 },
);
