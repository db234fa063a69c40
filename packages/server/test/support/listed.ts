// A listed app as the store workflow and a scan job leave it (app, version, scan job, report with
// the facts' SDK list, listing, and the job.succeeded event), for the workflows that read listings
// (SDK registry, complaints) without running a scan.
import { createHash } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../src/db/schema.js';
import { newId } from '../../src/ids.js';
import { addOutbox } from '../../src/jobs/sql.js';

export interface ListedApp {
  listingId: string;
  appId: string;
  versionId: string;
  reportId: string;
}

export async function listedApp(
  db: Kysely<Database>,
  input: { storeId: string; developerOrgId: string; packageName: string; sdks?: { id: string; version: string | null }[]; now?: number },
): Promise<ListedApp> {
  const now = input.now ?? Date.now();
  const appId = newId(now);
  const versionId = newId(now);
  const jobId = newId(now);
  const reportId = newId(now);
  const listingId = newId(now);
  const sha = createHash('sha256').update(`${input.packageName}:${now}:${jobId}`).digest('hex');
  await db
    .insertInto('blobs')
    .values({ sha256: sha, size: 1, media_type: 'application/vnd.android.package-archive', created_at: now })
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
      signer_sha256: null,
      blob_sha256: sha,
      created_at: now,
    })
    .execute();
  await db
    .insertInto('jobs')
    .values({
      id: jobId,
      kind: 'scan',
      org_id: input.developerOrgId,
      created_by: null,
      state: 'succeeded',
      priority: 0,
      payload: '{}',
      run_after: now,
      attempts: 1,
      max_attempts: 3,
      locked_by: null,
      lease_until: null,
      progress: null,
      error_code: null,
      error_message: null,
      created_at: now,
      updated_at: now,
      finished_at: now,
    })
    .execute();
  const facts = { schemaVersion: '1.0.0', package: { sdks: (input.sdks ?? []).map((s) => ({ id: s.id, version: s.version })) } };
  await db
    .insertInto('reports')
    .values({
      id: reportId,
      job_id: jobId,
      org_id: input.developerOrgId,
      kind: 'scan',
      version_id: versionId,
      knowledge_id: null,
      body: '{}',
      facts: JSON.stringify(facts),
      summary: '{}',
      created_at: now,
    })
    .execute();
  await db
    .insertInto('listings')
    .values({
      id: listingId,
      store_id: input.storeId,
      developer_org_id: input.developerOrgId,
      package_name: input.packageName,
      app_id: appId,
      version_id: versionId,
      state: 'listed',
      elements: JSON.stringify({
        name: input.packageName,
        version: '1.0',
        developer: 'Example',
        privacyPolicyUrl: 'https://example.com/privacy',
        permissions: [],
        description: 'example',
      }),
      app_type: null,
      listed_at: now,
      delisted_at: null,
      updated_at: now,
    })
    .execute();
  await addOutbox(db, 'job.succeeded', { jobId, kind: 'scan', orgId: input.developerOrgId, reportId }, now);
  return { listingId, appId, versionId, reportId };
}

/** A submission of a listed app's version to its store, detected and gated as `state`/`outcome` (no jobs run). */
export async function detectedSubmission(
  db: Kysely<Database>,
  app: ListedApp,
  input: {
    storeId: string;
    developerOrgId: string;
    name: string;
    state: 'listed' | 'review';
    outcome: 'pass' | 'manual-review';
    now?: number;
  },
): Promise<string> {
  const now = input.now ?? Date.now();
  const id = newId(now);
  await db
    .insertInto('store_submissions')
    .values({
      id,
      store_id: input.storeId,
      developer_org_id: input.developerOrgId,
      blob_sha256: createHash('sha256').update(id).digest('hex'),
      elements: JSON.stringify({
        name: input.name,
        version: '1.0',
        developer: 'Example',
        privacyPolicyUrl: 'https://example.com/p',
        permissions: [],
        description: 'x',
      }),
      app_type: 'tools',
      gate_version: 0,
      download_url: null,
      resubmission_of: null,
      state: input.state,
      scan_job_id: null,
      policy_job_id: null,
      scan_report_id: app.reportId,
      policy_report_id: null,
      policy_error: null,
      version_id: app.versionId,
      diff: '[]',
      outcome: input.outcome,
      reasons: '[]',
      claimed_by: null,
      decided_by: null,
      decision_comment: null,
      listing_id: input.state === 'listed' ? app.listingId : null,
      created_at: now,
      updated_at: now,
    })
    .execute();
  return id;
}
