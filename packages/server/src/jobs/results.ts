import { CompiledQuery, sql, type Kysely, type Transaction } from 'kysely';
import type { Database, Dialect, Job } from '../db/schema.js';
import { PREPARED } from '../db/open.js';
import { newId } from '../ids.js';
import type { JobOutput } from './protocol.js';
import type { DeliveringQueue } from './queue.js';
import { writePrefixSet } from './prefixes.js';
import { addOutbox, finishOwnedAttempt, LeaseLost, type Lease } from './sql.js';

/**
 * Writes a job's result, effect once: one transaction holds the job's state change (first, and
 * only while the lease is held: a worker that lost its lease rolls back with LeaseLost), the report
 * row (unique per job: a second result for the job cannot exist), its findings, the app and version
 * rows, the version's package-prefix set, the knowledge snapshot and the outbox event. Returns the report id.
 */
export async function completeJob(
  queue: DeliveringQueue,
  lease: Lease,
  job: Job,
  output: JobOutput,
  context: { blob?: { sha256: string; size: number }; progress?: string },
): Promise<string> {
  const now = Date.now();
  // PostgreSQL, a result with no package bytes (rules re-run on stored facts, a policy fetch, a
  // diff): one statement instead of a transaction of nine round trips (see completeInOneStatement).
  if (queue.store.dialect === 'postgres' && !(output.app && context.blob))
    return completeInOneStatement(queue.db, lease, job, output, context, now);
  return queue.db.transaction().execute((trx) => writeResult(trx, queue, lease, job, output, context, now));
}

/** One job's result for completeJobs: what completeJob takes, without package bytes. */
export interface Completion {
  lease: Lease;
  job: Job;
  output: JobOutput;
  progress?: string;
}

/**
 * Group commit: several jobs' results (none with package bytes: re-runs, policy fetches, diffs)
 * written in one transaction, one commit (one disk flush) for all of them instead of one each.
 * Each job's writes are completeJob's, in the same order, so each job still changes its state,
 * writes its report (unique per job) and its outbox event together or not at all: a job whose
 * lease is lost (its first statement changes no row) writes nothing and its entry is LeaseLost,
 * while the others' results stand. Any other error rolls the whole transaction back and is thrown
 * (the jobs' leases then run out and they are run again: at least once, effect once).
 */
export async function completeJobs(queue: DeliveringQueue, items: readonly Completion[]): Promise<(string | LeaseLost)[]> {
  const now = Date.now();
  const postgres = queue.store.dialect === 'postgres';
  return queue.db.transaction().execute(async (trx) => {
    const out: (string | LeaseLost)[] = [];
    for (const { lease, job, output, progress } of items) {
      const context = progress !== undefined ? { progress } : {};
      try {
        out.push(
          postgres
            ? await completeInOneStatement(trx, lease, job, output, context, now)
            : await writeResult(trx, queue, lease, job, output, context, now),
        );
      } catch (error) {
        if (!(error instanceof LeaseLost)) throw error;
        out.push(error);
      }
    }
    return out;
  });
}

