import { performance } from 'node:perf_hooks';
import { sql } from 'kysely';
import { writeAudit } from '../../admin.js';
import { BlobTooLargeError } from '../../blobs/store.js';
import { FetchHttpError, FetchRefused, safeFetchStream, timeoutOr } from '../../jobs/fetch.js';
import { newId } from '../../ids.js';
import type { Platform } from '../../platform.js';
import { notify } from '../notify.js';

// Re-fetch (热更新 check): a listed app whose store gave a download URL is downloaded again on a
// schedule and its sha256 compared with the listed version's blob. Other bytes under the same listed
// version mean the binary was swapped without going through the gate: the store and the developer
// are told, and the new bytes are scanned (priority -10, campaign work) so the store sees what
// changed. Downloads go through the same SSRF checks as fetch-policy and stream into the blob store
// under the upload cap, so a run holds a few MiB whatever the package's size. A run is bounded by a
// count (the listings checked longest ago first) and a time budget; a failed fetch is recorded and
// tried again at the next run.

export const DEFAULT_REFETCH_INTERVAL_MS = 24 * 3_600_000;
const DEFAULT_PER_RUN = 20;
const DEFAULT_TIMEOUT_MS = 10 * 60_000;

export interface RefetchResult {
  checked: number;
  same: number;
  hotUpdates: number;
  failed: number;
}

interface DueListing {
  id: string;
  store_id: string;
  developer_org_id: string;
  package_name: string;
  version_id: string;
  download_url: string;
  app_type: string | null;
  blob_sha256: string;
}

/** Re-fetches up to `limit` listings not checked within the interval; stops starting downloads after `budgetMs`. */
export async function refetchListings(platform: Platform, options: { limit?: number; budgetMs?: number } = {}): Promise<RefetchResult> {
  const config = platform.config;
  const db = platform.store.db;
  const now = platform.clock.now();
  const interval = config.storeRefetchIntervalMs ?? DEFAULT_REFETCH_INTERVAL_MS;
  const limit = options.limit ?? config.storeRefetchPerRun ?? DEFAULT_PER_RUN;
  const timeoutMs = config.storeRefetchTimeoutMs ?? DEFAULT_TIMEOUT_MS;
  // Elapsed time of this run (not business time): the scheduler's other tasks wait behind it.
  const budgetMs = options.budgetMs ?? 2 * timeoutMs;
  const lastChecked = sql<number>`coalesce((select max(r.checked_at) from store_refetches r where r.listing_id = l.id), 0)`;
  const due = (await db
    .selectFrom('listings as l')
    .innerJoin('versions as v', 'v.id', 'l.version_id')
    .select(['l.id', 'l.store_id', 'l.developer_org_id', 'l.package_name', 'l.version_id', 'l.download_url', 'l.app_type', 'v.blob_sha256'])
    .where('l.state', '=', 'listed')
    .where('l.download_url', 'is not', null)
    .where(lastChecked, '<=', now - interval)
    .orderBy(lastChecked)
    .orderBy('l.id')
    .limit(limit)
    .execute()) as DueListing[];
  const result: RefetchResult = { checked: 0, same: 0, hotUpdates: 0, failed: 0 };
  const started = performance.now();
  for (const listing of due) {
    if (performance.now() - started > budgetMs) break;
    const outcome = await refetchOne(platform, listing, now, timeoutMs);
    result.checked++;
    if (outcome === 'same') result.same++;
    else if (outcome === 'hot-update') result.hotUpdates++;
    else result.failed++;
  }
  return result;
}

