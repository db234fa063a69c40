// Job semantics on both queues: the embedded queue on SQLite, pg-boss on PostgreSQL (and the
// embedded claim on PostgreSQL where it is cheap). No worker processes here: the tests claim and
// finish attempts themselves through the same calls the runner makes.
import assert from 'node:assert/strict';
import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Database, Job } from '../src/db/schema.js';
import { bothDatabases } from './support/databases.js';
import { addOrg, claimNext, jobRow, testPlatform } from './support/jobs.js';
import { completeJob, completeJobs } from '../src/jobs/results.js';
import { LeaseLost, renewLease } from '../src/jobs/sql.js';
import type { JobOutput } from '../src/jobs/protocol.js';

const NO_OP: JobOutput = {
  reportKind: 'rerun',
  body: '{}',
  facts: null,
  summary: {},
  findings: [{ fingerprint: 'f1', ruleId: 'r', severity: 'low', measures: ['1'] }],
};
const QUIET_MS = 1200;

bothDatabases('priorities, delays and cancel', async (_t, under) => {
  const p = await testPlatform(under);
  try {
    const org = await addOrg(p.store);
    const low = await p.queue.submit({ kind: 'fetch-policy', orgId: org, payload: { url: 'https://example.com/low' } });
    const high = await p.queue.submit({ kind: 'fetch-policy', orgId: org, payload: { url: 'https://example.com/high' }, priority: 5 });
    const later = await p.queue.submit({
      kind: 'fetch-policy',
      orgId: org,
      payload: { url: 'https://example.com/later' },
      delayMs: 60_000,
    });
    const dropped = await p.queue.submit({
      kind: 'fetch-policy',
      orgId: org,
      payload: { url: 'https://example.com/dropped' },
      priority: 9,
    });
    assert.equal(await p.queue.cancel(dropped.id), 'cancelled', 'a queued job is cancelled at once');
    assert.equal((await jobRow(p.store, dropped.id)).state, 'cancelled');

    const first = await claimNext(p.queue, 'w1');
    assert.equal(first?.id, high.id, 'the higher priority runs first');
    const second = await claimNext(p.queue, 'w1');
    assert.equal(second?.id, low.id);
    assert.equal(await claimNext(p.queue, 'w1', 3000, QUIET_MS), undefined, 'the delayed job is not due and the cancelled one never runs');
    assert.equal((await jobRow(p.store, later.id)).state, 'queued');

    // A running job is asked to stop: its worker sees it at the next lease renewal.
    assert.equal(await p.queue.cancel(low.id), 'requested');
    const renewal = await renewLease(p.store.db, { jobId: low.id, worker: 'w1', attempt: 1 }, 3000, null);
    assert.deepEqual(renewal, { cancelRequested: true });
    assert.equal(
      await p.queue.failAttempt(
        { jobId: low.id, worker: 'w1', attempt: 1 },
        { class: 'cancelled', code: 'cancelled', message: 'cancelled' },
      ),
      'cancelled',
    );
    await completeJob(p.queue, { jobId: high.id, worker: 'w1', attempt: 1 }, first!, NO_OP, {});
    assert.equal(await p.queue.cancel(high.id), 'finished');
    assert.equal(await p.queue.cancel('01HZZZZZZZZZZZZZZZZZZZZZZZ'), 'not-found');
  } finally {
    await p.close();
  }
});

