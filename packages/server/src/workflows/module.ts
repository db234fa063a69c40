import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { Api, AppContext } from '../http/context.js';
import type { RouteAccess } from '../http/access.js';
import type { Platform } from '../platform.js';
import type { ScheduledTask } from '../scheduler.js';

// A workflow (store gatekeeping, regulator, SDK registry, complaints, renewal audit, stop-access,
// terminal makers, notifications) plugs into the platform core through one shape: its routes with
// their access entries, its periodic tasks and its handlers of outbox events. The core knows the
// list (./index.ts), never a workflow's insides, so each workflow is one folder under
// src/workflows/<name>/ with its own tables (a migration of its own in src/db/migrations.ts).

/** One event from the outbox, as a handler sees it. */
export interface PlatformEvent {
  id: string;
  topic: string;
  payload: unknown;
  createdAt: number;
}

/**
 * Handles one event inside the dispatcher's transaction. The dispatcher records (handler, event) in
 * the same transaction, so the effect happens once even when two nodes or a retry see the event.
 * A handler that throws is retried at the next dispatch, up to its attempts; the error is kept.
 */
export type EventHandler = (platform: Platform, event: PlatformEvent, trx: Transaction<Database>) => Promise<void>;

/**
 * Handles a run of events of one topic, in order, inside the dispatcher's transaction: the same
 * effect as the topic's `on` handler on each of them in turn, in fewer statements. When it throws,
 * the dispatcher delivers those events again one at a time, to find the failing one.
 */
export type BatchEventHandler = (platform: Platform, events: readonly PlatformEvent[], trx: Transaction<Database>) => Promise<void>;

export interface WorkflowModule {
  /** A short, stable name: the folder, the handlers' prefix in event_deliveries. */
  name: string;
  /** Access entries of this workflow's routes ("METHOD /api/v1/path" → roles and scope), merged into ACCESS. */
  access: Readonly<Record<string, RouteAccess>>;
  /** Registers the routes under /api/v1 (paths in `access` carry the prefix; routes here do not). */
  routes?(api: Api, ctx: AppContext): void;
  /** Periodic work, run by the scheduler's lease holder; `now` comes from the platform's clock. */
  tasks?(platform: Platform): ScheduledTask[];
  /** Outbox topics this workflow reacts to ("job.succeeded", "submission.gated", …). */
  on?: Readonly<Record<string, EventHandler>>;
  /** Batch forms of some of the `on` handlers, by topic (the dispatcher uses them for runs of claimed events). */
  onBatch?: Readonly<Record<string, BatchEventHandler>>;
}
