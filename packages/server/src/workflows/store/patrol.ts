import { loadKnowledge } from '@apprights/knowledge';
import type { Transaction } from 'kysely';
import { writeAudit } from '../../admin.js';
import type { ClockDefinition } from '../../calendar/clocks.js';
import { deadline } from '../../calendar/clocks.js';
import { shanghaiDate, shanghaiMidnight } from '../../calendar/dates.js';
import { loadCalendar } from '../../calendar/store.js';
import type { Database } from '../../db/schema.js';
import { newId } from '../../ids.js';
import type { Platform } from '../../platform.js';
import type { PlatformEvent } from '../module.js';
import { notify } from '../notify.js';

// Patrol (巡检) of listed apps: when the rule catalogue changes (the knowledge snapshot id differs
// from the one that last judged a listed version), today's rules run again on the version's stored
// facts — a `rerun-rules` job at priority -10, so developers' own uploads go first — and findings
// the last check did not have are sent to the developer with a deadline. One patrol per listing and
// catalogue: a listing is not queued twice for the same snapshot.

/** How long a developer has to rectify new findings on a listed app. */
export function rectificationClock(workingDays: number): ClockDefinition {
  return {
    amount: workingDays,
    unit: 'working-days',
    direction: 'after',
    startsAt: 'the developer is notified of new findings on a listed app',
    en: 'the developer rectifies new findings on a listed app (store patrol)',
    zh: '开发者整改在架应用巡检中发现的新问题',
    source: {
      title: 'store policy (ServerConfig.storeRectificationWorkingDays, default 15)',
      locator:
        'issue 14 default of 15 working days, the length of the 2019 认定方法 complaint clock; MIIT bulletins set 5–10 calendar days (shared/docs/platform.md, bulletins)',
      confidence: 'P',
      note: 'No instrument fixes a store-patrol rectification period; a store sets its own.',
    },
  };
}

export interface PatrolResult {
  queued: number;
  knowledgeId: string;
}

/** Queues a rerun-rules job for up to `limit` listed apps last judged by another catalogue. */
export async function patrolListings(platform: Platform, options: { knowledgeId?: string; limit?: number } = {}): Promise<PatrolResult> {
  const db = platform.store.db;
  const knowledgeId = options.knowledgeId ?? loadKnowledge().id;
  const now = platform.clock.now();
  const due = await db
    .selectFrom('listings as l')
    .innerJoin('store_listing_checks as c', 'c.listing_id', 'l.id')
    .select(['l.id', 'l.developer_org_id', 'c.version_id', 'c.report_id'])
    .where('l.state', '=', 'listed')
    .where((eb) => eb.or([eb('c.knowledge_id', 'is', null), eb('c.knowledge_id', '<>', knowledgeId)]))
    .where((eb) =>
      eb.not(
        eb.exists(
          eb
            .selectFrom('store_patrols as p')
            .select('p.id')
            .whereRef('p.listing_id', '=', 'l.id')
            .whereRef('p.version_id', '=', 'c.version_id')
            .where('p.knowledge_to', '=', knowledgeId),
        ),
      ),
    )
    .orderBy('l.id')
    .limit(options.limit ?? 500)
    .execute();
  if (due.length === 0) return { queued: 0, knowledgeId };
  // The jobs and their patrol rows in one transaction, the jobs submitted together: a commit (a disk
  // flush on SQLite) and a round trip per listing were a third of the parent's time per patrolled app.
  await db.transaction().execute(async (trx) => {
    const jobs = await platform.queue.submitMany(
      due.map((row) => ({ kind: 'rerun-rules', orgId: row.developer_org_id, priority: -10, payload: { reportId: row.report_id } })),
      trx,
    );
    const patrols = due.map((row, i) => ({
      id: newId(now),
      listing_id: row.id,
      version_id: row.version_id,
      knowledge_to: knowledgeId,
      job_id: jobs[i]!.id,
      state: 'running' as const,
      result_report_id: null,
      new_findings: null,
      created_at: now,
      updated_at: now,
    }));
    // 500 rows of 10 values a statement: under both databases' parameter limits.
    for (let i = 0; i < patrols.length; i += 500)
      await trx
        .insertInto('store_patrols')
        .values(patrols.slice(i, i + 500))
        .execute();
  });
  return { queued: due.length, knowledgeId };
}

/** A store's patrols newest first, with the listing's package and developer (limit + 1 rows). */
export function listPatrols(db: Platform['store']['db'], storeId: string, options: { cursor?: string | undefined; limit: number }) {
  let query = db
    .selectFrom('store_patrols as p')
    .innerJoin('listings as l', 'l.id', 'p.listing_id')
    .select([
      'p.id',
      'p.listing_id',
      'p.version_id',
      'p.knowledge_to',
      'p.job_id',
      'p.state',
      'p.result_report_id',
      'p.new_findings',
      'p.created_at',
      'p.updated_at',
      'l.package_name',
      'l.developer_org_id',
      'l.state as listing_state',
    ])
    .where('l.store_id', '=', storeId);
  if (options.cursor) query = query.where('p.id', '<', options.cursor);
  return query
    .orderBy('p.id', 'desc')
    .limit(options.limit + 1)
    .execute();
}

const DAY_MS = 86_400_000;

