// Seeding for the regulator workflow's tests: rows written directly, as the job layer
// (src/jobs/results.ts) and the store workflow would write them.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { newId } from '../../src/ids.js';
import { addOutbox } from '../../src/jobs/sql.js';

type Db = Kysely<Database>;

export async function addOrgOfKind(db: Db, kind: 'developer' | 'store', slug: string, name = slug): Promise<string> {
  const id = newId();
  await db.insertInto('organisations').values({ id, slug, name, kind, created_at: Date.now() }).execute();
  return id;
}

export function fakeSha(text: string): string {
  return createHash('sha256').update(text).digest('hex');
}

export interface SeedFinding {
  fingerprint: string;
  severity: 'high' | 'medium' | 'low' | 'info';
  ruleId?: string;
  measures?: string[];
}

/** A succeeded job of `kind` in `orgId` with its report and findings (what completeJob writes). */
export async function addReport(
  db: Db,
  input: {
    orgId: string;
    appId: string;
    versionId: string | null;
    kind?: string;
    body?: unknown;
    facts?: unknown;
    findings?: SeedFinding[];
    jobId?: string;
  },
): Promise<{ jobId: string; reportId: string }> {
  const now = Date.now();
  let jobId = input.jobId;
  if (!jobId) {
    jobId = newId();
    await db
      .insertInto('jobs')
      .values({
        id: jobId,
        kind: 'scan',
        org_id: input.orgId,
        created_by: null,
        state: 'succeeded',
        priority: 0,
        payload: '{}',
        run_after: now,
        attempts: 1,
        max_attempts: 1,
        locked_by: null,
        lease_until: null,
        progress: null,
        error_code: null,
        error_message: null,
        cancel_requested: 0,
        created_at: now,
        updated_at: now,
        finished_at: now,
      })
      .execute();
  } else {
    await db.updateTable('jobs').set({ state: 'succeeded', finished_at: now, updated_at: now }).where('id', '=', jobId).execute();
  }
  const reportId = newId();
  await db
    .insertInto('reports')
    .values({
      id: reportId,
      job_id: jobId,
      org_id: input.orgId,
      kind: input.kind ?? 'scan',
      version_id: input.versionId,
      knowledge_id: null,
      body: JSON.stringify(input.body ?? { sdks: [] }),
      facts: input.facts === undefined ? null : JSON.stringify(input.facts),
      summary: '{}',
      created_at: now,
    })
    .execute();
  for (const f of input.findings ?? [])
    await db
      .insertInto('findings')
      .values({
        id: newId(),
        report_id: reportId,
        org_id: input.orgId,
        app_id: input.appId,
        fingerprint: f.fingerprint,
        rule_id: f.ruleId ?? 'rule-x',
        severity: f.severity,
        measures: JSON.stringify(f.measures ?? ['m1']),
        created_at: now,
      })
      .execute();
  return { jobId, reportId };
}

/** What a queued job's worker would record: its report, findings and the job.succeeded event. */
export async function completeQueuedJob(db: Db, jobId: string, findings: SeedFinding[]): Promise<string> {
  const job = await db.selectFrom('jobs').selectAll().where('id', '=', jobId).executeTakeFirstOrThrow();
  const payload = JSON.parse(job.payload) as { reportId?: string; blob?: string };
  let appId: string | undefined;
  if (payload.reportId) {
    const r = await db
      .selectFrom('reports')
      .innerJoin('versions', 'versions.id', 'reports.version_id')
      .select('versions.app_id')
      .where('reports.id', '=', payload.reportId)
      .executeTakeFirstOrThrow();
    appId = r.app_id;
  } else {
    const v = await db
      .selectFrom('versions')
      .select('app_id')
      .where('blob_sha256', '=', payload.blob!)
      .where('org_id', '=', job.org_id)
      .executeTakeFirstOrThrow();
    appId = v.app_id;
  }
  const { reportId } = await addReport(db, { orgId: job.org_id, appId, versionId: null, kind: 'rerun', findings, jobId });
  await addOutbox(db, 'job.succeeded', { jobId, kind: job.kind, orgId: job.org_id, reportId });
  return reportId;
}

export interface SeededApp {
  appId: string;
  versionId: string;
  listingId: string;
  packageName: string;
  reportId?: string;
}

/** A developer's app, one version, listed in `storeId`; optionally a scan report with facts and findings. */
export async function addListedApp(
  db: Db,
  input: {
    developerOrgId: string;
    storeIds: string[];
    packageName: string;
    appType?: string | null;
    report?: { findings?: SeedFinding[]; body?: unknown; facts?: unknown };
    blob?: string;
    signer?: string;
  },
): Promise<SeededApp> {
  const now = Date.now();
  const appId = newId();
  const versionId = newId();
  const blob = input.blob ?? fakeSha(`${input.packageName}-blob`);
  await db
    .insertInto('blobs')
    .values({ sha256: blob, size: 1, media_type: 'application/vnd.android.package-archive', created_at: now })
    .onConflict((oc) => oc.column('sha256').doNothing())
    .execute();
  await db
    .insertInto('apps')
    .values({ id: appId, org_id: input.developerOrgId, package_name: input.packageName, created_at: now })
    .execute();
  await db
    .insertInto('versions')
    .values({
      id: versionId,
      app_id: appId,
      org_id: input.developerOrgId,
      version_code: '1',
      version_name: '1.0',
      signer_sha256: input.signer ?? fakeSha(`${input.packageName}-signer`),
      blob_sha256: blob,
      created_at: now,
    })
    .execute();
  let listingId = '';
  for (const storeId of input.storeIds) {
    const id = newId();
    listingId ||= id;
    await db
      .insertInto('listings')
      .values({
        id,
        store_id: storeId,
        developer_org_id: input.developerOrgId,
        package_name: input.packageName,
        app_id: appId,
        version_id: versionId,
        state: 'listed',
        elements: '{}',
        app_type: input.appType ?? null,
        listed_at: now,
        delisted_at: null,
        updated_at: now,
      })
      .execute();
  }
  let reportId: string | undefined;
  if (input.report)
    ({ reportId } = await addReport(db, {
      orgId: input.developerOrgId,
      appId,
      versionId,
      body: input.report.body,
      facts: input.report.facts ?? { schemaVersion: 'x', package: {} },
      findings: input.report.findings ?? [],
    }));
  return { appId, versionId, listingId, packageName: input.packageName, ...(reportId ? { reportId } : {}) };
}
