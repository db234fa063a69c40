import { createHash } from 'node:crypto';
import { findAppType } from '@apprights/engine';
import { sql, type Kysely, type Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';
import { BLOCK_BITS, ID_ALPHABET, newId, newIdBlock } from '../../ids.js';
import type { Platform } from '../../platform.js';
import { writeAudit } from '../../admin.js';
import type { SubmitJob } from '../../jobs/types.js';

// Campaigns (专项检查): the regulator selects listed apps (by store, CAC app type, an SDK found in
// the app's latest report, and/or a seeded random sample), runs detection on each, and triages
// what it finds. Detection is a job in the app's own organisation (the developer's), so its report
// and findings attach to the developer's app and `rerun-rules` can read the stored facts there; the
// job records the regulator as its creator. Campaign jobs run at priority -10: a developer's own
// upload (priority 0) is claimed first.

export const CAMPAIGN_PRIORITY = -10;
/** A campaign is bounded: more apps than this is an input error (split it by store or type). */
export const MAX_CAMPAIGN_APPS = 20_000;

type Db = Kysely<Database> | Transaction<Database>;

export interface CampaignSelection {
  storeIds?: string[];
  /** CAC app types (listings.app_type). */
  appTypes?: string[];
  /** A catalogue SDK id, or a Java package prefix (e.g. "com.umeng."), present in the app's latest scan report. */
  sdk?: string;
  /** A rule id with a finding in the app's latest report (e.g. an SDK rule such as policy-sdk-undisclosed). */
  ruleId?: string;
  /** Keep only this many of the matching apps, drawn with `seed`. */
  sampleSize?: number;
  /** Any text; the same seed over the same candidates draws the same sample. */
  seed?: string;
}

/**
 * The seeded sample: each candidate app gets the key SHA-256(seed ‖ "\n" ‖ app id) and the sample
 * is the `size` candidates with the smallest keys (ties impossible in practice; broken by id). It
 * is a deterministic pseudo-random permutation: the same seed and candidates give the same sample
 * on any node and database, it does not depend on the order rows come back in, and an app joining
 * the market later does not reshuffle the others' ranks. Anyone holding the seed can re-draw it.
 */
export function sampleKey(seed: string, appId: string): string {
  return createHash('sha256').update(seed).update('\n').update(appId).digest('hex');
}

export function drawSample<T extends { appId: string }>(candidates: readonly T[], size: number, seed: string): T[] {
  if (size >= candidates.length) return [...candidates].sort((a, b) => (a.appId < b.appId ? -1 : a.appId > b.appId ? 1 : 0));
  return candidates
    .map((c) => ({ c, key: sampleKey(seed, c.appId) }))
    .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : a.c.appId < b.c.appId ? -1 : 1))
    .slice(0, size)
    .map((x) => x.c);
}

export interface Candidate {
  appId: string;
  appOrgId: string;
  packageName: string;
  listingId: string;
  versionId: string | null;
  appType: string | null;
}

/** Whether a scan report body names the SDK (catalogue id) or a class/component under the prefix. */
export function reportHasSdk(body: string, sdk: string): boolean {
  let parsed: { sdks?: { id?: unknown; evidence?: { classExamples?: unknown; components?: unknown } }[] };
  try {
    parsed = JSON.parse(body) as typeof parsed;
  } catch {
    return false;
  }
  for (const s of Array.isArray(parsed.sdks) ? parsed.sdks : []) {
    if (s.id === sdk) return true;
    const names = [
      ...(Array.isArray(s.evidence?.classExamples) ? s.evidence.classExamples : []),
      ...(Array.isArray(s.evidence?.components) ? s.evidence.components : []),
    ];
    if (names.some((n) => typeof n === 'string' && n.startsWith(sdk))) return true;
  }
  return false;
}

/** The newest report of each app through its versions (with facts only: those rules can re-run on). */
async function latestScanReports(db: Db, appIds: readonly string[], withFacts = true): Promise<Map<string, string>> {
  const out = new Map<string, string>();
  for (let i = 0; i < appIds.length; i += 500) {
    const rows = await db
      .selectFrom('reports')
      .innerJoin('versions', 'versions.id', 'reports.version_id')
      .select(['versions.app_id as app_id', (eb) => eb.fn.max('reports.id').as('report_id')])
      .where('versions.app_id', 'in', appIds.slice(i, i + 500))
      .$if(withFacts, (qb) => qb.where('reports.facts', 'is not', null))
      .groupBy('versions.app_id')
      .execute();
    for (const r of rows) if (r.report_id) out.set(r.app_id, String(r.report_id));
  }
  return out;
}