bothDatabases('retries back off exponentially, then the job is dead with its reason; input errors are dead at once', async (_t, under) => {
  const p = await testPlatform(under, { config: { retryBackoffMs: 40, jobRetries: 3 } });
  try {
    const org = await addOrg(p.store);
    const job = await p.queue.submit({ kind: 'fetch-policy', orgId: org, payload: { url: 'https://example.com/flaky' } });
    assert.equal(job.max_attempts, 4, 'default: 3 retries');
    const delays: number[] = [];
    for (let attempt = 1; attempt <= 4; attempt++) {
      const claimed = await claimNext(p.queue, 'w');
      assert.equal(claimed?.id, job.id);
      assert.equal(claimed.attempts, attempt);
      const failedAt = Date.now();
      const state = await p.queue.failAttempt(
        { jobId: job.id, worker: 'w', attempt },
        { class: 'crashed', code: 'ECONNRESET', message: `connection reset (${attempt})` },
      );
      const row = await jobRow(p.store, job.id);
      if (attempt < 4) {
        assert.equal(state, 'queued');
        delays.push(row.run_after - failedAt);
      } else assert.equal(state, 'dead');
    }
    // 40, 80, 160 ms (measured from just before the write, so allow its few milliseconds).
    assert.ok(delays[0]! >= 30 && delays[0]! <= 60, `first backoff ${delays[0]}`);
    assert.ok(delays[1]! >= 70 && delays[1]! <= 100, `second backoff ${delays[1]}`);
    assert.ok(delays[2]! >= 150 && delays[2]! <= 180, `third backoff ${delays[2]}`);
    const dead = await jobRow(p.store, job.id);
    assert.equal(dead.state, 'dead');
    assert.equal(dead.error_code, 'ECONNRESET', 'the dead job keeps its reason');
    assert.match(dead.error_message ?? '', /connection reset \(4\).*after 4 attempts/);
    const attempts = await p.store.db.selectFrom('job_attempts').selectAll().where('job_id', '=', job.id).orderBy('attempt').execute();
    assert.deepEqual(
      attempts.map((a) => [a.attempt, a.outcome]),
      [1, 2, 3, 4].map((n) => [n, 'crashed']),
    );

    const corrupt = await p.queue.submit({ kind: 'fetch-policy', orgId: org, payload: { url: 'https://example.com/corrupt' } });
    const claimed = await claimNext(p.queue, 'w');
    assert.equal(claimed?.id, corrupt.id);
    const state = await p.queue.failAttempt(
      { jobId: corrupt.id, worker: 'w', attempt: 1 },
      { class: 'input', code: 'not-zip', message: 'not a ZIP file' },
    );
    assert.equal(state, 'dead', 'an input error is not retried');
    assert.equal((await jobRow(p.store, corrupt.id)).attempts, 1);
  } finally {
    await p.close();
  }
});

bothDatabases('fairness: a campaign of many jobs does not starve another organisation', async (_t, under) => {
  const p = await testPlatform(under);
  try {
    const campaign = await addOrg(p.store, 'campaign');
    const developer = await addOrg(p.store, 'developer');
    const third = await addOrg(p.store, 'third');
    for (let i = 0; i < 60; i++)
      await p.queue.submit({ kind: 'fetch-policy', orgId: campaign, payload: { url: `https://example.com/${i}` } });
    // Submitted after the whole campaign, with the same priority.
    await p.queue.submit({ kind: 'fetch-policy', orgId: developer, payload: { url: 'https://example.com/mine' } });
    await p.queue.submit({ kind: 'fetch-policy', orgId: third, payload: { url: 'https://example.com/theirs' } });
    const orgs: string[] = [];
    for (let i = 0; i < 4; i++) {
      const job = await claimNext(p.queue, 'w');
      assert.ok(job);
      orgs.push(job.org_id);
      await completeJob(p.queue, { jobId: job.id, worker: 'w', attempt: 1 }, job, NO_OP, {});
    }
    // Round-robin among the organisations with due jobs: each of the three within the first three claims.
    assert.deepEqual(new Set(orgs.slice(0, 3)), new Set([campaign, developer, third]), `claimed in order ${orgs.join(', ')}`);
    assert.equal(orgs[3], campaign, 'then the campaign alone');
  } finally {
    await p.close();
  }
});

