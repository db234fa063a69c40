import { Type, type Static } from 'typebox';
import { writeAudit } from '../../admin.js';
import type { Actor } from '../../http/access.js';
import type { Principal } from '../../http/auth.js';
import { EVERYONE } from '../../http/access.js';
import type { Api, AppContext } from '../../http/context.js';
import { problem, type FieldError } from '../../http/problems.js';
import { IdParams, PageQuery, page, principalOf } from '../../http/routes/common.js';
import type { Platform } from '../../platform.js';
import type { PlatformEvent, WorkflowModule } from '../module.js';
import { ackWindowMs, createOrder, FEED_FORMAT, orderView, type OrderView } from './orders.js';
import { KEY_ID_HEADER, SIGNATURE_HEADER, signBody, signingKey, type SigningKey } from './signing.js';
import { etagOf, notModified } from '../../http/public-cache.js';
import { checkTargets, readTime, targetCount, type TargetKind } from './targets.js';
import type { Transaction } from 'kysely';
import type { Database } from '../../db/schema.js';

// Stop-access orders (停止接入) and the signed feed access providers (接入服务提供者) poll. Orders
// come from a regulator through the API or from a removal order (the regulator workflow's
// 'removal-order.issued' event). Each order is one feed entry with a gapless sequence number;
// providers read `?since=` their last number, verify the page's Ed25519 signature, and acknowledge;
// an acknowledgement later than the window (24 h by default) is shown to the regulator.

const REGULATORS: readonly Actor[] = ['platform-admin', 'regulator'];
const FEED_READERS: readonly Actor[] = ['platform-admin', 'regulator', 'access-provider'];
const PROVIDERS: readonly Actor[] = ['access-provider'];

const MAX_LEGAL_BASIS = 2000;
const TargetList = Type.Optional(Type.Array(Type.String({ maxLength: 300 }), { maxItems: 1000 }));
const Time = Type.Union([
  Type.Integer({ minimum: 0, description: 'epoch milliseconds' }),
  Type.String({ maxLength: 40, description: 'ISO 8601' }),
]);

export const OrderBody = Type.Object(
  {
    packageNames: TargetList,
    signerSha256: TargetList,
    sdkPrefixes: TargetList,
    domains: TargetList,
    ips: TargetList,
    legalBasis: Type.String({ minLength: 1, maxLength: MAX_LEGAL_BASIS, description: 'the decision and the rule it rests on' }),
    validFrom: Type.Optional(Time),
    validUntil: Type.Optional(Type.Union([Time, Type.Null()])),
  },
  { additionalProperties: false },
);

/** The key as GET /stop-access/public-key answers it. */
export function publicKeyView(key: SigningKey) {
  return {
    algorithm: 'Ed25519',
    keyId: key.keyId,
    publicKeyPem: key.publicPem,
    publicKeyRaw: key.publicRaw,
    createdAt: key.createdAt,
    signatureHeader: `${SIGNATURE_HEADER}: ed25519=<base64 signature over the exact response body bytes>`,
    keyIdHeader: KEY_ID_HEADER,
  };
}

/** Sends `body` as is, signed, with its ETag; 304 when the client has it. */
export async function sendSigned(
  platform: Platform,
  request: { headers: Record<string, string | string[] | undefined> },
  reply: import('fastify').FastifyReply,
  body: Buffer,
  cacheControl: string,
) {
  const key = await signingKey(platform.store.db, platform.clock.now());
  const etag = etagOf(body);
  reply.header('etag', etag).header('cache-control', cacheControl).header(KEY_ID_HEADER, key.keyId);
  const inm = request.headers['if-none-match'];
  if (notModified(inm, etag)) return reply.code(304).send();
  return reply.header(SIGNATURE_HEADER, signBody(key, body)).type('application/json; charset=utf-8').send(body);
}

/** A regulator's stop-access order (REST body or console form): checked targets and times, then the order and its feed entry. */
export async function issueOrder(platform: Platform, p: Principal, body: Static<typeof OrderBody>): Promise<OrderView> {
  const db = platform.store.db;
  const { targets, errors } = checkTargets(body);
  const now = platform.clock.now();
  const validFrom = readTime(body.validFrom) ?? now;
  const validUntil = body.validUntil === null ? null : (readTime(body.validUntil) ?? null);
  if (Number.isNaN(validFrom)) errors.push({ pointer: '/validFrom', message: 'is not a time / 不是有效时间' });
  if (validUntil !== null && Number.isNaN(validUntil)) errors.push({ pointer: '/validUntil', message: 'is not a time / 不是有效时间' });
  else if (validUntil !== null && !Number.isNaN(validFrom) && validUntil <= validFrom)
    errors.push({ pointer: '/validUntil', message: 'must be after validFrom / 须晚于 validFrom' });
  if (!body.legalBasis.trim()) errors.push({ pointer: '/legalBasis', message: 'is empty / 不能为空' });
  if (errors.length === 0 && targetCount(targets) === 0)
    errors.push({ pointer: '/packageNames', message: 'an order names at least one target / 决定至少须列出一个对象' });
  if (errors.length > 0) throw badTargets(errors);
  const order = await db.transaction().execute((trx) =>
    createOrder(
      trx,
      {
        targets,
        legalBasis: body.legalBasis.trim(),
        validFrom,
        validUntil,
        regulatorOrgId: p.orgId,
        source: 'api',
        removalOrderId: null,
        createdBy: p.userId,
      },
      now,
      platform.config,
    ),
  );
  return order;
}

