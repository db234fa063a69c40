import { findAppType } from '@apprights/engine';
import type { Selectable, Transaction } from 'kysely';
import { Type, type Static } from 'typebox';
import { writeAudit } from '../../admin.js';
import type { Database, ListingElements, Role, StoreDevelopersTable, StoreSubmissionsTable } from '../../db/schema.js';
import type { RouteAccess } from '../../http/access.js';
import type { Api, AppContext } from '../../http/context.js';
import { problem } from '../../http/problems.js';
import { JSON_TYPE, sendPublic } from '../../http/public-cache.js';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { ID_PATTERN, IdParams, PageQuery, SHA256_PATTERN, page, parseJson, principalOf } from '../../http/routes/common.js';
import { newId } from '../../ids.js';
import type { Platform } from '../../platform.js';
import type { PlatformEvent, WorkflowModule } from '../module.js';
import { notify } from '../notify.js';
import { compareListing } from './compare.js';
import { listingCheckOf, onPatrolJob, patrolListings } from './patrol.js';
import { onRescanJob, rescanListings } from './rescan.js';
import { DEFAULT_REFETCH_INTERVAL_MS, refetchListings } from './refetch.js';
import { checkOutgoingUrl, type FetchRefused } from '../../jobs/fetch.js';
import { BLOCKING_UPDATE_KINDS, compareVersions, REVIEW_UPDATE_KINDS, type UpdateReport } from './versions.js';
import { creditCodeProblem, DEFAULT_APP_FILING_PATTERN } from './credit-code.js';
import { listingSearchText } from './search.js';
import {
  applyGate,
  DEFAULT_GATE,
  gateProblems,
  GatePolicySchema,
  type DiffItem,
  type GateFinding,
  type GateOutcome,
  type GatePolicy,
  type GateReason,
  type GateResult,
} from './gate.js';

// Store gatekeeping (issue 14): a developer organisation states who it is (verified by a store
// admin); it submits a package with the listing's six elements to a store; the pre-listing
// detection (a scan job and a fetch-policy job) and the listing-vs-APK comparison feed the store's
// gate policy, whose outcome lists the app, rejects it with reasons, or queues it for a reviewer of
// that store. Listed apps are disclosed publicly (在架APP全量公示). States and sources: docs/workflows.md.

type Trx = Transaction<Database>;

const DEVELOPER: RouteAccess['roles'] = ['developer'];
const STORE_STAFF: RouteAccess['roles'] = ['store-admin', 'store-reviewer'];
const STORE_ADMIN: RouteAccess['roles'] = ['store-admin'];
const REVIEWER: RouteAccess['roles'] = ['store-reviewer'];
const SUBMISSION_READERS: RouteAccess['roles'] = ['platform-admin', 'developer', 'store-admin', 'store-reviewer'];
const ANYONE: RouteAccess['roles'] = [
  'platform-admin',
  'store-admin',
  'store-reviewer',
  'developer',
  'sdk-vendor',
  'regulator',
  'access-provider',
  'anonymous',
];

/** Public pages may be cached this long by clients and proxies (the listing changes rarely). */
const PUBLIC_MAX_AGE_S = 60;

export const STORE_ACCESS: Readonly<Record<string, RouteAccess>> = {
  // A developer organisation's own identity. Stores read every developer's (any store may verify one).
  'POST /api/v1/store/developer': { roles: DEVELOPER, scope: 'own-organisation' },
  'GET /api/v1/store/developer': { roles: DEVELOPER, scope: 'own-organisation' },
  'GET /api/v1/store/developers': { roles: STORE_STAFF, scope: 'own-organisation' },
  'POST /api/v1/store/developers/:id/decision': { roles: STORE_ADMIN, scope: 'own-organisation' },
  // The caller's store's gate policy.
  'PUT /api/v1/store/gate': { roles: STORE_ADMIN, scope: 'own-organisation' },
  'GET /api/v1/store/gate': { roles: STORE_STAFF, scope: 'own-organisation' },
  'POST /api/v1/store/gate/dry-run': { roles: STORE_STAFF, scope: 'own-organisation' },
  // Submissions: the developer's own; a store's staff those made to their store.
  'POST /api/v1/store/submissions': { roles: DEVELOPER, scope: 'own-organisation' },
  'GET /api/v1/store/submissions': { roles: SUBMISSION_READERS, scope: 'own-organisation' },
  'GET /api/v1/store/submissions/:id': { roles: SUBMISSION_READERS, scope: 'own-organisation' },
  'POST /api/v1/store/submissions/:id/claim': { roles: REVIEWER, scope: 'own-organisation' },
  'POST /api/v1/store/submissions/:id/decision': { roles: REVIEWER, scope: 'own-organisation' },
  // 在架APP全量公示: anonymous.
  'GET /api/v1/public/listings': { roles: ANYONE, scope: 'public' },
  'GET /api/v1/public/listings/:id': { roles: ANYONE, scope: 'public' },
};

const Text = (max: number, description?: string) => Type.String({ minLength: 1, maxLength: max, ...(description ? { description } : {}) });

const ProfileBody = Type.Object(
  {
    enterpriseName: Text(200, 'the enterprise name as registered'),
    creditCode: Type.String({ minLength: 1, maxLength: 64, description: '统一社会信用代码 (18 characters, GB 32100-2015)' }),
    filingNumber: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'APP 备案号, e.g. 京ICP备2023012345号-1A' })),
    contacts: Type.Array(
      Type.Object(
        {
          name: Text(100),
          phone: Type.Optional(Type.String({ pattern: '^[0-9+() -]{3,32}$' })),
          email: Type.Optional(Type.String({ pattern: '^[^@\\s]{1,64}@[^@\\s]{1,190}$' })),
        },
        { additionalProperties: false },
      ),
      { minItems: 1, maxItems: 10 },
    ),
    documents: Type.Optional(
      Type.Array(
        Type.Object(
          {
            kind: Text(64, 'e.g. business-licence'),
            blob: Type.String({ pattern: SHA256_PATTERN, description: 'an upload of this organisation' }),
          },
          { additionalProperties: false },
        ),
        { maxItems: 20 },
      ),
    ),
  },
  { additionalProperties: false },
);

