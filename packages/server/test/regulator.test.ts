import assert from 'node:assert/strict';
import { TestClock } from '../src/calendar/clock.js';
import { dispatchEvents } from '../src/workflows/events.js';
import { addOutbox } from '../src/jobs/sql.js';
import { startDueRetests } from '../src/workflows/regulator/bulletins.js';
import { drawSample, sampleKey } from '../src/workflows/regulator/campaigns.js';
import { CREDIT_FORMULA_VERSION } from '../src/workflows/regulator/credit.js';
import { csvCell } from '../src/workflows/regulator/rankings.js';
import { bothDatabases } from './support/databases.js';
import { bearer, harness, member, type Member } from './support/http.js';
import { addListedApp, addOrgOfKind, addReport, completeQueuedJob, type SeededApp } from './support/regulator.js';
import { isId, newId, newIdBlock } from '../src/ids.js';

// The regulator workflow over HTTP on both databases: campaigns (selection, seeded sample,
// detection jobs at priority -10, progress, triage), bulletins (deadline through the working-day
// calendar, publication, public list with ETag), rankings, credit, appeals and role separation.
// Detection jobs here are recorded, not run: a test writes what a worker would (report, findings,
// job.succeeded) and dispatches the event; the real-job path is test/regulator-retest.test.ts.

type Inject = Awaited<ReturnType<typeof harness>>['app']['inject'];

