import { CompiledQuery, type Kysely, type Transaction } from 'kysely';
import PgBoss from 'pg-boss';
import type { ServerConfig } from '../config.js';
import type { Database, Job } from '../db/schema.js';
import type { Store } from '../db/open.js';
import { DeliveringQueue } from './queue.js';

/** The pg-boss queue all job kinds share; the kind is in our `jobs` row. */
export const BOSS_QUEUE = 'apprights-jobs';
const MESSAGE_EXPIRY_S = 60;
// Each expiry (a process that died holding the message) uses a retry: a message must outlive many
// of them. Hand-backs use none (see handBack): they once did, and the oldest messages, fetched first
// and handed back again by a busy process every second, ran out within the hour and were lost.
const MESSAGE_RETRIES = 1000;
/** Messages fetched per round trip at first and after a slow batch (see nextMessage), and completed per round trip (see completeLater). */
const FETCH_BATCH = 4;
/** The most messages fetched per round trip, while batches are used up fast (see nextMessage). */
const MAX_FETCH_BATCH = 32;
/** A batch used up within this many ms of its fetch makes the next batch twice as large. */
const FAST_BATCH_MS = 100;
/** The longest a handled message waits to be completed with others. */
const COMPLETE_DELAY_MS = 50;

/**
 * The scale-out queue: pg-boss 10 in the same PostgreSQL delivers, our `jobs` row is the record.
 *
 * Each time a job becomes queued (submit, retry, expired lease) one pg-boss message is sent in the
 * same transaction as the row change (pg-boss's `db` option runs its insert on our transaction), with
 * the job's priority and `startAfter` = its run_after. A worker fetches a message (pg-boss's SKIP
 * LOCKED fetch across any number of nodes), then claims a job row with the same fair claim as the
 * embedded queue, and completes the message. A message is a wake-up, not a particular job: the claim
 * may pick another organisation's job (fairness), and a message that finds no due job is simply
 * completed. There is always at least one available message per due queued job (each queued
 * transition sends one that becomes available exactly when its job is due; each message claims at
 * most one), so no due job waits for a message that never comes. Worker death is handled by the
 * row's lease (the sweep requeues it and sends a new message); pg-boss's expiry and retries cover only
 * a process that died between fetching a message and claiming (milliseconds), so a short expiry.
 */
export class PgBossQueue extends DeliveringQueue {
  readonly name = 'pg-boss' as const;
  boss: PgBoss;
  private readonly schema: string;
  private started = false;
  private pollMs: number;
  private stopping = false;
  private pending: PgBoss.JobWithMetadata<unknown>[] = [];
  private fetching: Promise<void> | undefined;
  private fetchedAt = 0;
  private batchSize = FETCH_BATCH;
  private handBackTimer: NodeJS.Timeout | undefined;

  private readonly messageRetries: number;

  /** `messageRetries`: each message's retries (expiries it outlives); tests lower it. */
  constructor(store: Store, config: ServerConfig, options: { pollMs?: number; schema?: string; messageRetries?: number } = {}) {
    super(store, config);
    if (!store.url) throw new Error('the pg-boss queue needs a PostgreSQL store (APPRIGHTS_DATABASE_URL)');
    this.pollMs = options.pollMs ?? 250;
    this.schema = options.schema ?? 'pgboss';
    this.messageRetries = options.messageRetries ?? MESSAGE_RETRIES;
    this.boss = this.makeBoss();
  }