/** completeJob's transaction (every write of one job's result); LeaseLost before anything is written when the lease is gone. */
async function writeResult(
  trx: Transaction<Database>,
  queue: DeliveringQueue,
  lease: Lease,
  job: Job,
  output: JobOutput,
  context: { blob?: { sha256: string; size: number }; progress?: string },
  now: number,
): Promise<string> {
  const postgres = queue.store.dialect === 'postgres';
  await finishOwnedAttempt(trx, queue.store.dialect, lease, 'succeeded', 'succeeded', null, now, context.progress);
  if (!postgres) {
    // SQLite runs in process (no round trips to save): the guarantee's second line is read first.
    // Unreachable while leases hold (the job was running, so no result was written).
    const existing = await trx.selectFrom('reports').select('id').where('job_id', '=', job.id).executeTakeFirst();
    if (existing) return existing.id;
  }
  let versionId: string | null = null;
  let appId: string | null = null;
  if (output.app && context.blob) {
    // The API records the blob at upload; a job submitted another way (a campaign over stored
    // blobs, a test) still gets a row for the version to point at.
    await trx
      .insertInto('blobs')
      .values({
        sha256: context.blob.sha256,
        size: context.blob.size,
        media_type: 'application/vnd.android.package-archive',
        created_at: now,
      })
      .onConflict((oc) => oc.column('sha256').doNothing())
      .execute();
    ({ appId, versionId } = await upsertVersion(trx, job.org_id, context.blob.sha256, output.app, now));
  } else if (output.app) {
    appId = await upsertApp(trx, job.org_id, output.app.packageName, now);
  }
  if (output.knowledge) {
    await trx
      .insertInto('knowledge_snapshots')
      .values({ id: output.knowledge.id, created_at: now, summary: JSON.stringify({ versions: output.knowledge.versions }) })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }
  const reportId = newId(now);
  const report = {
    id: reportId,
    job_id: job.id,
    org_id: job.org_id,
    kind: output.reportKind,
    version_id: versionId,
    knowledge_id: output.knowledge?.id ?? null,
    body: output.body,
    facts: output.facts,
    summary: JSON.stringify(output.summary),
    created_at: now,
  };
  const event = { jobId: job.id, kind: job.kind, orgId: job.org_id, reportId };
  if (postgres) {
    // The report and its outbox event in one statement. A report already there for this job (the
    // guarantee's second line, unreachable while leases hold) makes both a no-op: the first one stands.
    const inserted = await sql<{ id: string }>`
      with report as (
        insert into reports (id, job_id, org_id, kind, version_id, knowledge_id, body, facts, summary, created_at)
        values (${report.id}, ${report.job_id}, ${report.org_id}, ${report.kind}, ${report.version_id}, ${report.knowledge_id},
          ${report.body}, ${report.facts}, ${report.summary}, ${report.created_at})
        on conflict (job_id) do nothing
        returning id
      ),
      event as (
        insert into outbox (id, topic, payload, created_at, delivered_at)
        select ${newId(now)}::text, 'job.succeeded', ${JSON.stringify(event)}::text, ${now}::bigint, null::bigint from report
      )
      select id from report`.execute(trx);
    if (inserted.rows.length === 0) {
      const existing = await trx.selectFrom('reports').select('id').where('job_id', '=', job.id).executeTakeFirstOrThrow();
      return existing.id;
    }
  } else {
    await trx.insertInto('reports').values(report).execute();
    await addOutbox(trx, 'job.succeeded', event, now);
  }
  // Findings in slices: one insert per finding would be many round trips; one for all could pass
  // the databases' parameter limits (500 rows × 9 values stay under SQLite's 32,766 and PostgreSQL's
  // 65,535) on a report with thousands of findings. The statement's text is made here, not by
  // Kysely's builder: building and compiling ~126 rows of 9 values cost more than SQLite's insert.
  const values: unknown[] = [];
  for (const f of output.findings)
    values.push(newId(now), reportId, job.org_id, appId, f.fingerprint, f.ruleId, f.severity, JSON.stringify(f.measures), now);
  for (let i = 0; i < values.length; i += 500 * FINDING_COLUMNS) {
    const slice = values.slice(i, i + 500 * FINDING_COLUMNS);
    await trx.executeQuery(CompiledQuery.raw(findingsInsert(queue.store.dialect, slice.length / FINDING_COLUMNS), slice));
  }
  // The version keeps the package prefixes of its code, so an SDK-catalogue change finds it.
  if (versionId && output.packagePrefixes) await writePrefixSet(trx, versionId, reportId, output.packagePrefixes, now);
  return reportId;
}

/**
 * completeJob on PostgreSQL for a result that writes no version row: one statement of
 * data-modifying CTEs, atomic as a transaction is (a statement is its own transaction), in one
 * round trip. The lease's check comes first as before: every other write is conditioned on the job
 * row having moved (`finished`), so a worker that lost its lease writes nothing and gets LeaseLost.
 * The report is unique per job as before (a second result for the job is a no-op), and its outbox
 * event and findings come from the inserted report row, so they exist exactly when it does. The
 * findings travel as arrays (unnest): one statement for any number of them, with no parameter limit.
 */