async function call(
  inject: Inject,
  who: Member | null,
  method: 'GET' | 'POST',
  url: string,
  payload?: unknown,
  headers: Record<string, string> = {},
) {
  const res = await inject({
    method,
    url,
    headers: { ...(who ? bearer(who) : {}), ...headers, ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
  });
  return res;
}

bothDatabases(
  'regulator: campaign selection (store, type, SDK, seeded sample) is reproducible; jobs at -10; progress; triage audited',
  async (_t, under) => {
    const h = await harness(under);
    try {
      const db = h.platform.store.db;
      const reg = await member(h.platform, 'regulator-a', 'regulator');
      const storeA = await addOrgOfKind(db, 'store', 'store-a');
      const storeB = await addOrgOfKind(db, 'store', 'store-b');
      const dev = await addOrgOfKind(db, 'developer', 'dev-1');
      const apps: SeededApp[] = [];
      for (let i = 0; i < 30; i++)
        apps.push(
          await addListedApp(db, {
            developerOrgId: dev,
            storeIds: i % 3 === 0 ? [storeA, storeB] : [i % 2 ? storeA : storeB],
            packageName: `com.example.app${i}`,
            appType: i % 2 ? 'game' : 'news',
            ...(i % 5 === 0
              ? {
                  report: {
                    body: {
                      sdks: [
                        {
                          id: i % 10 === 0 ? 'umeng-analytics' : 'other',
                          evidence: { classExamples: [`com.umeng.x${i}.A`], components: [] },
                        },
                      ],
                    },
                  },
                }
              : {}),
          }),
        );
      const create = (selection: unknown) =>
        call(h.app.inject.bind(h.app), reg, 'POST', '/api/v1/regulator/campaigns', { name: 'c', selection });
      const itemsOf = async (id: string) =>
        await db
          .selectFrom('reg_campaign_items')
          .select(['app_id', 'mode', 'job_id'])
          .where('campaign_id', '=', id)
          .orderBy('app_id')
          .execute();

      // The same seed: the same sample; another seed: another; the sample matches the documented draw.
      const r1 = await create({ sampleSize: 7, seed: 'seed-2025' });
      assert.equal(r1.statusCode, 201, r1.body);
      const r2 = await create({ sampleSize: 7, seed: 'seed-2025' });
      const r3 = await create({ sampleSize: 7, seed: 'another seed' });
      const [s1, s2, s3] = await Promise.all([r1, r2, r3].map((r) => itemsOf((r.json() as { id: string }).id)));
      assert.equal(s1.length, 7);
      assert.deepEqual(
        s1.map((i) => i.app_id),
        s2!.map((i) => i.app_id),
      );
      assert.notDeepEqual(
        s1.map((i) => i.app_id),
        s3!.map((i) => i.app_id),
      );
      const expected = apps
        .map((a) => ({ appId: a.appId, key: sampleKey('seed-2025', a.appId) }))
        .sort((a, b) => (a.key < b.key ? -1 : 1))
        .slice(0, 7)
        .map((a) => a.appId)
        .sort();
      assert.deepEqual(
        s1.map((i) => i.app_id),
        expected,
        'sample = the 7 smallest SHA-256(seed \\n appId)',
      );
      assert.deepEqual(drawSample([{ appId: 'b' }, { appId: 'a' }], 5, 'x'), [{ appId: 'a' }, { appId: 'b' }]);

      // Filters: store + type; SDK by catalogue id and by package prefix.
      const byStore = await create({ storeIds: [storeA], appTypes: ['game'] });
      const inStoreA = apps.filter((_a, i) => (i % 3 === 0 || i % 2 === 1) && i % 2 === 1);
      assert.equal((byStore.json() as { selected: number }).selected, inStoreA.length);
      const bySdk = await create({ sdk: 'umeng-analytics' });
      assert.equal((bySdk.json() as { selected: number }).selected, 3, 'apps 0, 10, 20');
      const byPrefix = await create({ sdk: 'com.umeng.' });
      assert.equal((byPrefix.json() as { selected: number }).selected, 6, 'apps 0, 5, …, 25');
      // By rule: a finding of that rule in the app's latest report (the seeded reports of apps 0 and 5 have one; app 5's is superseded).
      await db
        .insertInto('findings')
        .values(
          [apps[0]!, apps[5]!].map((a) => ({
            id: newId(),
            report_id: a.reportId!,
            org_id: dev,
            app_id: a.appId,
            fingerprint: `sdk-${a.appId}`,
            rule_id: 'policy-sdk-undisclosed',
            severity: 'high',
            measures: '[]',
            created_at: Date.now(),
          })),
        )
        .execute();
      await addReport(db, { orgId: dev, appId: apps[5]!.appId, versionId: apps[5]!.versionId, findings: [] });
      const byRule = await create({ ruleId: 'policy-sdk-undisclosed' });
      assert.deepEqual(await itemsOf((byRule.json() as { id: string }).id).then((r) => r.map((i) => i.app_id)), [apps[0]!.appId]);
      const noSeed = await create({ sampleSize: 3 });
      assert.equal(noSeed.statusCode, 400);
      assert.equal((noSeed.json() as { errors: { pointer: string }[] }).errors[0]!.pointer, '/selection/seed');

      // Detection: rerun-rules where facts exist, scan of the listed version otherwise — both at priority -10 in the developer's organisation.
      const prefixItems = await itemsOf((byPrefix.json() as { id: string }).id);
      assert.ok(prefixItems.every((i) => i.mode === 'rerun'));
      const all = await create({});
      const allId = (all.json() as { id: string }).id;
      const allItems = await itemsOf(allId);
      assert.equal(allItems.length, 30);
      // The seeded blobs are rows only (no file), so apps without facts cannot be scanned: skipped, with the reason.
      assert.equal(allItems.filter((i) => i.mode === 'rerun').length, 6);
      assert.equal(allItems.filter((i) => i.mode === 'none').length, 24);
      const jobs = await db
        .selectFrom('jobs')
        .selectAll()
        .where(
          'id',
          'in',
          allItems.filter((i) => i.job_id).map((i) => i.job_id!),
        )
        .execute();
      assert.ok(jobs.every((j) => j.priority === -10 && j.org_id === dev && j.kind === 'rerun-rules' && j.created_by === reg.userId));

      // Progress and triage after the jobs finish.
      const rerunJobs = allItems.filter((i) => i.job_id).map((i) => i.job_id!);
      await completeQueuedJob(db, rerunJobs[0]!, [
        { fingerprint: 'fp-a', severity: 'high', measures: ['m-collect'] },
        { fingerprint: 'fp-b', severity: 'low' },
      ]);
      await completeQueuedJob(db, rerunJobs[1]!, []);
      await dispatchEvents(h.platform);
      await dispatchEvents(h.platform); // a second dispatch changes nothing
      const detail = await call(h.app.inject.bind(h.app), reg, 'GET', `/api/v1/regulator/campaigns/${allId}`);
      const progress = detail.json() as {
        progress: Record<string, number>;
        items: Record<string, number>;
        findings: Record<string, number>;
      };
      assert.equal(progress.progress.succeeded, 2);
      assert.equal(progress.progress.queued, 4);
      assert.equal(progress.progress.skipped, 24);
      // The outcomes reached the campaign (the items' own states), not only the jobs.
      assert.deepEqual(progress.items, { queued: 4, succeeded: 2, failed: 0, skipped: 24 });
      assert.deepEqual(progress.findings, { new: 2 });
      const list = await call(h.app.inject.bind(h.app), reg, 'GET', `/api/v1/regulator/campaigns/${allId}/findings?state=new`);
      const findings = (list.json() as { items: { id: string; fingerprint: string }[] }).items;
      assert.equal(findings.length, 2);
      const fa = findings.find((f) => f.fingerprint === 'fp-a')!;
      const fb = findings.find((f) => f.fingerprint === 'fp-b')!;
      const noNote = await call(h.app.inject.bind(h.app), reg, 'POST', `/api/v1/regulator/findings/${fb.id}/triage`, {
        decision: 'dismiss',
      });
      assert.equal(noNote.statusCode, 400);
      assert.equal((noNote.json() as { errors: { pointer: string }[] }).errors[0]!.pointer, '/note');
      const dismissed = await call(h.app.inject.bind(h.app), reg, 'POST', `/api/v1/regulator/findings/${fb.id}/triage`, {
        decision: 'dismiss',
        note: 'test build only',
      });
      assert.equal(dismissed.statusCode, 200, dismissed.body);
      const confirmed = await call(h.app.inject.bind(h.app), reg, 'POST', `/api/v1/regulator/findings/${fa.id}/triage`, {
        decision: 'confirm',
      });
      assert.equal((confirmed.json() as { state: string }).state, 'confirmed');
      const again = await call(h.app.inject.bind(h.app), reg, 'POST', `/api/v1/regulator/findings/${fa.id}/triage`, {
        decision: 'dismiss',
        note: 'x',
      });
      assert.equal(again.statusCode, 409);
      const audit = await db.selectFrom('audit_log').select(['action', 'subject']).where('action', 'like', 'regulator.finding.%').execute();
      assert.deepEqual(audit.map((a) => a.action).sort(), ['regulator.finding.confirmed', 'regulator.finding.dismissed']);

      // Bulk triage: the campaign's new findings by rule and severity (none left after the above).
      const bulk = await call(h.app.inject.bind(h.app), reg, 'POST', `/api/v1/regulator/campaigns/${allId}/triage`, {
        decision: 'confirm',
        severities: ['high'],
      });
      assert.deepEqual(bulk.json(), { campaignId: allId, state: 'confirmed', decided: 0 });
      await completeQueuedJob(db, rerunJobs[2]!, [
        { fingerprint: 'fp-c', severity: 'high', ruleId: 'r-collect' },
        { fingerprint: 'fp-d', severity: 'high', ruleId: 'r-other' },
        { fingerprint: 'fp-e', severity: 'medium', ruleId: 'r-collect' },
      ]);
      await dispatchEvents(h.platform);
      // The copy (one INSERT … SELECT) numbers the ids in a block: valid ids, in the findings' order, after the first copy's.
      const copied = await db
        .selectFrom('reg_findings')
        .select(['id', 'finding_id'])
        .where('campaign_id', '=', allId)
        .where('fingerprint', 'in', ['fp-c', 'fp-d', 'fp-e'])
        .orderBy('finding_id')
        .execute();
      assert.equal(copied.length, 3);
      assert.ok(copied.every((r) => isId(r.id) && r.id > fa.id && r.id > fb.id));
      assert.deepEqual(
        copied.map((r) => r.id),
        copied.map((r) => r.id).sort(),
      );
      const before = newId();
      const block = newIdBlock();
      assert.ok(before < `${block}0000` && `${block}ZZZZ` < newId() && isId(`${block}ZZZZ`));
      const unnamed = await call(h.app.inject.bind(h.app), reg, 'POST', `/api/v1/regulator/campaigns/${allId}/triage`, {
        decision: 'confirm',
      });
      assert.equal(unnamed.statusCode, 400);
      const bulk2 = await call(h.app.inject.bind(h.app), reg, 'POST', `/api/v1/regulator/campaigns/${allId}/triage`, {
        decision: 'confirm',
        ruleIds: ['r-collect'],
        severities: ['high'],
      });
      assert.equal((bulk2.json() as { decided: number }).decided, 1);
      const states = await db
        .selectFrom('reg_findings')
        .select(['fingerprint', 'state'])
        .where('campaign_id', '=', allId)
        .orderBy('fingerprint')
        .execute();
      assert.deepEqual(
        states.map((r) => `${r.fingerprint}:${r.state}`),
        ['fp-a:confirmed', 'fp-b:dismissed', 'fp-c:confirmed', 'fp-d:new', 'fp-e:new'],
      );
      // The campaign's counts by triage state are kept as the findings move (copy, single and bulk triage).
      const counted = await call(h.app.inject.bind(h.app), reg, 'GET', `/api/v1/regulator/campaigns/${allId}`);
      assert.deepEqual((counted.json() as { findings: Record<string, number> }).findings, { new: 2, confirmed: 2, dismissed: 1 });

      // Another regulator organisation sees none of it.
      const other = await member(h.platform, 'regulator-b', 'regulator');
      assert.equal((await call(h.app.inject.bind(h.app), other, 'GET', `/api/v1/regulator/campaigns/${allId}`)).statusCode, 404);
      assert.equal(
        (await call(h.app.inject.bind(h.app), other, 'POST', `/api/v1/regulator/findings/${fa.id}/triage`, { decision: 'confirm' }))
          .statusCode,
        404,
      );
    } finally {
      await h.close();
    }
  },
);

/** Campaign over one seeded app, its job completed with `findings`, all confirmed: returns the reg_findings ids. */
async function confirmedFindings(
  h: Awaited<ReturnType<typeof harness>>,
  reg: Member,
  app: SeededApp,
  fingerprints: string[],
): Promise<string[]> {
  const db = h.platform.store.db;
  const storeId = (await db.selectFrom('listings').select('store_id').where('id', '=', app.listingId).executeTakeFirstOrThrow()).store_id;
  const type = (await db.selectFrom('listings').select('app_type').where('id', '=', app.listingId).executeTakeFirstOrThrow()).app_type;
  const res = await call(h.app.inject.bind(h.app), reg, 'POST', '/api/v1/regulator/campaigns', {
    name: 'one',
    selection: { storeIds: [storeId], ...(type ? { appTypes: [type] } : {}) },
  });
  assert.equal(res.statusCode, 201, res.body);
  const campaignId = (res.json() as { id: string }).id;
  const item = await db
    .selectFrom('reg_campaign_items')
    .selectAll()
    .where('campaign_id', '=', campaignId)
    .where('app_id', '=', app.appId)
    .executeTakeFirstOrThrow();
  await completeQueuedJob(
    db,
    item.job_id!,
    fingerprints.map((fingerprint) => ({ fingerprint, severity: 'high' as const, measures: ['m-collect'] })),
  );
  await dispatchEvents(h.platform);
  const ids: string[] = [];
  for (const f of await db.selectFrom('reg_findings').select('id').where('campaign_id', '=', campaignId).execute()) {
    const r = await call(h.app.inject.bind(h.app), reg, 'POST', `/api/v1/regulator/findings/${f.id}/triage`, { decision: 'confirm' });
    assert.equal(r.statusCode, 200, r.body);
    ids.push(f.id);
  }
  return ids;
}

bothDatabases(
  'regulator: bulletin deadlines count working days (holiday, make-up day), are provisional past coverage; publication is public with ETag',
  async (_t, under) => {
    // Received (published) Friday 2025-09-26: day 1 is the make-up workday Sunday 09-28, the National
    // Day holiday 10-01…10-08 does not count, 10-11 (Saturday) is a make-up workday: the 15th working day is 2025-10-23.
    const clock = new TestClock('2025-09-26');
    const h = await harness(under, {}, clock);
    try {
      const db = h.platform.store.db;
      const inject = h.app.inject.bind(h.app);
      const reg = await member(h.platform, 'regulator', 'regulator');
      const dev = await member(h.platform, 'dev-x', 'developer');
      const storeId = await addOrgOfKind(db, 'store', 'store-x');
      const app = await addListedApp(db, {
        developerOrgId: dev.orgId,
        storeIds: [storeId],
        packageName: 'com.example.bulletin',
        appType: 't1',
        report: {},
      });
      const findingIds = await confirmedFindings(h, reg, app, ['fp-1', 'fp-2']);

      const bad = await call(inject, reg, 'POST', '/api/v1/regulator/bulletins', {
        title: 't',
        titleZh: '通报',
        measure: 'm',
        legalBasis: 'b',
        findings: ['0'.repeat(26)],
        deadline: { workingDays: 15 },
      });
      assert.equal(bad.statusCode, 400);
      assert.equal((bad.json() as { errors: { pointer: string }[] }).errors[0]!.pointer, '/findings/0');

      const draft = await call(inject, reg, 'POST', '/api/v1/regulator/bulletins', {
        title: 'Apps collecting before consent',
        titleZh: '关于侵害用户权益行为的APP通报',
        measure: 'Stop collecting personal information before consent',
        legalBasis: '工信部信管函〔2023〕26号',
        findings: findingIds,
        deadline: { workingDays: 15 },
        sdkPrefixes: ['com.umeng.'],
        domains: ['alog.umeng.com'],
        ips: ['203.0.113.7'],
      });
      assert.equal(draft.statusCode, 201, draft.body);
      const bulletinId = (draft.json() as { id: string }).id;
      // Drafts are not public.
      assert.equal((await call(inject, null, 'GET', `/api/v1/public/bulletins/${bulletinId}`)).statusCode, 404);
      const published = await call(inject, reg, 'POST', `/api/v1/regulator/bulletins/${bulletinId}/publish`);
      assert.equal(published.statusCode, 200, published.body);
      const b = published.json() as {
        dueDate: string;
        provisional: boolean;
        items: { packageName: string; state: string; fingerprints: string[] }[];
      };
      assert.equal(b.dueDate, '2025-10-23');
      assert.equal(b.provisional, false);
      assert.deepEqual(
        b.items.map((i) => [i.packageName, i.state, i.fingerprints]),
        [['com.example.bulletin', 'open', ['fp-1', 'fp-2']]],
      );
      assert.equal((await call(inject, reg, 'POST', `/api/v1/regulator/bulletins/${bulletinId}/publish`)).statusCode, 409);
      // The developer is told, with the due date.
      const notice = await db
        .selectFrom('notifications')
        .selectAll()
        .where('org_id', '=', dev.orgId)
        .where('topic', '=', 'bulletin.issued')
        .executeTakeFirstOrThrow();
      assert.match(notice.title_zh, /2025-10-23/);
      assert.equal(notice.due_at, Date.parse('2025-10-24T00:00:00+08:00') - 1);

      // Public list and detail: anonymous, ETag, 304, no private evidence.
      const list = await call(inject, null, 'GET', '/api/v1/public/bulletins?limit=1');
      assert.equal(list.statusCode, 200);
      assert.equal(list.headers['cache-control'], 'public, max-age=60');
      const etag = String(list.headers.etag);
      assert.equal(
        (await call(inject, null, 'GET', '/api/v1/public/bulletins?limit=1', undefined, { 'if-none-match': etag })).statusCode,
        304,
      );
      const pub = (await call(inject, null, 'GET', `/api/v1/public/bulletins/${bulletinId}`)).json() as {
        items: Record<string, unknown>[];
        domains?: unknown;
      };
      assert.equal(pub.items[0]!.fingerprints, undefined);
      assert.equal(pub.domains, undefined);
      assert.deepEqual(Object.keys((pub.items[0]!.evidence as Record<string, unknown>[])[0]!).sort(), ['measures', 'ruleId', 'severity']);

      // The developer asks for a re-test before the deadline: still found → stays open; clean → closed early, on time.
      const itemId = (published.json() as { items: { id: string }[] }).items[0]!.id;
      const otherDev = await member(h.platform, 'dev-y', 'developer');
      assert.equal((await call(inject, otherDev, 'POST', `/api/v1/bulletin-items/${itemId}/retest`)).statusCode, 404);
      const early = await call(inject, dev, 'POST', `/api/v1/bulletin-items/${itemId}/retest`);
      assert.equal(early.statusCode, 202, early.body);
      const jobId = (early.json() as { retestJobId: string }).retestJobId;
      assert.equal((await call(inject, dev, 'POST', `/api/v1/bulletin-items/${itemId}/retest`)).statusCode, 409, 'one at a time');
      await completeQueuedJob(db, jobId, [{ fingerprint: 'fp-2', severity: 'high' }]);
      await dispatchEvents(h.platform);
      const stillOpen = await db.selectFrom('reg_bulletin_items').selectAll().where('id', '=', itemId).executeTakeFirstOrThrow();
      assert.equal(stillOpen.state, 'open', 'only the deadline’s re-test escalates');
      assert.equal((await db.selectFrom('reg_removal_orders').select('id').execute()).length, 0);
      clock.jumpTo('2025-10-20');
      const second = await call(inject, dev, 'POST', `/api/v1/bulletin-items/${itemId}/retest`);
      await completeQueuedJob(db, (second.json() as { retestJobId: string }).retestJobId, [{ fingerprint: 'other', severity: 'low' }]);
      await dispatchEvents(h.platform);
      const closed = await db.selectFrom('reg_bulletin_items').selectAll().where('id', '=', itemId).executeTakeFirstOrThrow();
      assert.deepEqual([closed.state, closed.on_time, closed.closed_at], ['closed', 1, clock.now()]);
      clock.jumpTo('2025-10-24');
      assert.equal((await call(inject, dev, 'POST', `/api/v1/bulletin-items/${itemId}/retest`)).statusCode, 409, 'closed');

      // A fixed date past the calendar's data is provisional; so is a working-day count into 2027.
      const more = await confirmedFindings(
        h,
        reg,
        await addListedApp(db, {
          developerOrgId: dev.orgId,
          storeIds: [storeId],
          packageName: 'com.example.two',
          appType: 't2',
          report: {},
        }),
        ['fp-3'],
      );
      const dated = await call(inject, reg, 'POST', '/api/v1/regulator/bulletins', {
        title: 'd',
        titleZh: 'd',
        measure: 'm',
        legalBasis: 'b',
        findings: more,
        deadline: { date: '2027-01-15' },
      });
      const datedPub = (
        await call(inject, reg, 'POST', `/api/v1/regulator/bulletins/${(dated.json() as { id: string }).id}/publish`)
      ).json() as { dueDate: string; provisional: boolean };
      assert.deepEqual([datedPub.dueDate, datedPub.provisional], ['2027-01-15', true]);
      clock.jumpTo('2026-12-10');
      const more2 = await confirmedFindings(
        h,
        reg,
        await addListedApp(db, {
          developerOrgId: dev.orgId,
          storeIds: [storeId],
          packageName: 'com.example.three',
          appType: 't3',
          report: {},
        }),
        ['fp-4'],
      );
      const counted = await call(inject, reg, 'POST', '/api/v1/regulator/bulletins', {
        title: 'c',
        titleZh: 'c',
        measure: 'm',
        legalBasis: 'b',
        findings: more2,
        deadline: { workingDays: 30 },
      });
      const countedPub = (
        await call(inject, reg, 'POST', `/api/v1/regulator/bulletins/${(counted.json() as { id: string }).id}/publish`)
      ).json() as { dueDate: string; provisional: boolean };
      assert.equal(countedPub.provisional, true);
      assert.ok(countedPub.dueDate > '2026-12-31');
      const past = await call(inject, reg, 'POST', '/api/v1/regulator/bulletins', {
        title: 'p',
        titleZh: 'p',
        measure: 'm',
        legalBasis: 'b',
        findings: more2,
        deadline: { date: '2026-12-01' },
      });
      assert.equal(past.statusCode, 201);
      const pastPub = await call(inject, reg, 'POST', `/api/v1/regulator/bulletins/${(past.json() as { id: string }).id}/publish`);
      assert.equal(pastPub.statusCode, 400, 'a deadline before publication');
    } finally {
      await h.close();
    }
  },
);

bothDatabases(
  'regulator: rankings on a hand-computed seed; CSV with header, RFC 4180 quoting, formula-safe; public and anonymous',
  async (_t, under) => {
    const clock = new TestClock('2025-03-03');
    const h = await harness(under, {}, clock);
    try {
      const db = h.platform.store.db;
      const inject = h.app.inject.bind(h.app);
      const reg = await member(h.platform, 'regulator', 'regulator');
      const s1 = await addOrgOfKind(db, 'store', 'store-1', '=HYPERLINK("http://x")');
      const s2 = await addOrgOfKind(db, 'store', 'store-2', 'Store "Two", Ltd');
      const d1 = await addOrgOfKind(db, 'developer', 'dev-1');
      const d2 = await addOrgOfKind(db, 'developer', 'dev-2');
      // store-1: a (pass: low only), b (fail: high), c (no report) → tested 2, passing 1, rate 0.5
      // store-2: b (fail), d (pass: no findings) → tested 2, passing 1, rate 0.5; e delisted (not counted)
      const a = await addListedApp(db, {
        developerOrgId: d1,
        storeIds: [s1],
        packageName: 'p.a',
        appType: 'news',
        report: { findings: [{ fingerprint: 'a1', severity: 'low', measures: ['m1'] }] },
      });
      const b = await addListedApp(db, {
        developerOrgId: d1,
        storeIds: [s1, s2],
        packageName: 'p.b',
        appType: 'game',
        report: {
          findings: [
            { fingerprint: 'b1', severity: 'high', measures: ['m1', 'm2'] },
            { fingerprint: 'b2', severity: 'medium', measures: ['m2'] },
          ],
        },
      });
      await addListedApp(db, { developerOrgId: d2, storeIds: [s1], packageName: 'p.c', appType: 'game' });
      await addListedApp(db, { developerOrgId: d2, storeIds: [s2], packageName: 'p.d', appType: 'news', report: {} });
      const e = await addListedApp(db, {
        developerOrgId: d2,
        storeIds: [s2],
        packageName: 'p.e',
        report: { findings: [{ fingerprint: 'e1', severity: 'high' }] },
      });
      await db.updateTable('listings').set({ state: 'delisted' }).where('id', '=', e.listingId).execute();
      // Bulletin items: a closed on time, b escalated (removal order at T, s1 done at T+2h, s2 done at T+6h).
      const bulletinId = '01JBULLETIN000000000000000';
      await db
        .insertInto('reg_bulletins')
        .values({
          id: bulletinId,
          org_id: reg.orgId,
          state: 'published',
          title: 't',
          title_zh: 't',
          measure: 'm',
          legal_basis: 'l',
          sdk_prefixes: '[]',
          domains: '[]',
          ips: '[]',
          deadline_kind: 'working-days',
          deadline_value: '15',
          due_date: '2025-03-01',
          provisional: 0,
          created_by: null,
          created_at: 1,
          published_at: clock.now(),
          updated_at: 1,
        })
        .execute();
      const item = (id: string, app: SeededApp, state: string, onTime: number) => ({
        id,
        bulletin_id: bulletinId,
        app_id: app.appId,
        developer_org_id: d1,
        package_name: app.packageName,
        signer_sha256: null,
        fingerprints: '[]',
        evidence: JSON.stringify([{ measures: ['m1'] }]),
        state,
        retest_job_id: null,
        retest_report_id: null,
        due_date: '2025-03-01',
        closed_at: 2,
        on_time: onTime,
        updated_at: 2,
      });
      await db
        .insertInto('reg_bulletin_items')
        .values([item('01JITEMA00000000000000000A', a, 'closed', 1), item('01JITEMB00000000000000000B', b, 'escalated', 0)])
        .execute();
      const T = Date.parse('2025-03-02T00:00:00Z');
      await db
        .insertInto('reg_removal_orders')
        .values({
          id: '01JORDER000000000000000000',
          item_id: '01JITEMB00000000000000000B',
          bulletin_id: bulletinId,
          package_name: 'p.b',
          signer_sha256: null,
          sdk_prefixes: '[]',
          domains: '[]',
          ips: '[]',
          legal_basis: 'l',
          valid_until: '2026-03-02',
          issued_at: T,
        })
        .execute();
      const listingsB = await db.selectFrom('listings').select(['id', 'store_id']).where('app_id', '=', b.appId).execute();
      for (const l of listingsB)
        await db
          .insertInto('reg_delisting_tasks')
          .values({
            id: `01JTASK${l.store_id === s1 ? '1' : '2'}000000000000000000`,
            order_id: '01JORDER000000000000000000',
            listing_id: l.id,
            store_id: l.store_id,
            state: 'done',
            created_at: T,
            done_by: null,
            done_at: T + (l.store_id === s1 ? 2 : 6) * 3_600_000,
          })
          .execute();

      assert.equal((await call(inject, null, 'GET', '/api/v1/public/rankings')).statusCode, 404, 'nothing computed yet');
      const re = await call(inject, reg, 'POST', '/api/v1/regulator/rankings/recompute');
      assert.equal(re.statusCode, 200, re.body);
      const store = (await call(inject, null, 'GET', '/api/v1/public/rankings?dimension=store')).json() as {
        items: Record<string, unknown>[];
      };
      const byKey = Object.fromEntries(store.items.map((r) => [r.key, r]));
      assert.deepEqual(
        [s1, s2].map((k) => {
          const r = byKey[k] as Record<string, unknown>;
          return [
            r.listedApps,
            r.testedApps,
            r.passingApps,
            r.passRate,
            r.bulletinItems,
            r.decidedItems,
            r.rectificationTimeliness,
            r.delistingTasksDone,
            r.delistingMedianHours,
          ];
        }),
        [
          [3, 2, 1, 0.5, 2, 2, 0.5, 1, 2],
          [2, 2, 1, 0.5, 1, 1, 0, 1, 6],
        ],
      );
      const developer = (
        (await call(inject, null, 'GET', '/api/v1/public/rankings?dimension=developer')).json() as { items: Record<string, unknown>[] }
      ).items;
      const dev1 = developer.find((r) => r.key === d1)!;
      const dev2 = developer.find((r) => r.key === d2)!;
      assert.deepEqual([dev1.listedApps, dev1.testedApps, dev1.passingApps, dev1.rectificationTimeliness], [2, 2, 1, 0.5]);
      assert.deepEqual([dev2.listedApps, dev2.testedApps, dev2.passingApps, dev2.passRate], [2, 1, 1, 1]);
      assert.equal(developer[0]!.key, d2, 'best pass rate first');
      const category = (
        (await call(inject, null, 'GET', '/api/v1/public/rankings?dimension=category')).json() as { items: Record<string, unknown>[] }
      ).items;
      assert.deepEqual(
        category.map((r) => [r.key, r.listedApps, r.passRate]),
        [
          ['news', 2, 1],
          ['game', 2, 0],
        ],
      );
      const measure = (
        (await call(inject, null, 'GET', '/api/v1/public/rankings?dimension=measure')).json() as { items: Record<string, unknown>[] }
      ).items;
      const m = Object.fromEntries(measure.map((r) => [r.key, [r.testedApps, r.findings, r.bulletinItems]]));
      assert.deepEqual(m.m1, [2, { high: 1, medium: 0, low: 1, info: 0 }, 2]);
      assert.deepEqual(m.m2, [1, { high: 1, medium: 1, low: 0, info: 0 }, 0]);

      const csv = await call(inject, null, 'GET', '/api/v1/public/rankings.csv?dimension=store');
      assert.equal(csv.statusCode, 200);
      assert.match(String(csv.headers['content-type']), /^text\/csv/);
      const lines = csv.body.split('\r\n');
      assert.equal(
        lines[0],
        'rank,key,name,listed_apps,tested_apps,passing_apps,pass_rate,findings_high,findings_medium,findings_low,findings_info,bulletin_items,decided_items,rectified_on_time,rectification_timeliness,delisting_tasks_done,delisting_median_hours',
      );
      assert.ok(lines.includes(`1,${s1},"'=HYPERLINK(""http://x"")",3,2,1,0.5,1,1,1,0,2,2,1,0.5,1,2`), csv.body);
      assert.ok(lines.includes(`2,${s2},"Store ""Two"", Ltd",2,2,1,0.5,1,1,0,0,1,1,0,0,1,6`), csv.body);
      assert.equal(lines.at(-1), '', 'CRLF after the last record');
      assert.equal(
        (await call(inject, null, 'GET', '/api/v1/public/rankings.csv', undefined, { 'if-none-match': String(csv.headers.etag) }))
          .statusCode,
        304,
      );
      assert.deepEqual(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', 'a,b', 'a"b', 'line\nbreak', 'plain', -1, null].map(csvCell), [
        "'=1+1",
        "'+1",
        "'-1",
        "'@SUM(A1)",
        "'\tx",
        '"a,b"',
        '"a""b"',
        '"line\nbreak"',
        'plain',
        '-1',
        '',
      ]);
    } finally {
      await h.close();
    }
  },
);

