import { isPICategoryId } from '@apprights/knowledge';
import type { Kysely, Selectable, Transaction } from 'kysely';
import { Type } from 'typebox';
import { writeAudit } from '../../admin.js';
import type { Database, SdkRegistryVersionsTable } from '../../db/schema.js';
import type { Actor, RouteAccess } from '../../http/access.js';
import type { Principal } from '../../http/auth.js';
import type { Api, AppContext } from '../../http/context.js';
import { problem, type FieldError } from '../../http/problems.js';
import { IdParams, ID_PATTERN, PageQuery, page, parseJson, principalOf } from '../../http/routes/common.js';
import { newId } from '../../ids.js';
import type { Platform } from '../../platform.js';
import type { PlatformEvent, WorkflowModule } from '../module.js';
import { notify } from '../notify.js';
import { checkEntry } from './validate.js';

// The SDK registry (issue 14): SDK vendors publish their SDKs (identity in the detection
// catalogue's entry format, versions, what each version collects and why, which functions a
// developer can switch off to stop a collection, the compliance guide); they propose entries to
// the detection catalogue, which two reviewers other than the author approve; the listed apps
// embedding an SDK version are found through an index filled when a scan report is stored; a
// flagged SDK version notifies those apps' developers.

type Db = Kysely<Database> | Transaction<Database>;

const VENDOR: readonly Actor[] = ['sdk-vendor'];
/** Reviewers of proposals; they also read every SDK (the registry's facts are not secret between vendors and reviewers). */
const REVIEWERS: readonly Actor[] = ['platform-admin', 'regulator'];
const READERS: readonly Actor[] = [...VENDOR, ...REVIEWERS];
/** Two distinct approvals by reviewers who are not the author (the four-eyes rule, doubled for a vendor's own data). */
export const APPROVALS_NEEDED = 2;

const access: Record<string, RouteAccess> = {
  'POST /api/v1/sdk-registry/sdks': { roles: VENDOR, scope: 'own-organisation' },
  'GET /api/v1/sdk-registry/sdks': { roles: READERS, scope: 'own-organisation' },
  'GET /api/v1/sdk-registry/sdks/:id': { roles: READERS, scope: 'own-organisation' },
  'PUT /api/v1/sdk-registry/sdks/:id': { roles: VENDOR, scope: 'own-organisation' },
  'POST /api/v1/sdk-registry/sdks/:id/versions': { roles: VENDOR, scope: 'own-organisation' },
  'GET /api/v1/sdk-registry/sdks/:id/versions': { roles: READERS, scope: 'own-organisation' },
  'POST /api/v1/sdk-registry/sdks/:id/versions/:version/flag': { roles: READERS, scope: 'own-organisation' },
  'GET /api/v1/sdk-registry/sdks/:id/apps': { roles: READERS, scope: 'own-organisation' },
  'POST /api/v1/sdk-registry/sdks/:id/proposals': { roles: VENDOR, scope: 'own-organisation' },
  'GET /api/v1/sdk-registry/proposals': { roles: READERS, scope: 'own-organisation' },
  'GET /api/v1/sdk-registry/proposals/:id': { roles: READERS, scope: 'own-organisation' },
  'POST /api/v1/sdk-registry/proposals/:id/reviews': { roles: REVIEWERS, scope: 'own-organisation' },
};

/** The vendor whose SDKs the caller reaches, or null (reviewers reach every SDK). */
export function vendorScope(p: Principal): string | null {
  return p.role === 'sdk-vendor' ? p.orgId : null;
}

const VERSION_PATTERN = '^[0-9A-Za-z][0-9A-Za-z._+-]{0,63}$';
const HTTPS_URL = '^https?://[^\\s/]+\\.[^\\s]+$';

