// PostgreSQL going away under load (a restart), seen from the workers: a TCP proxy in front of the
// database is closed with every connection cut, then opened again. The workers back off while it is
// away and resume by themselves; every job submitted before the outage ends `succeeded` with exactly
// one report (nothing lost, nothing twice). The API's side (503 + Retry-After) is in http-api.test.ts.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { skipWithoutPostgres, tempDir, throwawayPostgres } from './support/databases.js';
import { startPgProxy } from './support/pg-proxy.js';
import { LocalBlobStore } from '../src/blobs/store.js';
import { defaultConfig } from '../src/config.js';
import { openStore, type Store } from '../src/db/open.js';
import { createQueue, startWorkers, type Workers } from '../src/jobs/index.js';
import type { DeliveringQueue } from '../src/jobs/queue.js';
import { APKS, addOrg, storeApk, waitForState } from './support/jobs.js';
import { systemClock } from '../src/calendar/clock.js';

test('[postgres] the database restarted under load: workers back off, resume, and every job runs once', { timeout: 240_000 }, async (t) => {
  if (await skipWithoutPostgres(t)) return;
  const database = await throwawayPostgres();
  const data = tempDir();
  const proxy = await startPgProxy(database.url);
  const events: string[] = [];
  let store: Store | undefined;
  let queue: DeliveringQueue | undefined;
  let workers: Workers | undefined;
  try {
    // Migrated straight, then everything else through the proxy.
    await (await openStore({ databaseUrl: database.url })).close();
    const config = defaultConfig({
      dataDir: data.dir,
      databaseUrl: proxy.url,
      retryBackoffMs: 50,
      workers: { concurrency: 1, memoryLimitMb: 1024, jobTimeoutMs: 120_000, recycleAfterJobs: 200, leaseMs: 3000 },
    });
    store = await openStore({ databaseUrl: proxy.url, poolSize: 4 });
    const blobs = new LocalBlobStore(join(data.dir, 'blobs'));
    queue = createQueue({ store, config, pollMs: 100 });
    await queue.start();
    const platform = { config, store, blobs, queue, clock: systemClock };
    const org = await addOrg(store);
    const blob = await storeApk({ ...platform, close: async () => {} }, APKS.settings);
    const ids: string[] = [];
    for (let i = 0; i < 6; i++) ids.push((await queue.submit({ kind: 'scan', orgId: org, payload: { blob } })).id);
    workers = await startWorkers(platform, { onEvent: (e) => events.push(e.type) });
    await waitForState(store, ids[0]!, ['succeeded'], 120_000);

    // The restart: every connection cut, nothing answers for two seconds.
    await proxy.cut();
    await new Promise((r) => setTimeout(r, 2000));
    await proxy.restore();

    for (const id of ids) {
      const job = await waitForState(store, id, ['succeeded', 'failed', 'dead'], 120_000);
      assert.equal(job.state, 'succeeded', `${id}: ${job.error_code} ${job.error_message}`);
    }
    const reports = await store.db.selectFrom('reports').select('job_id').execute();
    assert.equal(reports.length, ids.length, 'one report per job');
    assert.deepEqual([...new Set(reports.map((r) => r.job_id))].sort(), [...ids].sort());
    t.diagnostic(`worker events during the outage: ${[...new Set(events)].join(', ')}`);
  } finally {
    await workers?.stop().catch(() => {});
    await queue?.stop().catch(() => {});
    await store?.close().catch(() => {});
    proxy.close();
    await database.drop().catch(() => {});
    data.remove();
  }
});