  /** pg-boss cannot be started again after a stop (its second stop would be a no-op, leaving its pool open): a new one each time. */
  private makeBoss(): PgBoss {
    const url = this.store.url ?? '';
    const boss = new PgBoss({
      connectionString: url,
      schema: this.schema,
      max: 4,
      // Maintenance (archiving, expiry) runs on every node; pg-boss takes an advisory lock for it.
      supervise: true,
      // Cron schedules belong to the scheduler (one node); the job layer sends no cron work.
      schedule: false,
      migrate: true,
      // pg-boss's own statements (fetching and completing wake-ups, maintenance) commit without
      // waiting for the WAL flush: one lost to a database crash costs a spare wake-up or a message
      // delivered again, never a job (the jobs row is the record; a message is sent in the job's
      // own, durable transaction on our connection). Each flush was a disk sync per job.
      // (node-postgres's startup `options`; pg-boss hands its whole configuration to pg.Pool.)
      ...({ options: '-c synchronous_commit=off' } as object),
    });
    // A dropped connection (PostgreSQL restarting) is reported here; the workers' loops back off.
    boss.on('error', () => {});
    return boss;
  }

  async start(): Promise<void> {
    if (this.started) return;
    if (this.stopping) this.boss = this.makeBoss();
    this.stopping = false;
    await this.boss.start();
    await this.ensureQueue();
    this.started = true;
    // Messages this process fetched but has no free worker for go back within a second, so idle
    // workers on other nodes get them instead of waiting for their expiry.
    this.handBackTimer = setInterval(() => {
      if (this.pending.length === 0 || this.fetching || Date.now() - this.fetchedAt < 1000) return;
      this.batchSize = FETCH_BATCH;
      // Should this fail, the messages expire and are redelivered (each an expiry's retry).
      this.handBack(this.pending.splice(0)).catch(() => {});
    }, 1000);
    this.handBackTimer.unref();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearInterval(this.handBackTimer);
    if (!this.started) return;
    this.started = false;
    // A fetch in flight (one ahead, see nextMessage) lands first, so its messages are handed back too.
    await this.fetching?.catch(() => {});
    await this.handBack(this.pending.splice(0)).catch(() => {});
    await this.flushCompleted();
    await this.boss.stop({ graceful: false, wait: true, timeout: 2000 });
  }

  /**
   * Creates pg-boss's queue when it is missing (first start; or deleted since, when pg-boss's send
   * would insert nothing: its insert joins the queue's row).
   */
  private async ensureQueue(): Promise<void> {
    if (await this.boss.getQueue(BOSS_QUEUE)) return;
    try {
      await this.boss.createQueue(BOSS_QUEUE, { name: BOSS_QUEUE, retryLimit: this.messageRetries, expireInSeconds: MESSAGE_EXPIRY_S });
    } catch (error) {
      // Another node created it in between.
      if (!(await this.boss.getQueue(BOSS_QUEUE))) throw error;
    }
  }

  protected override async restoreDelivery(): Promise<void> {
    await this.ensureQueue();
  }

  protected async wake(db: Kysely<Database> | Transaction<Database>, job: Job): Promise<void> {
    // Sent on the caller's connection, inside its transaction: the row and its message commit together.
    // pg-boss's send answers null when it inserted nothing (its queue missing): see insertedAll.
    this.insertedAll((await this.send(job, executeOn(db))) === null ? 0 : 1, 1);
  }

  /**
   * Hands messages this process fetched and has no worker for back to every node, as fresh messages:
   * completed, and sent again with their priority, in one transaction. pg-boss's `fail` would do it
   * in one statement but costs a retry each time (and the next fetch counts one more), so a message
   * bounced by busy processes ran out of retries and was lost, leaving a due job with no wake-up.
   */
  async handBack(messages: readonly PgBoss.JobWithMetadata<unknown>[]): Promise<void> {
    if (messages.length === 0) return;
    await this.db.transaction().execute(async (trx) => {
      const db = { executeSql: executeOn(trx) };
      // complete(name, ids, data, options): pg-boss 10 takes options fourth, which its typings omit for a list of ids.
      const complete = this.boss.complete.bind(this.boss) as unknown as (
        name: string,
        ids: string[],
        data: undefined,
        options: PgBoss.ConnectionOptions,
      ) => Promise<unknown>;
      await complete(
        BOSS_QUEUE,
        messages.map((m) => m.id),
        undefined,
        { db },
      );
      const inserted = await this.insert(
        messages.map((m) => ({
          name: BOSS_QUEUE,
          data: m.data as object,
          priority: m.priority,
          retryLimit: this.messageRetries,
          expireInSeconds: MESSAGE_EXPIRY_S,
        })),
        trx,
      );
      // Not sent again: the completion rolls back too, and the messages expire and come back.
      this.insertedAll(inserted, messages.length);
    });
  }

