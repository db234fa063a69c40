import { sql, type ExpressionBuilder, type Kysely, type Transaction } from 'kysely';
import type { Database, Job, JobState } from '../db/schema.js';
import type { Dialect } from '../db/schema.js';
import { newId } from '../ids.js';

// The job record's state changes, written once for both databases and both queues. The `jobs` row
// is the truth on every queue: pg-boss only carries the wake-ups (see pgboss.ts). Every change a
// worker makes to a running job names the lease it holds (locked_by and the attempt number), so a
// worker that lost its lease (frozen, partitioned, too slow) changes nothing.

export type Db = Kysely<Database> | Transaction<Database>;

/** The lease a worker holds on a job: who and which attempt. */
export interface Lease {
  jobId: string;
  worker: string;
  attempt: number;
}

/**
 * The fair claim, one UPDATE … RETURNING statement (atomic on both databases: SQLite takes the
 * write lock when the statement starts; PostgreSQL's SKIP LOCKED lets concurrent claimers pass each
 * other). Order of choice:
 * 1. the highest priority among due queued jobs (P);
 * 2. among organisations with a due job at P, in turn: the organisations are visited in id order,
 *    starting after `after` (the organisation this claimer took its last job from) and wrapping
 *    around, so with one worker a 10,000-job campaign and a developer's single upload alternate
 *    instead of queueing in order;
 * 3. of the next few organisations in that turn (CLAIM_LOOKAHEAD, from both sides of the wrap), the
 *    first with the fewest running jobs: a campaign that holds every worker yields the next free
 *    one to an organisation with none running;
 * 4. within that organisation, its oldest due job at P.
 * Every step is an index seek (jobs_claim_turn: state, priority, org_id, id), so a claim costs the
 * same with 10 or 100,000 queued jobs; the round-robin before it grouped every queued job by
 * organisation at each claim, which grew with the queue (14 ms at 3,000 queued jobs on PostgreSQL).
 */
export async function claimJob(
  db: Kysely<Database>,
  dialect: Dialect,
  worker: string,
  leaseMs: number,
  options: { fair?: boolean; after?: string } = {},
  now = Date.now(),
): Promise<Job | undefined> {
  const update = claimUpdate(dialect, worker, leaseMs, options, now);
  if (dialect === 'postgres') {
    // One statement (data-modifying CTEs): the claim and the attempt row commit together in one
    // round trip. (The claim once also counted claims per organisation in job_org_turns; nothing
    // read it since the turn became the claiming process's, and its row lock queued concurrent
    // claims of one organisation behind each other.) The commit does not wait for the WAL flush
    // (synchronous_commit off for this statement's transaction): a claim lost to a database crash
    // leaves the job queued, as if never claimed, and the worker's result is then refused (its
    // lease is not on the row). The completing transaction, which is the effect, stays durable
    // and, the WAL being one sequence, makes the claim before it durable too.
    // Not a prepared statement (PREPARED): a generic plan, blind to the organisation and priority
    // chosen inside the statement, walked the primary key past every finished job.
    const attemptId = newId(now);
    const result = await sql<Job>`
      with relaxed as (select set_config('synchronous_commit', 'off', true)),
      claimed as (${update}),
      attempt as (
        insert into job_attempts (id, job_id, attempt, worker, started_at) select ${attemptId}, id, attempts, ${worker}, ${now} from claimed
        on conflict (job_id, attempt) do nothing
      )
      select claimed.* from claimed, relaxed`.execute(db);
    return result.rows[0];
  }
  // SQLite: one transaction, so both commit together. The UPDATE comes first, so SQLite takes the
  // write lock before anything is read. Its commit does not flush the disk (synchronous=NORMAL for
  // this transaction, on the connection held for it, FULL again after), for PostgreSQL's reason
  // above: in WAL mode the claim then survives a process crash but perhaps not a power cut, which
  // leaves the job queued as if never claimed; the next durable commit (a result, a submit) flushes
  // the WAL up to it, so a completed job's claim is durable too. The flush was a third of a short
  // job's time on the parent's one thread (2.5–3 ms of 8–10 ms per rerun-rules job on 2 shared cores).
  return db.connection().execute(async (connection) => {
    await sql`pragma synchronous = normal`.execute(connection);
    try {
      return await connection.transaction().execute((trx) => claimIn(trx, update, worker, now));
    } finally {
      await sql`pragma synchronous = full`.execute(connection);
    }
  });
}

