// The platform's public API (curated: what `apprights serve | worker | migrate` and tests need).
export { defaultConfig, type ServerConfig, type WorkerConfig } from './config.js';
export { openStore, migrate, type Store, type OpenOptions } from './db/open.js';
export { LocalBlobStore, BlobTooLargeError, type BlobStore, type StoredBlob } from './blobs/store.js';
export type { Platform } from './platform.js';
export {
  createQueue,
  startWorkers,
  runWorkerProcess,
  type CreateQueueOptions,
  type Workers,
  type WorkersOptions,
  type WorkerEvent,
  type WorkerProcess,
  type WorkerProcessOptions,
} from './jobs/index.js';
export type { JobQueue, SubmitJob, JobPayloads, CancelOutcome } from './jobs/types.js';