  /** The jobs' messages in one statement (pg-boss's `insert`), on the caller's transaction, with the options `send` gives each. */
  protected override async wakeMany(db: Transaction<Database>, jobs: readonly Job[]): Promise<void> {
    if (jobs.length === 0) return;
    await this.ensureStarted();
    const inserted = await this.insert(
      jobs.map((job) => ({
        name: BOSS_QUEUE,
        data: { jobId: job.id },
        priority: job.priority,
        startAfter: new Date(job.run_after).toISOString(),
        retryLimit: this.messageRetries,
        expireInSeconds: MESSAGE_EXPIRY_S,
      })),
      db,
    );
    this.insertedAll(inserted, jobs.length);
  }

  /**
   * pg-boss's insert on `db`, and how many messages it inserted: it returns nothing to say (no
   * RETURNING; its typings say void), so the count is the statement's own, read where it runs.
   */
  private async insert(jobs: PgBoss.JobInsert[], db: Kysely<Database> | Transaction<Database>): Promise<number> {
    let inserted = 0;
    await this.boss.insert(jobs, { db: { executeSql: executeOn(db, (rows) => (inserted += rows)) } });
    return inserted;
  }

  /**
   * pg-boss's insert joins its queue's row: with the queue missing it inserts nothing and raises
   * nothing. Jobs must not commit without their messages, so the caller's transaction fails; the
   * queue is made again once it has rolled back: made now, it would wait for the lock the
   * transaction's insert holds on pg-boss's table.
   */
  private insertedAll(inserted: number, wanted: number): void {
    if (inserted >= wanted) return;
    this.restoreDeliveryLater();
    throw new Error(`pg-boss took ${inserted} of ${wanted} messages: its queue ${BOSS_QUEUE} was missing (made again; try again)`);
  }

  /** pg-boss's own insert of the job's message (its `send`, validated by it), to run in the submit's statement. */
  protected override async wakeStatement(job: Job): Promise<{ sql: string; parameters: readonly unknown[] }> {
    let statement: { sql: string; parameters: readonly unknown[] } | undefined;
    await this.send(job, async (text, values) => {
      statement = { sql: text, parameters: values };
      return { rows: [{ id: job.id }] };
    });
    if (!statement) throw new Error('pg-boss sent no statement for the message');
    return statement;
  }

  private async ensureStarted(): Promise<void> {
    if (!this.started) {
      // Never restarted behind a stop() (a late sweep or retry): that would leave pg-boss running.
      if (this.stopping) throw new Error('the pg-boss queue is stopped');
      await this.start();
    }
  }

  /** pg-boss's send of the job's message; its id, or null when pg-boss inserted nothing. */
  private async send(job: Job, executeSql: (text: string, values: unknown[]) => Promise<{ rows: unknown[] }>): Promise<string | null> {
    await this.ensureStarted();
    return this.boss.send(
      BOSS_QUEUE,
      { jobId: job.id },
      {
        db: { executeSql },
        priority: job.priority,
        startAfter: new Date(job.run_after),
        retryLimit: this.messageRetries,
        expireInSeconds: MESSAGE_EXPIRY_S,
      },
    );
  }

