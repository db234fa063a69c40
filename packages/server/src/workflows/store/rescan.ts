import { createHash } from 'node:crypto';
import { findAppType, prefixKey, READERS_VERSION } from '@apprights/engine';
import { loadKnowledge, type SdkEntry } from '@apprights/knowledge';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import { newId } from '../../ids.js';
import type { Platform } from '../../platform.js';
import type { PlatformEvent } from '../module.js';
import { listingCheckOf, notifyNewFindings } from './patrol.js';

// Re-scans (重新检测) of listed versions when what reads a package changes, as opposed to the patrol
// (patrol.ts), which re-runs today's rules on stored facts. Facts hold what the readers and the SDK
// catalogue found when the version was scanned: a new or changed SDK signature can only be seen by
// reading the package again, and only in versions whose code lies under that signature's package
// prefixes. Each scanned version keeps its package-prefix set (version_package_prefixes, written
// with the scan's report), so the versions to re-scan are found by a query:
//
// - SDK catalogue: the signatures (detection fields of each entry) are compared with those the
//   store last reconciled; the prefixes of the added, removed and changed ones select the listed
//   versions whose set holds one of them, and those whose stored scan named a changed SDK (found by
//   a native library or a host). Versions without a set, or whose set the cap left too shallow to
//   answer, are re-scanned too (never guessed absent). A changed signature with no package and no
//   component (native libraries or hosts only) cannot be located: every listed version is re-scanned.
// - Readers (@apprights/engine READERS_VERSION): every listed version is re-scanned.
//
// The first run records the catalogue and readers as the baseline and re-scans nothing. Re-scans are
// `scan` jobs at priority -10 in the developer's organisation, submitted a bounded batch per run; the
// result updates the listing's check (SDK list, coverage) and new findings are notified like a patrol's.

/** The fields of a catalogue entry that decide what a scan detects (names, PI and sources do not). */
const DETECTION_FIELDS = [
  'packages',
  'components',
  'nativeLibraries',
  'domains',
  'versionHints',
  'within',
  'bundles',
  'bundledBy',
  'singleSegmentRoot',
] as const;

export interface Signature {
  /** SHA-256 (16 hex digits) of the entry's detection fields. */
  hash: string;
  /** Its package and component prefixes as the prefix sets are searched (prefixKey). */
  keys: string[];
}

/** Component names are classes (`cn.jpush.android.service.PushService`) or prefixes: their package is searched. */
function componentKey(component: string): string | null {
  const segments = component.split('.').filter((s) => s.length > 0);
  return segments.length > 1 ? prefixKey(segments.slice(0, -1).join('.')) : null;
}

/** Each entry's detection signature, by SDK id. */
export function catalogueSignatures(entries: readonly SdkEntry[]): Record<string, Signature> {
  const out: Record<string, Signature> = {};
  for (const entry of entries) {
    const fields = Object.fromEntries(DETECTION_FIELDS.map((f) => [f, entry[f] ?? null]));
    const keys = new Set<string>();
    for (const p of entry.packages) {
      const key = prefixKey(p);
      if (key) keys.add(key);
    }
    for (const c of entry.components ?? []) {
      const key = componentKey(c);
      if (key) keys.add(key);
    }
    out[entry.id] = {
      hash: createHash('sha256').update(JSON.stringify(fields)).digest('hex').slice(0, 16),
      keys: [...keys].sort(),
    };
  }
  return out;
}

function catalogueId(signatures: Record<string, Signature>): string {
  const ids = Object.keys(signatures).sort();
  return `sdk:${createHash('sha256')
    .update(JSON.stringify(ids.map((id) => [id, signatures[id]!.hash])))
    .digest('hex')
    .slice(0, 16)}`;
}

export interface CatalogueChange {
  /** Added, removed or changed SDK ids. */
  sdks: string[];
  /** Their prefixes (old and new), as searched. */
  keys: string[];
  /** Changed SDKs with no prefix to search by (native libraries or hosts only). */
  unlocatable: string[];
}