/** Listed apps matching the filters, one per app (an app in several stores counts once), by app id. */
export async function selectCandidates(db: Db, selection: CampaignSelection): Promise<Candidate[]> {
  let query = db
    .selectFrom('listings')
    .innerJoin('apps', 'apps.id', 'listings.app_id')
    .select([
      'listings.id as listing_id',
      'listings.app_id',
      'apps.org_id as app_org_id',
      'listings.package_name',
      'listings.version_id',
      'listings.app_type',
    ])
    .where('listings.state', '=', 'listed');
  if (selection.storeIds?.length) query = query.where('listings.store_id', 'in', selection.storeIds);
  if (selection.appTypes?.length) query = query.where('listings.app_type', 'in', selection.appTypes);
  const rows = await query.orderBy('listings.app_id').orderBy('listings.id').execute();
  const byApp = new Map<string, Candidate>();
  for (const r of rows)
    if (!byApp.has(r.app_id))
      byApp.set(r.app_id, {
        appId: r.app_id,
        appOrgId: r.app_org_id,
        packageName: r.package_name,
        listingId: r.listing_id,
        versionId: r.version_id,
        appType: r.app_type,
      });
  let candidates = [...byApp.values()];
  if (selection.sdk) {
    const sdk = selection.sdk;
    const latest = await latestScanReports(
      db,
      candidates.map((c) => c.appId),
    );
    const keep = new Set<string>();
    const ids = [...latest.values()];
    for (let i = 0; i < ids.length; i += 200) {
      const bodies = await db
        .selectFrom('reports')
        .select(['id', 'body'])
        .where('id', 'in', ids.slice(i, i + 200))
        .execute();
      for (const b of bodies) if (reportHasSdk(b.body, sdk)) keep.add(b.id);
    }
    candidates = candidates.filter((c) => keep.has(latest.get(c.appId) ?? ''));
  }
  if (selection.ruleId) {
    const ruleId = selection.ruleId;
    const ids = candidates.map((c) => c.appId);
    const latest = await latestReports(db, ids);
    const keep = new Set<string>();
    for (let i = 0; i < ids.length; i += 500) {
      const rows = await db
        .selectFrom('findings')
        .select(['app_id', 'report_id'])
        .where('rule_id', '=', ruleId)
        .where('app_id', 'in', ids.slice(i, i + 500))
        .execute();
      for (const r of rows) if (r.app_id && latest.get(r.app_id) === r.report_id) keep.add(r.app_id);
    }
    candidates = candidates.filter((c) => keep.has(c.appId));
  }
  return candidates;
}

/** The newest report of each app: its scan reports (through versions) and the reports its findings point to (re-runs). */
async function latestReports(db: Db, appIds: readonly string[]): Promise<Map<string, string>> {
  const out = await latestScanReports(db, appIds, false);
  for (let i = 0; i < appIds.length; i += 500) {
    const rows = await db
      .selectFrom('findings')
      .select(['app_id', (eb) => eb.fn.max('report_id').as('report_id')])
      .where('app_id', 'in', appIds.slice(i, i + 500))
      .groupBy('app_id')
      .execute();
    for (const r of rows) {
      if (!r.app_id || !r.report_id) continue;
      const id = String(r.report_id);
      if ((out.get(r.app_id) ?? '') < id) out.set(r.app_id, id);
    }
  }
  return out;
}

export class CampaignError extends Error {
  constructor(
    readonly pointer: string,
    readonly en: string,
    readonly zh: string,
  ) {
    super(`${en} / ${zh}`);
  }
}

/**
 * Creates the campaign, its items and their detection jobs in one transaction: rules re-run on the
 * latest stored facts when the app has them (no package read), else a scan of the listed version's
 * stored package; an app with neither is kept as `skipped` with the reason.
 */
