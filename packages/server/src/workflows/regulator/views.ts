import { sql, type Kysely } from 'kysely';
import { writeAudit } from '../../admin.js';
import type { Database } from '../../db/schema.js';
import type { Principal } from '../../http/auth.js';
import { problem, type ProblemError } from '../../http/problems.js';
import { parseJson, scopeOrg } from '../../http/routes/common.js';
import type { Platform } from '../../platform.js';
import { BulletinError, parseList } from './bulletins.js';
import { CampaignError, countFindings } from './campaigns.js';
import { recomputeRankings } from './rankings.js';

// What the regulator workflow's REST routes and the console's regulator screens share: the views of
// bulletins and findings, the campaign lookup scoped to the caller, and the bulk triage of a
// campaign's findings. One implementation for both doors (src/console/regulator.ts renders them).

type Db = Kysely<Database>;

/** A workflow error (bulletin, campaign, calendar count) as the problem the API and the console show. */
export function asProblem(error: unknown): ProblemError | unknown {
  if (error instanceof BulletinError)
    return problem(
      error.code,
      `${error.en} / ${error.zh}`,
      error.pointer ? { errors: [{ pointer: error.pointer, message: error.en }] } : undefined,
    );
  if (error instanceof CampaignError)
    return problem('bad-request', `${error.en} / ${error.zh}`, { errors: [{ pointer: error.pointer, message: error.en }] });
  const message = String((error as Error)?.message ?? '');
  // The calendar's count errors (a number of days out of range) are input errors.
  if ((error as Error)?.name === 'DateCountError')
    return problem('bad-request', message, { errors: [{ pointer: '/deadline/workingDays', message }] });
  return error;
}

/** Runs a workflow step, its input errors turned into problems. */
export async function guarded<T>(run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw asProblem(error);
  }
}

/** The caller's campaign (the platform admin: any); 404 otherwise. */
export async function campaignOf(db: Db, id: string, org: string | null) {
  let query = db.selectFrom('reg_campaigns').selectAll().where('id', '=', id);
  if (org !== null) query = query.where('org_id', '=', org);
  const c = await query.executeTakeFirst();
  if (!c) throw problem('not-found', `no campaign ${id}`);
  return c;
}

export interface TriageInput {
  decision: 'confirm' | 'dismiss';
  note?: string | undefined;
  ruleIds?: string[] | undefined;
  severities?: ('high' | 'medium' | 'low' | 'info')[] | undefined;
  findingIds?: string[] | undefined;
}

/** Confirms or dismisses every new finding of the campaign that matches; audited once with the count. */
export async function triageCampaign(
  platform: Platform,
  p: Principal,
  campaignId: string,
  input: TriageInput,
  ip: string | null,
): Promise<{ campaignId: string; state: 'confirmed' | 'dismissed'; decided: number }> {
  const db = platform.store.db;
  const c = await campaignOf(db, campaignId, scopeOrg(p));
  const now = platform.clock.now();
  const { decision, note, ruleIds, severities, findingIds } = input;
  if (decision === 'dismiss' && !note?.trim())
    throw problem('bad-request', 'a dismissal needs a note / 驳回须说明理由', {
      errors: [{ pointer: '/note', message: 'is required to dismiss' }],
    });
  if (!ruleIds && !severities && !findingIds)
    throw problem(
      'bad-request',
      'name the findings: ruleIds, severities or findingIds / 请用 ruleIds、severities 或 findingIds 指明发现项',
      {
        errors: [{ pointer: '/ruleIds', message: 'one of ruleIds, severities, findingIds is required' }],
      },
    );
  const state: 'confirmed' | 'dismissed' = decision === 'confirm' ? 'confirmed' : 'dismissed';
  const result = await db.transaction().execute(async (trx) => {
    let update = trx
      .updateTable('reg_findings')
      .set({ state, note: note ?? null, decided_by: p.userId, decided_at: now })
      .where('campaign_id', '=', c.id)
      .where('state', '=', 'new');
    if (ruleIds) update = update.where('rule_id', 'in', ruleIds);
    if (severities) update = update.where('severity', 'in', severities);
    if (findingIds) update = update.where('id', 'in', findingIds);
    const result = await update.executeTakeFirst();
    const decided = Number(result.numUpdatedRows);
    await countFindings(trx, c.id, { new: -decided, [state]: decided });
    await writeAudit(
      trx,
      {
        userId: p.userId,
        orgId: p.orgId,
        ip,
        action: `regulator.finding.bulk-${state}`,
        subject: c.id,
        detail: {
          decided,
          note: note ?? null,
          ruleIds: ruleIds ?? null,
          severities: severities ?? null,
          findingIds: findingIds?.length ?? null,
        },
      },
      now,
    );
    return { campaignId: c.id, state, decided };
  });
  // PostgreSQL: a bulk decision moves most of a campaign's findings to a state the planner's
  // statistics say no row has (autovacuum analyses up to a minute later, or never for a table that
  // was empty at its last analyse), and the next page of that state was planned as a read of every
  // finding of the campaign and a sort: 322 ms a page at 208,000 findings, 0.3 ms once analysed.
  // ANALYZE samples a bounded number of rows (~0.35 s at 208,000 findings).
  if (platform.store.dialect === 'postgres' && result.decided >= ANALYZE_AFTER_ROWS) await sql`analyze reg_findings`.execute(db);
  return result;
}