bothDatabases('group commit: each job of a group keeps its own effect once; a lost lease writes nothing of its job', async (_t, under) => {
  const p = await testPlatform(under);
  try {
    const org = await addOrg(p.store);
    for (let i = 0; i < 3; i++) await p.queue.submit({ kind: 'rerun-rules', orgId: org, payload: { reportId: `x${i}` } });
    const claimed: Job[] = [];
    for (let i = 0; i < 3; i++) claimed.push((await claimNext(p.queue, 'w'))!);
    const lease = (i: number, worker = 'w') => ({ jobId: claimed[i]!.id, worker, attempt: 1 });
    // The middle job's lease is not this worker's (another holds it): its entry is LeaseLost, the others are written.
    const outcomes = await completeJobs(p.queue, [
      { lease: lease(0), job: claimed[0]!, output: NO_OP },
      { lease: lease(1, 'someone-else'), job: claimed[1]!, output: NO_OP },
      { lease: lease(2), job: claimed[2]!, output: NO_OP, progress: '{"stage":"rules"}' },
    ]);
    assert.equal(typeof outcomes[0], 'string');
    assert.ok(outcomes[1] instanceof LeaseLost);
    assert.equal(typeof outcomes[2], 'string');
    const states = await p.store.db.selectFrom('jobs').select(['id', 'state']).where('kind', '=', 'rerun-rules').orderBy('id').execute();
    assert.deepEqual(
      states.map((s) => s.state),
      ['succeeded', 'running', 'succeeded'],
    );
    const reports = await p.store.db.selectFrom('reports').select(['id', 'job_id']).orderBy('id').execute();
    assert.deepEqual(
      reports.map((r) => r.job_id),
      [claimed[0]!.id, claimed[2]!.id],
    );
    assert.deepEqual(
      reports.map((r) => r.id),
      [outcomes[0], outcomes[2]],
    );
    const findings = await p.store.db.selectFrom('findings').select('report_id').execute();
    assert.deepEqual(findings.map((f) => f.report_id).sort(), [outcomes[0], outcomes[2]].sort());
    const events = await p.store.db.selectFrom('outbox').select(['topic', 'payload']).where('topic', '=', 'job.succeeded').execute();
    assert.deepEqual(
      events.map((e) => (JSON.parse(e.payload) as { jobId: string }).jobId).sort(),
      [claimed[0]!.id, claimed[2]!.id].sort(),
      'one outbox event per written result, none for the lost one',
    );
    // A second delivery of the same group (at least once) finds the jobs done: nothing changes.
    const again = await completeJobs(p.queue, [
      { lease: lease(0), job: claimed[0]!, output: NO_OP },
      { lease: lease(2), job: claimed[2]!, output: NO_OP },
    ]);
    assert.ok(again.every((o) => o instanceof LeaseLost));
    assert.equal((await p.store.db.selectFrom('reports').select('id').execute()).length, 2);
    assert.equal((await p.store.db.selectFrom('findings').select('id').execute()).length, 2);
    // The middle job, completed by its holder, is written then.
    const [late] = await completeJobs(p.queue, [{ lease: lease(1), job: claimed[1]!, output: NO_OP }]);
    assert.equal(typeof late, 'string');
    assert.equal((await jobRow(p.store, claimed[1]!.id)).state, 'succeeded');
  } finally {
    await p.close();
  }
});

bothDatabases('effect once: a worker that lost its lease writes nothing; one report per job', async (_t, under) => {
  const p = await testPlatform(under);
  try {
    const org = await addOrg(p.store);
    const job = await p.queue.submit({ kind: 'rerun-rules', orgId: org, payload: { reportId: 'x' } });
    const a = await claimNext(p.queue, 'worker-a', 200);
    assert.equal(a?.id, job.id);
    // worker-a freezes past its lease: the sweep hands the job back and worker-b takes it.
    await new Promise((resolve) => setTimeout(resolve, 300));
    assert.equal(await p.queue.sweep(), 1);
    const b = await claimNext(p.queue, 'worker-b');
    assert.equal(b?.id, job.id);
    assert.equal(b.attempts, 2);
    const reportId = await completeJob(p.queue, { jobId: job.id, worker: 'worker-b', attempt: 2 }, b, NO_OP, {});
    // worker-a resumes and tries to write its result, and to fail the attempt: both refused.
    await assert.rejects(completeJob(p.queue, { jobId: job.id, worker: 'worker-a', attempt: 1 }, a, NO_OP, {}), LeaseLost);
    await assert.rejects(
      p.queue.failAttempt({ jobId: job.id, worker: 'worker-a', attempt: 1 }, { class: 'crashed', code: 'x', message: 'x' }),
      LeaseLost,
    );
    // A second delivery to worker-b (at least once) finds the job done: nothing changes.
    await assert.rejects(completeJob(p.queue, { jobId: job.id, worker: 'worker-b', attempt: 2 }, b, NO_OP, {}), LeaseLost);
    const reports = await p.store.db.selectFrom('reports').select(['id', 'job_id']).where('job_id', '=', job.id).execute();
    assert.deepEqual(reports, [{ id: reportId, job_id: job.id }]);
    assert.equal((await p.store.db.selectFrom('findings').select('id').where('report_id', '=', reportId).execute()).length, 1);
    const attempts = await p.store.db
      .selectFrom('job_attempts')
      .select(['attempt', 'worker', 'outcome'])
      .where('job_id', '=', job.id)
      .orderBy('attempt')
      .execute();
    assert.deepEqual(attempts, [
      { attempt: 1, worker: 'worker-a', outcome: 'lost' },
      { attempt: 2, worker: 'worker-b', outcome: 'succeeded' },
    ]);
    const events = await p.store.db.selectFrom('outbox').select('topic').orderBy('id').execute();
    assert.deepEqual(
      events.map((e) => e.topic),
      ['job.queued', 'job.succeeded'],
      'the outbox event is written with the result, once',
    );
    // The unique key is the last line of defence: a second report row for the job cannot exist.
    await assert.rejects(
      p.store.db
        .insertInto('reports')
        .values({
          id: 'dup',
          job_id: job.id,
          org_id: org,
          kind: 'rerun',
          version_id: null,
          knowledge_id: null,
          body: '{}',
          facts: null,
          summary: '{}',
          created_at: 1,
        })
        .execute(),
    );
  } finally {
    await p.close();
  }
});