export async function createCampaign(
  platform: Platform,
  input: { name: string; selection: CampaignSelection; orgId: string; userId: string | null; ip?: string | null },
): Promise<{ id: string; selected: number; candidates: number }> {
  const db = platform.store.db;
  const now = platform.clock.now();
  const candidates = await selectCandidates(db, input.selection);
  const size = input.selection.sampleSize ?? candidates.length;
  if (input.selection.sampleSize !== undefined && input.selection.seed === undefined)
    throw new CampaignError('/selection/seed', 'a sample needs a seed, so it can be drawn again', '抽样需要提供随机种子，以便复现');
  const chosen = drawSample(candidates, size, input.selection.seed ?? '');
  if (chosen.length > MAX_CAMPAIGN_APPS)
    throw new CampaignError(
      '/selection',
      `${chosen.length} apps match; a campaign takes at most ${MAX_CAMPAIGN_APPS} (narrow it or sample)`,
      `匹配 ${chosen.length} 个应用；每次专项检查最多 ${MAX_CAMPAIGN_APPS} 个（请缩小范围或抽样）`,
    );
  const facts = await latestScanReports(
    db,
    chosen.map((c) => c.appId),
  );
  const blobs = new Map<string, string>();
  const versionIds = chosen.filter((c) => !facts.has(c.appId) && c.versionId).map((c) => c.versionId!);
  for (let i = 0; i < versionIds.length; i += 500)
    for (const v of await db
      .selectFrom('versions')
      .select(['id', 'blob_sha256'])
      .where('id', 'in', versionIds.slice(i, i + 500))
      .execute())
      blobs.set(v.id, v.blob_sha256);
  // Which of those packages are stored (read before the transaction: a blob store is files, not rows).
  const storedBlobs = new Set<string>();
  for (const blob of new Set(blobs.values())) if (await platform.blobs.has(blob)) storedBlobs.add(blob);
  const id = newId(now);
  await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('reg_campaigns')
      .values({
        id,
        org_id: input.orgId,
        name: input.name,
        selection: JSON.stringify({ ...input.selection, candidates: candidates.length, selected: chosen.length }),
        created_by: input.userId,
        created_at: now,
      })
      .execute();
    // Each chosen app's detection: its job (submitted together below, a few statements for
    // thousands: one round trip each made a 10,000-app campaign spend 14–15 s here on PostgreSQL),
    // or the reason it has none.
    const plans = chosen.map((c) => {
      const reportId = facts.get(c.appId);
      const blob = c.versionId ? blobs.get(c.versionId) : undefined;
      const job: SubmitJob | undefined = reportId
        ? { kind: 'rerun-rules', orgId: c.appOrgId, createdBy: input.userId, payload: { reportId }, priority: CAMPAIGN_PRIORITY }
        : blob && storedBlobs.has(blob)
          ? {
              kind: 'scan',
              orgId: c.appOrgId,
              createdBy: input.userId,
              // A listing's type the engine does not know would fail the scan: scanned without it then.
              payload: { blob, ...(c.appType && findAppType(c.appType) ? { appType: c.appType } : {}) },
              priority: CAMPAIGN_PRIORITY,
            }
          : undefined;
      return { c, job, mode: reportId ? 'rerun' : job ? 'scan' : 'none' };
    });
    const submitted = await platform.queue.submitMany(
      plans.flatMap((p) => (p.job ? [p.job] : [])),
      trx,
    );
    let next = 0;
    const items = plans.map(({ c, job, mode }) => {
      const jobId = job ? submitted[next++]!.id : null;
      return {
        id: newId(now),
        campaign_id: id,
        app_id: c.appId,
        app_org_id: c.appOrgId,
        package_name: c.packageName,
        listing_id: c.listingId,
        mode,
        job_id: jobId,
        report_id: null,
        state: jobId ? 'queued' : 'skipped',
        reason: jobId ? null : 'no stored facts and no stored package for the listed version / 无已存事实数据，也无在架版本的安装包',
        created_at: now,
      };
    });
    // 500 rows of 12 values a statement: under both databases' parameter limits.
    for (let i = 0; i < items.length; i += 500)
      await trx
        .insertInto('reg_campaign_items')
        .values(items.slice(i, i + 500))
        .execute();
    await writeAudit(
      trx,
      {
        userId: input.userId,
        orgId: input.orgId,
        ip: input.ip ?? null,
        action: 'regulator.campaign.create',
        subject: id,
        detail: { name: input.name, selection: input.selection, candidates: candidates.length, selected: chosen.length },
      },
      now,
    );
  });
  return { id, selected: chosen.length, candidates: candidates.length };
}

/**
 * Campaign jobs finished (one event, or a run of them from the dispatcher): record each item's
 * report and copy its findings into the triage list, once. The copy is one INSERT … SELECT per
 * campaign: the findings (about 126 a report in the bench) never travel through the process; each
 * item's ids are a block's (newIdBlock), numbered in its findings' id order.
 */
