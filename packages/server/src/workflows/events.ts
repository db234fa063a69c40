import { sql, type Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Platform } from '../platform.js';
import type { ScheduledTask } from '../scheduler.js';
import { WORKFLOWS } from './index.js';
import type { BatchEventHandler, EventHandler, PlatformEvent, WorkflowModule } from './module.js';

// Outbox → workflows. Jobs and workflows write events to `outbox` in the transaction of the change
// they announce; this dispatcher hands each event to every workflow handler of its topic, effect
// once: the handler runs inside a transaction that also marks (handler, event) done, so a second
// node, a retry or a crash between the two cannot apply it twice. A failing handler is retried at
// later dispatches and given up after MAX_ATTEMPTS, its last error kept (`event_deliveries`).
//
// Deliveries go in batches: each workflow takes the events of one read in order, up to BATCH of
// them in one transaction (one claim statement, one commit), not one transaction per handler and
// event. A campaign's result is three handlers of one event; one transaction each made the commits
// (an fsync each) the dispatcher's main cost. A handler that throws rolls its batch back; the
// deliveries before it are made again in a batch of their own, and its failure is recorded without
// running it again, so a failing handler is counted once per dispatch as before. A handler may so
// run twice on an event whose first run was rolled back: effect once still holds, since only the
// committed run leaves anything.

export const MAX_ATTEMPTS = 5;
/** Events are read from a little before the cursor: ids from several nodes may commit out of order. */
const LAG_MS = 60_000;
const CURSOR = 'workflows';
/** Deliveries per transaction: enough to spread its commit, few enough that it holds SQLite's one writer briefly. */
const BATCH = 50;

interface Handler {
  name: string;
  run: EventHandler;
  /** The handler's batch form, if its workflow has one (onBatch). */
  batch?: BatchEventHandler | undefined;
}

/** A workflow's handlers by topic, each named `workflow:topic`, with its batch form when it has one. */
function handlersOf(module: WorkflowModule): Map<string, Handler> {
  return new Map(
    Object.entries(module.on ?? {}).map(([topic, run]) => [
      topic,
      { name: `${module.name}:${topic}`, run, batch: module.onBatch?.[topic] },
    ]),
  );
}

function handlersByTopic(perModule: readonly Map<string, Handler>[]): Map<string, Handler[]> {
  const byTopic = new Map<string, Handler[]>();
  for (const handlers of perModule)
    for (const [topic, handler] of handlers) {
      const list = byTopic.get(topic);
      if (list) list.push(handler);
      else byTopic.set(topic, [handler]);
    }
  return byTopic;
}

export interface DispatchResult {
  /** Handler runs that took effect now. */
  delivered: number;
  /** Handler runs that threw (retried later unless given up). */
  failed: number;
}

/** One handler's delivery of one event. */
interface Delivery {
  handler: Handler;
  event: PlatformEvent;
}

/**
 * Delivers pending events (at most `limit`, oldest first) to the workflows' handlers. Safe to run on
 * several nodes at once; the scheduler runs it on one.
 */