  async claim(worker: string, leaseMs: number): Promise<Job | undefined> {
    const message = await this.nextMessage();
    if (!message) return undefined;
    let job: Job | undefined;
    try {
      // The fair claim can come back empty while another organisation has a due job: the chosen
      // organisation's only due row was locked by a concurrent claimer (SKIP LOCKED). This message
      // must not be wasted, so any due unlocked job is taken instead. Empty again means every due
      // row is being claimed by a holder of another message: the invariant (a message per due job) holds.
      job = (await this.claimRow(worker, leaseMs)) ?? (await this.claimRow(worker, leaseMs, false));
    } finally {
      // Completed whether a row was claimed or not: the row's lease, not the message, now guards the
      // work. Completed in batches, not awaited: should a batch be lost (a crash, a failed call), its
      // messages expire and are redelivered, spare wake-ups that claim nothing twice.
      this.completeLater(message.id);
    }
    return job;
  }

  /** Message ids to complete, sent together: one round trip for a fetch's worth of messages. */
  private toComplete: string[] = [];
  private completeTimer: NodeJS.Timeout | undefined;

  private completeLater(id: string): void {
    this.toComplete.push(id);
    if (this.toComplete.length >= FETCH_BATCH) this.flushCompleted();
    else this.completeTimer ??= setTimeout(() => this.flushCompleted(), COMPLETE_DELAY_MS);
  }

  private flushCompleted(): Promise<void> {
    clearTimeout(this.completeTimer);
    this.completeTimer = undefined;
    const ids = this.toComplete.splice(0);
    if (ids.length === 0) return Promise.resolve();
    return this.boss.complete(BOSS_QUEUE, ids).then(
      () => {},
      () => {},
    );
  }

  /**
   * Messages are fetched a few at a time (one round trip for several jobs) and held briefly in this
   * process. A message is `active` until completed; one held by a process that dies is redelivered
   * after its expiry (60 s), and stop() hands unused ones back at once (failed with retries left).
   * Taking the last one held starts fetching the next batch, so the fetch overlaps the claims and
   * results of the batch before instead of stopping every claim loop for a round trip. A batch used
   * up within FAST_BATCH_MS doubles the next (up to MAX_FETCH_BATCH): pg-boss's fetch reads and
   * sorts every available message of the queue, so its cost grows with the backlog and is shared by
   * a batch; a slower batch, or one handed back, starts again at FETCH_BATCH, so a process busy with
   * long jobs holds few wake-ups that idle workers elsewhere could use.
   */
  private async nextMessage(): Promise<PgBoss.JobWithMetadata<unknown> | undefined> {
    if (this.pending.length === 0) await this.fetchMore();
    const message = this.pending.shift();
    if (message && this.pending.length === 0 && !this.stopping) {
      this.batchSize = Date.now() - this.fetchedAt < FAST_BATCH_MS ? Math.min(MAX_FETCH_BATCH, this.batchSize * 2) : FETCH_BATCH;
      // A failed fetch ahead is seen by the claim that next waits for one (fetchMore again).
      this.fetchMore().catch(() => {});
    }
    return message;
  }

  private fetchMore(): Promise<void> {
    this.fetching ??= this.boss
      // With metadata: a message handed back is sent again with its priority (see handBack).
      .fetch<unknown>(BOSS_QUEUE, { batchSize: this.batchSize, priority: true, includeMetadata: true })
      .then((batch) => {
        for (const message of batch) this.pending.push(message);
        this.fetchedAt = Date.now();
      })
      .finally(() => {
        this.fetching = undefined;
      });
    return this.fetching;
  }

  waitForWork(ms: number): Promise<void> {
    return new Promise((resolve) => setTimeout(resolve, this.stopping ? 0 : Math.min(ms, this.pollMs)));
  }
}

/** pg-boss's `db` option over one of our connections or transactions; `affected` hears each statement's row count. */
function executeOn(db: Kysely<Database> | Transaction<Database>, affected?: (rows: number) => void) {
  return async (text: string, values: unknown[]): Promise<{ rows: unknown[] }> => {
    const result = await db.executeQuery(CompiledQuery.raw(text, values));
    affected?.(Number(result.numAffectedRows ?? 0n));
    return { rows: result.rows as unknown[] };
  };
}