/** A listing's check (what the public disclosure shows) from the scan report of its version: SDK list and coverage. */
export function listingCheckOf(
  report: { id: string; body: string; knowledge_id: string | null; created_at: number },
  versionId: string,
): { version_id: string; report_id: string; knowledge_id: string | null; sdks: string; coverage: string; checked_at: number } {
  const body = JSON.parse(report.body) as {
    sdks?: { id: string; name?: unknown; vendor?: unknown; category?: string; version?: string | null }[];
    coverage?: { status: string }[];
  };
  const sdks = (body.sdks ?? []).map((x) => ({
    id: x.id,
    name: x.name,
    vendor: x.vendor,
    category: x.category,
    version: x.version ?? null,
  }));
  const coverage: Record<string, number> = {};
  for (const c of body.coverage ?? []) coverage[c.status] = (coverage[c.status] ?? 0) + 1;
  return {
    version_id: versionId,
    report_id: report.id,
    knowledge_id: report.knowledge_id,
    sdks: JSON.stringify(sdks),
    coverage: JSON.stringify(coverage),
    checked_at: report.created_at,
  };
}

interface JobEvent {
  jobId?: string;
  kind?: string;
  reportId?: string;
  error?: string;
}

/** A patrol's rerun-rules job ended: compare its findings with the last check's and tell the developer. */
export async function onPatrolJob(platform: Platform, event: PlatformEvent, trx: Transaction<Database>): Promise<void> {
  const payload = (event.payload ?? {}) as JobEvent;
  if (payload.kind !== 'rerun-rules' || typeof payload.jobId !== 'string') return;
  const patrol = await trx
    .selectFrom('store_patrols')
    .selectAll()
    .where('job_id', '=', payload.jobId)
    .where('state', '=', 'running')
    .executeTakeFirst();
  if (!patrol) return;
  const now = platform.clock.now();
  if (event.topic !== 'job.succeeded' || !payload.reportId) {
    await trx.updateTable('store_patrols').set({ state: 'failed', updated_at: now }).where('id', '=', patrol.id).execute();
    return;
  }
  const check = await trx.selectFrom('store_listing_checks').selectAll().where('listing_id', '=', patrol.listing_id).executeTakeFirst();
  const listing = await trx.selectFrom('listings').selectAll().where('id', '=', patrol.listing_id).executeTakeFirst();
  // The base: the last patrol of this version, else the report that listed it.
  const previous = await trx
    .selectFrom('store_patrols')
    .select('result_report_id')
    .where('listing_id', '=', patrol.listing_id)
    .where('version_id', '=', patrol.version_id)
    .where('state', '=', 'done')
    .orderBy('id', 'desc')
    .executeTakeFirst();
  const baseReport = previous?.result_report_id ?? check?.report_id ?? null;
  const before = new Set(
    baseReport
      ? (await trx.selectFrom('findings').select('fingerprint').where('report_id', '=', baseReport).execute()).map((f) => f.fingerprint)
      : [],
  );
  const after = await trx
    .selectFrom('findings')
    .select(['fingerprint', 'rule_id', 'severity'])
    .where('report_id', '=', payload.reportId)
    .execute();
  const fresh = after.filter((f) => !before.has(f.fingerprint));
  const report = await trx
    .selectFrom('reports')
    .select(['knowledge_id', 'body', 'created_at'])
    .where('id', '=', payload.reportId)
    .executeTakeFirst();
  await trx
    .updateTable('store_patrols')
    .set({ state: 'done', result_report_id: payload.reportId, new_findings: fresh.length, updated_at: now })
    .where('id', '=', patrol.id)
    .execute();
  if (check && report) {
    const body = JSON.parse(report.body) as { coverage?: { status: string }[] };
    const coverage: Record<string, number> = {};
    for (const c of body.coverage ?? []) coverage[c.status] = (coverage[c.status] ?? 0) + 1;
    await trx
      .updateTable('store_listing_checks')
      .set({ knowledge_id: report.knowledge_id, coverage: JSON.stringify(coverage), checked_at: report.created_at })
      .where('listing_id', '=', check.listing_id)
      .execute();
  }
  if (fresh.length === 0 || !listing) return;
  await notifyNewFindings(platform, trx, listing, payload.reportId, fresh, 'store.patrol.new-findings', now);
}

/**
 * New findings on a listed app (patrol, re-scan): the developer is notified with the rectification
 * deadline (working days from today in Asia/Shanghai) and the store's audit log records it.
 */
export async function notifyNewFindings(
  platform: Platform,
  trx: Transaction<Database>,
  listing: { id: string; developer_org_id: string; package_name: string; store_id: string },
  reportId: string,
  fresh: readonly { fingerprint: string; rule_id: string; severity: string }[],
  action: string,
  now: number,
): Promise<void> {
  const calendar = await loadCalendar(trx);
  const due = deadline(calendar, rectificationClock(platform.config.storeRectificationWorkingDays ?? 15), shanghaiDate(now));
  // The end of the deadline's day in Asia/Shanghai.
  const dueAt = shanghaiMidnight(due.date) + DAY_MS - 1;
  await notify(
    trx,
    {
      orgId: listing.developer_org_id,
      topic: 'finding.new',
      subject: listing.id,
      en: `Patrol of ${listing.package_name}: ${fresh.length} new finding(s) under the current rules; rectify by ${due.date}`,
      zh: `在架应用 ${listing.package_name} 巡检发现 ${fresh.length} 个新问题，请于 ${due.date} 前整改`,
      detail: {
        store: listing.store_id,
        reportId,
        findings: fresh.slice(0, 50).map((f) => ({ fingerprint: f.fingerprint, ruleId: f.rule_id, severity: f.severity })),
        deadline: due.date,
        provisional: due.provisional,
      },
      dueAt,
    },
    now,
  );
  await writeAudit(
    trx,
    {
      action,
      subject: listing.id,
      detail: { reportId, newFindings: fresh.length, deadline: due.date, provisional: due.provisional },
    },
    now,
  );
}