bothDatabases(
  'regulator: developer credit shows its formula and inputs; own only for developers; appeals decided by the regulator, audited',
  async (_t, under) => {
    const clock = new TestClock('2025-05-06');
    const h = await harness(under, {}, clock);
    try {
      const db = h.platform.store.db;
      const inject = h.app.inject.bind(h.app);
      const reg = await member(h.platform, 'regulator', 'regulator');
      const dev = await member(h.platform, 'dev-c', 'developer');
      const otherDev = await member(h.platform, 'dev-d', 'developer');
      const store = await member(h.platform, 'store-c', 'store-admin');
      const app = await addListedApp(db, {
        developerOrgId: dev.orgId,
        storeIds: [store.orgId],
        packageName: 'p.credit',
        report: {
          findings: [
            { fingerprint: 'h1', severity: 'high' },
            { fingerprint: 'h2', severity: 'high' },
            { fingerprint: 'm1', severity: 'medium' },
            { fingerprint: 'l1', severity: 'low' },
          ],
        },
      });
      const findingIds = await confirmedFindings(h, reg, app, ['c1']);
      const draft = await call(inject, reg, 'POST', '/api/v1/regulator/bulletins', {
        title: 't',
        titleZh: 't',
        measure: 'm',
        legalBasis: 'b',
        findings: findingIds,
        deadline: { workingDays: 10 },
      });
      await call(inject, reg, 'POST', `/api/v1/regulator/bulletins/${(draft.json() as { id: string }).id}/publish`);

      const own = await call(inject, dev, 'GET', `/api/v1/credit/${dev.orgId}`);
      assert.equal(own.statusCode, 200, own.body);
      const credit = own.json() as {
        formula: string;
        score: number;
        level: string;
        inputs: { name: string; value: number; weight: number; deduction: number; available: boolean }[];
        prompt: { en: string; zh: string };
      };
      assert.equal(credit.formula, CREDIT_FORMULA_VERSION);
      const inputs = Object.fromEntries(credit.inputs.map((i) => [i.name, [i.value, i.weight, i.deduction, i.available]]));
      // The campaign's re-run (latest report) found c1 (high) only.
      assert.deepEqual(inputs, {
        highFindings: [1, 5, 5, true],
        mediumFindings: [0, 2, 0, true],
        lowFindings: [0, 0.5, 0, true],
        repeatedRejections: [0, 10, 0, true],
        lateRectificationShare: [0, 20, 0, true],
        recentBulletinItems: [1, 5, 5, true],
      });
      assert.equal(credit.score, 90);
      assert.equal(credit.level, 'good');
      assert.equal(credit.prompt, null);
      assert.equal((await call(inject, otherDev, 'GET', `/api/v1/credit/${dev.orgId}`)).statusCode, 404, "another developer's credit");
      const publicPrompt = await call(inject, null, 'GET', `/api/v1/public/developers/${dev.orgId}/risk-prompt`);
      assert.deepEqual(publicPrompt.json(), { developerOrgId: dev.orgId, formula: CREDIT_FORMULA_VERSION, level: 'good', prompt: null });
      assert.ok(publicPrompt.headers.etag);
      assert.equal((await call(inject, store, 'GET', `/api/v1/credit/${dev.orgId}`)).statusCode, 200, 'stores see every developer');
      assert.equal((await call(inject, reg, 'GET', `/api/v1/credit/${store.orgId}`)).statusCode, 404, 'not a developer');

      const item = await db
        .selectFrom('reg_bulletin_items')
        .select('id')
        .where('developer_org_id', '=', dev.orgId)
        .executeTakeFirstOrThrow();
      assert.equal(
        (await call(inject, otherDev, 'POST', '/api/v1/credit/appeals', { subject: item.id, text: 'not ours' })).statusCode,
        400,
      );
      const filed = await call(inject, dev, 'POST', '/api/v1/credit/appeals', {
        subject: item.id,
        text: 'Fixed in 1.1; the finding was a false positive.',
      });
      assert.equal(filed.statusCode, 201, filed.body);
      const appealId = (filed.json() as { id: string }).id;
      assert.equal(((await call(inject, otherDev, 'GET', '/api/v1/credit/appeals')).json() as { items: unknown[] }).items.length, 0);
      assert.equal(
        (await call(inject, dev, 'POST', `/api/v1/credit/appeals/${appealId}/decide`, { decision: 'uphold', note: 'x' })).statusCode,
        403,
      );
      const decided = await call(inject, reg, 'POST', `/api/v1/credit/appeals/${appealId}/decide`, {
        decision: 'uphold',
        note: 'Evidence accepted',
      });
      assert.equal((decided.json() as { state: string }).state, 'upheld');
      assert.equal(
        (await call(inject, reg, 'POST', `/api/v1/credit/appeals/${appealId}/decide`, { decision: 'reject', note: 'x' })).statusCode,
        409,
      );
      const after = (await call(inject, dev, 'GET', `/api/v1/credit/${dev.orgId}`)).json() as {
        score: number;
        inputs: { name: string; value: number }[];
      };
      assert.equal(after.inputs.find((i) => i.name === 'recentBulletinItems')!.value, 0, 'the upheld appeal removes the item');
      assert.equal(after.score, 95);
      const actions = (await db.selectFrom('audit_log').select('action').where('action', 'like', 'regulator.appeal.%').execute())
        .map((a) => a.action)
        .sort();
      assert.deepEqual(actions, ['regulator.appeal.file', 'regulator.appeal.upheld']);

      // A developer with many high findings: risk, with the prompt in both languages.
      const risky = await member(h.platform, 'dev-risky', 'developer');
      await addListedApp(db, {
        developerOrgId: risky.orgId,
        storeIds: [store.orgId],
        packageName: 'p.risky',
        report: { findings: Array.from({ length: 7 }, (_, i) => ({ fingerprint: `r${i}`, severity: 'high' as const })) },
      });
      const riskyPrompt = (await call(inject, null, 'GET', `/api/v1/public/developers/${risky.orgId}/risk-prompt`)).json() as {
        level: string;
        prompt: { en: string; zh: string };
      };
      assert.equal(riskyPrompt.level, 'risk', '100 − min(40, 7 × 5) = 65 < 70');
      assert.match(riskyPrompt.prompt.zh, /^风险提示：.*7 项高风险问题/);
      assert.match(riskyPrompt.prompt.en, /7 high-severity issues/);

      // Role separation: the regulator's routes refuse developers and stores; public ones admit anyone.
      for (const who of [dev, store]) {
        assert.equal((await call(inject, who, 'GET', '/api/v1/regulator/campaigns')).statusCode, 403);
        assert.equal((await call(inject, who, 'POST', '/api/v1/regulator/rankings/recompute')).statusCode, 403);
      }
      assert.equal((await call(inject, null, 'GET', '/api/v1/regulator/bulletins')).statusCode, 401);
      assert.equal((await call(inject, null, 'GET', '/api/v1/public/bulletins')).statusCode, 200);
      assert.equal((await call(inject, dev, 'GET', '/api/v1/delisting-tasks')).statusCode, 403);
    } finally {
      await h.close();
    }
  },
);