export async function campaignJobsSucceeded(
  trx: Transaction<Database>,
  results: readonly { jobId: string; reportId: string }[],
  now: number,
): Promise<void> {
  if (results.length === 0) return;
  const reportOf = new Map(results.map((r) => [r.jobId, r.reportId]));
  const items = await trx
    .updateTable('reg_campaign_items')
    .set({
      state: 'succeeded',
      report_id: sql<string>`case job_id ${sql.join(
        [...reportOf].map(([job, report]) => sql`when ${job} then ${report}`),
        sql` `,
      )} end`,
    })
    .where('job_id', 'in', [...reportOf.keys()])
    .where('state', '=', 'queued')
    .returning(['id', 'campaign_id', 'app_id', 'app_org_id', 'report_id'])
    .execute();
  const byCampaign = new Map<string, typeof items>();
  for (const item of items) {
    const list = byCampaign.get(item.campaign_id);
    if (list) list.push(item);
    else byCampaign.set(item.campaign_id, [item]);
  }
  // The block's last characters, base 32, from the finding's number n (0 …) in its report.
  const digits = Array.from({ length: BLOCK_BITS / 5 }, (_, i) => {
    const shift = 5 * (BLOCK_BITS / 5 - 1 - i);
    return sql`substr(${ID_ALPHABET}, cast((f.n / ${2 ** shift}) % 32 as integer) + 1, 1)`;
  });
  for (const [campaignId, list] of byCampaign) {
    const values = list.map((i) => sql`(${i.id}, ${newIdBlock(now)}, ${i.app_id}, ${i.app_org_id}, ${i.report_id})`);
    const reports = [...new Set(list.map((i) => i.report_id!))];
    const copied = await sql`
      with items (item_id, prefix, app_id, app_org_id, report_id) as (values ${sql.join(values)})
      insert into reg_findings (id, campaign_id, item_id, finding_id, report_id, app_id, app_org_id, fingerprint, rule_id,
        severity, measures, state, note, decided_by, decided_at, created_at)
      select i.prefix || ${sql.join(digits, sql` || `)}, cast(${campaignId} as text), i.item_id, f.id, f.report_id, i.app_id,
        i.app_org_id, f.fingerprint, f.rule_id, f.severity, f.measures, 'new', null, null, null, cast(${now} as bigint)
      from items i join (
        select id, report_id, fingerprint, rule_id, severity, measures, row_number() over (partition by report_id order by id) - 1 as n
        from findings where report_id in (${sql.join(reports)})
      ) as f on f.report_id = i.report_id
      where true
      on conflict (campaign_id, finding_id) do nothing`.execute(trx);
    await countFindings(trx, campaignId, { new: Number(copied.numAffectedRows ?? 0) });
  }
}

/** Moves a campaign's findings counts by state (reg_campaign_counts) in the transaction that moves the findings. */
export async function countFindings(
  trx: Transaction<Database>,
  campaignId: string,
  changes: Readonly<Record<string, number>>,
): Promise<void> {
  const rows = Object.entries(changes)
    .filter(([, n]) => n !== 0)
    .map(([state, n]) => ({ campaign_id: campaignId, state, n }));
  if (rows.length === 0) return;
  await trx
    .insertInto('reg_campaign_counts')
    .values(rows)
    .onConflict((oc) => oc.columns(['campaign_id', 'state']).doUpdateSet({ n: sql`reg_campaign_counts.n + excluded.n` }))
    .execute();
}

/** A campaign's findings by triage state (only the states it has). */
export async function campaignFindingCounts(db: Db, campaignId: string): Promise<Record<string, number>> {
  const rows = await db.selectFrom('reg_campaign_counts').select(['state', 'n']).where('campaign_id', '=', campaignId).execute();
  return Object.fromEntries(rows.filter((r) => Number(r.n) > 0).map((r) => [r.state, Number(r.n)]));
}

export async function campaignJobFailed(trx: Transaction<Database>, jobId: string, error: string | null): Promise<void> {
  await trx
    .updateTable('reg_campaign_items')
    .set({ state: 'failed', reason: error ?? 'the detection job failed / 检测任务失败' })
    .where('job_id', '=', jobId)
    .where('state', '=', 'queued')
    .execute();
}

/** Counts of the campaign's items by their job's state (skipped: no job). */
export async function campaignProgress(db: Db, campaignId: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('reg_campaign_items')
    .leftJoin('jobs', 'jobs.id', 'reg_campaign_items.job_id')
    .select(['jobs.state as state', (eb) => eb.fn.countAll<string>().as('n')])
    .where('reg_campaign_items.campaign_id', '=', campaignId)
    .groupBy('jobs.state')
    .execute();
  const out: Record<string, number> = { queued: 0, running: 0, succeeded: 0, failed: 0, dead: 0, cancelled: 0, skipped: 0 };
  for (const r of rows) out[r.state ?? 'skipped'] = (out[r.state ?? 'skipped'] ?? 0) + Number(r.n);
  return out;
}

/**
 * Counts of the campaign's items by their own state: whether each job's outcome has reached the
 * campaign (its findings copied to the triage list). Lags the job states by one event dispatch; a
 * gap that stays means the events are not being dispatched.
 */
export async function campaignItemStates(db: Db, campaignId: string): Promise<Record<string, number>> {
  const rows = await db
    .selectFrom('reg_campaign_items')
    .select(['state', (eb) => eb.fn.countAll<string>().as('n')])
    .where('campaign_id', '=', campaignId)
    .groupBy('state')
    .execute();
  const out: Record<string, number> = { queued: 0, succeeded: 0, failed: 0, skipped: 0 };
  for (const r of rows) out[r.state] = (out[r.state] ?? 0) + Number(r.n);
  return out;
}