/** What differs between two catalogues' signatures. */
export function catalogueChange(before: Record<string, Signature>, after: Record<string, Signature>): CatalogueChange {
  const sdks: string[] = [];
  const keys = new Set<string>();
  const unlocatable: string[] = [];
  for (const id of new Set([...Object.keys(before), ...Object.keys(after)])) {
    const a = before[id];
    const b = after[id];
    if (a && b && a.hash === b.hash) continue;
    sdks.push(id);
    const its = [...(a?.keys ?? []), ...(b?.keys ?? [])];
    for (const k of its) keys.add(k);
    if (its.length === 0) unlocatable.push(id);
  }
  return { sdks: sdks.sort(), keys: [...keys].sort(), unlocatable: unlocatable.sort() };
}

type Db = Platform['store']['db'];
const STATE = 'store';
const SLICE = 500;

interface Target {
  listingId: string;
  versionId: string;
  prefixes: string[] | null;
}

/** Listed versions (one row per listing) with their prefix set's header, if any. */
async function listedVersions(db: Db): Promise<{ listingId: string; versionId: string; depth: number | null }[]> {
  const rows = await db
    .selectFrom('listings as l')
    .leftJoin('version_prefix_sets as s', 's.version_id', 'l.version_id')
    .select(['l.id', 'l.version_id', 's.depth'])
    .where('l.state', '=', 'listed')
    .where('l.version_id', 'is not', null)
    .execute();
  return rows.map((r) => ({ listingId: r.id, versionId: r.version_id!, depth: r.depth ?? null }));
}

/** The listed versions an SDK-catalogue change can affect, with the changed prefixes each holds. */
export async function affectedVersions(db: Db, change: CatalogueChange): Promise<Target[]> {
  const listed = await listedVersions(db);
  if (change.unlocatable.length > 0) return listed.map((l) => ({ listingId: l.listingId, versionId: l.versionId, prefixes: null }));
  const hits = new Map<string, Set<string>>();
  const hit = (versionId: string, prefix: string) => {
    let set = hits.get(versionId);
    if (!set) hits.set(versionId, (set = new Set()));
    set.add(prefix);
  };
  // By the depth each set is complete to: a key deeper than that is searched by its first segments.
  for (let depth = 1; depth <= 4; depth++) {
    const byKey = new Map<string, string>();
    for (const k of change.keys) {
      const key = prefixKey(k, depth);
      if (key && !byKey.has(key)) byKey.set(key, k);
    }
    const keys = [...byKey.keys()];
    for (let i = 0; i < keys.length; i += SLICE) {
      const rows = await db
        .selectFrom('version_package_prefixes as p')
        .innerJoin('version_prefix_sets as s', 's.version_id', 'p.version_id')
        .select(['p.version_id', 'p.prefix'])
        .where('p.prefix', 'in', keys.slice(i, i + SLICE))
        .where('s.depth', '=', depth)
        .execute();
      for (const r of rows) hit(r.version_id, r.prefix);
    }
  }
  // A changed SDK the stored scan named (perhaps found by a native library or a host, not a class).
  for (let i = 0; i < change.sdks.length; i += SLICE) {
    const rows = await db
      .selectFrom('sdk_version_index')
      .select(['version_id', 'sdk_id'])
      .where('sdk_id', 'in', change.sdks.slice(i, i + SLICE))
      .execute();
    for (const r of rows) hit(r.version_id, `sdk:${r.sdk_id}`);
  }
  const out: Target[] = [];
  for (const l of listed) {
    const found = hits.get(l.versionId);
    // No set (scanned before sets were kept) or one the cap left empty: it cannot say "absent".
    if (found || l.depth === null || l.depth < 1)
      out.push({ listingId: l.listingId, versionId: l.versionId, prefixes: found ? [...found].sort().slice(0, 20) : null });
  }
  return out;
}

export interface RescanResult {
  /** What this run found changed: nothing, the baseline recorded, the SDK catalogue or the readers. */
  change: 'none' | 'baseline' | 'sdk-data' | 'readers';
  /** Re-scans recorded now (pending). */
  queued: number;
  /** Re-scan jobs submitted now (up to `limit`). */
  submitted: number;
  /** Versions without a stored package: recorded as skipped. */
  skipped: number;
  catalogue: string;
}

