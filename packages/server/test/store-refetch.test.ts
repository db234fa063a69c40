// The store's scheduled re-fetch of download URLs (热更新 check) on both databases, triggered through
// the scheduler with a TestClock: a local server serves the listed ApiDemos bytes (checked, no
// finding), then a server error and oversized answers (failures recorded with their reason, no
// finding, retried at the next run), then other bytes (io.appium.settings) under the same listed
// version (a hot-update finding, both organisations notified, audited, a scan of the new blob at
// priority -10). A run is bounded (one listing per run here, the one checked longest ago first). The
// submission route refuses a bad downloadUrl naming /downloadUrl.
import assert from 'node:assert/strict';
import { createReadStream, statSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestClock } from '../src/calendar/clock.js';
import { buildApp } from '../src/http/app.js';
import { startScheduler } from '../src/scheduler.js';
import { storeWorkflow } from '../src/workflows/store/index.js';
import { bothDatabases } from './support/databases.js';
import { bearer, member } from './support/http.js';
import { APKS, storeApk, testPlatform } from './support/jobs.js';
import { listedApp } from './support/listed.js';

const DAY = 86_400_000;
const CAP = 8 * 1024 * 1024;

bothDatabases(
  'store re-fetch: same bytes → checked; 500 and oversized → failure recorded; other bytes → hot-update, notices, scan at -10',
  async (_t, under) => {
    let mode: 'same' | 'changed' | 'error' | 'big' | 'big-declared' = 'same';
    const server: Server = createServer((_req, res) => {
      if (mode === 'error') {
        res.writeHead(500).end('boom');
      } else if (mode === 'big-declared') {
        res.writeHead(200, { 'content-length': String(CAP + 1) });
        res.end();
      } else if (mode === 'big') {
        // No declared length: the cap is met while streaming.
        res.writeHead(200, { 'content-type': 'application/vnd.android.package-archive' });
        const chunk = Buffer.alloc(1 << 20, 0x50);
        for (let i = 0; i < CAP / chunk.length + 1; i++) res.write(chunk);
        res.end(Buffer.alloc(1));
      } else {
        const file = mode === 'same' ? APKS.apiDemos : APKS.settings;
        res.writeHead(200, { 'content-length': String(statSync(file).size) });
        createReadStream(file).pipe(res);
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/app.apk`;
    const clock = new TestClock('2025-09-26');
    const p = await testPlatform(under, { clock, config: { allowPrivateFetch: true, maxUploadBytes: CAP } });
    const db = p.store.db;
    const app = await buildApp(p);
    // Started once the listing is there (a scheduler runs its due tasks when it starts).
    let scheduler: ReturnType<typeof startScheduler> | undefined;
    try {
      const dev = await member(p, 'dev-r', 'developer');
      const storeAdmin = await member(p, 'store-r', 'store-admin');

      // The submission route: a bad downloadUrl is a 400 naming it.
      for (const downloadUrl of ['ftp://example.com/a.apk', `https://example.com/${'a'.repeat(2048)}`]) {
        const res = await app.inject({
          method: 'POST',
          url: '/api/v1/store/submissions',
          headers: bearer(dev),
          payload: {
            store: storeAdmin.orgId,
            blob: 'a'.repeat(64),
            appType: 'utilities',
            downloadUrl,
            elements: {
              name: 'x',
              version: '1',
              developer: 'x',
              privacyPolicyUrl: 'https://example.com/p',
              permissions: [],
              description: 'x',
            },
          },
        });
        assert.equal(res.statusCode, 400, res.body);
        assert.equal((res.json() as { errors: { pointer: string }[] }).errors[0]!.pointer, '/downloadUrl');
      }

      // A listed ApiDemos whose store serves it at `url`.
      const listedSha = await storeApk(p, APKS.apiDemos);
      const listed = await listedApp(db, {
        storeId: storeAdmin.orgId,
        developerOrgId: dev.orgId,
        packageName: 'io.appium.android.apis',
        now: clock.now(),
      });
      await db.updateTable('versions').set({ blob_sha256: listedSha }).where('id', '=', listed.versionId).execute();
      await db.updateTable('listings').set({ download_url: url }).where('id', '=', listed.listingId).execute();
      const jobsBefore = (await db.selectFrom('jobs').select('id').execute()).length;

      scheduler = startScheduler(
        p.store,
        storeWorkflow.tasks!(p).filter((t) => t.name === 'store-refetch'),
        { clock, tickMs: 3_600_000 },
      );
      const ticker = scheduler;
      const checks = () => db.selectFrom('store_refetches').selectAll().orderBy('id').execute();
      const hotNotices = () => db.selectFrom('notifications').selectAll().where('topic', '=', 'store.hot-update').execute();
      const run = async () => {
        await ticker.tick();
        const runRow = await db.selectFrom('scheduler_runs').selectAll().where('task', '=', 'store-refetch').executeTakeFirstOrThrow();
        assert.equal(runRow.last_error, null);
        assert.equal(Number(runRow.last_run_at), clock.now(), 'the task ran at the test clock’s time');
        return (await checks()).at(-1)!;
      };

      // 1. The same bytes: checked, nothing else.
      mode = 'same';
      const same = await run();
      assert.equal(same.outcome, 'same');
      assert.equal(same.fetched_sha256, listedSha);
      assert.equal(Number(same.size), statSync(APKS.apiDemos).size);
      assert.equal((await hotNotices()).length, 0);
      // Not due again within the interval.
      clock.advance(DAY / 2);
      await ticker.tick();
      assert.equal((await checks()).length, 1, 'one check per interval');

      // 2. A server error: the failure and its reason, no finding; tried again at the next run.
      mode = 'error';
      clock.advance(DAY / 2);
      const failed = await run();
      assert.equal(failed.outcome, 'failed');
      assert.match(failed.error!, /^http-500: /);
      assert.equal((await hotNotices()).length, 0);
      assert.ok(await db.selectFrom('audit_log').select('id').where('action', '=', 'store.refetch.failed').executeTakeFirst());

      // 3. Oversized, declared and streamed: refused under the upload cap.
      mode = 'big-declared';
      clock.advance(DAY);
      const declared = await run();
      assert.equal(declared.outcome, 'failed');
      assert.match(declared.error!, /^fetch-too-large: /);
      mode = 'big';
      clock.advance(DAY);
      const streamed = await run();
      assert.equal(streamed.outcome, 'failed');
      assert.match(streamed.error!, /^too-large: /);
      assert.equal((await hotNotices()).length, 0);
      assert.equal((await db.selectFrom('jobs').select('id').execute()).length, jobsBefore, 'no scan for failures');

      // 4. Other bytes under the same listed version: a hot-update finding.
      mode = 'changed';
      clock.advance(DAY);
      const hot = await run();
      assert.equal(hot.outcome, 'hot-update');
      assert.equal(hot.listed_sha256, listedSha);
      assert.notEqual(hot.fetched_sha256, listedSha);
      assert.ok(await p.blobs.has(hot.fetched_sha256!), 'the new bytes are stored');
      assert.ok(await db.selectFrom('blobs').select('sha256').where('sha256', '=', hot.fetched_sha256!).executeTakeFirst());
      const notices = await hotNotices();
      assert.deepEqual(notices.map((n) => n.org_id).sort(), [dev.orgId, storeAdmin.orgId].sort());
      assert.ok(notices.every((n) => n.subject === listed.listingId && n.title_zh.includes('热更新')));
      const job = await db.selectFrom('jobs').selectAll().where('id', '=', hot.job_id!).executeTakeFirstOrThrow();
      assert.equal(job.kind, 'scan');
      assert.equal(job.priority, -10);
      assert.equal(job.org_id, dev.orgId);
      assert.equal((JSON.parse(job.payload) as { blob: string }).blob, hot.fetched_sha256);
      assert.ok(
        await db
          .selectFrom('audit_log')
          .select('id')
          .where('action', '=', 'store.refetch.hot-update')
          .where('subject', '=', listed.listingId)
          .executeTakeFirst(),
      );

      // The same swapped bytes the next day: recorded, not notified or scanned again.
      const jobsAfter = (await db.selectFrom('jobs').select('id').execute()).length;
      clock.advance(DAY);
      const again = await run();
      assert.equal(again.outcome, 'hot-update');
      assert.equal(again.job_id, hot.job_id);
      assert.equal((await hotNotices()).length, 2);
      assert.equal((await db.selectFrom('jobs').select('id').execute()).length, jobsAfter);

      // A delisted app is not fetched.
      await db.updateTable('listings').set({ state: 'delisted' }).where('id', '=', listed.listingId).execute();
      clock.advance(DAY);
      await ticker.tick();
      assert.equal((await checks()).length, 6, 'no fetch after the listing is delisted');

      // A bounded run: one listing per run, the one checked longest ago (never checked) first.
      const second = await listedApp(db, {
        storeId: storeAdmin.orgId,
        developerOrgId: dev.orgId,
        packageName: 'com.example.second',
        now: clock.now(),
      });
      await db.updateTable('versions').set({ blob_sha256: listedSha }).where('id', '=', second.versionId).execute();
      await db.updateTable('listings').set({ download_url: url }).where('id', '=', second.listingId).execute();
      await db.updateTable('listings').set({ state: 'listed' }).where('id', '=', listed.listingId).execute();
      p.config.storeRefetchPerRun = 1;
      mode = 'same';
      clock.advance(DAY);
      assert.equal((await run()).listing_id, second.listingId);
      clock.advance(DAY);
      assert.equal((await run()).listing_id, listed.listingId);
      assert.equal((await checks()).length, 8);
    } finally {
      await scheduler?.stop();
      await app.close();
      await p.close();
      server.close();
    }
  },
  { timeout: 120_000 },
);