const ElementsSchema = Type.Object(
  {
    name: Text(100, '应用名称'),
    version: Text(64, '版本号 (the versionName)'),
    developer: Text(200, '开发者名称'),
    privacyPolicyUrl: Type.String({ pattern: '^https?://', maxLength: 2048, description: '隐私政策 URL' }),
    permissions: Type.Array(Type.Object({ name: Text(255), purpose: Text(500) }, { additionalProperties: false }), {
      maxItems: 300,
      description: '权限列表及用途',
    }),
    description: Text(5000, '功能介绍'),
  },
  { additionalProperties: false },
);

const SubmissionBody = Type.Object(
  {
    store: Type.String({ pattern: ID_PATTERN, description: 'the store organisation’s id' }),
    blob: Type.String({ pattern: SHA256_PATTERN, description: 'the sha256 of a package this organisation uploaded (POST /packages)' }),
    elements: ElementsSchema,
    appType: Type.String({ minLength: 1, maxLength: 64, description: 'the CAC 2021 app type (id, number 1–39 or name)' }),
    resubmissionOf: Type.Optional(Type.String({ pattern: ID_PATTERN, description: 'the rejected submission this one answers' })),
    downloadUrl: Type.Optional(
      Type.String({
        pattern: '^https?://',
        maxLength: 2048,
        description: 'where the store serves the binary: re-fetched on a schedule and compared with the listed version (热更新 check)',
      }),
    ),
  },
  { additionalProperties: false },
);

const DecisionBody = Type.Object(
  { decision: Type.Union([Type.Literal('pass'), Type.Literal('reject')]), comment: Text(2000) },
  { additionalProperties: false },
);

const VerifyBody = Type.Object(
  { decision: Type.Union([Type.Literal('verified'), Type.Literal('rejected')]), comment: Type.Optional(Text(2000)) },
  { additionalProperties: false },
);

const SUBMISSION_STATES = ['detecting', 'review', 'listed', 'rejected', 'detection-failed'] as const;

type SubmissionRow = Selectable<StoreSubmissionsTable>;

function submissionView(s: SubmissionRow) {
  return {
    id: s.id,
    store: s.store_id,
    developerOrganisation: s.developer_org_id,
    blob: s.blob_sha256,
    elements: parseJson(s.elements),
    appType: s.app_type,
    gateVersion: s.gate_version,
    resubmissionOf: s.resubmission_of,
    state: s.state,
    outcome: s.outcome,
    jobs: { scan: s.scan_job_id, policy: s.policy_job_id },
    reports: { scan: s.scan_report_id, policy: s.policy_report_id },
    policyError: s.policy_error,
    versionId: s.version_id,
    diff: parseJson(s.diff) ?? [],
    reasons: parseJson(s.reasons) ?? [],
    claimedBy: s.claimed_by,
    decidedBy: s.decided_by,
    comment: s.decision_comment,
    listingId: s.listing_id,
    downloadUrl: s.download_url,
    createdAt: s.created_at,
    updatedAt: s.updated_at,
  };
}

function profileView(d: Selectable<StoreDevelopersTable>) {
  return {
    organisation: d.org_id,
    enterpriseName: d.enterprise_name,
    creditCode: d.credit_code,
    filingNumber: d.filing_number,
    contacts: parseJson(d.contacts),
    documents: parseJson(d.documents),
    state: d.state,
    decidedBy: d.decided_by,
    decidedByStore: d.decided_store_id,
    comment: d.decision_comment,
    createdAt: d.created_at,
    updatedAt: d.updated_at,
  };
}

/** The gate policy of `storeId` at `version` (0 or a missing row: the built-in default). */
export async function gatePolicy(db: Platform['store']['db'] | Trx, storeId: string, version: number): Promise<GatePolicy> {
  if (version === 0) return DEFAULT_GATE;
  const row = await db
    .selectFrom('store_gate_policies')
    .select('policy')
    .where('store_id', '=', storeId)
    .where('version', '=', version)
    .executeTakeFirst();
  return row ? (JSON.parse(row.policy) as GatePolicy) : DEFAULT_GATE;
}

async function currentGateVersion(db: Platform['store']['db'] | Trx, storeId: string): Promise<number> {
  const row = await db
    .selectFrom('store_gate_policies')
    .select((eb) => eb.fn.max('version').as('v'))
    .where('store_id', '=', storeId)
    .executeTakeFirst();
  return Number(row?.v ?? 0);
}

/** Who acts: a request's principal, or the console's signed-in user. */
export interface StoreActor {
  userId: string;
  orgId: string;
  role: Role;
}
export type ProfileInput = Static<typeof ProfileBody>;
export type SubmissionInput = Static<typeof SubmissionBody>;
export type DecisionInput = Static<typeof DecisionBody>;
export type VerifyInput = Static<typeof VerifyBody>;
export { ProfileBody, SubmissionBody, DecisionBody, submissionView, profileView };

/** States (or changes) a developer organisation's identity; unverified until a store admin decides. */
export async function saveDeveloperProfile(platform: Platform, p: StoreActor, body: ProfileInput) {
  const db = platform.store.db;
  const filing = new RegExp(platform.config.appFilingPattern ?? DEFAULT_APP_FILING_PATTERN, 'u');
  const now = platform.clock.now();
  const code = body.creditCode.trim().toUpperCase();
  const codeProblem = creditCodeProblem(code);
  if (codeProblem)
    throw problem('bad-request', `creditCode: ${codeProblem.en} / 统一社会信用代码：${codeProblem.zh}`, {
      errors: [{ pointer: '/creditCode', message: `${codeProblem.en} / ${codeProblem.zh}` }],
    });
  const filingNumber = body.filingNumber?.trim();
  if (filingNumber !== undefined && !filing.test(filingNumber))
    throw problem('bad-request', `filingNumber: not an APP filing number / APP 备案号格式不正确 (${filing.source})`, {
      errors: [{ pointer: '/filingNumber', message: `does not match ${filing.source} / 不符合备案号格式` }],
    });
  const documents = body.documents ?? [];
  for (const [i, d] of documents.entries()) {
    const up = await db
      .selectFrom('uploads')
      .select('id')
      .where('org_id', '=', p.orgId)
      .where('blob_sha256', '=', d.blob)
      .executeTakeFirst();
    if (!up)
      throw problem('bad-request', `documents/${i}/blob: not an upload of this organisation / 不是本组织上传的文件`, {
        errors: [{ pointer: `/documents/${i}/blob`, message: 'not an upload of this organisation / 不是本组织上传的文件' }],
      });
  }
  const values = {
    enterprise_name: body.enterpriseName.trim(),
    credit_code: code,
    filing_number: filingNumber ?? null,
    contacts: JSON.stringify(body.contacts),
    documents: JSON.stringify(documents),
    // A changed identity is checked again.
    state: 'unverified' as const,
    decided_by: null,
    decided_store_id: null,
    decision_comment: null,
    updated_at: now,
  };
  const row = await db.transaction().execute(async (trx) => {
    await trx
      .insertInto('store_developers')
      .values({ org_id: p.orgId, created_at: now, ...values })
      .onConflict((oc) => oc.column('org_id').doUpdateSet(values))
      .execute();
    await writeAudit(
      trx,
      {
        userId: p.userId,
        orgId: p.orgId,
        action: 'store.developer.profile',
        subject: p.orgId,
        detail: { creditCode: code, filingNumber },
      },
      now,
    );
    return trx.selectFrom('store_developers').selectAll().where('org_id', '=', p.orgId).executeTakeFirstOrThrow();
  });
  return profileView(row);
}