/** An access provider acknowledges feed entries; the first acknowledgement of each counts (late after the window). */
export async function acknowledgeEntries(platform: Platform, p: Principal, input: number[]) {
  const db = platform.store.db;
  const seqs = [...new Set(input)];
  const now = platform.clock.now();
  const window = ackWindowMs(platform.config);
  const entries = await db.selectFrom('stop_access_feed').select(['seq', 'created_at']).where('seq', 'in', seqs).execute();
  const known = new Map(entries.map((e) => [Number(e.seq), e.created_at]));
  const errors: FieldError[] = [];
  input.forEach((s, i) => {
    if (!known.has(s)) errors.push({ pointer: `/seqs/${i}`, message: `no feed entry ${s} / 没有条目 ${s}` });
  });
  if (errors.length) throw problem('bad-request', errors.map((e) => `${e.pointer} ${e.message}`).join('; '), { errors });
  const acked = await db.transaction().execute(async (trx) => {
    const out: { seq: number; ackedAt: number; late: boolean }[] = [];
    for (const seq of seqs) {
      const late = now > known.get(seq)! + window ? 1 : 0;
      // The first acknowledgement counts; a repeat changes nothing.
      await trx
        .insertInto('stop_access_acks')
        .values({ provider_org_id: p.orgId, seq, acked_at: now, acked_by: p.userId, late })
        .onConflict((oc) => oc.columns(['provider_org_id', 'seq']).doNothing())
        .execute();
      const row = await trx
        .selectFrom('stop_access_acks')
        .select(['acked_at', 'late'])
        .where('provider_org_id', '=', p.orgId)
        .where('seq', '=', seq)
        .executeTakeFirstOrThrow();
      out.push({ seq, ackedAt: row.acked_at, late: row.late === 1 });
    }
    await writeAudit(trx, { userId: p.userId, orgId: p.orgId, action: 'stop-access.ack', detail: { acked: out } }, now);
    return out;
  });
  return { acknowledged: acked, windowMs: window };
}

/** Late acknowledgements, and entries still unacknowledged past the window, per access provider (newest first). */
export async function overdueAcknowledgements(platform: Platform, limit: number, providerOrgId: string | null = null) {
  const db = platform.store.db;
  const now = platform.clock.now();
  const window = ackWindowMs(platform.config);
  // One provider's own (its console screen), or every provider's (the regulator).
  let lateQuery = db
    .selectFrom('stop_access_acks as a')
    .innerJoin('stop_access_feed as f', 'f.seq', 'a.seq')
    .innerJoin('organisations as o', 'o.id', 'a.provider_org_id')
    .select(['a.seq', 'a.acked_at', 'f.created_at', 'f.order_id', 'o.id as org_id', 'o.name'])
    .where('a.late', '=', 1);
  if (providerOrgId !== null) lateQuery = lateQuery.where('o.id', '=', providerOrgId);
  const late = await lateQuery.orderBy('a.seq', 'desc').limit(limit).execute();
  // An entry is owed by every provider that existed when it was published.
  let missingQuery = db
    .selectFrom(['stop_access_feed as f', 'organisations as o'])
    .select(['f.seq', 'f.created_at', 'f.order_id', 'o.id as org_id', 'o.name'])
    .where('o.kind', '=', 'access-provider');
  if (providerOrgId !== null) missingQuery = missingQuery.where('o.id', '=', providerOrgId);
  const missing = await missingQuery
    .whereRef('o.created_at', '<=', 'f.created_at')
    .where('f.created_at', '<', now - window)
    .where(({ not, exists, selectFrom }) =>
      not(
        exists(
          selectFrom('stop_access_acks as a').select('a.seq').whereRef('a.seq', '=', 'f.seq').whereRef('a.provider_org_id', '=', 'o.id'),
        ),
      ),
    )
    .orderBy('f.seq', 'desc')
    .limit(limit)
    .execute();
  const item = (r: { seq: number; created_at: number; order_id: string; org_id: string; name: string }, ackedAt: number | null) => ({
    providerOrganisationId: r.org_id,
    providerName: r.name,
    seq: Number(r.seq),
    orderId: r.order_id,
    publishedAt: r.created_at,
    dueAt: r.created_at + window,
    ackedAt,
    overdueMs: (ackedAt ?? now) - (r.created_at + window),
  });
  return {
    windowMs: window,
    lateAcknowledgements: late.map((r) => item(r, r.acked_at)),
    unacknowledged: missing.map((r) => item(r, null)),
  };
}

