// An operator's retry on the real queues (embedded on SQLite and PostgreSQL, pg-boss on PostgreSQL):
// a dead job is queued again with one more attempt, an outbox event, and a worker claims it again;
// a queued or running job is not retried; an unknown one is not found.
import assert from 'node:assert/strict';
import { newId } from '../src/ids.js';
import { bothDatabases } from './support/databases.js';
import { addOrg, claimNext, jobRow, testPlatform } from './support/jobs.js';

bothDatabases('retry: a dead job is queued again with one more attempt and claimed again; others are not retried', async (_t, under) => {
  for (const kind of under.url ? (['embedded', 'pg-boss'] as const) : (['embedded'] as const)) {
    const p = await testPlatform(under, { kind });
    try {
      const org = await addOrg(p.store);
      const job = await p.queue.submit({ kind: 'fetch-policy', orgId: org, payload: { url: 'https://example.com/p' }, maxAttempts: 1 });
      assert.equal(await p.queue.retry(job.id), 'not-finished', `${kind}: a queued job`);
      const claimed = await claimNext(p.queue, 'w:0');
      assert.equal(claimed?.id, job.id);
      assert.equal(await p.queue.retry(job.id), 'not-finished', `${kind}: a running job`);
      await p.store.db
        .updateTable('jobs')
        .set({ state: 'dead', locked_by: null, lease_until: null, error_code: 'crashed', error_message: 'gone', finished_at: Date.now() })
        .where('id', '=', job.id)
        .execute();
      assert.equal(await p.queue.retry(job.id), 'queued');
      const row = await jobRow(p.store, job.id);
      assert.equal(row.state, 'queued');
      assert.equal(row.max_attempts, row.attempts + 1);
      assert.equal(row.finished_at, null);
      const events = await p.store.db.selectFrom('outbox').select('payload').where('topic', '=', 'job.queued').execute();
      assert.ok(
        events.some((e) => (JSON.parse(e.payload) as { jobId: string; retry?: boolean }).jobId === job.id && JSON.parse(e.payload).retry),
      );
      const again = await claimNext(p.queue, 'w:1');
      assert.equal(again?.id, job.id, `${kind}: claimed after the retry`);
      assert.equal((await jobRow(p.store, job.id)).attempts, 2);
      assert.equal(await p.queue.retry(newId()), 'not-found');
    } finally {
      await p.close();
    }
  }
});
