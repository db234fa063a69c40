// What the job tests share: a platform (store, blobs, queue) on the database under test, real APKs
// stored as blobs, an organisation, and polling for a job's end.
import { createReadStream } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalBlobStore } from '../../src/blobs/store.js';
import { defaultConfig, type ServerConfig } from '../../src/config.js';
import type { Job } from '../../src/db/schema.js';
import type { Store } from '../../src/db/open.js';
import { newId } from '../../src/ids.js';
import { createQueue } from '../../src/jobs/index.js';
import { systemClock, type Clock } from '../../src/calendar/clock.js';
import type { DeliveringQueue } from '../../src/jobs/queue.js';
import type { DatabaseUnderTest } from './databases.js';

const root = fileURLToPath(new URL('../../../../', import.meta.url));
export const APKS = {
  apiDemos: join(root, 'node_modules/android-apidemos/apks/ApiDemos-debug.apk'),
  settings: join(root, 'node_modules/io.appium.settings/apks/settings_apk-debug.apk'),
  uiautomator: join(root, 'node_modules/appium-uiautomator2-server/apks/appium-uiautomator2-server-v10.6.6.apk'),
};

export interface TestPlatform {
  config: ServerConfig;
  store: Store;
  blobs: LocalBlobStore;
  queue: DeliveringQueue;
  clock: Clock;
  close(): Promise<void>;
}

/** Short leases and backoff so fault tests take seconds, not minutes. */
export function testConfig(under: DatabaseUnderTest, overrides: Partial<ServerConfig> = {}): ServerConfig {
  return defaultConfig({
    dataDir: under.dataDir,
    ...(under.url ? { databaseUrl: under.url } : {}),
    retryBackoffMs: 50,
    ...overrides,
    workers: { concurrency: 1, memoryLimitMb: 1024, jobTimeoutMs: 120_000, recycleAfterJobs: 200, leaseMs: 3000, ...overrides.workers },
  });
}

export async function testPlatform(
  under: DatabaseUnderTest,
  options: { config?: Partial<ServerConfig>; kind?: 'embedded' | 'pg-boss'; clock?: Clock } = {},
): Promise<TestPlatform> {
  const config = testConfig(under, options.config);
  const store = await under.open();
  const blobs = new LocalBlobStore(join(under.dataDir, 'blobs'));
  const queue = createQueue({ store, config, pollMs: 100, ...(options.kind ? { kind: options.kind } : {}) });
  await queue.start();
  return { config, store, blobs, queue, clock: options.clock ?? systemClock, close: () => queue.stop() };
}

export async function addOrg(store: Store, slug = `org-${newId().slice(-6).toLowerCase()}`): Promise<string> {
  const id = newId();
  await store.db.insertInto('organisations').values({ id, slug, name: slug, kind: 'developer', created_at: Date.now() }).execute();
  return id;
}

export async function storeApk(p: TestPlatform, file: string): Promise<string> {
  const blob = await p.blobs.put(createReadStream(file), { maxBytes: p.config.maxUploadBytes });
  await p.store.db
    .insertInto('blobs')
    .values({ sha256: blob.sha256, size: blob.size, media_type: 'application/vnd.android.package-archive', created_at: Date.now() })
    .onConflict((oc) => oc.column('sha256').doNothing())
    .execute();
  return blob.sha256;
}

export async function jobRow(store: Store, id: string): Promise<Job> {
  return store.db.selectFrom('jobs').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** Waits until the job reaches one of `states` (polling the row), or fails with the row as it was. */
export async function waitForState(store: Store, id: string, states: readonly string[], timeoutMs = 60_000): Promise<Job> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = await jobRow(store, id);
    if (states.includes(job.state)) return job;
    if (Date.now() > until)
      throw new Error(`job ${id} is ${job.state}, not ${states.join('|')}, after ${timeoutMs} ms: ${JSON.stringify(job)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

export async function waitFor<T>(what: string, probe: () => T | undefined | Promise<T | undefined>, timeoutMs = 30_000): Promise<T> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined && value !== false) return value as T;
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** Claims until a job comes (pg-boss delivers on its own schedule). */
export async function claimNext(queue: DeliveringQueue, worker: string, leaseMs = 3000, timeoutMs = 10_000): Promise<Job | undefined> {
  const until = Date.now() + timeoutMs;
  for (;;) {
    const job = await queue.claim(worker, leaseMs);
    if (job || Date.now() > until) return job;
    await queue.waitForWork(100);
  }
}