async function refetchOne(
  platform: Platform,
  listing: DueListing,
  now: number,
  timeoutMs: number,
): Promise<'same' | 'hot-update' | 'failed'> {
  const { config, blobs, store } = platform;
  const db = store.db;
  const base = {
    listing_id: listing.id,
    version_id: listing.version_id,
    url: listing.download_url,
    listed_sha256: listing.blob_sha256,
    checked_at: now,
  };
  let stored;
  try {
    const fetched = await safeFetchStream(listing.download_url, {
      allowPrivate: config.allowPrivateFetch,
      timeoutMs,
      maxBytes: config.maxUploadBytes,
    });
    try {
      stored = await blobs.put(fetched.body, { maxBytes: config.maxUploadBytes });
    } catch (error) {
      fetched.body.destroy();
      throw timeoutOr(error, fetched.url, timeoutMs, fetched.signal);
    }
  } catch (error) {
    const reason = describe(error);
    await db.transaction().execute(async (trx) => {
      await trx
        .insertInto('store_refetches')
        .values({ id: newId(now), ...base, outcome: 'failed', fetched_sha256: null, size: null, error: reason, job_id: null })
        .execute();
      await writeAudit(
        trx,
        { action: 'store.refetch.failed', subject: listing.id, detail: { url: listing.download_url, error: reason } },
        now,
      );
    });
    return 'failed';
  }
  if (stored.sha256 === listing.blob_sha256) {
    await db
      .insertInto('store_refetches')
      .values({ id: newId(now), ...base, outcome: 'same', fetched_sha256: stored.sha256, size: stored.size, error: null, job_id: null })
      .execute();
    return 'same';
  }
  // The same swapped bytes seen again: recorded, but not notified or scanned a second time.
  const known = await db
    .selectFrom('store_refetches')
    .select('job_id')
    .where('listing_id', '=', listing.id)
    .where('version_id', '=', listing.version_id)
    .where('outcome', '=', 'hot-update')
    .where('fetched_sha256', '=', stored.sha256)
    .executeTakeFirst();
  if (known) {
    await db
      .insertInto('store_refetches')
      .values({
        id: newId(now),
        ...base,
        outcome: 'hot-update',
        fetched_sha256: stored.sha256,
        size: stored.size,
        error: null,
        job_id: known.job_id,
      })
      .execute();
    return 'hot-update';
  }
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('blobs')
      .values({ sha256: stored.sha256, size: stored.size, media_type: 'application/vnd.android.package-archive', created_at: now })
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute();
    // Scanned in the developer's organisation, like the submission's own scan.
    const job = await platform.queue.submit(
      {
        kind: 'scan',
        orgId: listing.developer_org_id,
        priority: -10,
        payload: { blob: stored.sha256, ...(listing.app_type ? { appType: listing.app_type } : {}) },
      },
      trx,
    );
    const id = newId(now);
    await trx
      .insertInto('store_refetches')
      .values({ id, ...base, outcome: 'hot-update', fetched_sha256: stored.sha256, size: stored.size, error: null, job_id: job.id })
      .execute();
    const detail = {
      store: listing.store_id,
      listing: listing.id,
      url: listing.download_url,
      listedSha256: listing.blob_sha256,
      fetchedSha256: stored.sha256,
      scanJob: job.id,
    };
    for (const orgId of [listing.developer_org_id, listing.store_id])
      await notify(
        trx,
        {
          orgId,
          topic: 'store.hot-update',
          subject: listing.id,
          en: `${listing.package_name}: the store's download is not the listed package (sha256 ${stored.sha256.slice(0, 12)}…, listed ${listing.blob_sha256.slice(0, 12)}…); the new bytes are being scanned`,
          zh: `${listing.package_name}：商店下载的安装包与上架版本不一致（疑似热更新），已对新安装包发起检测`,
          detail,
        },
        now,
      );
    await writeAudit(trx, { action: 'store.refetch.hot-update', subject: listing.id, detail: { ...detail, refetch: id } }, now);
  });
  return 'hot-update';
}

/** A failure's reason as stored: a code, then the message. */
function describe(error: unknown): string {
  let reason: string;
  if (error instanceof FetchRefused) reason = `${error.code}: ${error.message}`;
  else if (error instanceof FetchHttpError) reason = `http-${error.status}: ${error.message}`;
  else if (error instanceof BlobTooLargeError) reason = `too-large: ${error.message}`;
  else reason = `fetch-error: ${String((error as Error)?.message ?? error)}`;
  return reason.slice(0, 1000);
}