const Entry = Type.Record(Type.String({ maxLength: 64 }), Type.Unknown(), {
  maxProperties: 40,
  description: 'a detection-catalogue entry (docs/sdk-catalogue.md), checked by validateSdkCatalog of @apprights/knowledge',
});
const PiItem = Type.Object(
  {
    category: Type.String({ maxLength: 64, description: 'a PI category id of packages/knowledge/data/pi-categories.json' }),
    purpose: Type.String({ minLength: 1, maxLength: 500 }),
    items: Type.Optional(Type.String({ maxLength: 500, description: 'the items in the vendor’s words (IMEI, OAID …)' })),
    optional: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);
const ConfigOption = Type.Object(
  {
    function: Type.String({ minLength: 1, maxLength: 200, description: 'the SDK function (e.g. location-based push)' }),
    option: Type.String({ minLength: 1, maxLength: 300, description: 'the switch or API call that turns it off' }),
    personalInformation: Type.Array(Type.String({ maxLength: 64 }), { maxItems: 40, description: 'PI categories the function needs' }),
    defaultOn: Type.Optional(Type.Boolean()),
  },
  { additionalProperties: false },
);

function sdkRowView(row: {
  id: string;
  vendor_org_id: string;
  catalog_id: string;
  entry: string;
  compliance_guide_url: string | null;
  created_at: number;
  updated_at: number;
}) {
  return {
    id: row.id,
    vendorOrganisationId: row.vendor_org_id,
    catalogId: row.catalog_id,
    entry: parseJson(row.entry),
    complianceGuideUrl: row.compliance_guide_url,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}

function piErrors(items: { category: string }[], base: string): FieldError[] {
  const out: FieldError[] = [];
  items.forEach((item, i) => {
    if (!isPICategoryId(item.category))
      out.push({ pointer: `${base}/${i}/category`, message: `unknown PI category ${JSON.stringify(item.category)}` });
  });
  return out;
}

function refuse(errors: FieldError[]): never {
  throw problem(
    'bad-request',
    errors
      .map((e) => `${e.pointer} ${e.message}`)
      .join('; ')
      .slice(0, 2000),
    { errors },
  );
}

export async function findSdk(db: Db, id: string, p: Principal) {
  let q = db.selectFrom('sdk_registry_sdks').selectAll().where('id', '=', id);
  const vendor = vendorScope(p);
  if (vendor !== null) q = q.where('vendor_org_id', '=', vendor);
  const row = await q.executeTakeFirst();
  if (!row) throw problem('not-found', `no SDK ${id} / 没有 SDK ${id}`);
  return row;
}

/** Open and approved proposals' entries other than `exceptId`: what a new proposal must not collide with. */
async function otherProposalEntries(db: Db, exceptId: string | null): Promise<Record<string, unknown>[]> {
  let q = db.selectFrom('sdk_proposals').select(['id', 'entry']).where('state', 'in', ['open', 'approved']);
  if (exceptId) q = q.where('id', '<>', exceptId);
  const rows = await q.orderBy('id').limit(2000).execute();
  return rows.map((r) => parseJson(r.entry)).filter((e): e is Record<string, unknown> => typeof e === 'object' && e !== null);
}

/** The listed apps whose shelved version's latest report embeds `catalogId` (at `version`, when given). */
export function embeddingQuery(db: Db, catalogId: string, version: string | undefined) {
  let q = db
    .selectFrom('listings as l')
    .innerJoin('sdk_version_index as i', 'i.version_id', 'l.version_id')
    .select([
      'l.id as listingId',
      'l.store_id as storeId',
      'l.developer_org_id as developerOrgId',
      'l.package_name as packageName',
      'l.version_id as versionId',
      'i.sdk_version as sdkVersion',
      'i.report_id as reportId',
    ])
    .where('l.state', '=', 'listed')
    .where('i.sdk_id', '=', catalogId);
  if (version !== undefined) q = q.where('i.sdk_version', '=', version);
  return q;
}

/** job.succeeded: index the SDKs (catalogue id, version) of the report's version, replacing an older report's. */
export async function indexReportSdks(_platform: Platform, event: PlatformEvent, trx: Transaction<Database>): Promise<void> {
  const reportId = (event.payload as { reportId?: unknown } | null)?.reportId;
  if (typeof reportId !== 'string') return;
  // The row's small columns first: most results index nothing (a re-run of rules, a policy check:
  // no version), and their body (up to ~300 KB of JSON) need not be read to learn that.
  const report = await trx
    .selectFrom('reports')
    .select(['id', 'version_id', 'org_id', 'created_at'])
    .where('id', '=', reportId)
    .executeTakeFirst();
  if (!report?.version_id) return;
  const current = await trx
    .selectFrom('sdk_version_index')
    .select('report_id')
    .where('version_id', '=', report.version_id)
    .orderBy('report_id', 'desc')
    .executeTakeFirst();
  // Events may be handled out of order: an older report never replaces a newer one's index.
  if (current && current.report_id > report.id) return;
  const { facts, body } = await trx.selectFrom('reports').select(['facts', 'body']).where('id', '=', report.id).executeTakeFirstOrThrow();
  const sdks = reportSdks(facts, body);
  if (sdks === undefined) return; // a report without a package section (a policy check) says nothing about SDKs
  const version = await trx.selectFrom('versions').select('app_id').where('id', '=', report.version_id).executeTakeFirst();
  await trx.deleteFrom('sdk_version_index').where('version_id', '=', report.version_id).execute();
  const rows = [...new Map(sdks.map((s) => [`${s.id}\u0000${s.version}`, s])).values()].map((s) => ({
    version_id: report.version_id!,
    sdk_id: s.id,
    sdk_version: s.version,
    report_id: report.id,
    app_id: version?.app_id ?? null,
    org_id: report.org_id,
    created_at: report.created_at,
  }));
  for (let i = 0; i < rows.length; i += 200)
    await trx
      .insertInto('sdk_version_index')
      .values(rows.slice(i, i + 200))
      .execute();
}

/**
 * A run of job results (the batch form of indexReportSdks): the same effect, in fewer statements.
 * One query finds the reports that have a version; a run of rules re-run (a campaign, a patrol)
 * has none, and nothing more is read for it.
 */
export async function indexReportsSdks(platform: Platform, events: readonly PlatformEvent[], trx: Transaction<Database>): Promise<void> {
  const withReport = events.flatMap((event) => {
    const reportId = (event.payload as { reportId?: unknown } | null)?.reportId;
    return typeof reportId === 'string' ? [{ event, reportId }] : [];
  });
  if (withReport.length === 0) return;
  // A run is at most one dispatcher batch (50 events): one IN list.
  const ids = withReport.map((r) => r.reportId);
  const versioned = new Set(
    (await trx.selectFrom('reports').select('id').where('id', 'in', ids).where('version_id', 'is not', null).execute()).map((r) => r.id),
  );
  for (const { event, reportId } of withReport) if (versioned.has(reportId)) await indexReportSdks(platform, event, trx);
}

/**
 * The SDKs a report records: the facts section's `package.sdks` (engine/src/facts.ts: `id` is the
 * catalogue id, `version` the detected version or null), as stored in `reports.facts`; a report
 * stored without facts may carry them in its body. An unknown version is indexed as ''.
 */
export function reportSdks(facts: string | null, body: string): { id: string; version: string }[] | undefined {
  const pick = (json: unknown): unknown => {
    const o = json as { package?: { sdks?: unknown }; facts?: { package?: { sdks?: unknown } } } | null;
    return o?.package?.sdks ?? o?.facts?.package?.sdks;
  };
  const list = pick(parseJson(facts)) ?? pick(parseJson(body));
  if (!Array.isArray(list)) return undefined;
  const out: { id: string; version: string }[] = [];
  for (const s of list.slice(0, 2000)) {
    const id = (s as { id?: unknown })?.id;
    const version = (s as { version?: unknown })?.version;
    if (typeof id !== 'string' || id.length > 64) continue;
    out.push({ id, version: typeof version === 'string' ? version.slice(0, 64) : '' });
  }
  return out;
}

/** Registered SDKs newest first, the vendor's own (limit + 1 rows). */
export function listSdks(db: Db, p: Principal, { cursor, limit }: { cursor?: string | undefined; limit: number }) {
  let q = db.selectFrom('sdk_registry_sdks').selectAll();
  const vendor = vendorScope(p);
  if (vendor !== null) q = q.where('vendor_org_id', '=', vendor);
  if (cursor) q = q.where('id', '<', cursor);
  return q
    .orderBy('id', 'desc')
    .limit(limit + 1)
    .execute();
}

/** An SDK's published versions, newest first. */
export function sdkVersions(db: Db, sdkId: string) {
  return db.selectFrom('sdk_registry_versions').selectAll().where('sdk_id', '=', sdkId).orderBy('id', 'desc').limit(500).execute();
}

/** Proposals newest first, the vendor's own (limit + 1 rows). */
export function listProposals(
  db: Db,
  p: Principal,
  options: { state?: 'open' | 'approved' | 'rejected' | undefined; cursor?: string | undefined; limit: number },
) {
  let q = db.selectFrom('sdk_proposals').selectAll();
  const vendor = vendorScope(p);
  if (vendor !== null) q = q.where('vendor_org_id', '=', vendor);
  if (options.state) q = q.where('state', '=', options.state);
  if (options.cursor) q = q.where('id', '<', options.cursor);
  return q
    .orderBy('id', 'desc')
    .limit(options.limit + 1)
    .execute();
}

/** A proposal the caller reaches (a vendor its own), or not-found. */
export async function findProposalOf(db: Db, id: string, p: Principal) {
  let q = db.selectFrom('sdk_proposals').selectAll().where('id', '=', id);
  const vendor = vendorScope(p);
  if (vendor !== null) q = q.where('vendor_org_id', '=', vendor);
  const row = await q.executeTakeFirst();
  if (!row) throw problem('not-found', `no proposal ${id} / 没有提案 ${id}`);
  return row;
}

/** A proposal's reviews, oldest first. */
export function proposalReviews(db: Db, proposalId: string) {
  return db.selectFrom('sdk_proposal_reviews').selectAll().where('proposal_id', '=', proposalId).orderBy('created_at').execute();
}

/** The registry's audit entries: who, where, what. */
function auditOf(platform: Platform, trx: Db, p: Principal, action: string, subject: string, detail: Record<string, unknown>, ip: string) {
  return writeAudit(trx, { userId: p.userId, orgId: p.orgId, ip, action, subject, detail }, platform.clock.now());
}

/** A vendor proposes its SDK's entry (or `given`) to the detection catalogue: validated, collision-checked, one open at a time. */
export async function proposeEntry(
  platform: Platform,
  p: Principal,
  sdkId: string,
  given: Record<string, unknown> | undefined,
  ip: string,
) {
  const db = platform.store.db;
  const sdk = await findSdk(db, sdkId, p);
  const entry = (given ?? parseJson(sdk.entry)) as Record<string, unknown>;
  if (entry.id !== sdk.catalog_id)
    refuse([{ pointer: '/entry/id', message: `must be the SDK’s catalogue id ${JSON.stringify(sdk.catalog_id)}` }]);
  const now = platform.clock.now();
  const id = newId(now);
  await db.transaction().execute(async (trx) => {
    // One open proposal per SDK: a second would race the first one's review.
    const open = await trx
      .selectFrom('sdk_proposals')
      .select('id')
      .where('sdk_id', '=', sdk.id)
      .where('state', '=', 'open')
      .executeTakeFirst();
    if (open) throw problem('conflict', `proposal ${open.id} of this SDK is still open / 该 SDK 的提案 ${open.id} 尚在审核中`);
    const check = checkEntry(entry, await otherProposalEntries(trx, null));
    if (check.errors.length) refuse(check.errors);
    await trx
      .insertInto('sdk_proposals')
      .values({
        id,
        sdk_id: sdk.id,
        vendor_org_id: sdk.vendor_org_id,
        author_user_id: p.userId,
        catalog_id: sdk.catalog_id,
        entry: JSON.stringify(entry),
        state: 'open',
        warnings: JSON.stringify(check.warnings),
        created_at: now,
        decided_at: null,
      })
      .execute();
    await auditOf(
      platform,
      trx,
      p,
      'sdk-registry.propose',
      id,
      { sdk: sdk.id, catalogId: sdk.catalog_id, warnings: check.warnings.length },
      ip,
    );
  });
  return db.selectFrom('sdk_proposals').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
}

/** A reviewer's decision on a proposal: two approvals by distinct reviewers other than the author approve it; one rejection closes it. */
export async function reviewProposal(
  platform: Platform,
  p: Principal,
  proposalId: string,
  input: { decision: 'approve' | 'reject'; comment?: string | undefined },
  ip: string,
) {
  const now = platform.clock.now();
  return platform.store.db.transaction().execute(async (trx) => {
    // Lock the proposal row (a no-op update takes the row lock on PostgreSQL; SQLite writes one at a time),
    // so two reviewers deciding at once count each other's approval.
    const locked = await trx
      .updateTable('sdk_proposals')
      .set({ state: 'open' })
      .where('id', '=', proposalId)
      .where('state', '=', 'open')
      .executeTakeFirst();
    const row = await trx.selectFrom('sdk_proposals').selectAll().where('id', '=', proposalId).executeTakeFirst();
    if (!row) throw problem('not-found', `no proposal ${proposalId} / 没有提案 ${proposalId}`);
    if (Number(locked.numUpdatedRows) === 0 || row.state !== 'open')
      throw problem('conflict', `the proposal is already ${row.state} / 该提案已${row.state === 'approved' ? '通过' : '被驳回'}`);
    if (row.author_user_id === p.userId)
      throw problem('forbidden', 'the author cannot review their own proposal / 提案人不能审核自己的提案');
    const mine = await trx
      .selectFrom('sdk_proposal_reviews')
      .select('decision')
      .where('proposal_id', '=', row.id)
      .where('reviewer_user_id', '=', p.userId)
      .executeTakeFirst();
    if (mine)
      throw problem(
        'conflict',
        `you already reviewed this proposal (${mine.decision}); a second review by the same reviewer does not count / 您已审核过该提案，同一审核人的再次审核不计入`,
      );
    await trx
      .insertInto('sdk_proposal_reviews')
      .values({
        proposal_id: row.id,
        reviewer_user_id: p.userId,
        reviewer_org_id: p.orgId,
        decision: input.decision,
        comment: input.comment ?? null,
        created_at: now,
      })
      .execute();
    const approvals = await trx
      .selectFrom('sdk_proposal_reviews')
      .select('reviewer_user_id')
      .where('proposal_id', '=', row.id)
      .where('decision', '=', 'approve')
      .where('reviewer_user_id', '<>', row.author_user_id)
      .execute();
    let state: 'open' | 'approved' | 'rejected' = 'open';
    if (input.decision === 'reject') state = 'rejected';
    else if (new Set(approvals.map((a) => a.reviewer_user_id)).size >= APPROVALS_NEEDED) state = 'approved';
    if (state !== 'open') {
      await trx.updateTable('sdk_proposals').set({ state, decided_at: now }).where('id', '=', row.id).execute();
      await notify(
        trx,
        {
          orgId: row.vendor_org_id,
          topic: `sdk.proposal-${state}`,
          subject: row.id,
          en: `Your proposal for ${row.catalog_id} was ${state}`,
          zh: `您关于 ${row.catalog_id} 的提案已${state === 'approved' ? '通过' : '被驳回'}`,
          detail: { proposal: row.id, comment: input.comment ?? null },
        },
        now,
      );
    }
    await auditOf(
      platform,
      trx,
      p,
      `sdk-registry.review.${input.decision}`,
      row.id,
      { comment: input.comment ?? null, approvals: approvals.length, state },
      ip,
    );
    return { proposal: row.id, decision: input.decision, approvals: approvals.length, approvalsNeeded: APPROVALS_NEEDED, state };
  });
}

function routes(api: Api, { platform }: AppContext): void {
  const db = platform.store.db;
  const audit = (trx: Db, p: Principal, action: string, subject: string, detail: Record<string, unknown>, ip: string) =>
    auditOf(platform, trx, p, action, subject, detail, ip);

  api.post(
    '/sdk-registry/sdks',
    {
      schema: {
        tags: ['sdk-registry'],
        summary: 'Publish an SDK (identity as a detection-catalogue entry)',
        body: Type.Object(
          { entry: Entry, complianceGuideUrl: Type.Optional(Type.String({ maxLength: 2048, pattern: HTTPS_URL })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const entry = request.body.entry;
      const check = checkEntry(entry, []);
      if (check.errors.length) refuse(check.errors);
      const catalogId = entry.id as string;
      const now = platform.clock.now();
      const id = newId(now);
      await db.transaction().execute(async (trx) => {
        const taken = await trx.selectFrom('sdk_registry_sdks').select('id').where('catalog_id', '=', catalogId).executeTakeFirst();
        if (taken) throw problem('conflict', `the SDK id ${catalogId} is already registered / SDK 标识 ${catalogId} 已被登记`);
        await trx
          .insertInto('sdk_registry_sdks')
          .values({
            id,
            vendor_org_id: p.orgId,
            catalog_id: catalogId,
            entry: JSON.stringify(entry),
            compliance_guide_url: request.body.complianceGuideUrl ?? null,
            created_at: now,
            updated_at: now,
          })
          .execute();
        await audit(trx, p, 'sdk-registry.publish', id, { catalogId }, request.ip);
      });
      const row = await db.selectFrom('sdk_registry_sdks').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      return reply.code(201).send({ ...sdkRowView(row), warnings: check.warnings });
    },
  );

  api.get(
    '/sdk-registry/sdks',
    {
      schema: {
        tags: ['sdk-registry'],
        summary: 'Registered SDKs (a vendor sees its own)',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
      },
    },
    async (request) => {
      const p = principalOf(request);
      const limit = request.query.limit ?? 50;
      return page(await listSdks(db, p, { cursor: request.query.cursor, limit }), limit, sdkRowView);
    },
  );

  api.get(
    '/sdk-registry/sdks/:id',
    { schema: { tags: ['sdk-registry'], summary: 'A registered SDK', params: IdParams } },
    async (request) => sdkRowView(await findSdk(db, request.params.id, principalOf(request))),
  );

  api.put(
    '/sdk-registry/sdks/:id',
    {
      schema: {
        tags: ['sdk-registry'],
        summary: 'Update a registered SDK’s identity or compliance guide (the catalogue id stays)',
        params: IdParams,
        body: Type.Object(
          { entry: Entry, complianceGuideUrl: Type.Optional(Type.String({ maxLength: 2048, pattern: HTTPS_URL })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const p = principalOf(request);
      const sdk = await findSdk(db, request.params.id, p);
      const entry = request.body.entry;
      if (entry.id !== sdk.catalog_id) refuse([{ pointer: '/entry/id', message: `must stay ${JSON.stringify(sdk.catalog_id)}` }]);
      const check = checkEntry(entry, []);
      if (check.errors.length) refuse(check.errors);
      const now = platform.clock.now();
      await db.transaction().execute(async (trx) => {
        await trx
          .updateTable('sdk_registry_sdks')
          .set({ entry: JSON.stringify(entry), compliance_guide_url: request.body.complianceGuideUrl ?? null, updated_at: now })
          .where('id', '=', sdk.id)
          .execute();
        await audit(trx, p, 'sdk-registry.update', sdk.id, { catalogId: sdk.catalog_id }, request.ip);
      });
      return { ...sdkRowView(await findSdk(db, sdk.id, p)), warnings: check.warnings };
    },
  );

  const versionView = (v: Selectable<SdkRegistryVersionsTable>) => ({
    id: v.id,
    version: v.version,
    personalInformation: parseJson(v.personal_information),
    configOptions: parseJson(v.config_options),
    flagged: v.flagged_at !== null ? { at: v.flagged_at, reason: v.flag_reason } : null,
    createdAt: v.created_at,
  });
  const versionRows = (sdkId: string) => sdkVersions(db, sdkId);

  api.post(
    '/sdk-registry/sdks/:id/versions',
    {
      schema: {
        tags: ['sdk-registry'],
        summary: 'Publish a version: PI per purpose, and the options that turn functions (and their PI) off',
        params: IdParams,
        body: Type.Object(
          {
            version: Type.String({ pattern: VERSION_PATTERN }),
            personalInformation: Type.Array(PiItem, { maxItems: 100 }),
            configOptions: Type.Optional(Type.Array(ConfigOption, { maxItems: 100 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const sdk = await findSdk(db, request.params.id, p);
      const options = request.body.configOptions ?? [];
      const errors = piErrors(request.body.personalInformation, '/personalInformation');
      options.forEach((o, i) =>
        o.personalInformation.forEach((c, j) => {
          if (!isPICategoryId(c))
            errors.push({ pointer: `/configOptions/${i}/personalInformation/${j}`, message: `unknown PI category ${JSON.stringify(c)}` });
        }),
      );
      if (errors.length) refuse(errors);
      const now = platform.clock.now();
      const id = newId(now);
      await db.transaction().execute(async (trx) => {
        const exists = await trx
          .selectFrom('sdk_registry_versions')
          .select('id')
          .where('sdk_id', '=', sdk.id)
          .where('version', '=', request.body.version)
          .executeTakeFirst();
        if (exists) throw problem('conflict', `version ${request.body.version} is already published / 版本 ${request.body.version} 已发布`);
        await trx
          .insertInto('sdk_registry_versions')
          .values({
            id,
            sdk_id: sdk.id,
            version: request.body.version,
            personal_information: JSON.stringify(request.body.personalInformation),
            config_options: JSON.stringify(options),
            flagged_at: null,
            flag_reason: null,
            created_at: now,
          })
          .execute();
        await audit(trx, p, 'sdk-registry.version', sdk.id, { version: request.body.version }, request.ip);
      });
      const row = await db.selectFrom('sdk_registry_versions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      return reply.code(201).send(versionView(row));
    },
  );

  api.get(
    '/sdk-registry/sdks/:id/versions',
    { schema: { tags: ['sdk-registry'], summary: 'A registered SDK’s versions, newest first', params: IdParams } },
    async (request) => {
      const sdk = await findSdk(db, request.params.id, principalOf(request));
      return { items: (await versionRows(sdk.id)).slice(0, 500).map(versionView) };
    },
  );

  api.get(
    '/sdk-registry/sdks/:id/apps',
    {
      schema: {
        tags: ['sdk-registry'],
        summary: 'Listed apps whose shelved version embeds this SDK (at a version)',
        params: IdParams,
        querystring: Type.Object(
          {
            ...PageQuery,
            version: Type.Optional(Type.String({ maxLength: 64, description: 'the SDK version; "" for an undetected version' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const sdk = await findSdk(db, request.params.id, principalOf(request));
      const limit = request.query.limit ?? 50;
      let q = embeddingQuery(db, sdk.catalog_id, request.query.version);
      if (request.query.cursor) q = q.where('l.id', '<', request.query.cursor);
      const rows = await q
        .orderBy('l.id', 'desc')
        .limit(limit + 1)
        .execute();
      return page(
        rows.map((r) => ({ ...r, id: r.listingId })),
        limit,
        ({ id: _id, ...r }) => r,
      );
    },
  );

  api.post(
    '/sdk-registry/sdks/:id/versions/:version/flag',
    {
      schema: {
        tags: ['sdk-registry'],
        summary: 'Flag an SDK version (a vulnerability, an over-collection): the developers of listed apps embedding it are notified',
        params: Type.Object(
          { id: Type.String({ pattern: ID_PATTERN }), version: Type.String({ pattern: VERSION_PATTERN }) },
          { additionalProperties: false },
        ),
        body: Type.Object({ reason: Type.String({ minLength: 1, maxLength: 2000 }) }, { additionalProperties: false }),
      },
    },
    async (request) => {
      const p = principalOf(request);
      const sdk = await findSdk(db, request.params.id, p);
      const { version } = request.params;
      const now = platform.clock.now();
      return db.transaction().execute(async (trx) => {
        const existing = await trx
          .selectFrom('sdk_registry_versions')
          .select('id')
          .where('sdk_id', '=', sdk.id)
          .where('version', '=', version)
          .executeTakeFirst();
        if (existing)
          await trx
            .updateTable('sdk_registry_versions')
            .set({ flagged_at: now, flag_reason: request.body.reason })
            .where('id', '=', existing.id)
            .execute();
        else
          // A reviewer may flag a version the vendor never published (found in the field).
          await trx
            .insertInto('sdk_registry_versions')
            .values({
              id: newId(now),
              sdk_id: sdk.id,
              version,
              personal_information: '[]',
              config_options: '[]',
              flagged_at: now,
              flag_reason: request.body.reason,
              created_at: now,
            })
            .execute();
        const listings = await embeddingQuery(trx, sdk.catalog_id, version).orderBy('l.id').limit(100_000).execute();
        const byDeveloper = new Map<string, typeof listings>();
        for (const l of listings) byDeveloper.set(l.developerOrgId, [...(byDeveloper.get(l.developerOrgId) ?? []), l]);
        const name = ((parseJson(sdk.entry) as { name?: { en?: string; zh?: string } } | null)?.name ?? {}) as { en?: string; zh?: string };
        for (const [orgId, theirs] of byDeveloper)
          await notify(
            trx,
            {
              orgId,
              topic: 'sdk.version-flagged',
              subject: sdk.id,
              en: `SDK ${name.en ?? sdk.catalog_id} ${version}, embedded in ${theirs.length} of your listed apps, was flagged: ${request.body.reason}`.slice(
                0,
                500,
              ),
              zh: `您的 ${theirs.length} 个在架应用集成的 SDK ${name.zh ?? sdk.catalog_id} ${version} 被标记：${request.body.reason}`.slice(
                0,
                500,
              ),
              detail: {
                sdk: sdk.catalog_id,
                version,
                reason: request.body.reason,
                listings: theirs.slice(0, 200).map((l) => ({ listingId: l.listingId, packageName: l.packageName, storeId: l.storeId })),
              },
            },
            now,
          );
        await audit(
          trx,
          p,
          'sdk-registry.flag',
          sdk.id,
          { version, reason: request.body.reason, listings: listings.length, developers: byDeveloper.size },
          request.ip,
        );
        return { sdk: sdk.id, version, listings: listings.length, notifiedOrganisations: byDeveloper.size };
      });
    },
  );

  const proposalView = (r: {
    id: string;
    sdk_id: string;
    vendor_org_id: string;
    author_user_id: string;
    catalog_id: string;
    entry: string;
    state: string;
    warnings: string;
    created_at: number;
    decided_at: number | null;
  }) => ({
    id: r.id,
    sdkId: r.sdk_id,
    vendorOrganisationId: r.vendor_org_id,
    authorUserId: r.author_user_id,
    catalogId: r.catalog_id,
    entry: parseJson(r.entry),
    state: r.state,
    warnings: parseJson(r.warnings),
    createdAt: r.created_at,
    decidedAt: r.decided_at,
  });

  api.post(
    '/sdk-registry/sdks/:id/proposals',
    {
      schema: {
        tags: ['sdk-registry'],
        summary: 'Propose the SDK’s entry (or the given one) to the detection catalogue: validated, collision-checked, then reviewed',
        params: IdParams,
        body: Type.Object({ entry: Type.Optional(Entry) }, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const row = await proposeEntry(platform, principalOf(request), request.params.id, request.body.entry, request.ip);
      return reply.code(201).send(proposalView(row));
    },
  );

  const findProposal = (id: string, p: Principal) => findProposalOf(db, id, p);

  api.get(
    '/sdk-registry/proposals',
    {
      schema: {
        tags: ['sdk-registry'],
        summary: 'Proposals to the detection catalogue, newest first (a vendor sees its own)',
        querystring: Type.Object(
          { ...PageQuery, state: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('approved'), Type.Literal('rejected')])) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const p = principalOf(request);
      const limit = request.query.limit ?? 50;
      const { state, cursor } = request.query;
      return page(await listProposals(db, p, { state, cursor, limit }), limit, proposalView);
    },
  );

  api.get(
    '/sdk-registry/proposals/:id',
    { schema: { tags: ['sdk-registry'], summary: 'A proposal with its reviews and its history (from the audit log)', params: IdParams } },
    async (request) => {
      const row = await findProposal(request.params.id, principalOf(request));
      const reviews = await proposalReviews(db, row.id);
      const history = await db
        .selectFrom('audit_log')
        .select(['id', 'at', 'action', 'actor_user_id', 'detail'])
        .where('subject', '=', row.id)
        .orderBy('id')
        .limit(500)
        .execute();
      return {
        ...proposalView(row),
        approvals: reviews.filter((r) => r.decision === 'approve').length,
        approvalsNeeded: APPROVALS_NEEDED,
        reviews: reviews.map((r) => ({
          reviewerUserId: r.reviewer_user_id,
          reviewerOrganisationId: r.reviewer_org_id,
          decision: r.decision,
          comment: r.comment,
          at: r.created_at,
        })),
        history: history.map((h) => ({ at: h.at, action: h.action, userId: h.actor_user_id, detail: parseJson(h.detail) })),
        // What a maintainer commits to packages/knowledge once approved.
        catalogueFile:
          row.state === 'approved' ? { path: `packages/knowledge/data/sdks/${row.catalog_id}.json`, content: parseJson(row.entry) } : null,
      };
    },
  );

  api.post(
    '/sdk-registry/proposals/:id/reviews',
    {
      schema: {
        tags: ['sdk-registry'],
        summary: `Approve or reject a proposal (${APPROVALS_NEEDED} approvals by distinct reviewers, never the author; one rejection closes it)`,
        params: IdParams,
        body: Type.Object(
          {
            decision: Type.Union([Type.Literal('approve'), Type.Literal('reject')]),
            comment: Type.Optional(Type.String({ maxLength: 2000 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const result = await reviewProposal(platform, principalOf(request), request.params.id, request.body, request.ip);
      return reply.code(201).send(result);
    },
  );
}

export const sdkRegistryWorkflow: WorkflowModule = {
  name: 'sdk-registry',
  access,
  routes,
  on: { 'job.succeeded': indexReportSdks },
  // A campaign's results arrive by the thousand, most without a version to index.
  onBatch: { 'job.succeeded': indexReportsSdks },
};