/** A bulk triage deciding at least this many findings refreshes the table's planner statistics (PostgreSQL). */
const ANALYZE_AFTER_ROWS = 10_000;

/** A bulletin as the lists show it. */
export function bulletinSummary(b: {
  id: string;
  state: string;
  title: string;
  title_zh: string;
  measure: string;
  legal_basis: string;
  deadline_kind: string;
  deadline_value: string;
  due_date: string | null;
  provisional: number;
  published_at: number | null;
  created_at: number;
}) {
  return {
    id: b.id,
    state: b.state,
    title: b.title,
    titleZh: b.title_zh,
    measure: b.measure,
    legalBasis: b.legal_basis,
    deadline: b.deadline_kind === 'date' ? { date: b.deadline_value } : { workingDays: Number(b.deadline_value) },
    dueDate: b.due_date,
    provisional: Number(b.provisional) === 1,
    publishedAt: b.published_at,
    createdAt: b.created_at,
  };
}

/** The id of a published bulletin, or undefined (a draft is not public). */
export async function publishedBulletinId(db: Db, id: string): Promise<string | undefined> {
  const row = await db.selectFrom('reg_bulletins').select('id').where('id', '=', id).where('state', '=', 'published').executeTakeFirst();
  return row?.id;
}

/** A bulletin with its items; the public view keeps the evidence to rule, severity and measures. */
export async function bulletinView(db: Db, id: string, isPublic: boolean) {
  const b = await db.selectFrom('reg_bulletins').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const items = await db
    .selectFrom('reg_bulletin_items')
    .innerJoin('organisations', 'organisations.id', 'reg_bulletin_items.developer_org_id')
    .selectAll('reg_bulletin_items')
    .select('organisations.name as developer_name')
    .where('bulletin_id', '=', id)
    .orderBy('reg_bulletin_items.package_name')
    .execute();
  return {
    ...bulletinSummary(b),
    sdkPrefixes: parseList(b.sdk_prefixes),
    items: items.map((i) => ({
      id: i.id,
      packageName: i.package_name,
      developer: { id: i.developer_org_id, name: i.developer_name },
      signerSha256: i.signer_sha256,
      state: i.state,
      dueDate: i.due_date,
      closedAt: i.closed_at,
      evidence: ((parseJson(i.evidence) as Record<string, unknown>[] | null) ?? []).map((e) =>
        isPublic ? { ruleId: e.ruleId, severity: e.severity, measures: e.measures } : e,
      ),
      ...(isPublic ? {} : { fingerprints: parseList(i.fingerprints), retestJobId: i.retest_job_id, retestReportId: i.retest_report_id }),
    })),
    ...(isPublic ? {} : { domains: parseList(b.domains), ips: parseList(b.ips) }),
  };
}

/** A campaign finding as the triage list shows it. */
export function findingView(f: {
  id: string;
  campaign_id: string;
  app_id: string;
  report_id: string;
  fingerprint: string;
  rule_id: string;
  severity: string;
  measures: string;
  state: string;
  note: string | null;
  decided_by: string | null;
  decided_at: number | null;
}) {
  return {
    id: f.id,
    campaignId: f.campaign_id,
    appId: f.app_id,
    reportId: f.report_id,
    fingerprint: f.fingerprint,
    ruleId: f.rule_id,
    severity: f.severity,
    measures: parseJson(f.measures),
    state: f.state,
    note: f.note,
    decidedBy: f.decided_by,
    decidedAt: f.decided_at,
  };
}

/** Recomputes every ranking (a stored snapshot); audited. */
export async function recomputeAudited(platform: Platform, p: Principal, ip: string | null) {
  const now = platform.clock.now();
  const snapshot = await recomputeRankings(platform.store.db, now);
  await writeAudit(
    platform.store.db,
    {
      userId: p.userId,
      orgId: p.orgId,
      ip,
      action: 'regulator.rankings.recompute',
      subject: snapshot.id,
      detail: { durationMs: snapshot.durationMs },
    },
    now,
  );
  return { id: snapshot.id, computedAt: snapshot.computedAt, durationMs: snapshot.durationMs };
}
