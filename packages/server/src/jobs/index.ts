import type { ServerConfig } from '../config.js';
import type { Store } from '../db/open.js';
import { EmbeddedQueue, type DeliveringQueue } from './queue.js';
import { PgBossQueue } from './pgboss.js';

export interface CreateQueueOptions {
  store: Store;
  config: ServerConfig;
  /**
   * Which delivery: by default the embedded queue on SQLite and pg-boss on PostgreSQL. The embedded
   * queue also runs on PostgreSQL (the same fair claim with SKIP LOCKED), for tests and small setups.
   */
  kind?: 'embedded' | 'pg-boss';
  /** How often idle workers look for work (ms, default 250). */
  pollMs?: number;
}

/** The job queue for a store: submit, cancel, and (for startWorkers) delivery. */
export function createQueue(options: CreateQueueOptions): DeliveringQueue {
  const kind = options.kind ?? (options.store.dialect === 'postgres' ? 'pg-boss' : 'embedded');
  const extra = options.pollMs !== undefined ? { pollMs: options.pollMs } : {};
  return kind === 'pg-boss'
    ? new PgBossQueue(options.store, options.config, extra)
    : new EmbeddedQueue(options.store, options.config, extra);
}

export { startWorkers, type Workers, type WorkersOptions, type WorkerEvent } from './runner.js';
export { DeliveringQueue, EmbeddedQueue, type Failure, type FailureClass } from './queue.js';
export { PgBossQueue } from './pgboss.js';
