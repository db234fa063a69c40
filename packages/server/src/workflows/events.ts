import { sql } from 'kysely';
import type { Platform } from '../platform.js';
import type { ScheduledTask } from '../scheduler.js';
import { WORKFLOWS } from './index.js';
import type { EventHandler, PlatformEvent, WorkflowModule } from './module.js';

// Outbox → workflows. Jobs and workflows write events to `outbox` in the transaction of the change
// they announce; this dispatcher hands each event to every workflow handler of its topic, effect
// once: the handler runs inside a transaction that also marks (handler, event) done, so a second
// node, a retry or a crash between the two cannot apply it twice. A failing handler is retried at
// later dispatches and given up after MAX_ATTEMPTS, its last error kept (`event_deliveries`).

export const MAX_ATTEMPTS = 5;
/** Events are read from a little before the cursor: ids from several nodes may commit out of order. */
const LAG_MS = 60_000;
const CURSOR = 'workflows';

interface Handler {
  name: string;
  run: EventHandler;
}

function handlersByTopic(modules: readonly WorkflowModule[]): Map<string, Handler[]> {
  const byTopic = new Map<string, Handler[]>();
  for (const module of modules)
    for (const [topic, run] of Object.entries(module.on ?? {})) {
      const list = byTopic.get(topic) ?? [];
      list.push({ name: `${module.name}:${topic}`, run });
      byTopic.set(topic, list);
    }
  return byTopic;
}

export interface DispatchResult {
  /** Handler runs that took effect now. */
  delivered: number;
  /** Handler runs that threw (retried later unless given up). */
  failed: number;
}

/**
 * Delivers pending events (at most `limit`, oldest first) to the workflows' handlers. Safe to run on
 * several nodes at once; the scheduler runs it on one.
 */
export async function dispatchEvents(
  platform: Platform,
  options: { modules?: readonly WorkflowModule[]; limit?: number } = {},
): Promise<DispatchResult> {
  const byTopic = handlersByTopic(options.modules ?? WORKFLOWS);
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
  // The cursor moves up to the first event that still has a handler to retry.
  let settledThrough: number | undefined;
  let blocked = false;
  for (const row of events) {
    let payload: unknown;
    try {
      payload = JSON.parse(row.payload);
    } catch {
      payload = null;
    }
    const event: PlatformEvent = { id: row.id, topic: row.topic, payload, createdAt: row.created_at };
    let pending = false;
    for (const handler of byTopic.get(row.topic) ?? []) {
      if (done.has(`${handler.name}\u0000${row.id}`)) continue;
      const outcome = await deliver(platform, handler, event);
      if (outcome === 'delivered') result.delivered++;
      else if (outcome === 'failed') {
        result.failed++;
        pending = true;
      }
    }
    if (pending) blocked = true;
    if (!blocked) settledThrough = row.created_at;
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

async function deliver(platform: Platform, handler: Handler, event: PlatformEvent): Promise<'delivered' | 'skipped' | 'failed'> {
  const db = platform.store.db;
  const now = platform.clock.now();
  try {
    return await db.transaction().execute(async (trx) => {
      // Claim (handler, event): a row already done (or given up) makes this a no-op; on PostgreSQL a
      // concurrent claim waits for the other transaction and then sees its row.
      const claimed = await trx
        .insertInto('event_deliveries')
        .values({ handler: handler.name, event_id: event.id, state: 'done', attempts: 1, last_error: null, updated_at: now })
        .onConflict((oc) =>
          oc
            .columns(['handler', 'event_id'])
            .doUpdateSet({ state: 'done', attempts: sql`event_deliveries.attempts + 1`, updated_at: now })
            .where('event_deliveries.state', '=', 'failed'),
        )
        .returning('handler')
        .executeTakeFirst();
      if (!claimed) return 'skipped' as const;
      await handler.run(platform, event, trx);
      return 'delivered' as const;
    });
  } catch (error) {
    const message = String((error as Error)?.message ?? error).slice(0, 1000);
    const prior = await db
      .selectFrom('event_deliveries')
      .select('attempts')
      .where('handler', '=', handler.name)
      .where('event_id', '=', event.id)
      .executeTakeFirst();
    const attempts = (prior?.attempts ?? 0) + 1;
    const state = attempts >= MAX_ATTEMPTS ? 'dead' : 'failed';
    await db
      .insertInto('event_deliveries')
      .values({ handler: handler.name, event_id: event.id, state, attempts, last_error: message, updated_at: now })
      // Never over a delivery another node completed meanwhile.
      .onConflict((oc) =>
        oc
          .columns(['handler', 'event_id'])
          .doUpdateSet({ state, attempts, last_error: message, updated_at: now })
          .where('event_deliveries.state', '<>', 'done'),
      )
      .execute();
    return state === 'dead' ? 'skipped' : 'failed';
  }
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
