import { LocalBlobStore } from '../blobs/store.js';
import { defaultConfig, type ServerConfig } from '../config.js';
import { openStore, type Store } from '../db/open.js';
import { join } from 'node:path';
import { EmbeddedQueue, type DeliveringQueue } from './queue.js';
import { PgBossQueue } from './pgboss.js';
import { startWorkers, type Workers, type WorkersOptions } from './runner.js';

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

export interface WorkerProcessOptions extends WorkersOptions {
  config?: ServerConfig;
  /** Handle SIGTERM and SIGINT: stop taking jobs, let running ones finish (default true). */
  handleSignals?: boolean;
}

export interface WorkerProcess {
  workers: Workers;
  stop(): Promise<void>;
}

/**
 * `apprights worker`: opens the store named by the configuration (PostgreSQL in scale-out; the
 * SQLite file of a data folder beside an embedded server also works), and runs the job workers
 * until stopped. Blobs come from config.dataDir/blobs (a shared mount in scale-out).
 */
export async function runWorkerProcess(options: WorkerProcessOptions = {}): Promise<WorkerProcess> {
  const config = options.config ?? defaultConfig();
  const store = await openStore({ dataDir: config.dataDir, ...(config.databaseUrl ? { databaseUrl: config.databaseUrl } : {}) });
  const blobs = new LocalBlobStore(join(config.dataDir, 'blobs'));
  const queue = createQueue({ store, config });
  let workers: Workers;
  try {
    workers = await startWorkers({ config, store, blobs, queue }, options);
  } catch (error) {
    await queue.stop().catch(() => {});
    await store.close();
    throw error;
  }
  let stopped: Promise<void> | undefined;
  const stop = () =>
    (stopped ??= (async () => {
      await workers.stop();
      await queue.stop();
      await store.close();
    })());
  if (options.handleSignals ?? true) {
    const onSignal = () => void stop().then(() => process.exit(0));
    process.once('SIGTERM', onSignal);
    process.once('SIGINT', onSignal);
  }
  return { workers, stop };
}

export { startWorkers, type Workers, type WorkersOptions, type WorkerEvent } from './runner.js';
export { DeliveringQueue, EmbeddedQueue, type Failure, type FailureClass } from './queue.js';
export { PgBossQueue } from './pgboss.js';