export async function dispatchEvents(
  platform: Platform,
  options: { modules?: readonly WorkflowModule[]; limit?: number } = {},
): Promise<DispatchResult> {
  const perModule = (options.modules ?? WORKFLOWS).map(handlersOf);
  const byTopic = handlersByTopic(perModule);
  const result: DispatchResult = { delivered: 0, failed: 0 };
  if (byTopic.size === 0) return result;
  const db = platform.store.db;
  const cursor = await db.selectFrom('event_cursors').select('created_at').where('name', '=', CURSOR).executeTakeFirst();
  const from = Math.max(0, (cursor?.created_at ?? 0) - LAG_MS);
  // Only events that still have a handler to run: the window behind the cursor may hold more
  // settled events than one batch (a busy minute: thousands of job results), and reading those
  // again each time would never reach the first pending one after them.
  const events = await db
    .selectFrom('outbox as o')
    .select(['o.id', 'o.topic', 'o.payload', 'o.created_at'])
    .where('o.created_at', '>=', from)
    .where((eb) =>
      eb.or(
        [...byTopic].map(([topic, handlers]) =>
          eb.and([
            eb('o.topic', '=', topic),
            eb.or(
              handlers.map((h) =>
                eb.not(
                  eb.exists(
                    eb
                      .selectFrom('event_deliveries as d')
                      .select('d.handler')
                      .where('d.handler', '=', h.name)
                      .whereRef('d.event_id', '=', 'o.id')
                      .where('d.state', '<>', 'failed'),
                  ),
                ),
              ),
            ),
          ]),
        ),
      ),
    )
    .orderBy('o.created_at')
    .orderBy('o.id')
    .limit(options.limit ?? 500)
    .execute();
  if (events.length === 0) return result;
  const done = new Set(
    (
      await db
        .selectFrom('event_deliveries')
        .select(['handler', 'event_id', 'state'])
        .where(
          'event_id',
          'in',
          events.map((e) => e.id),
        )
        .execute()
    )
      .filter((d) => d.state !== 'failed')
      .map((d) => `${d.handler}\u0000${d.event_id}`),
  );
  const parsed = events.map((row): PlatformEvent => {
    let payload: unknown;
    try {
      payload = JSON.parse(row.payload);
    } catch {
      payload = null;
    }
    return { id: row.id, topic: row.topic, payload, createdAt: row.created_at };
  });
  // Events with a delivery that failed now: the cursor stops before the first of them.
  const pending = new Set<string>();
  // Workflow by workflow, each taking the events in order, as each workflow saw them before.
  for (const handlers of perModule) {
    const deliveries: Delivery[] = [];
    for (const event of parsed) {
      const handler = handlers.get(event.topic);
      if (handler && !done.has(`${handler.name}\u0000${event.id}`)) deliveries.push({ handler, event });
    }
    await deliverAll(platform, deliveries, result, pending);
  }
  // The cursor moves up to the first event that still has a handler to retry.
  let settledThrough: number | undefined;
  for (const event of parsed) {
    if (pending.has(event.id)) break;
    settledThrough = event.createdAt;
  }
  if (settledThrough !== undefined && settledThrough > (cursor?.created_at ?? -1)) {
    await db
      .insertInto('event_cursors')
      .values({ name: CURSOR, created_at: settledThrough })
      .onConflict((oc) => oc.column('name').doUpdateSet({ created_at: settledThrough }))
      .execute();
  }
  return result;
}

/** Runs `deliveries` in order, BATCH to a transaction; a failure is recorded and the rest go on. */
async function deliverAll(
  platform: Platform,
  deliveries: readonly Delivery[],
  result: DispatchResult,
  pending: Set<string>,
): Promise<void> {
  let start = 0;
  let size = BATCH;
  // The delivery that threw in the last batch: the ones before it go again without it, then it is recorded.
  let failure: { index: number; error: unknown } | undefined;
  while (start < deliveries.length) {
    if (failure?.index === start) {
      const failed = deliveries[start]!;
      if ((await recordFailure(platform, failed, failure.error)) === 'failed') {
        result.failed++;
        pending.add(failed.event.id);
      }
      failure = undefined;
      start++;
      continue;
    }
    const end = Math.min(deliveries.length, start + size, failure?.index ?? Infinity);
    const outcome = await deliverBatch(platform, deliveries.slice(start, end));
    if ('delivered' in outcome) {
      result.delivered += outcome.delivered;
      start = end;
    } else if (outcome.exact) failure = { index: start + outcome.failedAt, error: outcome.error };
    // A batch form threw for a run of events: the rest of this read goes one event at a time, so
    // the failing one is found (and the others take effect).
    else size = 1;
  }
}

class DeliveryFailed extends Error {
  constructor(
    readonly index: number,
    readonly error: unknown,
    /** Whether `index` is the delivery that threw, or the first of a run given to a batch form. */
    readonly exact: boolean,
  ) {
    super('delivery failed');
  }
}

/**
 * One transaction: claims every (handler, event) of the batch not done (or given up) meanwhile, and
 * runs the claimed ones in order, a run of one handler's events through its batch form when it has
 * one. On PostgreSQL a claim another transaction holds waits for it and then sees its row; claims
 * are taken in the events' order on every node, so two never deadlock.
 */
