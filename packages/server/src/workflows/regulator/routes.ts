import { Type } from 'typebox';
import { writeAudit } from '../../admin.js';
import type { Api, AppContext } from '../../http/context.js';
import { problem } from '../../http/problems.js';
import { ID_PATTERN, IdParams, PageQuery, page, parseJson, principalOf, scopeOrg } from '../../http/routes/common.js';
import { newId } from '../../ids.js';
import { notify } from '../notify.js';
import { completeDelisting, draftBulletin, listDelistingTasks, parseList, publishBulletin, requestRetest } from './bulletins.js';
import { campaignFindingCounts, campaignItemStates, campaignProgress, countFindings, createCampaign } from './campaigns.js';
import { developerCredit } from './credit.js';
import { sendCached } from './http-cache.js';
import {
  bulletinSummary,
  bulletinView,
  campaignOf,
  findingView,
  guarded,
  publishedBulletinId,
  recomputeAudited,
  triageCampaign,
} from './views.js';
import { RANKING_DIMENSIONS, latestRankings, rankingsCsv } from './rankings.js';

// The regulator workflow's HTTP routes (under /api/v1; access entries in ./index.ts).

const Id = Type.String({ pattern: ID_PATTERN });
const ShortText = (max: number, description?: string) =>
  Type.String({ minLength: 1, maxLength: max, ...(description ? { description } : {}) });
const DimensionQuery = Type.Object(
  {
    dimension: Type.Optional(
      Type.Union(
        RANKING_DIMENSIONS.map((d) => Type.Literal(d)),
        { default: 'store' },
      ),
    ),
  },
  { additionalProperties: false },
);