/** A policy the schema accepts but the gate cannot use (gateProblems): 400 with each field's error. */
function refuseGateProblems(policy: GatePolicy): void {
  const errors = gateProblems(policy);
  if (errors.length > 0) throw problem('bad-request', errors.map((e) => `${e.pointer} ${e.message}`).join('; '), { errors });
}

/** Saves a new version of the actor's store gate policy (submissions made from now on use it). */
export async function saveGatePolicy(platform: Platform, p: StoreActor, policy: GatePolicy) {
  const db = platform.store.db;
  refuseGateProblems(policy);
  const now = platform.clock.now();
  const normalised: GatePolicy = { rules: policy.rules, otherwise: policy.otherwise ?? 'pass' };
  return db.transaction().execute(async (trx) => {
    const version = (await currentGateVersion(trx, p.orgId)) + 1;
    // Two admins saving at once: the unique (store, version) refuses the second.
    try {
      await trx
        .insertInto('store_gate_policies')
        .values({
          id: newId(now),
          store_id: p.orgId,
          version,
          policy: JSON.stringify(normalised),
          created_by: p.userId,
          created_at: now,
        })
        .execute();
    } catch {
      throw problem('conflict', 'the gate policy changed meanwhile; read it and save again / 门禁策略已被他人修改，请刷新后重试');
    }
    await writeAudit(trx, { userId: p.userId, orgId: p.orgId, action: 'store.gate.update', subject: p.orgId, detail: { version } }, now);
    return { store: p.orgId, version, policy: normalised, createdAt: now };
  });
}

/** A store admin verifies or rejects a developer organisation's identity (audited; the developer is notified). */
export async function decideDeveloper(platform: Platform, p: StoreActor, orgId: string, input: VerifyInput) {
  const db = platform.store.db;
  const now = platform.clock.now();
  const { decision, comment } = input;
  return db.transaction().execute(async (trx) => {
    const updated = await trx
      .updateTable('store_developers')
      .set({ state: decision, decided_by: p.userId, decided_store_id: p.orgId, decision_comment: comment ?? null, updated_at: now })
      .where('org_id', '=', orgId)
      .returningAll()
      .executeTakeFirst();
    if (!updated) throw problem('not-found', `no developer identity ${orgId}`);
    await writeAudit(
      trx,
      {
        userId: p.userId,
        orgId: p.orgId,
        action: `store.developer.${decision}`,
        subject: updated.org_id,
        detail: { comment: comment ?? null },
      },
      now,
    );
    await notify(
      trx,
      {
        orgId: updated.org_id,
        topic: `developer.${decision}`,
        subject: updated.org_id,
        en: decision === 'verified' ? 'Your developer identity was verified' : 'Your developer identity was rejected',
        zh: decision === 'verified' ? '您的开发者身份已通过认证' : '您的开发者身份认证未通过',
        detail: { store: p.orgId, comment: comment ?? null },
      },
      now,
    );
    return profileView(updated);
  });
}

