// A test-only JobQueue: it records jobs in the `jobs` table (state queued) exactly as the contract
// says, and delivers nothing. The real queues (embedded and pg-boss) are the job layer's; the API's
// tests need only the rows.
import type { Transaction } from 'kysely';
import type { Database, Job, JobKind } from '../../src/db/schema.js';
import type { Store } from '../../src/db/open.js';
import { newId } from '../../src/ids.js';
import { RETRYABLE_STATES, type CancelOutcome, type JobQueue, type RetryOutcome, type SubmitJob } from '../../src/jobs/types.js';

export class RecordingQueue implements JobQueue {
  readonly name = 'embedded' as const;
  constructor(
    private readonly store: Store,
    private readonly defaultAttempts = 4,
  ) {}

  async submit<K extends JobKind>(job: SubmitJob<K>, trx?: Transaction<Database>): Promise<Job> {
    const now = Date.now();
    const row: Job = {
      id: newId(now),
      kind: job.kind,
      org_id: job.orgId,
      created_by: job.createdBy ?? null,
      state: 'queued',
      priority: job.priority ?? 0,
      payload: JSON.stringify(job.payload),
      run_after: now + (job.delayMs ?? 0),
      attempts: 0,
      max_attempts: job.maxAttempts ?? this.defaultAttempts,
      locked_by: null,
      lease_until: null,
      progress: null,
      error_code: null,
      error_message: null,
      cancel_requested: 0,
      created_at: now,
      updated_at: now,
      finished_at: null,
    };
    await (trx ?? this.store.db).insertInto('jobs').values(row).execute();
    return row;
  }

  async submitMany(jobs: readonly SubmitJob[], trx: Transaction<Database>): Promise<Job[]> {
    const rows: Job[] = [];
    for (const job of jobs) rows.push(await this.submit(job, trx));
    return rows;
  }

  async cancel(jobId: string): Promise<CancelOutcome> {
    const db = this.store.db;
    const job = await db.selectFrom('jobs').select('state').where('id', '=', jobId).executeTakeFirst();
    if (!job) return 'not-found';
    const now = Date.now();
    if (job.state === 'queued') {
      await db.updateTable('jobs').set({ state: 'cancelled', updated_at: now, finished_at: now }).where('id', '=', jobId).execute();
      return 'cancelled';
    }
    if (job.state === 'running') {
      await db.updateTable('jobs').set({ cancel_requested: 1, updated_at: now }).where('id', '=', jobId).execute();
      return 'requested';
    }
    return 'finished';
  }

  async retry(jobId: string): Promise<RetryOutcome> {
    const db = this.store.db;
    const job = await db.selectFrom('jobs').select(['state', 'attempts']).where('id', '=', jobId).executeTakeFirst();
    if (!job) return 'not-found';
    if (!(RETRYABLE_STATES as readonly string[]).includes(job.state)) return 'not-finished';
    const now = Date.now();
    await db
      .updateTable('jobs')
      .set({ state: 'queued', max_attempts: job.attempts + 1, run_after: now, cancel_requested: 0, finished_at: null, updated_at: now })
      .where('id', '=', jobId)
      .execute();
    return 'queued';
  }

  async start(): Promise<void> {}
  async stop(): Promise<void> {}
}