export function regulatorRoutes(api: Api, { platform }: AppContext): void {
  const db = platform.store.db;
  const actorOf = (request: Parameters<typeof principalOf>[0]) => {
    const p = principalOf(request);
    return { userId: p.userId, orgId: p.orgId, ip: request.ip };
  };

  // ── Campaigns ────────────────────────────────────────────────────────────────────────────────
  api.post(
    '/regulator/campaigns',
    {
      schema: {
        tags: ['regulator'],
        summary: 'Start a campaign: select listed apps and run detection on each (jobs at priority -10)',
        body: Type.Object(
          {
            name: ShortText(200),
            selection: Type.Object(
              {
                storeIds: Type.Optional(Type.Array(Id, { maxItems: 100 })),
                appTypes: Type.Optional(Type.Array(ShortText(64), { maxItems: 100 })),
                sdk: Type.Optional(
                  Type.String({ pattern: '^[A-Za-z0-9_.$-]{2,200}$', description: 'a catalogue SDK id or a Java package prefix' }),
                ),
                ruleId: Type.Optional(
                  Type.String({ pattern: '^[A-Za-z0-9_.:-]{1,200}$', description: 'a rule with a finding in the app’s latest report' }),
                ),
                sampleSize: Type.Optional(Type.Integer({ minimum: 1, maximum: 20_000 })),
                seed: Type.Optional(Type.String({ minLength: 1, maxLength: 200 })),
              },
              { additionalProperties: false },
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const actor = actorOf(request);
      const result = await guarded(() =>
        createCampaign(platform, { name: request.body.name, selection: request.body.selection, ...actor }),
      );
      return reply.code(201).header('location', `/api/v1/regulator/campaigns/${result.id}`).send(result);
    },
  );

  api.get(
    '/regulator/campaigns',
    {
      schema: {
        tags: ['regulator'],
        summary: 'Campaigns, newest first',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
      },
    },
    async (request) => {
      const org = scopeOrg(principalOf(request));
      const limit = request.query.limit ?? 50;
      let query = db.selectFrom('reg_campaigns').selectAll();
      if (org !== null) query = query.where('org_id', '=', org);
      if (request.query.cursor) query = query.where('id', '<', request.query.cursor);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return page(rows, limit, (c) => ({ id: c.id, name: c.name, selection: parseJson(c.selection), createdAt: c.created_at }));
    },
  );

  const findCampaign = (id: string, org: string | null) => campaignOf(db, id, org);

  api.get(
    '/regulator/campaigns/:id',
    {
      schema: {
        tags: ['regulator'],
        summary:
          'A campaign: its selection, progress (items by job state), items (by whether the outcome reached the campaign) and findings by triage state',
        params: IdParams,
      },
    },
    async (request) => {
      const c = await findCampaign(request.params.id, scopeOrg(principalOf(request)));
      return {
        id: c.id,
        name: c.name,
        selection: parseJson(c.selection),
        createdAt: c.created_at,
        progress: await campaignProgress(db, c.id),
        items: await campaignItemStates(db, c.id),
        findings: await campaignFindingCounts(db, c.id),
      };
    },
  );

  api.get(
    '/regulator/campaigns/:id/items',
    {
      schema: {
        tags: ['regulator'],
        summary: 'The campaign’s apps with their detection job and report',
        params: IdParams,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
      },
    },
    async (request) => {
      const c = await findCampaign(request.params.id, scopeOrg(principalOf(request)));
      const limit = request.query.limit ?? 50;
      let query = db.selectFrom('reg_campaign_items').selectAll().where('campaign_id', '=', c.id);
      if (request.query.cursor) query = query.where('id', '<', request.query.cursor);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return page(rows, limit, (i) => ({
        id: i.id,
        appId: i.app_id,
        packageName: i.package_name,
        listingId: i.listing_id,
        mode: i.mode,
        jobId: i.job_id,
        reportId: i.report_id,
        state: i.state,
        reason: i.reason,
      }));
    },
  );

  api.get(
    '/regulator/campaigns/:id/findings',
    {
      schema: {
        tags: ['regulator'],
        summary: 'The campaign’s findings to triage',
        params: IdParams,
        querystring: Type.Object(
          { ...PageQuery, state: Type.Optional(Type.Union([Type.Literal('new'), Type.Literal('confirmed'), Type.Literal('dismissed')])) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const c = await findCampaign(request.params.id, scopeOrg(principalOf(request)));
      const limit = request.query.limit ?? 50;
      let query = db.selectFrom('reg_findings').selectAll().where('campaign_id', '=', c.id);
      if (request.query.state) query = query.where('state', '=', request.query.state);
      if (request.query.cursor) query = query.where('id', '<', request.query.cursor);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return page(rows, limit, findingView);
    },
  );

  api.post(
    '/regulator/findings/:id/triage',
    {
      schema: {
        tags: ['regulator'],
        summary: 'Confirm or dismiss a campaign finding (a dismissal needs a note); audited',
        params: IdParams,
        body: Type.Object(
          {
            decision: Type.Union([Type.Literal('confirm'), Type.Literal('dismiss')]),
            note: Type.Optional(Type.String({ maxLength: 4000 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const p = principalOf(request);
      const org = scopeOrg(p);
      const now = platform.clock.now();
      const { decision, note } = request.body;
      if (decision === 'dismiss' && !note?.trim())
        throw problem('bad-request', 'a dismissal needs a note / 驳回须说明理由', {
          errors: [{ pointer: '/note', message: 'is required to dismiss' }],
        });
      return db.transaction().execute(async (trx) => {
        let query = trx
          .selectFrom('reg_findings')
          .innerJoin('reg_campaigns', 'reg_campaigns.id', 'reg_findings.campaign_id')
          .selectAll('reg_findings')
          .where('reg_findings.id', '=', request.params.id);
        if (org !== null) query = query.where('reg_campaigns.org_id', '=', org);
        const f = await query.executeTakeFirst();
        if (!f) throw problem('not-found', `no finding ${request.params.id}`);
        const state = decision === 'confirm' ? 'confirmed' : 'dismissed';
        const moved = await trx
          .updateTable('reg_findings')
          .set({ state, note: note ?? null, decided_by: p.userId, decided_at: now })
          .where('id', '=', f.id)
          .where('state', '=', 'new')
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) throw problem('conflict', `the finding is already ${f.state} / 该发现项已处理`);
        await countFindings(trx, f.campaign_id, { new: -1, [state]: 1 });
        await writeAudit(
          trx,
          {
            userId: p.userId,
            orgId: p.orgId,
            ip: request.ip,
            action: `regulator.finding.${state}`,
            subject: f.id,
            detail: { note: note ?? null, fingerprint: f.fingerprint },
          },
          now,
        );
        return findingView({ ...f, state, note: note ?? null, decided_by: p.userId, decided_at: now });
      });
    },
  );

  api.post(
    '/regulator/campaigns/:id/triage',
    {
      schema: {
        tags: ['regulator'],
        summary: 'Confirm or dismiss every new finding of the campaign that matches (by rule, severity or id); audited once with the count',
        params: IdParams,
        body: Type.Object(
          {
            decision: Type.Union([Type.Literal('confirm'), Type.Literal('dismiss')]),
            note: Type.Optional(Type.String({ maxLength: 4000 })),
            ruleIds: Type.Optional(Type.Array(ShortText(200), { minItems: 1, maxItems: 200 })),
            severities: Type.Optional(
              Type.Array(Type.Union([Type.Literal('high'), Type.Literal('medium'), Type.Literal('low'), Type.Literal('info')]), {
                minItems: 1,
              }),
            ),
            findingIds: Type.Optional(Type.Array(Id, { minItems: 1, maxItems: 5000 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => guarded(() => triageCampaign(platform, principalOf(request), request.params.id, request.body, request.ip)),
  );

  // ── Bulletins ────────────────────────────────────────────────────────────────────────────────
  const deadlineSchema = Type.Union([
    Type.Object(
      { date: Type.String({ pattern: '^\\d{4}-\\d{2}-\\d{2}$', description: 'Asia/Shanghai date' }) },
      { additionalProperties: false },
    ),
    Type.Object(
      { workingDays: Type.Integer({ minimum: 1, maximum: 250, description: 'counted from the day after publication' }) },
      { additionalProperties: false },
    ),
  ]);
  api.post(
    '/regulator/bulletins',
    {
      schema: {
        tags: ['regulator'],
        summary: 'Draft a bulletin (通报) from confirmed findings: one item per app',
        body: Type.Object(
          {
            title: ShortText(300),
            titleZh: ShortText(300),
            measure: ShortText(4000, 'the measure required (整改要求)'),
            legalBasis: ShortText(1000),
            findings: Type.Array(Id, { minItems: 1, maxItems: 5000 }),
            deadline: deadlineSchema,
            sdkPrefixes: Type.Optional(
              Type.Array(Type.String({ pattern: '^[A-Za-z0-9_$]+(\\.[A-Za-z0-9_$]+)*\\.?$', maxLength: 200 }), { maxItems: 100 }),
            ),
            domains: Type.Optional(
              Type.Array(Type.String({ pattern: '^(?=.{1,253}$)([A-Za-z0-9-]{1,63}\\.)+[A-Za-z]{2,63}$' }), { maxItems: 100 }),
            ),
            ips: Type.Optional(Type.Array(Type.String({ maxLength: 45, pattern: '^[0-9A-Fa-f:.]+(/\\d{1,3})?$' }), { maxItems: 100 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const id = await guarded(() => draftBulletin(platform, request.body, { ...actorOf(request), scope: scopeOrg(principalOf(request)) }));
      return reply
        .code(201)
        .header('location', `/api/v1/regulator/bulletins/${id}`)
        .send(await bulletinView(db, id, false));
    },
  );

  api.get(
    '/regulator/bulletins',
    {
      schema: {
        tags: ['regulator'],
        summary: 'Bulletins (drafts too), newest first',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
      },
    },
    async (request) => {
      const org = scopeOrg(principalOf(request));
      const limit = request.query.limit ?? 50;
      let query = db.selectFrom('reg_bulletins').selectAll();
      if (org !== null) query = query.where('org_id', '=', org);
      if (request.query.cursor) query = query.where('id', '<', request.query.cursor);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return page(rows, limit, bulletinSummary);
    },
  );

  const ownBulletin = async (id: string, org: string | null) => {
    let query = db.selectFrom('reg_bulletins').select('id').where('id', '=', id);
    if (org !== null) query = query.where('org_id', '=', org);
    if (!(await query.executeTakeFirst())) throw problem('not-found', `no bulletin ${id}`);
  };

  api.get(
    '/regulator/bulletins/:id',
    { schema: { tags: ['regulator'], summary: 'A bulletin with its items (evidence, re-test state)', params: IdParams } },
    async (request) => {
      await ownBulletin(request.params.id, scopeOrg(principalOf(request)));
      return bulletinView(db, request.params.id, false);
    },
  );

  api.post(
    '/regulator/bulletins/:id/publish',
    {
      schema: {
        tags: ['regulator'],
        summary: 'Publish: fixes the due date through the working-day calendar and notifies the developers',
        params: IdParams,
      },
    },
    async (request) => {
      await ownBulletin(request.params.id, scopeOrg(principalOf(request)));
      await guarded(() => publishBulletin(platform, request.params.id, actorOf(request)));
      return bulletinView(db, request.params.id, false);
    },
  );

  api.post(
    '/bulletin-items/:id/retest',
    {
      schema: {
        tags: ['regulator'],
        summary: 'Ask for a re-test before the deadline (the developer, own items): clean → closed early; still found → stays open',
        params: IdParams,
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      await guarded(() =>
        requestRetest(platform, request.params.id, p.role === 'developer' ? p.orgId : null, {
          userId: p.userId,
          orgId: p.orgId,
          ip: request.ip,
        }),
      );
      const item = await db
        .selectFrom('reg_bulletin_items')
        .select(['id', 'state', 'retest_job_id'])
        .where('id', '=', request.params.id)
        .executeTakeFirstOrThrow();
      return reply.code(202).send({ id: item.id, state: item.state, retestJobId: item.retest_job_id });
    },
  );

  api.get(
    '/regulator/removal-orders',
    {
      schema: {
        tags: ['regulator'],
        summary: 'Removal orders, newest first',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
      },
    },
    async (request) => {
      const org = scopeOrg(principalOf(request));
      const limit = request.query.limit ?? 50;
      let query = db
        .selectFrom('reg_removal_orders')
        .innerJoin('reg_bulletins', 'reg_bulletins.id', 'reg_removal_orders.bulletin_id')
        .selectAll('reg_removal_orders');
      if (org !== null) query = query.where('reg_bulletins.org_id', '=', org);
      if (request.query.cursor) query = query.where('reg_removal_orders.id', '<', request.query.cursor);
      const rows = await query
        .orderBy('reg_removal_orders.id', 'desc')
        .limit(limit + 1)
        .execute();
      return page(rows, limit, (o) => ({
        id: o.id,
        bulletinId: o.bulletin_id,
        itemId: o.item_id,
        packageName: o.package_name,
        signerSha256: o.signer_sha256,
        sdkPrefixes: parseList(o.sdk_prefixes),
        domains: parseList(o.domains),
        ips: parseList(o.ips),
        legalBasis: o.legal_basis,
        validUntil: o.valid_until,
        issuedAt: o.issued_at,
      }));
    },
  );

  // ── Delisting tasks (stores) ─────────────────────────────────────────────────────────────────
  // A store sees its own tasks; the regulator (and the platform admin) every store's.
  const taskScope = (p: ReturnType<typeof principalOf>) => (p.role === 'regulator' || p.role === 'platform-admin' ? null : p.orgId);
  api.get(
    '/delisting-tasks',
    {
      schema: {
        tags: ['regulator'],
        summary: 'Delisting tasks of removal orders (a store sees its own)',
        querystring: Type.Object(
          { ...PageQuery, state: Type.Optional(Type.Union([Type.Literal('open'), Type.Literal('done')])) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const store = taskScope(principalOf(request));
      const limit = request.query.limit ?? 50;
      const { state, cursor } = request.query;
      const rows = await listDelistingTasks(db, store, { state, cursor, limit });
      return page(rows, limit, (t) => ({
        id: t.id,
        orderId: t.order_id,
        listingId: t.listing_id,
        storeId: t.store_id,
        packageName: t.package_name,
        legalBasis: t.legal_basis,
        state: t.state,
        createdAt: t.created_at,
        doneAt: t.done_at,
      }));
    },
  );

  api.post(
    '/delisting-tasks/:id/done',
    { schema: { tags: ['regulator'], summary: 'The store has delisted the app: the listing becomes delisted; audited', params: IdParams } },
    async (request) => {
      const p = principalOf(request);
      const now = platform.clock.now();
      await guarded(() =>
        completeDelisting(
          db,
          request.params.id,
          p.role === 'platform-admin' ? null : p.orgId,
          { userId: p.userId, orgId: p.orgId, ip: request.ip },
          now,
        ),
      );
      return { id: request.params.id, state: 'done', doneAt: now };
    },
  );

  // ── Public bulletins ─────────────────────────────────────────────────────────────────────────
  api.get(
    '/public/bulletins',
    {
      schema: {
        tags: ['public'],
        summary: 'Published bulletins, newest first (anonymous; ETag, cacheable)',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
      },
    },
    async (request, reply) => {
      const limit = request.query.limit ?? 50;
      let query = db.selectFrom('reg_bulletins').selectAll().where('state', '=', 'published');
      if (request.query.cursor) query = query.where('id', '<', request.query.cursor);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return sendCached(request, reply, JSON.stringify(page(rows, limit, bulletinSummary)), 'application/json; charset=utf-8');
    },
  );

  api.get(
    '/public/bulletins/:id',
    { schema: { tags: ['public'], summary: 'A published bulletin with its apps, measure, evidence and deadline', params: IdParams } },
    async (request, reply) => {
      const id = await publishedBulletinId(db, request.params.id);
      if (!id) throw problem('not-found', `no published bulletin ${request.params.id}`);
      return sendCached(request, reply, JSON.stringify(await bulletinView(db, id, true)), 'application/json; charset=utf-8');
    },
  );

  // ── Rankings ─────────────────────────────────────────────────────────────────────────────────
  api.post(
    '/regulator/rankings/recompute',
    { schema: { tags: ['regulator'], summary: 'Recompute every ranking over the whole database (a stored snapshot)' } },
    async (request) => recomputeAudited(platform, principalOf(request), request.ip),
  );

  const snapshotOr404 = async () => {
    const s = await latestRankings(db);
    if (!s) throw problem('not-found', 'no ranking has been computed yet / 尚未生成排名');
    return s;
  };
  api.get(
    '/public/rankings',
    {
      schema: {
        tags: ['public'],
        summary: 'The newest rankings (by store, developer, category or measure) as JSON',
        querystring: DimensionQuery,
      },
    },
    async (request, reply) => {
      const s = await snapshotOr404();
      const dimension = request.query.dimension ?? 'store';
      const body = { id: s.id, computedAt: s.computedAt, definitions: s.definitions, dimension, items: s.rankings[dimension] };
      return sendCached(request, reply, JSON.stringify(body), 'application/json; charset=utf-8');
    },
  );
  api.get(
    '/public/rankings.csv',
    {
      schema: {
        tags: ['public'],
        summary: 'The newest rankings as CSV (RFC 4180, header row, formula-safe cells)',
        querystring: DimensionQuery,
      },
    },
    async (request, reply) => {
      const s = await snapshotOr404();
      const dimension = request.query.dimension ?? 'store';
      reply.header('content-disposition', `attachment; filename="rankings-${dimension}.csv"`);
      return sendCached(request, reply, rankingsCsv(s.rankings[dimension]), 'text/csv; charset=utf-8; header=present');
    },
  );

  // ── Developer credit and appeals ─────────────────────────────────────────────────────────────
  api.get(
    '/credit/:id',
    {
      schema: {
        tags: ['regulator'],
        summary: 'A developer organisation’s credit: score, level, every input with its weight, the risk prompt (zh/en)',
        params: IdParams,
      },
    },
    async (request) => {
      const p = principalOf(request);
      // A developer sees its own organisation's credit only (another's is 404, as if absent).
      if (p.role === 'developer' && p.orgId !== request.params.id) throw problem('not-found', `no developer ${request.params.id}`);
      const org = await db
        .selectFrom('organisations')
        .select(['id', 'kind', 'name'])
        .where('id', '=', request.params.id)
        .executeTakeFirst();
      if (!org || org.kind !== 'developer') throw problem('not-found', `no developer ${request.params.id}`);
      return { name: org.name, ...(await developerCredit(db, org.id, platform.clock.now())) };
    },
  );

  api.get(
    '/public/developers/:id/risk-prompt',
    {
      schema: {
        tags: ['public'],
        summary: 'The risk prompt (zh/en) an app page shows for its developer: level and text only, anonymous, cacheable',
        params: IdParams,
      },
    },
    async (request, reply) => {
      const org = await db.selectFrom('organisations').select(['id', 'kind']).where('id', '=', request.params.id).executeTakeFirst();
      if (!org || org.kind !== 'developer') throw problem('not-found', `no developer ${request.params.id}`);
      const credit = await developerCredit(db, org.id, platform.clock.now());
      const body = { developerOrgId: org.id, formula: credit.formula, level: credit.level, prompt: credit.prompt };
      return sendCached(request, reply, JSON.stringify(body), 'application/json; charset=utf-8');
    },
  );

  api.post(
    '/credit/appeals',
    {
      schema: {
        tags: ['regulator'],
        summary: 'A developer appeals its credit or a bulletin item (subject: "credit" or the item id)',
        body: Type.Object(
          {
            subject: Type.String({ pattern: `^(credit|[0-9A-HJKMNP-TV-Z]{26})$` }),
            text: ShortText(8000),
            developerOrgId: Type.Optional(
              Type.String({ pattern: ID_PATTERN, description: 'platform admin only: the developer filed for' }),
            ),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const now = platform.clock.now();
      const { subject, text } = request.body;
      let developerOrgId = p.orgId;
      if (p.role === 'platform-admin') {
        const named = request.body.developerOrgId
          ? await db
              .selectFrom('organisations')
              .select('id')
              .where('id', '=', request.body.developerOrgId)
              .where('kind', '=', 'developer')
              .executeTakeFirst()
          : undefined;
        if (!named)
          throw problem('bad-request', 'name the developer organisation you file for / 请指明代为申诉的开发者组织', {
            errors: [{ pointer: '/developerOrgId', message: 'names no developer organisation' }],
          });
        developerOrgId = named.id;
      } else if (request.body.developerOrgId !== undefined && request.body.developerOrgId !== p.orgId) {
        throw problem('bad-request', 'a developer files for its own organisation / 开发者只能为本组织申诉', {
          errors: [{ pointer: '/developerOrgId', message: 'is not your organisation' }],
        });
      }
      if (subject !== 'credit') {
        const item = await db
          .selectFrom('reg_bulletin_items')
          .select('id')
          .where('id', '=', subject)
          .where('developer_org_id', '=', developerOrgId)
          .executeTakeFirst();
        if (!item)
          throw problem('bad-request', `no bulletin item ${subject} of your organisation`, {
            errors: [{ pointer: '/subject', message: 'names no item of your organisation' }],
          });
      }
      const id = newId(now);
      await db.transaction().execute(async (trx) => {
        await trx
          .insertInto('reg_credit_appeals')
          .values({
            id,
            developer_org_id: developerOrgId,
            subject,
            text,
            state: 'filed',
            decision_note: null,
            decided_by: null,
            decided_at: null,
            created_by: p.userId,
            created_at: now,
          })
          .execute();
        await writeAudit(
          trx,
          { userId: p.userId, orgId: p.orgId, ip: request.ip, action: 'regulator.appeal.file', subject: id, detail: { subject } },
          now,
        );
      });
      return reply.code(201).send({ id, subject, text, state: 'filed', createdAt: now });
    },
  );

  api.get(
    '/credit/appeals',
    {
      schema: {
        tags: ['regulator'],
        summary: 'Appeals (a developer sees its own)',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
      },
    },
    async (request) => {
      const p = principalOf(request);
      const limit = request.query.limit ?? 50;
      let query = db.selectFrom('reg_credit_appeals').selectAll();
      if (p.role === 'developer') query = query.where('developer_org_id', '=', p.orgId);
      if (request.query.cursor) query = query.where('id', '<', request.query.cursor);
      const rows = await query
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return page(rows, limit, appealView);
    },
  );

  api.post(
    '/credit/appeals/:id/decide',
    {
      schema: {
        tags: ['regulator'],
        summary:
          'The regulator upholds or rejects an appeal (an upheld appeal on a bulletin item removes it from the credit inputs); audited',
        params: IdParams,
        body: Type.Object(
          { decision: Type.Union([Type.Literal('uphold'), Type.Literal('reject')]), note: ShortText(4000) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const p = principalOf(request);
      const now = platform.clock.now();
      const state = request.body.decision === 'uphold' ? 'upheld' : 'rejected';
      return db.transaction().execute(async (trx) => {
        const appeal = await trx.selectFrom('reg_credit_appeals').selectAll().where('id', '=', request.params.id).executeTakeFirst();
        if (!appeal) throw problem('not-found', `no appeal ${request.params.id}`);
        const moved = await trx
          .updateTable('reg_credit_appeals')
          .set({ state, decision_note: request.body.note, decided_by: p.userId, decided_at: now })
          .where('id', '=', appeal.id)
          .where('state', '=', 'filed')
          .executeTakeFirst();
        if (Number(moved.numUpdatedRows) !== 1) throw problem('conflict', `the appeal is already ${appeal.state} / 该申诉已处理`);
        await notify(
          trx,
          {
            orgId: appeal.developer_org_id,
            topic: 'appeal.decided',
            subject: appeal.id,
            en: `Your appeal was ${state}: ${request.body.note}`,
            zh: `您的申诉${state === 'upheld' ? '已获支持' : '未获支持'}：${request.body.note}`,
          },
          now,
        );
        await writeAudit(
          trx,
          {
            userId: p.userId,
            orgId: p.orgId,
            ip: request.ip,
            action: `regulator.appeal.${state}`,
            subject: appeal.id,
            detail: { note: request.body.note },
          },
          now,
        );
        return appealView({ ...appeal, state, decision_note: request.body.note, decided_at: now });
      });
    },
  );
}

function appealView(a: {
  id: string;
  developer_org_id: string;
  subject: string;
  text: string;
  state: string;
  decision_note: string | null;
  decided_at: number | null;
  created_at: number;
}) {
  return {
    id: a.id,
    developerOrgId: a.developer_org_id,
    subject: a.subject,
    text: a.text,
    state: a.state,
    decisionNote: a.decision_note,
    decidedAt: a.decided_at,
    createdAt: a.created_at,
  };
}
