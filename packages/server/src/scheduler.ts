// Periodic work (pruning today; the workflows' patrols, deadlines and reminders next) runs on one
// node at a time, whatever the number of `serve` and `worker` processes. The holder is whoever holds
// the `scheduler_lease` row: it renews the lease each tick; when it stops or dies, the lease runs out
// and another node takes over within one lease. Each task records its last run in `scheduler_runs`,
// so a new holder does not repeat work the old one did moments before.
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { Store } from './db/open.js';
import type { ServerConfig } from './config.js';
import { systemClock, type Clock } from './calendar/clock.js';

export interface ScheduledTask {
  name: string;
  everyMs: number;
  run(store: Store, now: number): Promise<void>;
}

export interface SchedulerOptions {
  /** How often the lease is renewed and due tasks looked for (default 5 s). */
  tickMs?: number;
  /** The lease (default 3 ticks): how long a dead holder blocks the others. */
  leaseMs?: number;
  onEvent?: (event: { type: 'leader' | 'follower' | 'task-error'; task?: string; error?: unknown }) => void;
  /** Where `now` comes from (default the system clock; tests jump days with a TestClock). */
  clock?: Clock;
}

export interface Scheduler {
  readonly holder: string;
  isLeader(): boolean;
  /** Runs one tick now (tests). */
  tick(): Promise<void>;
  stop(): Promise<void>;
}

const LEASE = 'scheduler';

/** The platform's own housekeeping. */
export function coreTasks(config: ServerConfig): ScheduledTask[] {
  return [
    {
      // The lockout only looks back loginFailureWindowMs; older rows are dead weight.
      name: 'prune-login-failures',
      everyMs: 10 * 60_000,
      run: async (store, now) => {
        await store.db
          .deleteFrom('login_failures')
          .where('at', '<', now - config.loginFailureWindowMs)
          .execute();
      },
    },
    {
      name: 'prune-sessions',
      everyMs: 60 * 60_000,
      run: async (store, now) => {
        await store.db.deleteFrom('sessions').where('expires_at', '<', now).execute();
      },
    },
  ];
}

export function startScheduler(store: Store, tasks: ScheduledTask[], options: SchedulerOptions = {}): Scheduler {
  const tickMs = options.tickMs ?? 5_000;
  const leaseMs = options.leaseMs ?? tickMs * 3;
  const holder = `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
  let leader = false;
  let stopped = false;
  let running: Promise<void> | undefined;

  async function acquire(now: number): Promise<boolean> {
    // Take the row when it is free, expired or already ours: one UPDATE, so two nodes cannot both win.
    await store.db
      .insertInto('scheduler_lease')
      .values({ name: LEASE, holder: '', lease_until: 0 })
      .onConflict((oc) => oc.column('name').doNothing())
      .execute();
    const result = await store.db
      .updateTable('scheduler_lease')
      .set({ holder, lease_until: now + leaseMs })
      .where('name', '=', LEASE)
      .where((eb) => eb.or([eb('holder', '=', holder), eb('lease_until', '<', now)]))
      .executeTakeFirst();
    return Number(result.numUpdatedRows) === 1;
  }

  async function runDue(now: number): Promise<void> {
    const last = new Map((await store.db.selectFrom('scheduler_runs').selectAll().execute()).map((r) => [r.task, r.last_run_at]));
    for (const task of tasks) {
      if (stopped || !leader) return;
      if (now - (last.get(task.name) ?? 0) < task.everyMs) continue;
      let error: string | null = null;
      try {
        await task.run(store, now);
      } catch (e) {
        error = String((e as Error)?.message ?? e).slice(0, 500);
        options.onEvent?.({ type: 'task-error', task: task.name, error: e });
      }
      await store.db
        .insertInto('scheduler_runs')
        .values({ task: task.name, last_run_at: now, last_error: error })
        .onConflict((oc) => oc.column('task').doUpdateSet({ last_run_at: now, last_error: error }))
        .execute();
    }
  }

  async function tick(): Promise<void> {
    if (stopped) return;
    const now = (options.clock ?? systemClock).now();
    try {
      const won = await acquire(now);
      if (won !== leader) options.onEvent?.({ type: won ? 'leader' : 'follower' });
      leader = won;
      if (leader) await runDue(now);
    } catch (error) {
      // The database away: not the leader until a renewal succeeds again.
      leader = false;
      options.onEvent?.({ type: 'task-error', error });
    }
  }

  const timer = setInterval(() => {
    running ??= tick().finally(() => (running = undefined));
  }, tickMs);
  timer.unref();
  running = tick().finally(() => (running = undefined));

  return {
    holder,
    isLeader: () => leader,
    tick: async () => {
      await running;
      await tick();
    },
    stop: async () => {
      stopped = true;
      clearInterval(timer);
      await running;
      if (leader) {
        // Hand over at once rather than after the lease.
        await store.db
          .updateTable('scheduler_lease')
          .set({ lease_until: 0 })
          .where('name', '=', LEASE)
          .where('holder', '=', holder)
          .execute()
          .catch(() => {});
        leader = false;
      }
    },
  };
}