async function deliverBatch(
  platform: Platform,
  batch: readonly Delivery[],
): Promise<{ delivered: number } | { failedAt: number; error: unknown; exact: boolean }> {
  const now = platform.clock.now();
  try {
    return await platform.store.db.transaction().execute(async (trx) => {
      let claimed: Set<string>;
      try {
        const rows = await trx
          .insertInto('event_deliveries')
          .values(
            batch.map((d) => ({
              handler: d.handler.name,
              event_id: d.event.id,
              state: 'done',
              attempts: 1,
              last_error: null,
              updated_at: now,
            })),
          )
          .onConflict((oc) =>
            oc
              .columns(['handler', 'event_id'])
              .doUpdateSet({ state: 'done', attempts: sql`event_deliveries.attempts + 1`, updated_at: now })
              .where('event_deliveries.state', '=', 'failed'),
          )
          .returning(['handler', 'event_id'])
          .execute();
        claimed = new Set(rows.map((r) => `${r.handler}\u0000${r.event_id}`));
      } catch (error) {
        throw new DeliveryFailed(0, error, true);
      }
      const runs = claimedRuns(batch, claimed);
      for (const { index, handler, events } of runs) {
        try {
          if (handler.batch && events.length > 1) await handler.batch(platform, events, trx);
          else for (const [i, event] of events.entries()) await runOne(handler, event, index + i, trx, platform);
        } catch (error) {
          if (error instanceof DeliveryFailed) throw error;
          throw new DeliveryFailed(index, error, false);
        }
      }
      return { delivered: claimed.size };
    });
  } catch (error) {
    if (error instanceof DeliveryFailed) return { failedAt: error.index, error: error.error, exact: error.exact };
    // The commit itself failed: nothing of the batch took effect; its first delivery carries the error.
    return { failedAt: 0, error, exact: true };
  }
}

async function runOne(
  handler: Handler,
  event: PlatformEvent,
  index: number,
  trx: Transaction<Database>,
  platform: Platform,
): Promise<void> {
  try {
    await handler.run(platform, event, trx);
  } catch (error) {
    throw new DeliveryFailed(index, error, true);
  }
}

/** The claimed deliveries of a batch as runs of one handler (index: the run's first in the batch). */
function claimedRuns(batch: readonly Delivery[], claimed: ReadonlySet<string>) {
  const runs: { index: number; handler: Handler; events: PlatformEvent[] }[] = [];
  for (const [index, d] of batch.entries()) {
    if (!claimed.has(`${d.handler.name}\u0000${d.event.id}`)) continue;
    const last = runs[runs.length - 1];
    // A run holds consecutive claimed deliveries: its events' indexes follow one another.
    if (last && last.handler.name === d.handler.name && last.index + last.events.length === index) last.events.push(d.event);
    else runs.push({ index, handler: d.handler, events: [d.event] });
  }
  return runs;
}

/** A delivery that threw: failed (retried at a later dispatch) or, at MAX_ATTEMPTS, given up (dead). */
async function recordFailure(platform: Platform, d: Delivery, error: unknown): Promise<'failed' | 'dead'> {
  const db = platform.store.db;
  const now = platform.clock.now();
  const message = String((error as Error)?.message ?? error).slice(0, 1000);
  const prior = await db
    .selectFrom('event_deliveries')
    .select('attempts')
    .where('handler', '=', d.handler.name)
    .where('event_id', '=', d.event.id)
    .executeTakeFirst();
  const attempts = (prior?.attempts ?? 0) + 1;
  const state = attempts >= MAX_ATTEMPTS ? 'dead' : 'failed';
  await db
    .insertInto('event_deliveries')
    .values({ handler: d.handler.name, event_id: d.event.id, state, attempts, last_error: message, updated_at: now })
    // Never over a delivery another node completed meanwhile.
    .onConflict((oc) =>
      oc
        .columns(['handler', 'event_id'])
        .doUpdateSet({ state, attempts, last_error: message, updated_at: now })
        .where('event_deliveries.state', '<>', 'done'),
    )
    .execute();
  return state;
}

/** The dispatcher as a scheduled task (every tick of the lease holder). */
export function dispatchTask(platform: Platform): ScheduledTask {
  return {
    name: 'dispatch-events',
    everyMs: 0,
    run: async () => {
      // Drain in batches while there is work, bounded so one tick cannot run for ever.
      for (let i = 0; i < 20; i++) {
        const { delivered, failed } = await dispatchEvents(platform);
        if (delivered === 0 || failed > 0) return;
      }
    },
  };
}
