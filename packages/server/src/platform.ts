import type { ServerConfig } from './config.js';
import type { Store } from './db/open.js';
import type { BlobStore } from './blobs/store.js';
import type { JobQueue } from './jobs/types.js';
import type { Clock } from './calendar/clock.js';

/**
 * Everything a server process holds, handed to the HTTP app and the job layer. Built once by
 * `serve`/`worker` (and by tests, on either database).
 */
export interface Platform {
  config: ServerConfig;
  store: Store;
  blobs: BlobStore;
  queue: JobQueue;
  /** Time for the workflows' deadlines, reminders and re-tests (tests pass a TestClock and jump days). */
  clock: Clock;
}