/** A submission of an uploaded package and its listing to a store: the detection jobs start, the gate decides later. */
export async function createSubmission(platform: Platform, p: StoreActor, body: SubmissionInput) {
  const db = platform.store.db;
  const now = platform.clock.now();
  const bad = (pointer: string, en: string, zh: string) =>
    problem('bad-request', `${pointer}: ${en} / ${zh}`, { errors: [{ pointer, message: `${en} / ${zh}` }] });
  const store = await db.selectFrom('organisations').select(['id', 'kind']).where('id', '=', body.store).executeTakeFirst();
  if (!store || store.kind !== 'store') throw bad('/store', 'no such store', '没有该应用商店');
  const profile = await db
    .selectFrom('store_developers')
    .select(['state', 'enterprise_name'])
    .where('org_id', '=', p.orgId)
    .executeTakeFirst();
  if (!profile || profile.state !== 'verified')
    throw problem('conflict', 'the developer identity is not verified yet / 开发者身份尚未通过认证');
  const upload = await db
    .selectFrom('uploads')
    .select('id')
    .where('org_id', '=', p.orgId)
    .where('blob_sha256', '=', body.blob)
    .executeTakeFirst();
  if (!upload) throw bad('/blob', 'not a package this organisation uploaded', '不是本组织上传的安装包');
  const type = findAppType(body.appType);
  if (!type) throw bad('/appType', `unknown app type ${body.appType}`, `未知的应用类型 ${body.appType}`);
  if (body.downloadUrl !== undefined)
    try {
      checkOutgoingUrl(body.downloadUrl);
    } catch (error) {
      const refused = error as FetchRefused;
      throw bad('/downloadUrl', refused.message, refused.zh ?? '下载地址无效');
    }
  if (body.resubmissionOf !== undefined) {
    const prior = await db
      .selectFrom('store_submissions')
      .select(['state'])
      .where('id', '=', body.resubmissionOf)
      .where('developer_org_id', '=', p.orgId)
      .where('store_id', '=', body.store)
      .executeTakeFirst();
    if (!prior || prior.state !== 'rejected')
      throw bad('/resubmissionOf', 'not a rejected submission of this organisation to this store', '不是本组织向该商店提交且被驳回的申请');
  }
  const elements: ListingElements = body.elements;
  const id = newId(now);
  const row = await db.transaction().execute(async (trx) => {
    const gateVersion = await currentGateVersion(trx, body.store);
    await trx
      .insertInto('store_submissions')
      .values({
        id,
        store_id: body.store,
        developer_org_id: p.orgId,
        blob_sha256: body.blob,
        elements: JSON.stringify(elements),
        app_type: type.id,
        gate_version: gateVersion,
        download_url: body.downloadUrl ?? null,
        resubmission_of: body.resubmissionOf ?? null,
        state: 'detecting',
        scan_job_id: null,
        policy_job_id: null,
        scan_report_id: null,
        policy_report_id: null,
        policy_error: null,
        version_id: null,
        diff: null,
        outcome: null,
        reasons: null,
        claimed_by: null,
        decided_by: null,
        decision_comment: null,
        listing_id: null,
        created_at: now,
        updated_at: now,
      })
      .execute();
    // The jobs run in the developer's organisation: the app and version rows are theirs.
    const scan = await platform.queue.submit(
      {
        kind: 'scan',
        orgId: p.orgId,
        createdBy: p.userId,
        payload: {
          blob: body.blob,
          appType: type.id,
          storeListing: {
            source: `submission ${id}`,
            name: elements.name,
            developer: elements.developer,
            url: elements.privacyPolicyUrl,
            appType: type.id,
          },
        },
      },
      trx,
    );
    const fetch = await platform.queue.submit(
      { kind: 'fetch-policy', orgId: p.orgId, createdBy: p.userId, payload: { url: elements.privacyPolicyUrl } },
      trx,
    );
    await trx.updateTable('store_submissions').set({ scan_job_id: scan.id, policy_job_id: fetch.id }).where('id', '=', id).execute();
    await writeAudit(
      trx,
      {
        userId: p.userId,
        orgId: p.orgId,
        action: 'store.submission.create',
        subject: id,
        detail: { store: body.store, blob: body.blob, gateVersion, resubmissionOf: body.resubmissionOf ?? null },
      },
      now,
    );
    return trx.selectFrom('store_submissions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  });
  return submissionView(row);
}

/** Developers reach their organisation's submissions; store staff their store's; the platform admin all. */
export function scopedSubmissions(platform: Platform, p: StoreActor) {
  let query = platform.store.db.selectFrom('store_submissions').selectAll();
  if (p.role === 'developer') query = query.where('developer_org_id', '=', p.orgId);
  else if (p.role !== 'platform-admin') query = query.where('store_id', '=', p.orgId);
  return query;
}

/** A reviewer takes a submission in manual review (409 when another holds it). */
export async function claimSubmission(platform: Platform, p: StoreActor, id: string) {
  const db = platform.store.db;
  const now = platform.clock.now();
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('store_submissions')
      .select(['id', 'state'])
      .where('id', '=', id)
      .where('store_id', '=', p.orgId)
      .executeTakeFirst();
    if (!row) throw problem('not-found', `no submission ${id}`);
    const claimed = await trx
      .updateTable('store_submissions')
      .set({ claimed_by: p.userId, updated_at: now })
      .where('id', '=', row.id)
      .where('state', '=', 'review')
      .where((eb) => eb.or([eb('claimed_by', 'is', null), eb('claimed_by', '=', p.userId)]))
      .returningAll()
      .executeTakeFirst();
    if (!claimed)
      throw problem('conflict', 'the submission is not in review, or another reviewer holds it / 该申请不在人工审核中或已被其他审核员认领');
    await writeAudit(trx, { userId: p.userId, orgId: p.orgId, action: 'store.submission.claim', subject: row.id }, now);
    return submissionView(claimed);
  });
}

/** A reviewer's decision on a submission in manual review: pass (listed) or reject; one decision wins, a second is 409. */
export async function decideSubmission(platform: Platform, p: StoreActor, id: string, input: DecisionInput) {
  const db = platform.store.db;
  const now = platform.clock.now();
  const { decision, comment } = input;
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .selectFrom('store_submissions')
      .select('id')
      .where('id', '=', id)
      .where('store_id', '=', p.orgId)
      .executeTakeFirst();
    if (!row) throw problem('not-found', `no submission ${id}`);
    // The conditional update is the race's referee: on PostgreSQL a second decider waits for the
    // first's row lock, then finds the state changed and updates nothing.
    const decided = await trx
      .updateTable('store_submissions')
      .set({
        state: decision === 'pass' ? 'listed' : 'rejected',
        decided_by: p.userId,
        claimed_by: p.userId,
        decision_comment: comment,
        updated_at: now,
      })
      .where('id', '=', row.id)
      .where('state', '=', 'review')
      .where((eb) => eb.or([eb('claimed_by', 'is', null), eb('claimed_by', '=', p.userId)]))
      .returningAll()
      .executeTakeFirst();
    if (!decided)
      throw problem('conflict', 'the submission was decided or is held by another reviewer / 该申请已被决定或已被其他审核员认领');
    let listingId: string | null = null;
    if (decision === 'pass') listingId = await list(trx, decided, now);
    await writeAudit(
      trx,
      { userId: p.userId, orgId: p.orgId, action: `store.submission.${decision}`, subject: row.id, detail: { comment, listingId } },
      now,
    );
    await notify(
      trx,
      {
        orgId: decided.developer_org_id,
        topic: decision === 'pass' ? 'submission.listed' : 'submission.rejected',
        subject: row.id,
        en: decision === 'pass' ? 'Your submission was approved by a reviewer and listed' : 'Your submission was rejected by a reviewer',
        zh: decision === 'pass' ? '您的上架申请经人工审核通过，已上架' : '您的上架申请经人工审核被驳回',
        detail: { store: decided.store_id, comment },
      },
      now,
    );
    const after = await trx.selectFrom('store_submissions').selectAll().where('id', '=', row.id).executeTakeFirstOrThrow();
    return submissionView(after);
  });
}