/** The claiming UPDATE … RETURNING (see claimJob for the order of choice). */
function claimUpdate(dialect: Dialect, worker: string, leaseMs: number, options: { fair?: boolean; after?: string }, now: number) {
  const skipLocked = dialect === 'postgres' ? sql` for update of j skip locked` : sql``;
  // Without fairness (pg-boss's fallback, see pgboss.ts): any due job by priority and age.
  if (options.fair === false)
    return update(
      sql`
      select j.id from jobs j where j.state = 'queued' and j.run_after <= ${now}
      order by j.priority desc, j.id asc limit 1${skipLocked}`,
    );
  // The next organisation with a due job at the top priority after `from` (an index seek).
  const due = sql`q.state = 'queued' and q.priority = (select p from top) and q.run_after <= ${now} and q.cancel_requested = 0`;
  const next = (from: ReturnType<typeof sql>) =>
    sql`(select q.org_id from jobs q where ${due} and q.org_id > ${from} order by q.org_id limit 1)`;
  const choice = sql`
      with recursive top(p) as (
        select t.priority from jobs t where t.state = 'queued' and t.run_after <= ${now} and t.cancel_requested = 0
        order by t.priority desc limit 1
      ),
      ahead(org_id, n) as (
        select ${next(sql`${options.after ?? ''}`)}, 1
        union all
        select ${next(sql`a.org_id`)}, a.n + 1 from ahead a where a.org_id is not null and a.n < ${sql.lit(CLAIM_LOOKAHEAD)}
      ),
      wrapped(org_id, n) as (
        select ${next(sql`''`)}, 1
        union all
        select ${next(sql`w.org_id`)}, w.n + 1 from wrapped w where w.org_id is not null and w.n < ${sql.lit(CLAIM_LOOKAHEAD)}
      ),
      chosen(org_id) as (
        select c.org_id from (
          select org_id, 0 as round from ahead where org_id is not null
          union all
          select org_id, 1 as round from wrapped where org_id is not null
        ) c
        order by (select count(*) from jobs r where r.state = 'running' and r.org_id = c.org_id) asc, c.round asc, c.org_id asc
        limit 1
      )
      select j.id from jobs j
      where j.state = 'queued' and j.org_id = (select org_id from chosen) and j.priority = (select p from top)
        and j.run_after <= ${now} and j.cancel_requested = 0
      order by j.id asc
      limit 1${skipLocked}`;
  return update(choice);

  function update(chosen: ReturnType<typeof sql>) {
    return sql<Job>`
    update jobs set state = 'running', locked_by = ${worker}, lease_until = ${now + leaseMs},
      attempts = attempts + 1, updated_at = ${now}, progress = null
    where id = (${chosen}) and state = 'queued'
    returning *`;
  }
}

/** How many organisations ahead in turn (each side of the wrap) the claim compares by running jobs. */
const CLAIM_LOOKAHEAD = 4;

async function claimIn(
  db: Transaction<Database>,
  update: ReturnType<typeof claimUpdate>,
  worker: string,
  now: number,
): Promise<Job | undefined> {
  const result = await update.execute(db);
  const job = result.rows[0];
  if (!job) return undefined;
  await db
    .insertInto('job_attempts')
    .values({
      id: newId(),
      job_id: job.id,
      attempt: job.attempts,
      worker,
      started_at: now,
      ended_at: null,
      outcome: null,
      error_code: null,
      error_message: null,
    })
    .onConflict((oc) => oc.columns(['job_id', 'attempt']).doNothing())
    .execute();
  return job;
}

/** The lease's condition: the row is still this worker's, for this attempt, and running. */
function owned(lease: Lease) {
  return (eb: ExpressionBuilder<Database, 'jobs'>) =>
    eb.and([
      eb('id', '=', lease.jobId),
      eb('state', '=', 'running'),
      eb('locked_by', '=', lease.worker),
      eb('attempts', '=', lease.attempt),
    ]);
}

/**
 * Extends the lease (and records progress). Returns undefined when the lease is lost, else whether
 * a cancel was asked for.
 */
export async function renewLease(
  db: Db,
  lease: Lease,
  leaseMs: number,
  progress: string | null | undefined,
  now = Date.now(),
): Promise<{ cancelRequested: boolean } | undefined> {
  const row = await db
    .updateTable('jobs')
    .set({ lease_until: now + leaseMs, updated_at: now, ...(progress !== undefined ? { progress } : {}) })
    .where(owned(lease))
    .returning(['cancel_requested'])
    .executeTakeFirst();
  return row ? { cancelRequested: row.cancel_requested === 1 } : undefined;
}

/**
 * The first statement of the completing transaction: marks the job done if, and only if, the lease
 * is still held. Later statements of the same transaction write the result; a lost lease rolls
 * everything back (LeaseLost).
 */
