import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestClock } from '../src/calendar/clock.js';
import { buildApp } from '../src/http/app.js';
import { startWorkers } from '../src/jobs/index.js';
import { dispatchEvents } from '../src/workflows/events.js';
import { startDueRetests, type RemovalOrderPayload } from '../src/workflows/regulator/bulletins.js';
import { bothDatabases } from './support/databases.js';
import { bearer, member, type Member } from './support/http.js';
import { APKS, storeApk, testPlatform, waitFor, waitForState } from './support/jobs.js';
import { addListedApp, addOrgOfKind } from './support/regulator.js';

// The regulator's path with real jobs (ApiDemos scanned by the warm workers): campaign → triage →
// bulletin → publish → the deadline passes (TestClock) → the scheduled re-test → the item whose
// issue is still there escalates to a removal order (delisting tasks for every store listing the
// package, `removal-order.issued` for the stop-access feed), the other closes. One re-test's worker
// is killed mid-run: the job layer retries it and the outcome happens once; a redelivered
// job.succeeded event changes nothing.

bothDatabases(
  'regulator: re-test after the deadline (TestClock) → closure or removal order → delisting; a killed re-test completes once',
  async (_t, under) => {
    const hold = join(under.dataDir, 'hold');
    mkdirSync(hold);
    writeFileSync(join(hold, 'release'), ''); // nothing held until the re-tests
    const clock = new TestClock('2025-09-26');
    const p = await testPlatform(under, { clock });
    const workers = await startWorkers(p, { concurrency: 1, childEnv: { ...process.env, APPRIGHTS_TEST_HOLD_DIR: hold } });
    const app = await buildApp(p);
    try {
      const db = p.store.db;
      const call = async (who: Member, method: 'GET' | 'POST', url: string, payload?: unknown) => {
        const res = await app.inject({
          method,
          url,
          headers: { ...bearer(who), ...(payload !== undefined ? { 'content-type': 'application/json' } : {}) },
          ...(payload !== undefined ? { payload: JSON.stringify(payload) } : {}),
        });
        return res;
      };
      const reg = await member(p, 'regulator', 'regulator');
      const dev = await member(p, 'dev-apidemos', 'developer');
      const storeAdmin = await member(p, 'store-one', 'store-admin');
      const storeTwo = await addOrgOfKind(db, 'store', 'store-two');
      const blob = await storeApk(p, APKS.apiDemos);
      const listed = await addListedApp(db, {
        developerOrgId: dev.orgId,
        storeIds: [storeAdmin.orgId, storeTwo],
        packageName: 'io.appium.android.apis',
        appType: 'utilities',
        blob,
      });

      // 1. Campaign: no stored facts yet, so the listed version's package is scanned.
      const created = await call(reg, 'POST', '/api/v1/regulator/campaigns', {
        name: 'utilities 2025',
        selection: { appTypes: ['utilities'] },
      });
      assert.equal(created.statusCode, 201, created.body);
      const campaignId = (created.json() as { id: string }).id;
      const item = await db.selectFrom('reg_campaign_items').selectAll().where('campaign_id', '=', campaignId).executeTakeFirstOrThrow();
      assert.equal(item.mode, 'scan');
      const scanned = await waitForState(p.store, item.job_id!, ['succeeded', 'failed', 'dead'], 120_000);
      assert.equal(scanned.state, 'succeeded', `${scanned.error_code}: ${scanned.error_message}`);
      await dispatchEvents(p);
      const findings = (
        (await call(reg, 'GET', `/api/v1/regulator/campaigns/${campaignId}/findings?limit=200`)).json() as {
          items: { id: string; fingerprint: string; appId: string }[];
        }
      ).items;
      assert.ok(findings.length >= 2, 'ApiDemos has findings');
      assert.ok(
        findings.every((f) => f.appId === listed.appId),
        'the results attach to the developer’s listed app',
      );

      // 2. Triage: two confirmed; the second stands for an issue the developer fixed (its fingerprint will not come back).
      const [still, fixed] = findings;
      for (const f of [still!, fixed!])
        assert.equal((await call(reg, 'POST', `/api/v1/regulator/findings/${f.id}/triage`, { decision: 'confirm' })).statusCode, 200);
      await db.updateTable('reg_findings').set({ fingerprint: 'fixed-in-1.1' }).where('id', '=', fixed!.id).execute();

      // 3. Two bulletins, 15 working days each: due 2025-10-23.
      const bulletin = async (findingId: string, title: string) => {
        const draft = await call(reg, 'POST', '/api/v1/regulator/bulletins', {
          title,
          titleZh: title,
          measure: 'Rectify within 15 working days',
          legalBasis: '工信部信管函〔2023〕26号',
          findings: [findingId],
          deadline: { workingDays: 15 },
          sdkPrefixes: ['com.example.tracker.'],
          domains: ['tracker.example.com'],
          ips: ['203.0.113.9'],
        });
        assert.equal(draft.statusCode, 201, draft.body);
        const id = (draft.json() as { id: string }).id;
        const pub = await call(reg, 'POST', `/api/v1/regulator/bulletins/${id}/publish`);
        assert.equal((pub.json() as { dueDate: string }).dueDate, '2025-10-23');
        return id;
      };
      const escalating = await bulletin(still!.id, 'still there');
      const closing = await bulletin(fixed!.id, 'fixed');

      // 4. On the due date nothing happens; the day after, one re-test per item (and only one).
      clock.jumpTo('2025-10-23');
      assert.equal(await startDueRetests(p, clock.now()), 0);
      clock.jumpTo('2025-10-24');
      rmSync(join(hold, 'release'));
      assert.equal(await startDueRetests(p, clock.now()), 2);
      assert.equal(await startDueRetests(p, clock.now()), 0, 'a second run submits nothing');
      const items = await db.selectFrom('reg_bulletin_items').selectAll().where('bulletin_id', 'in', [escalating, closing]).execute();
      assert.ok(items.every((i) => i.state === 'retesting' && i.retest_job_id));
      const jobs = await db
        .selectFrom('jobs')
        .selectAll()
        .where(
          'id',
          'in',
          items.map((i) => i.retest_job_id!),
        )
        .execute();
      assert.ok(jobs.every((j) => j.kind === 'scan' && j.priority === -10 && j.org_id === dev.orgId));

      // 5. The first re-test to start is killed mid-run; the job layer runs it again.
      let killed = '';
      await waitFor('a re-test to be held', () => {
        for (const j of jobs) if (existsSync(join(hold, `held-${j.id}-1`))) return (killed = j.id);
        return undefined;
      });
      process.kill(Number(readFileSync(join(hold, `held-${killed}-1`), 'utf8')), 'SIGKILL');
      // With one worker slot the other re-test may be claimed before the retry: release once the crash is recorded.
      await waitFor('the crash to be recorded', async () =>
        (await db.selectFrom('job_attempts').select('outcome').where('job_id', '=', killed).where('attempt', '=', 1).executeTakeFirst())
          ?.outcome === 'crashed'
          ? true
          : undefined,
      );
      writeFileSync(join(hold, 'release'), '');
      for (const j of jobs) assert.equal((await waitForState(p.store, j.id, ['succeeded', 'failed', 'dead'], 120_000)).state, 'succeeded');
      const attempts = await db.selectFrom('job_attempts').select('outcome').where('job_id', '=', killed).orderBy('attempt').execute();
      assert.deepEqual(
        attempts.map((a) => a.outcome),
        ['crashed', 'succeeded'],
      );
      await dispatchEvents(p);

      // 6. Outcomes: closed vs escalated with one removal order.
      const after = new Map(
        (await db.selectFrom('reg_bulletin_items').selectAll().where('bulletin_id', 'in', [escalating, closing]).execute()).map((i) => [
          i.bulletin_id,
          i,
        ]),
      );
      assert.equal(after.get(closing)!.state, 'closed');
      assert.equal(after.get(closing)!.on_time, 1);
      assert.equal(after.get(escalating)!.state, 'escalated');
      const orders = await db.selectFrom('reg_removal_orders').selectAll().execute();
      assert.equal(orders.length, 1);
      const events = await db.selectFrom('outbox').selectAll().where('topic', '=', 'removal-order.issued').execute();
      assert.equal(events.length, 1);
      const payload = JSON.parse(events[0]!.payload) as RemovalOrderPayload;
      const signer = (await db.selectFrom('versions').select('signer_sha256').where('id', '=', listed.versionId).executeTakeFirstOrThrow())
        .signer_sha256;
      assert.deepEqual(payload, {
        orderId: orders[0]!.id,
        bulletinId: escalating,
        packageName: 'io.appium.android.apis',
        signerSha256: signer,
        sdkPrefixes: ['com.example.tracker.'],
        domains: ['tracker.example.com'],
        ips: ['203.0.113.9'],
        legalBasis: '工信部信管函〔2023〕26号',
        validUntil: '2026-10-24',
        issuedAt: clock.now(),
      });
      const tasks = await db.selectFrom('reg_delisting_tasks').selectAll().orderBy('store_id').execute();
      assert.deepEqual(tasks.map((t) => t.store_id).sort(), [storeAdmin.orgId, storeTwo].sort());
      assert.ok(tasks.every((t) => t.state === 'open'));
      assert.equal(
        (await db.selectFrom('notifications').select('id').where('topic', '=', 'removal-order.delisting').execute()).length,
        2,
        'each store is told',
      );

      // 7. The same job.succeeded events delivered again (a lost delivery record): nothing new.
      await db.deleteFrom('event_deliveries').execute();
      await db.deleteFrom('event_cursors').execute();
      await dispatchEvents(p);
      assert.equal((await db.selectFrom('reg_removal_orders').select('id').execute()).length, 1);
      assert.equal((await db.selectFrom('outbox').select('id').where('topic', '=', 'removal-order.issued').execute()).length, 1);
      assert.equal((await db.selectFrom('reg_delisting_tasks').select('id').execute()).length, 2);

      // 8. The store delists: its own task only; the listing is delisted at the platform clock's time.
      const own = tasks.find((t) => t.store_id === storeAdmin.orgId)!;
      const other = tasks.find((t) => t.store_id === storeTwo)!;
      const visible = (await call(storeAdmin, 'GET', '/api/v1/delisting-tasks')).json() as { items: { id: string }[] };
      assert.deepEqual(
        visible.items.map((t) => t.id),
        [own.id],
      );
      assert.equal((await call(storeAdmin, 'POST', `/api/v1/delisting-tasks/${other.id}/done`)).statusCode, 404);
      clock.advance(5 * 3_600_000);
      const done = await call(storeAdmin, 'POST', `/api/v1/delisting-tasks/${own.id}/done`);
      assert.equal(done.statusCode, 200, done.body);
      assert.equal((await call(storeAdmin, 'POST', `/api/v1/delisting-tasks/${own.id}/done`)).statusCode, 409);
      const listing = await db.selectFrom('listings').selectAll().where('id', '=', own.listing_id).executeTakeFirstOrThrow();
      assert.equal(listing.state, 'delisted');
      assert.equal(listing.delisted_at, clock.now());
      const ordersApi = (await call(reg, 'GET', '/api/v1/regulator/removal-orders')).json() as { items: { packageName: string }[] };
      assert.deepEqual(
        ordersApi.items.map((o) => o.packageName),
        ['io.appium.android.apis'],
      );
      // The ranking sees the delisting: 5 hours for store one.
      await call(reg, 'POST', '/api/v1/regulator/rankings/recompute');
      const ranks = (await app.inject({ method: 'GET', url: '/api/v1/public/rankings?dimension=store' })).json() as {
        items: { key: string; delistingMedianHours: number | null }[];
      };
      assert.equal(ranks.items.find((r) => r.key === storeAdmin.orgId)?.delistingMedianHours, 5);
    } finally {
      await app.close();
      await workers.stop();
      await p.close();
    }
  },
  { timeout: 400_000 },
);