/**
 * Compares the deployed SDK catalogue and readers with those the store last reconciled, records the
 * re-scans a change calls for, and submits up to `limit` pending ones as scan jobs. Options replace
 * the catalogue entries and the readers' version (tests; a registry's snapshot).
 */
export async function rescanListings(
  platform: Platform,
  options: { sdks?: readonly SdkEntry[]; readers?: number; limit?: number } = {},
): Promise<RescanResult> {
  const db = platform.store.db;
  const now = platform.clock.now();
  const signatures = catalogueSignatures(options.sdks ?? loadKnowledge().sdks.entries);
  const catalogue = catalogueId(signatures);
  const readers = options.readers ?? READERS_VERSION;
  const state = await db.selectFrom('store_rescan_state').selectAll().where('name', '=', STATE).executeTakeFirst();
  let change: RescanResult['change'] = 'none';
  let queued = 0;
  if (!state || state.catalogue !== catalogue || state.readers !== readers) {
    let targets: Target[] = [];
    let reason: 'sdk-data' | 'readers' = 'readers';
    let target = `readers/${readers}`;
    if (!state) change = 'baseline';
    else if (state.readers !== readers) {
      change = 'readers';
      targets = (await listedVersions(db)).map((l) => ({ listingId: l.listingId, versionId: l.versionId, prefixes: null }));
    } else {
      change = reason = 'sdk-data';
      target = catalogue;
      targets = await affectedVersions(db, catalogueChange(JSON.parse(state.signatures) as Record<string, Signature>, signatures));
    }
    await db.transaction().execute(async (trx) => {
      for (let i = 0; i < targets.length; i += SLICE) {
        const inserted = await trx
          .insertInto('store_rescans')
          .values(
            targets.slice(i, i + SLICE).map((t) => ({
              id: newId(now),
              listing_id: t.listingId,
              version_id: t.versionId,
              reason,
              target,
              prefixes: t.prefixes ? JSON.stringify(t.prefixes) : null,
              state: 'pending' as const,
              job_id: null,
              result_report_id: null,
              new_findings: null,
              note: null,
              created_at: now,
              updated_at: now,
            })),
          )
          .onConflict((oc) => oc.columns(['listing_id', 'version_id', 'target']).doNothing())
          .executeTakeFirst();
        queued += Number(inserted.numInsertedOrUpdatedRows ?? 0);
      }
      const values = { readers, catalogue, signatures: JSON.stringify(signatures), updated_at: now };
      await trx
        .insertInto('store_rescan_state')
        .values({ name: STATE, ...values })
        .onConflict((oc) => oc.column('name').doUpdateSet(values))
        .execute();
    });
  }
  const { submitted, skipped } = await submitRescans(platform, options.limit ?? 200);
  return { change, queued, submitted, skipped, catalogue };
}

/** Submits up to `limit` pending re-scans as scan jobs of the listed version's stored package. */
async function submitRescans(platform: Platform, limit: number): Promise<{ submitted: number; skipped: number }> {
  const db = platform.store.db;
  const now = platform.clock.now();
  const pending = await db
    .selectFrom('store_rescans as r')
    .innerJoin('listings as l', 'l.id', 'r.listing_id')
    .innerJoin('versions as v', 'v.id', 'r.version_id')
    .select([
      'r.id',
      'r.version_id',
      'l.developer_org_id',
      'l.app_type',
      'l.state as listing_state',
      'l.version_id as listed_version',
      'v.blob_sha256',
    ])
    .where('r.state', '=', 'pending')
    .orderBy('r.id')
    .limit(limit)
    .execute();
  let submitted = 0;
  let skipped = 0;
  // One job per version: a version listed in several stores is read once for all its listings.
  const byVersion = new Map<string, typeof pending>();
  for (const row of pending) byVersion.set(row.version_id, [...(byVersion.get(row.version_id) ?? []), row]);
  for (const rows of byVersion.values()) {
    const stored = await platform.blobs.has(rows[0]!.blob_sha256);
    await db.transaction().execute(async (trx) => {
      let jobId: string | undefined;
      for (const row of rows) {
        const note =
          row.listing_state !== 'listed' || row.listed_version !== row.version_id
            ? 'the version is no longer listed / 该版本已不在架'
            : !stored
              ? 'the listed version’s package is not stored / 未存储在架版本的安装包'
              : null;
        if (note) {
          await trx
            .updateTable('store_rescans')
            .set({ state: 'skipped', note, updated_at: now })
            .where('id', '=', row.id)
            .where('state', '=', 'pending')
            .execute();
          skipped++;
          continue;
        }
        if (!jobId) {
          jobId = (
            await platform.queue.submit(
              {
                kind: 'scan',
                orgId: row.developer_org_id,
                priority: -10,
                // A listing's type the engine does not know would fail the scan: scanned without it then.
                payload: { blob: row.blob_sha256, ...(row.app_type && findAppType(row.app_type) ? { appType: row.app_type } : {}) },
              },
              trx,
            )
          ).id;
          submitted++;
        }
        await trx
          .updateTable('store_rescans')
          .set({ state: 'running', job_id: jobId, updated_at: now })
          .where('id', '=', row.id)
          .where('state', '=', 'pending')
          .execute();
      }
    });
  }
  return { submitted, skipped };
}