function routes(api: Api, ctx: AppContext): void {
  const { platform } = ctx;
  const db = platform.store.db;

  // --- Developer identity -------------------------------------------------------------------

  api.post(
    '/store/developer',
    {
      schema: {
        tags: ['store'],
        summary: 'State (or change) the caller’s developer identity; it is unverified until a store admin decides',
        body: ProfileBody,
      },
    },
    async (request, reply) => reply.code(200).send(await saveDeveloperProfile(platform, principalOf(request), request.body)),
  );

  api.get(
    '/store/developer',
    { schema: { tags: ['store'], summary: 'The caller’s developer identity and its state' } },
    async (request) => {
      const p = principalOf(request);
      const row = await db.selectFrom('store_developers').selectAll().where('org_id', '=', p.orgId).executeTakeFirst();
      if (!row) throw problem('not-found', 'no developer identity yet: POST /api/v1/store/developer / 尚未提交开发者身份信息');
      return profileView(row);
    },
  );

  api.get(
    '/store/developers',
    {
      schema: {
        tags: ['store'],
        summary: 'Developer identities (every store may verify one), newest change first',
        querystring: Type.Object(
          {
            ...PageQuery,
            state: Type.Optional(Type.Union([Type.Literal('unverified'), Type.Literal('verified'), Type.Literal('rejected')])),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      let query = db.selectFrom('store_developers').selectAll();
      if (request.query.state) query = query.where('state', '=', request.query.state);
      if (request.query.cursor) query = query.where('org_id', '<', request.query.cursor);
      const rows = await query
        .orderBy('org_id', 'desc')
        .limit(limit + 1)
        .execute();
      return page(
        rows.map((r) => ({ ...r, id: r.org_id })),
        limit,
        profileView,
      );
    },
  );

  api.post(
    '/store/developers/:id/decision',
    {
      schema: {
        tags: ['store'],
        summary: 'Verify or reject a developer identity (audited; the developer is notified)',
        params: IdParams,
        body: VerifyBody,
      },
    },
    async (request) => decideDeveloper(platform, principalOf(request), request.params.id, request.body),
  );

  // --- Gate policy --------------------------------------------------------------------------

  api.put(
    '/store/gate',
    {
      schema: {
        tags: ['store'],
        summary: 'A new version of the caller’s store gate policy (submissions made from now on use it; those already made keep theirs)',
        body: GatePolicySchema,
      },
    },
    async (request) => saveGatePolicy(platform, principalOf(request), request.body as GatePolicy),
  );

  api.get(
    '/store/gate',
    { schema: { tags: ['store'], summary: 'The caller’s store gate policy (version 0: the built-in default)' } },
    async (request) => {
      const p = principalOf(request);
      const version = await currentGateVersion(db, p.orgId);
      return { store: p.orgId, version, policy: await gatePolicy(db, p.orgId, version) };
    },
  );

  api.post(
    '/store/gate/dry-run',
    {
      schema: {
        tags: ['store'],
        summary: `What a gate policy would decide for the store’s latest ${DRY_RUN_LIMIT} detected submissions, beside what was decided (changes nothing)`,
        body: GatePolicySchema,
      },
    },
    async (request) => ({ items: await dryRunGate(platform, principalOf(request), request.body as GatePolicy) }),
  );

  // --- Submissions --------------------------------------------------------------------------

  api.post(
    '/store/submissions',
    {
      schema: {
        tags: ['store'],
        summary: 'Submit a package and its listing to a store (202: pre-listing detection runs; the gate decides)',
        body: SubmissionBody,
      },
    },
    async (request, reply) => {
      const view = await createSubmission(platform, principalOf(request), request.body);
      return reply.code(202).header('location', `/api/v1/store/submissions/${view.id}`).send(view);
    },
  );

  const scoped = (p: StoreActor) => scopedSubmissions(platform, p);

  api.get(
    '/store/submissions',
    {
      schema: {
        tags: ['store'],
        summary: 'Submissions (the developer’s own, or those made to the caller’s store), newest first',
        querystring: Type.Object(
          { ...PageQuery, state: Type.Optional(Type.Union(SUBMISSION_STATES.map((s) => Type.Literal(s)))) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      let query = scoped(principalOf(request));
      if (request.query.state) query = query.where('state', '=', request.query.state);
      if (request.query.cursor) query = query.where('id', '<', request.query.cursor);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return page(rows, limit, submissionView);
    },
  );

  api.get(
    '/store/submissions/:id',
    { schema: { tags: ['store'], summary: 'A submission: state, diff, gate outcome and reasons', params: IdParams } },
    async (request) => {
      const row = await scoped(principalOf(request)).where('id', '=', request.params.id).executeTakeFirst();
      if (!row) throw problem('not-found', `no submission ${request.params.id}`);
      return submissionView(row);
    },
  );

  api.post(
    '/store/submissions/:id/claim',
    { schema: { tags: ['store'], summary: 'Claim a submission in manual review (409 when another reviewer holds it)', params: IdParams } },
    async (request) => claimSubmission(platform, principalOf(request), request.params.id),
  );

  api.post(
    '/store/submissions/:id/decision',
    {
      schema: {
        tags: ['store'],
        summary: 'Decide a submission in manual review: pass (listed) or reject, with a comment; one decision wins, a second is 409',
        params: IdParams,
        body: DecisionBody,
      },
    },
    async (request) => decideSubmission(platform, principalOf(request), request.params.id, request.body),
  );

  // --- Public disclosure (在架APP全量公示) ------------------------------------------------------

  const publicView = async (
    rows: {
      id: string;
      store_id: string;
      store_name: string;
      package_name: string;
      elements: string;
      app_type: string | null;
      listed_at: number | null;
      updated_at: number;
      sdks: string | null;
      coverage: string | null;
      checked_at: number | null;
      version_id: string | null;
    }[],
  ) =>
    rows.map((r) => ({
      id: r.id,
      store: { id: r.store_id, name: r.store_name },
      packageName: r.package_name,
      elements: parseJson(r.elements),
      appType: r.app_type,
      sdks: parseJson(r.sdks) ?? [],
      coverage: parseJson(r.coverage) ?? null,
      lastCheck: r.checked_at,
      listedAt: r.listed_at,
      updatedAt: r.updated_at,
    }));

  const publicQuery = () =>
    db
      .selectFrom('listings as l')
      .innerJoin('organisations as o', 'o.id', 'l.store_id')
      .leftJoin('store_listing_checks as c', 'c.listing_id', 'l.id')
      .select([
        'l.id',
        'l.store_id',
        'o.name as store_name',
        'l.package_name',
        'l.elements',
        'l.app_type',
        'l.listed_at',
        'l.updated_at',
        'l.version_id',
        'c.sdks',
        'c.coverage',
        'c.checked_at',
      ])
      .where('l.state', '=', 'listed');

  /** Public answers: ETag, max-age and 304, built once every few seconds for anonymous callers. */
  const cacheable = (request: FastifyRequest, reply: FastifyReply, build: () => Promise<unknown>) =>
    sendPublic(
      ctx.publicCache,
      request,
      reply,
      request.url,
      platform.clock.now(),
      async () => ({
        body: JSON.stringify(await build()),
        type: JSON_TYPE,
      }),
      PUBLIC_MAX_AGE_S,
    );

  api.get(
    '/public/listings',
    {
      schema: {
        tags: ['public'],
        summary: '在架APP全量公示: every listed app with its six elements, SDKs, coverage and last check (anonymous, cacheable)',
        querystring: Type.Object(
          {
            ...PageQuery,
            store: Type.Optional(Type.String({ pattern: ID_PATTERN })),
            category: Type.Optional(Type.String({ minLength: 1, maxLength: 64, description: 'the app type' })),
            sdk: Type.Optional(Type.String({ pattern: '^[a-z0-9][a-z0-9._-]{0,63}$', description: 'an SDK id of the catalogue' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const q = request.query;
      const limit = q.limit ?? 50;
      let query = publicQuery();
      if (q.store) query = query.where('l.store_id', '=', q.store);
      if (q.category) {
        const type = findAppType(q.category);
        if (!type)
          throw problem('invalid-query', `category: unknown app type ${q.category} / 未知的应用类型`, {
            errors: [{ pointer: '/category', message: 'unknown app type / 未知的应用类型' }],
          });
        query = query.where('l.app_type', '=', type.id);
      }
      if (q.sdk) {
        const sdk = q.sdk;
        query = query.where('l.version_id', 'in', (eb) =>
          // The SDK registry's index of every stored version's SDKs (filled from the same job events).
          eb.selectFrom('sdk_version_index').select('version_id').where('sdk_id', '=', sdk),
        );
      }
      if (q.cursor) query = query.where('l.id', '<', q.cursor);
      return cacheable(request, reply, async () => {
        const rows = await query
          .orderBy('l.id', 'desc')
          .limit(limit + 1)
          .execute();
        const more = rows.length > limit;
        const kept = more ? rows.slice(0, limit) : rows;
        return { items: await publicView(kept), nextCursor: more ? kept[kept.length - 1]!.id : null };
      });
    },
  );

  api.get(
    '/public/listings/:id',
    { schema: { tags: ['public'], summary: 'One listed app, as the public disclosure shows it', params: IdParams } },
    async (request, reply) => {
      return cacheable(request, reply, async () => {
        const row = await publicQuery().where('l.id', '=', request.params.id).executeTakeFirst();
        if (!row) throw problem('not-found', `no listed app ${request.params.id}`);
        return (await publicView([row]))[0];
      });
    },
  );
}

// --- Detection → gate ------------------------------------------------------------------------

interface JobEvent {
  jobId?: string;
  kind?: string;
  reportId?: string;
  error?: string;
}

/** Lists (or updates the listing of) the submission's version; returns the listing id. */
async function list(trx: Trx, s: SubmissionRow, now: number): Promise<string> {
  if (!s.version_id) throw new Error(`submission ${s.id} has no version to list`);
  const version = await trx
    .selectFrom('versions as v')
    .innerJoin('apps as a', 'a.id', 'v.app_id')
    .select(['v.id', 'v.app_id', 'a.package_name'])
    .where('v.id', '=', s.version_id)
    .executeTakeFirstOrThrow();
  const existing = await trx
    .selectFrom('listings')
    .select(['id'])
    .where('store_id', '=', s.store_id)
    .where('package_name', '=', version.package_name)
    .executeTakeFirst();
  const listingId = existing?.id ?? newId(now);
  const values = {
    developer_org_id: s.developer_org_id,
    app_id: version.app_id,
    version_id: version.id,
    state: 'listed' as const,
    elements: s.elements,
    search_text: listingSearchText(version.package_name, s.elements),
    app_type: s.app_type,
    download_url: s.download_url,
    listed_at: now,
    delisted_at: null,
    updated_at: now,
  };
  if (existing) await trx.updateTable('listings').set(values).where('id', '=', existing.id).execute();
  else
    await trx
      .insertInto('listings')
      .values({ id: listingId, store_id: s.store_id, package_name: version.package_name, ...values })
      .execute();
  // What the public disclosure shows: the report that listed this version.
  if (s.scan_report_id) {
    const report = await trx
      .selectFrom('reports')
      .select(['id', 'body', 'knowledge_id', 'created_at'])
      .where('id', '=', s.scan_report_id)
      .executeTakeFirst();
    if (report) {
      const check = listingCheckOf(report, version.id);
      await trx
        .insertInto('store_listing_checks')
        .values({ listing_id: listingId, ...check })
        .onConflict((oc) => oc.column('listing_id').doUpdateSet(check))
        .execute();
    }
  }
  await trx.updateTable('store_submissions').set({ listing_id: listingId }).where('id', '=', s.id).execute();
  return listingId;
}

/**
 * What the gate decides for a detected submission under `policy` (default: the version it was made
 * under): the listing differences and the outcome with its reasons. Reads only; the gate below acts
 * on it, and the console's dry run asks it the same question under an edited policy.
 */
export async function gateDecision(
  trx: Trx | Platform['store']['db'],
  s: SubmissionRow,
  policy?: GatePolicy,
): Promise<{ result: GateResult; diffs: DiffItem[]; versionId: string | null }> {
  const scanReport = await trx
    .selectFrom('reports')
    .select(['body', 'version_id'])
    .where('id', '=', s.scan_report_id!)
    .executeTakeFirstOrThrow();
  const scan = JSON.parse(scanReport.body) as Parameters<typeof compareListing>[1] & {
    findings?: GateFinding[];
    app?: { package?: string };
  };
  const policyReport = s.policy_report_id
    ? await trx.selectFrom('reports').select('body').where('id', '=', s.policy_report_id).executeTakeFirst()
    : undefined;
  const privacyPolicy = policyReport ? (JSON.parse(policyReport.body) as Parameters<typeof compareListing>[2]) : null;
  const profile = await trx
    .selectFrom('store_developers')
    .select('enterprise_name')
    .where('org_id', '=', s.developer_org_id)
    .executeTakeFirst();
  const elements = JSON.parse(s.elements) as ListingElements;
  const diffs = compareListing(elements, scan, privacyPolicy, profile?.enterprise_name ?? null);
  const findings: GateFinding[] = (scan.findings ?? []).map((f) => ({
    ruleId: f.ruleId,
    severity: f.severity,
    measures: f.measures,
    fingerprint: f.fingerprint,
    message: f.message,
    evidence: f.evidence,
  }));
  // An update of a listed app: diffed against the listed version (versions.ts).
  const pkg = scan.app?.package;
  const current = pkg
    ? await trx
        .selectFrom('listings as l')
        .leftJoin('store_listing_checks as c', 'c.listing_id', 'l.id')
        .select(['l.developer_org_id', 'l.version_id', 'l.state', 'c.report_id'])
        .where('l.store_id', '=', s.store_id)
        .where('l.package_name', '=', pkg)
        .executeTakeFirst()
    : undefined;
  if (
    current &&
    current.developer_org_id === s.developer_org_id &&
    current.state === 'listed' &&
    current.report_id &&
    current.version_id !== scanReport.version_id
  ) {
    const listedReport = await trx.selectFrom('reports').select('body').where('id', '=', current.report_id).executeTakeFirst();
    if (listedReport) for (const d of compareVersions(JSON.parse(listedReport.body) as UpdateReport, scan as UpdateReport)) diffs.push(d);
  }
  const result = applyGate(policy ?? (await gatePolicy(trx, s.store_id, s.gate_version)), findings, diffs);
  const blocking = diffs.filter((d) => BLOCKING_UPDATE_KINDS.has(d.kind));
  if (blocking.length > 0) {
    // Whatever the store's policy: a signer change without proof is never listed.
    result.outcome = 'reject';
    result.reasons = [
      ...blocking.map((d) => ({ gateRule: 'store:signer-continuity', then: 'reject' as const, diff: d })),
      ...result.reasons.filter((r) => r.then === 'reject'),
    ];
  } else if (result.outcome === 'pass') {
    const review = diffs.filter((d) => REVIEW_UPDATE_KINDS.has(d.kind));
    if (review.length > 0) {
      result.outcome = 'manual-review';
      result.reasons = review.map((d) => ({ gateRule: 'store:update-review', then: 'manual-review' as const, diff: d }));
    }
  }
  // A package already listed in this store by another developer cannot be taken over.
  if (pkg) {
    const owner = current;
    if (owner && owner.developer_org_id !== s.developer_org_id) {
      result.outcome = 'reject';
      const taken: GateReason = {
        gateRule: 'store:package-owner',
        then: 'reject',
        diff: {
          kind: 'developer-mismatch',
          pointer: '/blob',
          listing: null,
          apk: pkg,
          en: `${pkg} is listed in this store by another developer`,
          zh: `${pkg} 已由其他开发者在本商店上架`,
        },
      };
      result.reasons = [taken, ...result.reasons.filter((r) => r.then === 'reject')];
    }
  }
  return { result, diffs, versionId: scanReport.version_id };
}

export interface DryRunItem {
  id: string;
  name: string | null;
  createdAt: number;
  /** What the gate decided when the submission was made (null: it failed detection). */
  recorded: GateOutcome | null;
  /** What `policy` would decide today on the same reports. */
  would: GateOutcome;
  reasons: GateReason[];
}

/** Submissions a dry run looks at: the store's latest detected ones. */
export const DRY_RUN_LIMIT = 100;

/**
 * The gate policy's dry run: what `policy` would decide for the store's latest detected submissions
 * (their stored reports, the listings as they are now), beside what was decided. Changes nothing.
 */
export async function dryRunGate(platform: Platform, p: StoreActor, policy: GatePolicy, limit = DRY_RUN_LIMIT): Promise<DryRunItem[]> {
  refuseGateProblems(policy);
  const db = platform.store.db;
  const rows = await db
    .selectFrom('store_submissions')
    .selectAll()
    .where('store_id', '=', p.orgId)
    .where('scan_report_id', 'is not', null)
    .where('state', '<>', 'detecting')
    .orderBy('id', 'desc')
    .limit(Math.min(limit, DRY_RUN_LIMIT))
    .execute();
  const out: DryRunItem[] = [];
  for (const row of rows) {
    const { result } = await gateDecision(db, row, policy);
    const elements = parseJson(row.elements) as { name?: unknown } | null;
    out.push({
      id: row.id,
      name: typeof elements?.name === 'string' ? elements.name : null,
      createdAt: row.created_at,
      recorded: (row.outcome as GateOutcome | null) ?? null,
      would: result.outcome,
      reasons: result.reasons,
    });
  }
  return out;
}

/** Both jobs are done: compare, gate, and act on the outcome (effect once: the state moves from detecting). */
async function gate(trx: Trx, s: SubmissionRow, now: number): Promise<void> {
  const { result, diffs, versionId } = await gateDecision(trx, s);
  const state = result.outcome === 'pass' ? 'listed' : result.outcome === 'reject' ? 'rejected' : 'review';
  const moved = await trx
    .updateTable('store_submissions')
    .set({
      state,
      outcome: result.outcome,
      version_id: versionId,
      diff: JSON.stringify(diffs),
      reasons: JSON.stringify(result.reasons),
      updated_at: now,
    })
    .where('id', '=', s.id)
    .where('state', '=', 'detecting')
    .returningAll()
    .executeTakeFirst();
  if (!moved) return;
  let listingId: string | null = null;
  if (result.outcome === 'pass') listingId = await list(trx, moved, now);
  await writeAudit(
    trx,
    {
      action: `store.submission.gate-${result.outcome}`,
      subject: s.id,
      detail: { gateVersion: s.gate_version, diffs: diffs.length, reasons: result.reasons.length, listingId },
    },
    now,
  );
  const text = {
    pass: { en: 'Your submission passed the store’s gate and is listed', zh: '您的上架申请已通过商店门禁并上架' },
    reject: { en: 'Your submission was rejected by the store’s gate; see the reasons', zh: '您的上架申请未通过商店门禁，请查看驳回原因' },
    'manual-review': { en: 'Your submission awaits a store reviewer', zh: '您的上架申请正在等待商店人工审核' },
  }[result.outcome];
  await notify(
    trx,
    {
      orgId: s.developer_org_id,
      topic: `submission.${state}`,
      subject: s.id,
      ...text,
      detail: { store: s.store_id, outcome: result.outcome, reasons: result.reasons.length },
    },
    now,
  );
}

async function onJobEvent(platform: Platform, event: PlatformEvent, trx: Trx): Promise<void> {
  const payload = (event.payload ?? {}) as JobEvent;
  if (payload.kind === 'rerun-rules') return onPatrolJob(platform, event, trx);
  if (payload.kind === 'scan') await onRescanJob(platform, event, trx);
  if (typeof payload.jobId !== 'string' || (payload.kind !== 'scan' && payload.kind !== 'fetch-policy')) return;
  const now = platform.clock.now();
  const succeeded = event.topic === 'job.succeeded';
  const column = payload.kind === 'scan' ? 'scan_job_id' : 'policy_job_id';
  const target = await trx
    .selectFrom('store_submissions')
    .select(['id'])
    .where(column, '=', payload.jobId)
    .where('state', '=', 'detecting')
    .executeTakeFirst();
  if (!target) return;
  // Write first, then read: on PostgreSQL the update takes the row lock, so of two handlers (scan
  // and policy finishing at once) the second reads the first's committed column and gates.
  if (payload.kind === 'scan') {
    if (succeeded)
      await trx
        .updateTable('store_submissions')
        .set({ scan_report_id: payload.reportId ?? null, updated_at: now })
        .where('id', '=', target.id)
        .execute();
    else {
      const failed = await trx
        .updateTable('store_submissions')
        .set({
          state: 'detection-failed',
          outcome: null,
          reasons: JSON.stringify([{ job: payload.jobId, error: payload.error ?? event.topic }]),
          updated_at: now,
        })
        .where('id', '=', target.id)
        .where('state', '=', 'detecting')
        .returningAll()
        .executeTakeFirst();
      if (failed) {
        await writeAudit(
          trx,
          { action: 'store.submission.detection-failed', subject: failed.id, detail: { job: payload.jobId, error: payload.error ?? null } },
          now,
        );
        await notify(
          trx,
          {
            orgId: failed.developer_org_id,
            topic: 'submission.detection-failed',
            subject: failed.id,
            en: `The package could not be checked (${payload.error ?? event.topic}); submit it again`,
            zh: `安装包检测未能完成（${payload.error ?? event.topic}），请重新提交`,
          },
          now,
        );
      }
      return;
    }
  } else {
    await trx
      .updateTable('store_submissions')
      .set(
        succeeded
          ? { policy_report_id: payload.reportId ?? null, updated_at: now }
          : { policy_error: payload.error ?? event.topic, updated_at: now },
      )
      .where('id', '=', target.id)
      .execute();
  }
  const s = await trx.selectFrom('store_submissions').selectAll().where('id', '=', target.id).executeTakeFirstOrThrow();
  const policyDone = s.policy_report_id !== null || s.policy_error !== null;
  if (s.state === 'detecting' && s.scan_report_id !== null && policyDone) await gate(trx, s, now);
}

/**
 * A run of job results (the batch form of onJobEvent): the same effect, in fewer statements. Most
 * results in a run are rules re-run for a campaign or the regulator, which no store row waits for;
 * one query finds the patrol jobs among them, and only those (and every other kind) go through
 * onJobEvent one at a time.
 */
async function onJobEvents(platform: Platform, events: readonly PlatformEvent[], trx: Trx): Promise<void> {
  // The re-run job of each event that has one.
  const rerunOf = events.map((event) => {
    const payload = (event.payload ?? {}) as JobEvent;
    return payload.kind === 'rerun-rules' && typeof payload.jobId === 'string' ? payload.jobId : undefined;
  });
  const rerunJobs = rerunOf.filter((id): id is string => id !== undefined);
  // A run is at most one dispatcher batch (50 events): one IN list.
  const patrols = new Set(
    rerunJobs.length === 0
      ? []
      : (
          await trx.selectFrom('store_patrols').select('job_id').where('job_id', 'in', rerunJobs).where('state', '=', 'running').execute()
        ).map((r) => r.job_id),
  );
  for (const [i, event] of events.entries()) {
    const rerun = rerunOf[i];
    // A re-run no patrol is waiting for: onPatrolJob would find no running patrol and stop there.
    if (rerun !== undefined && !patrols.has(rerun)) continue;
    await onJobEvent(platform, event, trx);
  }
}

export const storeWorkflow: WorkflowModule = {
  name: 'store',
  access: STORE_ACCESS,
  routes,
  tasks: (platform) => [
    {
      // A catalogue change is found within this period of the new snapshot being installed: rules
      // re-run on stored facts (patrol.ts), packages re-scanned where the SDK signatures changed (rescan.ts).
      name: 'store-patrol',
      everyMs: 10 * 60_000,
      run: async () => {
        await patrolListings(platform);
        // An SDK-catalogue or readers change: re-scans of the versions it affects (rescan.ts).
        await rescanListings(platform);
      },
    },
    {
      // Downloads of listed apps compared with the listed bytes (热更新): a bounded batch per run.
      name: 'store-refetch',
      everyMs: platform.config.storeRefetchIntervalMs ?? DEFAULT_REFETCH_INTERVAL_MS,
      run: async () => {
        await refetchListings(platform);
      },
    },
  ],
  on: {
    'job.succeeded': onJobEvent,
    'job.failed': onJobEvent,
    'job.dead': onJobEvent,
  },
  // A campaign's results arrive by the thousand: the patrols among them found in one query a run.
  onBatch: { 'job.succeeded': onJobEvents },
};