export async function finishOwned(
  trx: Transaction<Database>,
  lease: Lease,
  state: JobState,
  error: { code: string; message: string } | null,
  now = Date.now(),
  /** The last progress the engine reported, when the periodic write has not caught up with it (fast jobs). */
  progress?: string,
): Promise<void> {
  const result = await trx
    .updateTable('jobs')
    .set({
      state,
      ...(progress !== undefined ? { progress } : {}),
      locked_by: null,
      lease_until: null,
      updated_at: now,
      finished_at: now,
      error_code: error?.code ?? null,
      error_message: error?.message ?? null,
    })
    .where(owned(lease))
    .executeTakeFirst();
  if (Number(result.numUpdatedRows) !== 1) throw new LeaseLost(lease);
}

/**
 * finishOwned then endAttempt: on PostgreSQL one statement (a data-modifying CTE, one round trip
 * instead of two on the completing transaction's critical path); the attempt row moves only when
 * the job row did, so a lost lease still changes nothing and throws LeaseLost.
 */
export async function finishOwnedAttempt(
  trx: Transaction<Database>,
  dialect: Dialect,
  lease: Lease,
  outcome: AttemptOutcome,
  state: JobState,
  error: { code: string; message: string } | null,
  now = Date.now(),
  progress?: string,
): Promise<void> {
  if (dialect !== 'postgres') {
    await finishOwned(trx, lease, state, error, now, progress);
    await endAttempt(trx, lease.jobId, lease.attempt, outcome, error, now);
    return;
  }
  const result = await sql<{ n: number }>`
    with finished as (
      update jobs set state = ${state}, ${progress !== undefined ? sql`progress = ${progress},` : sql``}
        locked_by = null, lease_until = null, updated_at = ${now}, finished_at = ${now},
        error_code = ${error?.code ?? null}, error_message = ${error?.message ?? null}
      where id = ${lease.jobId} and state = 'running' and locked_by = ${lease.worker} and attempts = ${lease.attempt}
      returning id
    ),
    ended as (
      update job_attempts set ended_at = ${now}, outcome = ${outcome}, error_code = ${error?.code ?? null},
        error_message = ${error?.message?.slice(0, 2000) ?? null}
      where job_id = ${lease.jobId} and attempt = ${lease.attempt} and outcome is null and exists (select 1 from finished)
    )
    select count(*)::int as n from finished`.execute(trx);
  if (result.rows[0]?.n !== 1) throw new LeaseLost(lease);
}

export async function endAttempt(
  db: Db,
  jobId: string,
  attempt: number,
  outcome: AttemptOutcome,
  error: { code: string; message: string } | null,
  now = Date.now(),
): Promise<void> {
  await db
    .updateTable('job_attempts')
    .set({ ended_at: now, outcome, error_code: error?.code ?? null, error_message: error?.message?.slice(0, 2000) ?? null })
    .where('job_id', '=', jobId)
    .where('attempt', '=', attempt)
    .where('outcome', 'is', null)
    .execute();
}

export type AttemptOutcome = 'succeeded' | 'failed' | 'timeout' | 'memory' | 'crashed' | 'cancelled' | 'lost';

export class LeaseLost extends Error {
  readonly code = 'lease-lost';
  constructor(readonly lease: Lease) {
    super(`job ${lease.jobId} attempt ${lease.attempt}: the lease is no longer held by ${lease.worker}; its result is discarded`);
    this.name = 'LeaseLost';
  }
}

/** The exponential backoff before retry n (1-based): base, 2×base, 4×base, … capped at an hour. */
export function backoffMs(baseMs: number, attempt: number): number {
  return Math.min(3600_000, baseMs * 2 ** Math.max(0, attempt - 1));
}

export async function addOutbox(db: Db, topic: string, payload: unknown, now = Date.now()): Promise<void> {
  await db
    .insertInto('outbox')
    .values({ id: newId(), topic, payload: JSON.stringify(payload), created_at: now, delivered_at: null })
    .execute();
}

/**
 * Jobs whose lease ran out (their worker died, froze or lost the database): the attempt is `lost`;
 * the job is queued again after the backoff, or dead when it has no attempts left. Returns the
 * requeued jobs (pg-boss sends a wake-up for each in the same transaction).
 */
export async function expiredLeases(db: Kysely<Database>, now = Date.now()): Promise<Job[]> {
  return db
    .selectFrom('jobs')
    .selectAll()
    .where('state', '=', 'running')
    .where('lease_until', '<', now)
    .orderBy('lease_until')
    .limit(100)
    .execute();
}

/** Rows with the job's state as it is now. */
export async function getJob(db: Db, id: string): Promise<Job | undefined> {
  return db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirst();
}