interface JobEvent {
  jobId?: string;
  kind?: string;
  reportId?: string;
}

/**
 * A re-scan's job ended: the listing's check takes the new report (SDK list, coverage, catalogue),
 * and findings the previous check did not have are notified to the developer with a deadline.
 */
export async function onRescanJob(platform: Platform, event: PlatformEvent, trx: Transaction<Database>): Promise<void> {
  const payload = (event.payload ?? {}) as JobEvent;
  if (payload.kind !== 'scan' || typeof payload.jobId !== 'string') return;
  // One job may serve the version's listings in several stores.
  const rescans = await trx
    .selectFrom('store_rescans')
    .selectAll()
    .where('job_id', '=', payload.jobId)
    .where('state', '=', 'running')
    .orderBy('id')
    .execute();
  if (rescans.length === 0) return;
  const now = platform.clock.now();
  const reportId = event.topic === 'job.succeeded' ? payload.reportId : undefined;
  if (!reportId) {
    await trx
      .updateTable('store_rescans')
      .set({ state: 'failed', note: event.topic, updated_at: now })
      .where('job_id', '=', payload.jobId)
      .where('state', '=', 'running')
      .execute();
    return;
  }
  const after = await trx.selectFrom('findings').select(['fingerprint', 'rule_id', 'severity']).where('report_id', '=', reportId).execute();
  const report = await trx
    .selectFrom('reports')
    .select(['id', 'body', 'knowledge_id', 'created_at'])
    .where('id', '=', reportId)
    .executeTakeFirst();
  for (const rescan of rescans) {
    const check = await trx.selectFrom('store_listing_checks').selectAll().where('listing_id', '=', rescan.listing_id).executeTakeFirst();
    const listing = await trx.selectFrom('listings').selectAll().where('id', '=', rescan.listing_id).executeTakeFirst();
    const before = new Set(
      check
        ? (await trx.selectFrom('findings').select('fingerprint').where('report_id', '=', check.report_id).execute()).map(
            (f) => f.fingerprint,
          )
        : [],
    );
    const fresh = after.filter((f) => !before.has(f.fingerprint));
    await trx
      .updateTable('store_rescans')
      .set({ state: 'done', result_report_id: reportId, new_findings: fresh.length, updated_at: now })
      .where('id', '=', rescan.id)
      .execute();
    // The listing still shows this version: its check is now the re-scan's.
    if (report && listing && listing.version_id === rescan.version_id) {
      const values = listingCheckOf(report, rescan.version_id);
      await trx
        .insertInto('store_listing_checks')
        .values({ listing_id: listing.id, ...values })
        .onConflict((oc) => oc.column('listing_id').doUpdateSet(values))
        .execute();
    }
    if (fresh.length > 0 && listing) await notifyNewFindings(platform, trx, listing, reportId, fresh, 'store.rescan.new-findings', now);
  }
}