bothDatabases('a job submitted in a rolled-back transaction does not exist and is never delivered', async (_t, under) => {
  const p = await testPlatform(under);
  try {
    const org = await addOrg(p.store);
    await assert.rejects(
      p.store.db.transaction().execute(async (trx) => {
        await p.queue.submit({ kind: 'fetch-policy', orgId: org, payload: { url: 'https://example.com/x' } }, trx);
        throw new Error('the upload failed');
      }),
      /the upload failed/,
    );
    assert.equal((await p.store.db.selectFrom('jobs').select('id').execute()).length, 0);
    assert.equal(await claimNext(p.queue, 'w', 3000, QUIET_MS), undefined);
  } finally {
    await p.close();
  }
});

bothDatabases('concurrent claimers never take the same job (embedded claim)', async (_t, under) => {
  const p = await testPlatform(under, { kind: 'embedded' });
  // On PostgreSQL a second pool: claims race in the database (SKIP LOCKED). On SQLite one process
  // holds one connection (better-sqlite3 waits for a lock synchronously, so two connections in one
  // process would stall each other); its claim loops interleave their transactions on it, and other
  // processes are covered by the frozen-worker test.
  const second = under.dialect === 'postgres' ? await testPlatform(under, { kind: 'embedded' }) : p;
  try {
    const orgs = [await addOrg(p.store), await addOrg(p.store)];
    for (let i = 0; i < 30; i++)
      await p.queue.submit({ kind: 'fetch-policy', orgId: orgs[i % 2]!, payload: { url: `https://example.com/${i}` } });
    const seen: string[] = [];
    const claimer = async (queue: typeof p.queue, name: string) => {
      for (;;) {
        const job = await queue.claim(name, 5000);
        if (!job) return;
        seen.push(job.id);
      }
    };
    await Promise.all([claimer(p.queue, 'a'), claimer(second.queue, 'b'), claimer(p.queue, 'c'), claimer(second.queue, 'd')]);
    assert.equal(seen.length, 30);
    assert.equal(new Set(seen).size, 30, 'each job claimed once');
  } finally {
    if (second !== p) await second.close();
    await p.close();
  }
});