function stopAccessRoutes(api: Api, { platform }: AppContext): void {
  const db = platform.store.db;

  api.post(
    '/stop-access/orders',
    {
      schema: {
        tags: ['stop-access'],
        summary: 'Issue a stop-access order (a feed entry for access providers)',
        body: OrderBody,
      },
    },
    async (request, reply) => {
      const order = await issueOrder(platform, principalOf(request), request.body);
      return reply.code(201).header('location', `/api/v1/stop-access/orders/${order.id}`).send(order);
    },
  );

  api.get(
    '/stop-access/orders',
    {
      schema: {
        tags: ['stop-access'],
        summary: 'Stop-access orders, newest first',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
      },
    },
    async (request) => {
      const limit = request.query.limit ?? 50;
      let q = db
        .selectFrom('stop_access_orders as o')
        .leftJoin('stop_access_feed as f', 'f.order_id', 'o.id')
        .selectAll('o')
        .select('f.seq');
      if (request.query.cursor) q = q.where('o.id', '<', request.query.cursor);
      const rows = await q
        .orderBy('o.id', 'desc')
        .limit(limit + 1)
        .execute();
      return page(rows, limit, (r) => orderView(r, r.seq ?? null));
    },
  );

  api.get(
    '/stop-access/orders/:id',
    { schema: { tags: ['stop-access'], summary: 'A stop-access order and its acknowledgements', params: IdParams } },
    async (request) => {
      const row = await db
        .selectFrom('stop_access_orders as o')
        .leftJoin('stop_access_feed as f', 'f.order_id', 'o.id')
        .selectAll('o')
        .select('f.seq')
        .where('o.id', '=', request.params.id)
        .executeTakeFirst();
      if (!row) throw problem('not-found', `no stop-access order ${request.params.id}`);
      const acks =
        row.seq === null
          ? []
          : await db.selectFrom('stop_access_acks').selectAll().where('seq', '=', row.seq).orderBy('acked_at').limit(1000).execute();
      return {
        ...orderView(row, row.seq ?? null),
        acknowledgements: acks.map((a) => ({ providerOrganisationId: a.provider_org_id, ackedAt: a.acked_at, late: a.late === 1 })),
      };
    },
  );

  api.get(
    '/stop-access/feed',
    {
      schema: {
        tags: ['stop-access'],
        summary: 'The signed, append-only feed of stop-access entries after `since` (oldest first)',
        description:
          'The body is signed as sent: header `signature: ed25519=<base64>` over the exact body bytes, `signature-key-id` names the key (GET /api/v1/stop-access/public-key). Pass `next` as `since` for the next page.',
        querystring: Type.Object(
          {
            since: Type.Optional(Type.Integer({ minimum: 0, default: 0, description: 'the last sequence number already read' })),
            limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 100 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const since = request.query.since ?? 0;
      const limit = request.query.limit ?? 100;
      const rows = await db
        .selectFrom('stop_access_feed')
        .select(['seq', 'entry'])
        .where('seq', '>', since)
        .orderBy('seq')
        .limit(limit + 1)
        .execute();
      const more = rows.length > limit;
      const kept = more ? rows.slice(0, limit) : rows;
      const next = kept.length ? Number(kept[kept.length - 1]!.seq) : since;
      const key = await signingKey(db, platform.clock.now());
      // Entries are spliced in as stored: the bytes a provider verifies never depend on a re-serialisation.
      const text =
        `{"format":${JSON.stringify(FEED_FORMAT)},"keyId":${JSON.stringify(key.keyId)},"since":${since},"next":${next},"more":${more},` +
        `"entries":[${kept.map((r) => r.entry).join(',')}]}`;
      return sendSigned(platform, request, reply, Buffer.from(text, 'utf8'), 'private, no-cache');
    },
  );

  api.post(
    '/stop-access/acks',
    {
      schema: {
        tags: ['stop-access'],
        summary: 'Acknowledge feed entries (the provider has applied them)',
        body: Type.Object(
          { seqs: Type.Array(Type.Integer({ minimum: 1 }), { minItems: 1, maxItems: 500 }) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => acknowledgeEntries(platform, principalOf(request), request.body.seqs),
  );

  api.get(
    '/stop-access/overdue',
    {
      schema: {
        tags: ['stop-access'],
        summary: 'Late acknowledgements, and entries still unacknowledged past the window, per access provider',
        querystring: Type.Object(
          { limit: Type.Optional(Type.Integer({ minimum: 1, maximum: 1000, default: 200 })) },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => overdueAcknowledgements(platform, request.query.limit ?? 200),
  );

  api.get(
    '/stop-access/public-key',
    {
      schema: {
        tags: ['stop-access'],
        summary: 'The Ed25519 public key that signs feed pages and verdicts',
        security: [],
      },
    },
    async (request, reply) => {
      const key = await signingKey(db, platform.clock.now());
      const body = Buffer.from(JSON.stringify(publicKeyView(key)), 'utf8');
      const etag = etagOf(body);
      reply.header('etag', etag).header('cache-control', 'public, max-age=3600');
      const inm = request.headers['if-none-match'];
      if (notModified(inm, etag)) return reply.code(304).send();
      return reply.type('application/json; charset=utf-8').send(body);
    },
  );
}

function badTargets(errors: FieldError[]) {
  return problem('bad-request', errors.map((e) => `${e.pointer} ${e.message}`).join('; '), { errors: errors.slice(0, 50) });
}

/** A removal order from the regulator workflow becomes a stop-access order, with whatever of it is valid. */
async function onRemovalOrder(platform: Platform, event: PlatformEvent, trx: Transaction<Database>): Promise<void> {
  const payload = (event.payload && typeof event.payload === 'object' ? event.payload : {}) as Record<string, unknown>;
  const now = platform.clock.now();
  // The event's payload is the regulator's RemovalOrderPayload: its removal order is `orderId`.
  const named = payload.orderId;
  const removalOrderId = typeof named === 'string' && named.length <= 100 ? named : null;
  if (removalOrderId) {
    const existing = await trx
      .selectFrom('stop_access_orders')
      .select('id')
      .where('removal_order_id', '=', removalOrderId)
      .executeTakeFirst();
    if (existing) return;
  }
  const input: Partial<Record<TargetKind, unknown>> = {
    packageNames: payload.packageNames ?? payload.packageName,
    signerSha256: payload.signerSha256,
    sdkPrefixes: payload.sdkPrefixes,
    domains: payload.domains,
    ips: payload.ips,
  };
  const { targets, errors } = checkTargets(input, '');
  const validUntil = readTime(payload.validUntil);
  const validFrom = readTime(payload.validFrom);
  const regulatorOrgId =
    typeof payload.regulatorOrgId === 'string'
      ? ((await trx.selectFrom('organisations').select('id').where('id', '=', payload.regulatorOrgId).executeTakeFirst())?.id ?? null)
      : null;
  if (targetCount(targets) === 0) {
    // Nothing an access provider could act on: recorded for the regulator, not retried for ever.
    await writeAudit(
      trx,
      { orgId: regulatorOrgId, action: 'stop-access.order-refused', subject: removalOrderId, detail: { eventId: event.id, errors } },
      now,
    );
    return;
  }
  const legalBasis =
    typeof payload.legalBasis === 'string' && payload.legalBasis.trim()
      ? payload.legalBasis.trim().slice(0, MAX_LEGAL_BASIS)
      : `Removal order ${removalOrderId ?? event.id} / 下架决定 ${removalOrderId ?? event.id}`;
  await createOrder(
    trx,
    {
      targets,
      legalBasis,
      validFrom: validFrom !== undefined && !Number.isNaN(validFrom) ? validFrom : now,
      validUntil: validUntil !== undefined && !Number.isNaN(validUntil) ? validUntil : null,
      regulatorOrgId,
      source: 'removal-order',
      removalOrderId,
      createdBy: null,
    },
    now,
    platform.config,
  );
  if (errors.length)
    await writeAudit(
      trx,
      {
        orgId: regulatorOrgId,
        action: 'stop-access.order-partial',
        subject: removalOrderId,
        detail: { eventId: event.id, skipped: errors },
      },
      now,
    );
}

export const stopAccessWorkflow: WorkflowModule = {
  name: 'stop-access',
  access: {
    'POST /api/v1/stop-access/orders': { roles: REGULATORS, scope: 'own-organisation' },
    'GET /api/v1/stop-access/orders': { roles: REGULATORS, scope: 'own-organisation' },
    'GET /api/v1/stop-access/orders/:id': { roles: REGULATORS, scope: 'own-organisation' },
    'GET /api/v1/stop-access/feed': { roles: FEED_READERS, scope: 'own-organisation' },
    'POST /api/v1/stop-access/acks': { roles: PROVIDERS, scope: 'own-organisation' },
    'GET /api/v1/stop-access/overdue': { roles: REGULATORS, scope: 'own-organisation' },
    'GET /api/v1/stop-access/public-key': { roles: EVERYONE, scope: 'public' },
  },
  routes: stopAccessRoutes,
  on: { 'removal-order.issued': onRemovalOrder },
};
