import { CompiledQuery, sql, type Kysely, type Transaction } from 'kysely';
import type { ServerConfig } from '../config.js';
import type { Database, Job, JobKind } from '../db/schema.js';
import { PREPARED, type Store } from '../db/open.js';
import { newId } from '../ids.js';
import {
  addOutbox,
  backoffMs,
  claimJob,
  endAttempt,
  expiredLeases,
  finishOwned,
  LeaseLost,
  type AttemptOutcome,
  type Lease,
} from './sql.js';
import { RETRYABLE_STATES, type CancelOutcome, type JobQueue, type RetryOutcome, type SubmitJob } from './types.js';

/**
 * Jobs per statement in submitMany: 500 rows of the jobs table's 19 columns are 9,500 parameters,
 * under SQLite's 32,766 and PostgreSQL's 65,535.
 */
const SUBMIT_SLICE = 500;

/** How a failed attempt ends the job (see failAttempt). */
export type FailureClass =
  /** The engine's InputError: the same input fails the same way; dead at once. */
  | 'input'
  /** Over the wall clock or the memory cap: the same input breaches again; `failed`, no retry. */
  | 'timeout'
  | 'memory'
  /** The job's cancel was asked for and the worker stopped. */
  | 'cancelled'
  /** A crash, a bug, a lost child, a database or network hiccup: retried with backoff while attempts are left. */
  | 'crashed';

export interface Failure {
  class: FailureClass;
  code: string;
  message: string;
}

/**
 * What the worker runner needs of a queue beyond the API's contract: claiming with a lease,
 * waiting for work, finishing attempts and sweeping expired leases. Both queues share everything
 * but delivery (claim / wake).
 */
export abstract class DeliveringQueue implements JobQueue {
  abstract readonly name: 'embedded' | 'pg-boss';
  readonly db: Kysely<Database>;

  constructor(
    readonly store: Store,
    readonly config: ServerConfig,
  ) {
    this.db = store.db;
  }

  /** Makes a queued job deliverable (pg-boss: a message in the same transaction). */
  protected abstract wake(db: Kysely<Database> | Transaction<Database>, job: Job): Promise<void>;
  /** Claims one due job for `worker`, or undefined when there is none now. */
  abstract claim(worker: string, leaseMs: number): Promise<Job | undefined>;
  /** Resolves when work may be there (a local submit, a poll interval), or at `ms`. */
  abstract waitForWork(ms: number): Promise<void>;
  abstract start(): Promise<void>;
  abstract stop(): Promise<void>;