bothDatabases('submitMany: the rows, events and wake-ups of a submit each, in order, and nothing after a rollback', async (_t, under) => {
  const p = await testPlatform(under);
  try {
    const orgs = [await addOrg(p.store), await addOrg(p.store)];
    // More than one slice of 500, two organisations, a delayed one and a priority of its own.
    const jobs = Array.from({ length: 510 }, (_, i) => ({
      kind: 'fetch-policy' as const,
      orgId: orgs[i % 2]!,
      payload: { url: `https://example.com/${i}` },
      priority: i === 7 ? 3 : -10,
      ...(i === 8 ? { delayMs: 60_000 } : {}),
    }));
    await assert.rejects(
      p.store.db.transaction().execute(async (trx) => {
        await p.queue.submitMany(jobs.slice(0, 505), trx);
        throw new Error('the campaign failed');
      }),
      /the campaign failed/,
    );
    assert.equal((await p.store.db.selectFrom('jobs').select('id').execute()).length, 0, 'rolled back: no row');
    assert.equal(await claimNext(p.queue, 'w', 3000, QUIET_MS), undefined, 'rolled back: nothing delivered');

    const rows = await p.store.db.transaction().execute((trx) => p.queue.submitMany(jobs, trx));
    assert.equal(rows.length, jobs.length);
    assert.deepEqual(
      rows.map((r) => JSON.parse(r.payload).url),
      jobs.map((j) => j.payload.url),
      'rows in the order given',
    );
    const stored = await p.store.db.selectFrom('jobs').selectAll().orderBy('id').execute();
    assert.deepEqual(
      stored,
      [...rows].sort((a, b) => (a.id < b.id ? -1 : 1)),
      'the rows returned are the rows stored',
    );
    assert.ok(stored.every((r) => r.state === 'queued' && r.max_attempts === p.config.jobRetries + 1));
    const events = await p.store.db.selectFrom('outbox').select('payload').where('topic', '=', 'job.queued').execute();
    assert.deepEqual(new Set(events.map((e) => JSON.parse(e.payload).jobId)), new Set(rows.map((r) => r.id)), 'one job.queued event each');
    if (under.dialect === 'postgres') {
      const { rows: messages } = await sql<{ n: number }>`select count(*)::int as n from pgboss.job where name = 'apprights-jobs'`.execute(
        p.store.db,
      );
      assert.equal(messages[0]!.n, jobs.length, 'one pg-boss message each');
    }
    // Delivered as a submit's: the higher priority first, then the oldest due; the delayed one waits.
    assert.equal((await claimNext(p.queue, 'w'))?.id, rows[7]!.id);
    const claimed = new Set<string>();
    for (;;) {
      const job = await claimNext(p.queue, 'w', 3000, claimed.size >= jobs.length - 3 ? QUIET_MS : 3000);
      if (!job) break;
      claimed.add(job.id);
    }
    assert.equal(claimed.size, jobs.length - 2, 'every due job is delivered once');
    assert.ok(!claimed.has(rows[8]!.id), 'the delayed job is not due');
  } finally {
    await p.close();
  }
});

/** The connection's commit durability: SQLite's synchronous level (2 = FULL), PostgreSQL's synchronous_commit. */
async function durability(db: Kysely<Database>): Promise<number | string | undefined> {
  return db.getExecutor().adapter instanceof PostgresAdapter
    ? (await sql<{ synchronous_commit: string }>`show synchronous_commit`.execute(db)).rows[0]?.synchronous_commit
    : (await sql<{ synchronous: number }>`pragma synchronous`.execute(db)).rows[0]?.synchronous;
}

bothDatabases('a claim commits without a disk flush and leaves the connection flushing every other commit', async (_t, under) => {
  const p = await testPlatform(under);
  try {
    const org = await addOrg(p.store);
    const job = await p.queue.submit({ kind: 'fetch-policy', orgId: org, payload: { url: 'https://example.com/x' } });
    // A transaction waiting for the connection while the claim holds it (SQLite) runs after the claim,
    // at synchronous=FULL again: no other commit is made at the claim's level.
    const [claimed, seen] = await Promise.all([claimNext(p.queue, 'w'), p.store.db.transaction().execute((trx) => durability(trx))]);
    assert.equal(claimed?.id, job.id);
    assert.equal(seen, under.dialect === 'sqlite' ? 2 : 'on', 'results and submits stay durable');
    const after = await durability(p.store.db);
    assert.equal(after, under.dialect === 'sqlite' ? 2 : 'on');
    const attempts = await p.store.db.selectFrom('job_attempts').select(['job_id', 'attempt']).execute();
    assert.deepEqual(attempts, [{ job_id: job.id, attempt: 1 }], 'the claim and its attempt row committed together');
  } finally {
    await p.close();
  }
});