async function completeInOneStatement(
  db: Kysely<Database> | Transaction<Database>,
  lease: Lease,
  job: Job,
  output: JobOutput,
  context: { progress?: string },
  now: number,
): Promise<string> {
  const reportId = newId(now);
  const event = JSON.stringify({ jobId: job.id, kind: job.kind, orgId: job.org_id, reportId });
  const findings = {
    ids: [] as string[],
    fingerprints: [] as string[],
    rules: [] as string[],
    severities: [] as string[],
    measures: [] as string[],
  };
  for (const f of output.findings) {
    findings.ids.push(newId(now));
    findings.fingerprints.push(f.fingerprint);
    findings.rules.push(f.ruleId);
    findings.severities.push(f.severity);
    findings.measures.push(JSON.stringify(f.measures));
  }
  const app = output.app;
  // The app row the findings attach to: found, or made (a concurrent maker's row is returned by the no-op update).
  const appCtes = app
    ? sql`
      found_app as (select id from apps where org_id = ${job.org_id} and package_name = ${app.packageName}),
      new_app as (
        insert into apps (id, org_id, package_name, created_at)
        select ${newId(now)}::text, ${job.org_id}::text, ${app.packageName}::text, ${now}::bigint
        where exists (select 1 from finished) and not exists (select 1 from found_app)
        on conflict (org_id, package_name) do update set package_name = excluded.package_name
        returning id
      ),
      app as (select id from found_app union all select id from new_app),`
    : sql``;
  const knowledge = output.knowledge
    ? sql`
      knowledge as (
        insert into knowledge_snapshots (id, created_at, summary)
        select ${output.knowledge.id}::text, ${now}::bigint, ${JSON.stringify({ versions: output.knowledge.versions })}::text
        where exists (select 1 from finished)
        on conflict (id) do nothing
      ),`
    : sql``;
  const result = await sql<{ finished: number; report_id: string | null }>`${sql.raw(PREPARED)}
    with finished as (
      update jobs set state = 'succeeded', ${context.progress !== undefined ? sql`progress = ${context.progress},` : sql``}
        locked_by = null, lease_until = null, updated_at = ${now}, finished_at = ${now}, error_code = null, error_message = null
      where id = ${lease.jobId} and state = 'running' and locked_by = ${lease.worker} and attempts = ${lease.attempt}
      returning id
    ),
    ended as (
      update job_attempts set ended_at = ${now}, outcome = 'succeeded', error_code = null, error_message = null
      where job_id = ${lease.jobId} and attempt = ${lease.attempt} and outcome is null and exists (select 1 from finished)
    ),
    ${appCtes}
    ${knowledge}
    report as (
      insert into reports (id, job_id, org_id, kind, version_id, knowledge_id, body, facts, summary, created_at)
      select ${reportId}::text, ${job.id}::text, ${job.org_id}::text, ${output.reportKind}::text, null::text,
        ${output.knowledge?.id ?? null}::text, ${output.body}::text, ${output.facts}::text, ${JSON.stringify(output.summary)}::text, ${now}::bigint
      where exists (select 1 from finished)
      on conflict (job_id) do nothing
      returning id
    ),
    event as (
      insert into outbox (id, topic, payload, created_at, delivered_at)
      select ${newId(now)}::text, 'job.succeeded', ${event}::text, ${now}::bigint, null::bigint from report
    ),
    found as (
      insert into findings (id, report_id, org_id, app_id, fingerprint, rule_id, severity, measures, created_at)
      select f.id, report.id, ${job.org_id}::text, ${app ? sql`(select id from app limit 1)` : sql`null::text`},
        f.fingerprint, f.rule_id, f.severity, f.measures, ${now}::bigint
      from report, unnest(${findings.ids}::text[], ${findings.fingerprints}::text[], ${findings.rules}::text[],
        ${findings.severities}::text[], ${findings.measures}::text[]) as f(id, fingerprint, rule_id, severity, measures)
    )
    select (select count(*) from finished)::int as finished, (select id from report) as report_id`.execute(db);
  const row = result.rows[0];
  if (row?.finished !== 1) throw new LeaseLost(lease);
  if (row.report_id) return row.report_id;
  // A report already there for this job (the guarantee's second line, unreachable while leases hold): the first one stands.
  const existing = await db.selectFrom('reports').select('id').where('job_id', '=', job.id).executeTakeFirstOrThrow();
  return existing.id;
}

const FINDING_COLUMNS = 9;

/** `insert into findings … values (…), …` for `rows` rows of FINDING_COLUMNS parameters, in the dialect's placeholders. */
function findingsInsert(dialect: Dialect, rows: number): string {
  const tuples: string[] = [];
  for (let r = 0; r < rows; r++) {
    const p = (c: number) => (dialect === 'postgres' ? `$${r * FINDING_COLUMNS + c + 1}` : '?');
    tuples.push(`(${Array.from({ length: FINDING_COLUMNS }, (_, c) => p(c)).join(', ')})`);
  }
  return `insert into findings (id, report_id, org_id, app_id, fingerprint, rule_id, severity, measures, created_at) values ${tuples.join(', ')}`;
}

async function upsertApp(trx: Transaction<Database>, orgId: string, packageName: string, now: number): Promise<string> {
  await trx
    .insertInto('apps')
    .values({ id: newId(now), org_id: orgId, package_name: packageName, created_at: now })
    .onConflict((oc) => oc.columns(['org_id', 'package_name']).doNothing())
    .execute();
  const row = await trx
    .selectFrom('apps')
    .select('id')
    .where('org_id', '=', orgId)
    .where('package_name', '=', packageName)
    .executeTakeFirstOrThrow();
  return row.id;
}

async function upsertVersion(
  trx: Transaction<Database>,
  orgId: string,
  blob: string,
  app: NonNullable<JobOutput['app']>,
  now: number,
): Promise<{ appId: string; versionId: string }> {
  const appId = await upsertApp(trx, orgId, app.packageName, now);
  await trx
    .insertInto('versions')
    .values({
      id: newId(now),
      app_id: appId,
      org_id: orgId,
      version_code: app.versionCode,
      version_name: app.versionName,
      signer_sha256: app.signerSha256,
      blob_sha256: blob,
      created_at: now,
    })
    .onConflict((oc) => oc.columns(['app_id', 'blob_sha256']).doNothing())
    .execute();
  const row = await trx
    .selectFrom('versions')
    .select('id')
    .where('app_id', '=', appId)
    .where('blob_sha256', '=', blob)
    .executeTakeFirstOrThrow();
  return { appId, versionId: row.id };
}
