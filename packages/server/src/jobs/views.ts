import { sql, type Kysely } from 'kysely';
import { writeAudit, type AuditActor } from '../admin.js';
import type { Database, JobKind, JobState } from '../db/schema.js';
import type { JobQueue, RetryOutcome } from './types.js';

// What the API and the console read of the queue: jobs by state (newest first, one organisation's
// or all), the count in each state, and the workers as their leases and attempts show them. Read
// from the `jobs` and `job_attempts` tables, which are the record on both queues.

export interface JobFilter {
  /** One organisation's jobs; null: every organisation's (the platform admin). */
  orgId: string | null;
  state?: JobState | undefined;
  kind?: JobKind | undefined;
  cursor?: string | undefined;
  limit: number;
}

/** Jobs newest first (limit + 1 rows: the extra one says another page exists). */
export function listJobs(db: Kysely<Database>, filter: JobFilter) {
  let query = db.selectFrom('jobs').selectAll();
  if (filter.orgId !== null) query = query.where('org_id', '=', filter.orgId);
  if (filter.state) query = query.where('state', '=', filter.state);
  if (filter.kind) query = query.where('kind', '=', filter.kind);
  if (filter.cursor) query = query.where('id', '<', filter.cursor);
  return query
    .orderBy('id', 'desc')
    .limit(filter.limit + 1)
    .execute();
}

/** How many jobs are in each state. */
export async function jobStateCounts(db: Kysely<Database>, orgId: string | null): Promise<Partial<Record<JobState, number>>> {
  let query = db.selectFrom('jobs').select(['state', (eb) => eb.fn.countAll<number | string>().as('n')]);
  if (orgId !== null) query = query.where('org_id', '=', orgId);
  const rows = await query.groupBy('state').execute();
  return Object.fromEntries(rows.map((r) => [r.state, Number(r.n)]));
}

export interface WorkerSeen {
  /** "name:slot", as the runner names the slot that claims. */
  worker: string;
  /** Jobs it holds now (running, with a lease). */
  running: number;
  /** The last lease renewal of a job it holds: its heartbeat (renewed every third of the lease). */
  lastHeartbeatAt: number | null;
  /** The latest lease end among the jobs it holds; past it, the sweep takes them back. */
  leaseUntil: number | null;
  /** Attempts started in the window, and the newest start and end. */
  attempts: number;
  lastStartedAt: number | null;
  lastEndedAt: number | null;
  /** Attempts in the window that did not succeed. */
  failures: number;
}

/**
 * The workers seen in the last `windowMs`: those holding a lease now and those that started an
 * attempt in the window. A worker that has claimed nothing in the window is not seen (there is no
 * registry of idle workers: a worker is only known by the work it takes).
 */
export async function workersSeen(db: Kysely<Database>, now: number, windowMs = 24 * 3_600_000): Promise<WorkerSeen[]> {
  const since = now - windowMs;
  const holding = await db
    .selectFrom('jobs')
    .select([
      'locked_by',
      (eb) => eb.fn.countAll<number | string>().as('n'),
      (eb) => eb.fn.max('updated_at').as('heartbeat'),
      (eb) => eb.fn.max('lease_until').as('lease'),
    ])
    .where('state', '=', 'running')
    .where('locked_by', 'is not', null)
    .groupBy('locked_by')
    .execute();
  const attempts = await db
    .selectFrom('job_attempts')
    .select([
      'worker',
      (eb) => eb.fn.countAll<number | string>().as('n'),
      (eb) => eb.fn.max('started_at').as('started'),
      (eb) => eb.fn.max('ended_at').as('ended'),
      sql<number | string>`sum(case when outcome is not null and outcome <> 'succeeded' then 1 else 0 end)`.as('failures'),
    ])
    .where('started_at', '>=', since)
    .groupBy('worker')
    .execute();
  const out = new Map<string, WorkerSeen>();
  const entry = (worker: string): WorkerSeen => {
    let seen = out.get(worker);
    if (!seen) {
      seen = {
        worker,
        running: 0,
        lastHeartbeatAt: null,
        leaseUntil: null,
        attempts: 0,
        lastStartedAt: null,
        lastEndedAt: null,
        failures: 0,
      };
      out.set(worker, seen);
    }
    return seen;
  };
  const num = (v: unknown) => (v === null || v === undefined ? null : Number(v));
  for (const h of holding) {
    const seen = entry(h.locked_by!);
    seen.running = Number(h.n);
    seen.lastHeartbeatAt = num(h.heartbeat);
    seen.leaseUntil = num(h.lease);
  }
  for (const a of attempts) {
    const seen = entry(a.worker);
    seen.attempts = Number(a.n);
    seen.lastStartedAt = num(a.started);
    seen.lastEndedAt = num(a.ended);
    seen.failures = Number(a.failures ?? 0);
  }
  return [...out.values()].sort((a, b) => a.worker.localeCompare(b.worker)).slice(0, 500);
}

/** An operator's retry of an ended job (POST /api/v1/jobs/:id/retry and the console): the queue's retry, then the audit entry. */
export async function retryJob(db: Kysely<Database>, queue: JobQueue, jobId: string, actor: AuditActor): Promise<RetryOutcome> {
  const outcome = await queue.retry(jobId);
  if (outcome === 'queued') {
    const job = await db.selectFrom('jobs').select('kind').where('id', '=', jobId).executeTakeFirst();
    await writeAudit(db, { ...actor, action: 'job.retry', subject: jobId, detail: { kind: job?.kind ?? null } });
  }
  return outcome;
}