bothDatabases(
  'regulator: a re-test job that fails or dies is submitted again at the next run, then untestable after 3',
  async (_t, under) => {
    const clock = new TestClock('2025-06-02');
    const h = await harness(under, {}, clock);
    try {
      const db = h.platform.store.db;
      const inject = h.app.inject.bind(h.app);
      const reg = await member(h.platform, 'regulator', 'regulator');
      const dev = await member(h.platform, 'dev-f', 'developer');
      const storeId = await addOrgOfKind(db, 'store', 'store-f');
      const app = await addListedApp(db, { developerOrgId: dev.orgId, storeIds: [storeId], packageName: 'p.flaky', report: {} });
      const findings = await confirmedFindings(h, reg, app, ['f1']);
      const draft = await call(inject, reg, 'POST', '/api/v1/regulator/bulletins', {
        title: 't',
        titleZh: 't',
        measure: 'm',
        legalBasis: 'b',
        findings,
        deadline: { date: '2025-06-10' },
      });
      await call(inject, reg, 'POST', `/api/v1/regulator/bulletins/${(draft.json() as { id: string }).id}/publish`);
      clock.jumpTo('2025-06-11');
      const item = () => db.selectFrom('reg_bulletin_items').selectAll().where('app_id', '=', app.appId).executeTakeFirstOrThrow();
      for (const [attempt, topic] of [
        [1, 'job.failed'],
        [2, 'job.dead'],
        [3, 'job.cancelled'],
      ] as const) {
        assert.equal(await startDueRetests(h.platform, clock.now()), 1, `run ${attempt} submits`);
        const jobId = (await item()).retest_job_id!;
        await addOutbox(db, topic, { jobId, kind: 'rerun-rules', orgId: dev.orgId, error: 'worker-crashed' });
        await dispatchEvents(h.platform);
        await dispatchEvents(h.platform);
        const now = await item();
        assert.equal(now.retest_attempts, attempt);
        assert.equal(now.state, attempt < 3 ? 'open' : 'untestable');
      }
      assert.equal(await startDueRetests(h.platform, clock.now()), 0, 'untestable: the regulator decides');
      const audit = await db.selectFrom('audit_log').select('action').where('action', '=', 'regulator.retest.failed').execute();
      assert.equal(audit.length, 3);
    } finally {
      await h.close();
    }
  },
);
