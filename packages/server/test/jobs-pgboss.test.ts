// pg-boss's wake-up messages (PostgreSQL only; the embedded queue has none, so on SQLite these are
// skipped): a message handed back by a busy process is not used up by it, and a job never commits
// without its message, even when pg-boss's queue was deleted under the running processes.
import assert from 'node:assert/strict';
import { sql } from 'kysely';
import { BOSS_QUEUE, PgBossQueue } from '../src/jobs/pgboss.js';
import { bothDatabases } from './support/databases.js';
import { addOrg, claimNext, jobRow, testConfig, waitFor } from './support/jobs.js';

async function bossQueue(under: Parameters<Parameters<typeof bothDatabases>[1]>[1], messageRetries?: number) {
  const store = await under.open();
  const queue = new PgBossQueue(store, testConfig(under), { pollMs: 100, ...(messageRetries !== undefined ? { messageRetries } : {}) });
  await queue.start();
  return { store, queue };
}

/** Deletes pg-boss's queue (an operator's deleteQueue; pg-boss refuses while messages reference it). */
async function deleteQueue(queue: PgBossQueue): Promise<void> {
  await sql`delete from pgboss.job where name = ${BOSS_QUEUE}`.execute(queue.db);
  await queue.boss.deleteQueue(BOSS_QUEUE);
}

/** Waits until the queue exists again (getQueue answers null while it does not). */
function queueMadeAgain(queue: PgBossQueue) {
  return waitFor('the queue made again', async () => (await queue.boss.getQueue(BOSS_QUEUE)) ?? undefined);
}

async function messages(queue: PgBossQueue, state: string): Promise<number> {
  const result = await sql<{
    n: number;
  }>`select count(*)::int as n from pgboss.job where name = ${BOSS_QUEUE} and state = ${state}`.execute(queue.db);
  return result.rows[0]?.n ?? 0;
}

bothDatabases('pg-boss: messages handed back again and again keep their retries and their priority', async (t, under) => {
  if (under.dialect !== 'postgres') return t.skip('pg-boss runs on PostgreSQL only');
  // One retry each: pg-boss's fail() as a hand-back used it up at the second hand-back.
  const { store, queue } = await bossQueue(under, 1);
  try {
    const org = await addOrg(store);
    const jobs = [
      await queue.submit({ kind: 'fetch-policy', orgId: org, payload: { url: 'https://example.com/a' } }),
      await queue.submit({ kind: 'fetch-policy', orgId: org, payload: { url: 'https://example.com/b' }, priority: 5 }),
    ];
    for (let round = 0; round < 4; round++) {
      // What a process with no free worker holds: fetched messages, then handed back.
      const held = await queue.boss.fetch(BOSS_QUEUE, { batchSize: 10, includeMetadata: true, priority: true });
      assert.equal(held.length, 2, `round ${round}: both messages are fetchable again`);
      assert.deepEqual(held.map((m) => m.priority).sort(), [0, 5], `round ${round}: priorities kept`);
      await queue.handBack(held);
    }
    assert.equal(await messages(queue, 'failed'), 0);
    const claimed = [await claimNext(queue, 'w:0'), await claimNext(queue, 'w:1')].map((j) => j?.id);
    assert.deepEqual(claimed.sort(), jobs.map((j) => j.id).sort());
  } finally {
    await queue.stop();
  }
});

bothDatabases('pg-boss: a job is never left without its message when the queue was deleted', async (t, under) => {
  if (under.dialect !== 'postgres') return t.skip('pg-boss runs on PostgreSQL only');
  const { store, queue } = await bossQueue(under);
  try {
    const org = await addOrg(store);
    // The one-statement submit: pg-boss's insert joins its queue's row, so it inserted nothing and
    // the job committed without a wake-up. Now the queue is made again and the job gets its message.
    await deleteQueue(queue);
    const first = await queue.submit({ kind: 'fetch-policy', orgId: org, payload: { url: 'https://example.com/1' } });
    assert.equal((await claimNext(queue, 'w:0'))?.id, first.id);

    // In the caller's transaction the submit fails whole: no row without a message.
    await deleteQueue(queue);
    await assert.rejects(
      store.db
        .transaction()
        .execute((trx) => queue.submit({ kind: 'fetch-policy', orgId: org, payload: { url: 'https://example.com/2' } }, trx)),
      /took no wake-up message/,
    );
    assert.equal((await store.db.selectFrom('jobs').select('id').execute()).length, 1);

    await queueMadeAgain(queue);

    // Many jobs in one insert of their messages (a campaign's, a patrol's): the same, all or none.
    await deleteQueue(queue);
    const many = ['3', '4', '5'].map((n) => ({ kind: 'fetch-policy' as const, orgId: org, payload: { url: `https://example.com/${n}` } }));
    await assert.rejects(
      store.db.transaction().execute((trx) => queue.submitMany(many, trx)),
      /took 0 of 3 messages: its queue .* was missing/,
    );
    assert.equal((await store.db.selectFrom('jobs').select('id').execute()).length, 1);
    await queueMadeAgain(queue);

    // A retry after a crash sends its message with pg-boss's own send, in the failing attempt's
    // transaction: with the queue gone that transaction fails whole (the attempt stays running, its
    // lease would hand it back), and once the queue is made again the retry goes through.
    const crash = { class: 'crashed', code: 'crashed', message: 'the child died' } as const;
    await deleteQueue(queue);
    await assert.rejects(queue.failAttempt({ jobId: first.id, worker: 'w:0', attempt: 1 }, crash), /its queue .* was missing/);
    assert.equal((await jobRow(store, first.id)).state, 'running');
    await queueMadeAgain(queue);
    assert.equal(await queue.failAttempt({ jobId: first.id, worker: 'w:0', attempt: 1 }, crash), 'queued');
    assert.equal((await claimNext(queue, 'w:1'))?.id, first.id);
  } finally {
    await queue.stop();
  }
});