  /** The `jobs` row a submit writes: queued, due after the delay, with the configured attempts by default. */
  private queuedRow(job: SubmitJob, now: number): Job {
    return {
      id: newId(now),
      kind: job.kind,
      org_id: job.orgId,
      created_by: job.createdBy ?? null,
      state: 'queued',
      priority: job.priority ?? 0,
      payload: JSON.stringify(job.payload),
      run_after: now + Math.max(0, job.delayMs ?? 0),
      attempts: 0,
      max_attempts: Math.max(1, job.maxAttempts ?? this.config.jobRetries + 1),
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
  }

  async submit<K extends JobKind>(job: SubmitJob<K>, trx?: Transaction<Database>): Promise<Job> {
    const now = Date.now();
    const row = this.queuedRow(job, now);
    const event = { jobId: row.id, kind: row.kind, orgId: row.org_id };
    if (this.store.dialect === 'postgres') {
      // The row, its outbox event and (pg-boss) its wake-up message in one statement: one round
      // trip, atomic without a transaction of its own (a statement is one), inside the caller's if given.
      const db = trx ?? this.db;
      const head = sql`
        with job as (${db.insertInto('jobs').values(row).returning('id')}),
        event as (
          insert into outbox (id, topic, payload, created_at, delivered_at)
          select ${newId(now)}::text, 'job.queued', ${JSON.stringify(event)}::text, ${now}::bigint, null::bigint from job
        )`.compile(db);
      const wake = await this.wakeStatement(row);
      // Prepared (PREPARED): the same text at every submit; parsing pg-boss's insert was half its cost.
      // A wake-up that inserts nothing (pg-boss's insert joins its queue's row: a deleted queue) must
      // not leave the job committed without it: the statement then fails on a cast of NO_WAKE (an
      // error PostgreSQL raises only in that branch, at run time), so the row is not written either.
      const text = wake
        ? `${PREPARED}${head.sql}, wake as (${shiftParameters(wake.sql, head.parameters.length)}) ` +
          `select (select case when count(*) > 0 then 1 else ('${NO_WAKE}' || count(*))::int end from wake)`
        : `${PREPARED}${head.sql} select 1`;
      const query = CompiledQuery.raw(text, [...head.parameters, ...(wake?.parameters ?? [])]);
      try {
        await db.executeQuery(query);
      } catch (error) {
        if (!wake || !String((error as Error).message).includes(NO_WAKE)) throw error;
        if (trx) {
          // The failed statement aborted the caller's transaction, which still holds its locks (the
          // repair could wait on them): the caller sees the error, the repair runs once it has ended.
          this.restoreDeliveryLater();
          throw new Error(`job ${row.id} could not be queued: ${NO_WAKE} (restored; submit again)`);
        }
        await this.restoreDelivery();
        await db.executeQuery(query);
      }
      if (!wake) await this.wake(db, row);
      return row;
    }
    const write = async (db: Transaction<Database>) => {
      await db.insertInto('jobs').values(row).execute();
      await addOutbox(db, 'job.queued', event, now);
      await this.wake(db, row);
    };
    if (trx) await write(trx);
    else await this.db.transaction().execute(write);
    return row;
  }

  /**
   * Many jobs queued in the caller's transaction (a campaign's thousands): the same rows, `job.queued`
   * events and wake-ups as a submit each, written SUBMIT_SLICE at a time: a few statements per slice
   * instead of one round trip per job (a 10,000-app campaign spent 14–15 s submitting on PostgreSQL).
   * Rows keep the order of `jobs`; ids grow with it, so the claim's oldest-first order is the caller's.
   */
  async submitMany(jobs: readonly SubmitJob[], trx: Transaction<Database>): Promise<Job[]> {
    const now = Date.now();
    const rows = jobs.map((job) => this.queuedRow(job, now));
    for (let i = 0; i < rows.length; i += SUBMIT_SLICE) {
      const slice = rows.slice(i, i + SUBMIT_SLICE);
      await trx.insertInto('jobs').values(slice).execute();
      await trx
        .insertInto('outbox')
        .values(
          slice.map((row) => ({
            id: newId(now),
            topic: 'job.queued',
            payload: JSON.stringify({ jobId: row.id, kind: row.kind, orgId: row.org_id }),
            created_at: now,
            delivered_at: null,
          })),
        )
        .execute();
      await this.wakeMany(trx, slice);
    }
    return rows;
  }

  /** Makes queued jobs deliverable together (pg-boss: their messages in one statement); by default one wake each. */
  protected async wakeMany(db: Transaction<Database>, jobs: readonly Job[]): Promise<void> {
    for (const job of jobs) await this.wake(db, job);
  }

  /**
   * The statement that makes a queued job deliverable, to run inside the statement that writes the
   * job's row (PostgreSQL submit); undefined when delivery needs no statement (the embedded queue
   * wakes in process, see wake).
   */
  protected async wakeStatement(_job: Job): Promise<{ sql: string; parameters: readonly unknown[] } | undefined> {
    return undefined;
  }

  /** Makes delivery possible again after a wake-up statement inserted nothing (pg-boss: its queue was deleted). */
  protected async restoreDelivery(): Promise<void> {}

  /**
   * restoreDelivery once the current transaction has ended: a failed wake-up leaves the caller's
   * transaction holding its locks, which the repair could wait on.
   */
  protected restoreDeliveryLater(): void {
    setImmediate(() => this.restoreDelivery().catch(() => {}));
  }

  async cancel(jobId: string): Promise<CancelOutcome> {
    const now = Date.now();
    return this.db.transaction().execute(async (trx) => {
      // Write first (SQLite: the write lock is taken before anything is read in this transaction).
      const queued = await trx
        .updateTable('jobs')
        .set({
          state: 'cancelled',
          cancel_requested: 1,
          updated_at: now,
          finished_at: now,
          error_code: 'cancelled',
          error_message: 'cancelled before it ran',
        })
        .where('id', '=', jobId)
        .where('state', '=', 'queued')
        .executeTakeFirst();
      if (Number(queued.numUpdatedRows) === 1) {
        await addOutbox(trx, 'job.cancelled', { jobId }, now);
        return 'cancelled';
      }
      const running = await trx
        .updateTable('jobs')
        .set({ cancel_requested: 1, updated_at: now })
        .where('id', '=', jobId)
        .where('state', '=', 'running')
        .executeTakeFirst();
      if (Number(running.numUpdatedRows) === 1) return 'requested';
      const row = await trx.selectFrom('jobs').select('state').where('id', '=', jobId).executeTakeFirst();
      return row ? 'finished' : 'not-found';
    });
  }

  async retry(jobId: string): Promise<RetryOutcome> {
    const now = Date.now();
    return this.db.transaction().execute(async (trx) => {
      const row = await trx
        .updateTable('jobs')
        .set((eb) => ({
          state: 'queued',
          max_attempts: eb('attempts', '+', 1),
          run_after: now,
          locked_by: null,
          lease_until: null,
          cancel_requested: 0,
          finished_at: null,
          updated_at: now,
        }))
        .where('id', '=', jobId)
        .where('state', 'in', RETRYABLE_STATES)
        .returningAll()
        .executeTakeFirst();
      if (!row) {
        const exists = await trx.selectFrom('jobs').select('id').where('id', '=', jobId).executeTakeFirst();
        return exists ? 'not-finished' : 'not-found';
      }
      await addOutbox(trx, 'job.queued', { jobId: row.id, kind: row.kind, orgId: row.org_id, retry: true }, now);
      await this.wake(trx, row);
      return 'queued';
    });
  }

  /**
   * Ends a failed attempt. Input errors are final (`dead`), resource breaches are final (`failed`),
   * a cancel is final (`cancelled`); anything else is queued again after the backoff while attempts
   * are left, and `dead` (keeping the last reason) when none are. Throws LeaseLost when the lease is gone.
   */
  async failAttempt(lease: Lease, failure: Failure): Promise<Job['state']> {
    const now = Date.now();
    const outcome: AttemptOutcome = failure.class === 'input' ? 'failed' : failure.class;
    const error = { code: failure.code, message: failure.message.slice(0, 4000) };
    return this.db.transaction().execute(async (trx) => {
      const job = await trx
        .updateTable('jobs')
        .set({ updated_at: now })
        .where('id', '=', lease.jobId)
        .where('state', '=', 'running')
        .where('locked_by', '=', lease.worker)
        .where('attempts', '=', lease.attempt)
        .returningAll()
        .executeTakeFirst();
      if (!job) throw new LeaseLost(lease);
      await endAttempt(trx, job.id, lease.attempt, outcome, error, now);
      if (failure.class === 'crashed' && job.attempts < job.max_attempts && job.cancel_requested === 0) {
        const requeued = await this.requeue(trx, job, now + backoffMs(this.config.retryBackoffMs, job.attempts), error, now);
        await this.wake(trx, requeued);
        return 'queued';
      }
      const state =
        failure.class === 'cancelled' ? 'cancelled' : failure.class === 'crashed' || failure.class === 'input' ? 'dead' : 'failed';
      const reason =
        failure.class === 'crashed' && job.cancel_requested === 0
          ? { code: error.code, message: `${error.message} (after ${job.attempts} attempts / 已尝试 ${job.attempts} 次)` }
          : error;
      await finishOwned(trx, lease, state, reason, now);
      await addOutbox(trx, `job.${state}`, { jobId: job.id, kind: job.kind, orgId: job.org_id, error: reason.code }, now);
      return state;
    });
  }

  private async requeue(
    trx: Transaction<Database>,
    job: Job,
    runAfter: number,
    error: { code: string; message: string },
    now: number,
  ): Promise<Job> {
    const row = await trx
      .updateTable('jobs')
      .set({
        state: 'queued',
        locked_by: null,
        lease_until: null,
        run_after: runAfter,
        updated_at: now,
        error_code: error.code,
        error_message: error.message,
      })
      .where('id', '=', job.id)
      .returningAll()
      .executeTakeFirstOrThrow();
    return row;
  }

  /**
   * Requeues (or kills) jobs whose lease expired. Safe to run on every node at once: each row
   * moves only if it is still running with the expired lease this sweep saw.
   */
  async sweep(): Promise<number> {
    const now = Date.now();
    let moved = 0;
    for (const job of await expiredLeases(this.db, now)) {
      const lease: Lease = { jobId: job.id, worker: job.locked_by ?? '', attempt: job.attempts };
      try {
        await this.db.transaction().execute(async (trx) => {
          const error = {
            code: 'lease-expired',
            message: `the worker ${job.locked_by ?? '?'} stopped renewing its lease (crashed, frozen or cut off)`,
          };
          const still = await trx
            .updateTable('jobs')
            .set({ updated_at: now })
            .where('id', '=', job.id)
            .where('state', '=', 'running')
            .where('locked_by', '=', lease.worker)
            .where('attempts', '=', lease.attempt)
            .where('lease_until', '<', now)
            .executeTakeFirst();
          if (Number(still.numUpdatedRows) !== 1) return;
          await endAttempt(trx, job.id, job.attempts, 'lost', error, now);
          if (job.cancel_requested === 1) {
            await finishOwned(trx, lease, 'cancelled', { code: 'cancelled', message: 'cancelled; its worker was lost' }, now);
          } else if (job.attempts < job.max_attempts) {
            const requeued = await this.requeue(trx, job, now + backoffMs(this.config.retryBackoffMs, job.attempts), error, now);
            await this.wake(trx, requeued);
          } else {
            await finishOwned(
              trx,
              lease,
              'dead',
              { code: error.code, message: `${error.message} (after ${job.attempts} attempts / 已尝试 ${job.attempts} 次)` },
              now,
            );
            await addOutbox(trx, 'job.dead', { jobId: job.id, kind: job.kind, orgId: job.org_id, error: error.code }, now);
          }
          moved++;
        });
      } catch {
        // Another node swept it, or the database is away: the next sweep sees it again.
      }
    }
    return moved;
  }

  /** The organisation this process last claimed from: the fair claim's turn goes on after it. */
  private turn = '';

  /** The embedded-style claim, shared (pg-boss delivers a wake-up first). */
  protected async claimRow(worker: string, leaseMs: number, fair = true): Promise<Job | undefined> {
    const job = await claimJob(this.db, this.store.dialect, worker, leaseMs, { fair, after: this.turn });
    if (job) this.turn = job.org_id;
    return job;
  }
}

/**
 * The embedded queue: the `jobs` table is the queue. Claims poll the table (an UPDATE … RETURNING
 * each); a submit in this process wakes the waiting workers at once, other processes (a worker
 * beside the server) see new rows at their next poll.
 */
export class EmbeddedQueue extends DeliveringQueue {
  readonly name = 'embedded' as const;
  private waiters = new Set<() => void>();
  private pollMs: number;

  constructor(store: Store, config: ServerConfig, options: { pollMs?: number } = {}) {
    super(store, config);
    this.pollMs = options.pollMs ?? 250;
  }

  protected override async wakeMany(): Promise<void> {
    // One in-process wake for all: the workers claim the rows once the caller commits.
    await this.wake();
  }

  protected async wake(): Promise<void> {
    // After the caller's commit the row is visible; waking earlier only costs one empty claim.
    setImmediate(() => {
      for (const resolve of this.waiters) resolve();
      this.waiters.clear();
    });
  }

  claim(worker: string, leaseMs: number): Promise<Job | undefined> {
    return this.claimRow(worker, leaseMs);
  }

  waitForWork(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.waiters.delete(done);
        resolve();
      };
      const timer = setTimeout(done, Math.min(ms, this.pollMs));
      this.waiters.add(done);
    });
  }

  async start(): Promise<void> {}

  async stop(): Promise<void> {
    for (const resolve of this.waiters) resolve();
    this.waiters.clear();
  }
}

/** The text of the error a submit's statement raises when its wake-up inserted nothing (see submit). */
const NO_WAKE = 'apprights: the job queue took no wake-up message';

/** A statement's `$n` parameters renumbered from `offset + 1`, to follow another statement's parameters in one. */
function shiftParameters(text: string, offset: number): string {
  return text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + offset}`);
}
