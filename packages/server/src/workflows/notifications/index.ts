import { randomBytes } from 'node:crypto';
import { isIP } from 'node:net';
import type { Kysely, Transaction } from 'kysely';
import { Type } from 'typebox';
import { writeAudit } from '../../admin.js';
import type { Database } from '../../db/schema.js';
import { SIGNED_IN } from '../../http/access.js';
import type { Api, AppContext } from '../../http/context.js';
import { problem } from '../../http/problems.js';
import { IdParams, PageQuery, page, parseJson, principalOf } from '../../http/routes/common.js';
import { newId } from '../../ids.js';
import { checkOutgoingUrl, isPrivateAddress, type FetchRefused } from '../../jobs/fetch.js';
import type { Platform } from '../../platform.js';
import type { PlatformEvent, WorkflowModule } from '../module.js';
import { deliverDue } from './deliver.js';

// Notifications: every workflow writes an organisation's inbox row and a 'notification.created'
// event (../notify.ts). This workflow serves the inbox (own organisation only, newest first, mark
// read) and delivers each notification to the organisation's webhooks: one delivery row per
// webhook, POSTed with an HMAC-SHA256 signature by a scheduled task (./deliver.ts).

const MAX_WEBHOOKS_PER_ORG = 10;
const TOPIC = '^[a-z0-9][a-z0-9.-]{0,63}$';

/** An organisation's notifications newest first (limit + 1 rows); `due`: only those with a deadline. */
export function listNotifications(
  db: Kysely<Database>,
  orgId: string,
  options: { unread?: boolean | undefined; due?: boolean | undefined; cursor?: string | undefined; limit: number },
) {
  let q = db.selectFrom('notifications').selectAll().where('org_id', '=', orgId);
  if (options.unread) q = q.where('read_at', 'is', null);
  if (options.due) q = q.where('due_at', 'is not', null);
  if (options.cursor) q = q.where('id', '<', options.cursor);
  return q
    .orderBy('id', 'desc')
    .limit(options.limit + 1)
    .execute();
}

const notificationView = (n: NotificationRow) => ({
  id: n.id,
  topic: n.topic,
  subject: n.subject,
  title: { en: n.title_en, zh: n.title_zh },
  detail: parseJson(n.detail),
  dueAt: n.due_at,
  createdAt: n.created_at,
  readAt: n.read_at,
});

interface NotificationRow {
  id: string;
  topic: string;
  subject: string | null;
  title_en: string;
  title_zh: string;
  detail: string;
  due_at: number | null;
  created_at: number;
  read_at: number | null;
}

interface WebhookRow {
  id: string;
  url: string;
  topics: string | null;
  created_at: number;
  disabled_at: number | null;
}

const webhookView = (w: WebhookRow) => ({
  id: w.id,
  url: w.url,
  topics: parseJson(w.topics) as string[] | null,
  createdAt: w.created_at,
  disabledAt: w.disabled_at,
});

/** The webhook URL's checks at registration (the address is checked again at every connection). */
function checkWebhookUrl(input: string, allowPrivate: boolean): string {
  let url: URL;
  try {
    url = checkOutgoingUrl(input);
  } catch (error) {
    const e = error as FetchRefused;
    throw problem('bad-request', `${e.message} / ${e.zh ?? ''}`, { errors: [{ pointer: '/url', message: e.message }] });
  }
  const host = url.hostname.replace(/^\[|\]$/g, '').toLowerCase();
  const local = host === 'localhost' || host.endsWith('.localhost') || (isIP(host) !== 0 && isPrivateAddress(host));
  if (local && !allowPrivate)
    throw problem('bad-request', `${host} is a private, loopback or link-local address / ${host} 属于内网、回环或链路本地地址`, {
      errors: [{ pointer: '/url', message: 'private, loopback or link-local addresses are refused' }],
    });
  url.hash = '';
  return url.href;
}

function notificationRoutes(api: Api, { platform }: AppContext): void {
  const db = platform.store.db;

  api.get(
    '/notifications',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Your organisation’s notifications, newest first',
        querystring: Type.Object(
          {
            ...PageQuery,
            unread: Type.Optional(Type.Boolean()),
            due: Type.Optional(Type.Boolean({ description: 'only those with a deadline (rectification, answer due)' })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request) => {
      const p = principalOf(request);
      const limit = request.query.limit ?? 50;
      // The inbox is the caller's own organisation, the platform admin's included.
      const { unread, due, cursor } = request.query;
      const rows = await listNotifications(db, p.orgId, { unread, due, cursor, limit });
      return page(rows, limit, notificationView);
    },
  );

  api.post(
    '/notifications/:id/read',
    { schema: { tags: ['notifications'], summary: 'Mark a notification read', params: IdParams } },
    async (request) => {
      const p = principalOf(request);
      const now = platform.clock.now();
      const row = await db
        .selectFrom('notifications')
        .selectAll()
        .where('id', '=', request.params.id)
        .where('org_id', '=', p.orgId)
        .executeTakeFirst();
      if (!row) throw problem('not-found', `no notification ${request.params.id}`);
      if (row.read_at === null) {
        await db.updateTable('notifications').set({ read_at: now }).where('id', '=', row.id).where('read_at', 'is', null).execute();
        row.read_at = now;
      }
      return notificationView(row);
    },
  );

  api.post(
    '/webhooks',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Register a webhook for your organisation’s notifications (the secret is shown once)',
        body: Type.Object(
          {
            url: Type.String({ minLength: 1, maxLength: 2000 }),
            topics: Type.Optional(Type.Array(Type.String({ pattern: TOPIC }), { minItems: 1, maxItems: 50 })),
          },
          { additionalProperties: false },
        ),
      },
    },
    async (request, reply) => {
      const p = principalOf(request);
      const url = checkWebhookUrl(request.body.url, platform.config.allowPrivateFetch);
      const now = platform.clock.now();
      const secret = `whsec_${randomBytes(24).toString('base64url')}`;
      const id = newId(now);
      const topics = request.body.topics ? JSON.stringify([...new Set(request.body.topics)]) : null;
      await db.transaction().execute(async (trx) => {
        const count = await trx
          .selectFrom('webhooks')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .where('org_id', '=', p.orgId)
          .where('disabled_at', 'is', null)
          .executeTakeFirstOrThrow();
        if (Number(count.n) >= MAX_WEBHOOKS_PER_ORG)
          throw problem(
            'conflict',
            `at most ${MAX_WEBHOOKS_PER_ORG} webhooks per organisation / 每个组织最多 ${MAX_WEBHOOKS_PER_ORG} 个 Webhook`,
          );
        await trx
          .insertInto('webhooks')
          .values({ id, org_id: p.orgId, url, secret, topics, created_by: p.userId, created_at: now, disabled_at: null })
          .execute();
        await writeAudit(trx, { userId: p.userId, orgId: p.orgId, action: 'webhook.create', subject: id, detail: { url, topics } }, now);
      });
      return reply
        .code(201)
        .header('location', `/api/v1/webhooks/${id}`)
        .send({ ...webhookView({ id, url, topics, created_at: now, disabled_at: null }), secret });
    },
  );

  api.get(
    '/webhooks',
    {
      schema: {
        tags: ['notifications'],
        summary: 'Your organisation’s webhooks (without their secrets)',
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
      },
    },
    async (request) => {
      const p = principalOf(request);
      const limit = request.query.limit ?? 50;
      let q = db.selectFrom('webhooks').select(['id', 'url', 'topics', 'created_at', 'disabled_at']).where('org_id', '=', p.orgId);
      if (request.query.cursor) q = q.where('id', '<', request.query.cursor);
      const rows = await q
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return page(rows, limit, webhookView);
    },
  );

  const findHook = async (id: string, orgId: string) => {
    const hook = await db
      .selectFrom('webhooks')
      .select(['id', 'url', 'topics', 'created_at', 'disabled_at'])
      .where('id', '=', id)
      .where('org_id', '=', orgId)
      .executeTakeFirst();
    if (!hook) throw problem('not-found', `no webhook ${id}`);
    return hook;
  };

  api.delete(
    '/webhooks/:id',
    { schema: { tags: ['notifications'], summary: 'Remove a webhook (pending deliveries are dead-lettered)', params: IdParams } },
    async (request, reply) => {
      const p = principalOf(request);
      const hook = await findHook(request.params.id, p.orgId);
      const now = platform.clock.now();
      if (hook.disabled_at === null)
        await db.transaction().execute(async (trx) => {
          await trx.updateTable('webhooks').set({ disabled_at: now }).where('id', '=', hook.id).execute();
          await writeAudit(trx, { userId: p.userId, orgId: p.orgId, action: 'webhook.remove', subject: hook.id }, now);
        });
      return reply.code(204).send();
    },
  );

  api.get(
    '/webhooks/:id/deliveries',
    {
      schema: {
        tags: ['notifications'],
        summary: 'A webhook’s deliveries, newest first (pending, delivered, dead)',
        params: IdParams,
        querystring: Type.Object(PageQuery, { additionalProperties: false }),
      },
    },
    async (request) => {
      const p = principalOf(request);
      const hook = await findHook(request.params.id, p.orgId);
      const limit = request.query.limit ?? 50;
      let q = db.selectFrom('webhook_deliveries').selectAll().where('webhook_id', '=', hook.id);
      if (request.query.cursor) q = q.where('id', '<', request.query.cursor);
      const rows = await q
        .orderBy('id', 'desc')
        .limit(limit + 1)
        .execute();
      return page(rows, limit, (d) => ({
        id: d.id,
        notificationId: d.notification_id,
        state: d.state,
        attempts: d.attempts,
        nextAttemptAt: d.state === 'pending' ? d.next_at : null,
        lastStatus: d.last_status,
        lastError: d.last_error,
        createdAt: d.created_at,
        deliveredAt: d.delivered_at,
      }));
    },
  );
}

/** A notification → one delivery per active webhook of its organisation whose topics admit it. */
async function onNotification(platform: Platform, event: PlatformEvent, trx: Transaction<Database>): Promise<void> {
  const payload = (event.payload ?? {}) as { notificationId?: unknown };
  if (typeof payload.notificationId !== 'string') return;
  const note = await trx
    .selectFrom('notifications')
    .select(['id', 'org_id', 'topic'])
    .where('id', '=', payload.notificationId)
    .executeTakeFirst();
  if (!note) return;
  const hooks = await trx
    .selectFrom('webhooks')
    .select(['id', 'topics'])
    .where('org_id', '=', note.org_id)
    .where('disabled_at', 'is', null)
    .execute();
  const now = platform.clock.now();
  for (const hook of hooks) {
    const topics = parseJson(hook.topics);
    if (Array.isArray(topics) && !topics.includes(note.topic)) continue;
    await trx
      .insertInto('webhook_deliveries')
      .values({
        id: newId(now),
        webhook_id: hook.id,
        notification_id: note.id,
        state: 'pending',
        attempts: 0,
        next_at: now,
        last_status: null,
        last_error: null,
        created_at: now,
        delivered_at: null,
      })
      .onConflict((oc) => oc.columns(['webhook_id', 'notification_id']).doNothing())
      .execute();
  }
}

export const notificationsWorkflow: WorkflowModule = {
  name: 'notifications',
  access: {
    'GET /api/v1/notifications': { roles: SIGNED_IN, scope: 'own-organisation' },
    'POST /api/v1/notifications/:id/read': { roles: SIGNED_IN, scope: 'own-organisation' },
    'POST /api/v1/webhooks': { roles: SIGNED_IN, scope: 'own-organisation' },
    'GET /api/v1/webhooks': { roles: SIGNED_IN, scope: 'own-organisation' },
    'DELETE /api/v1/webhooks/:id': { roles: SIGNED_IN, scope: 'own-organisation' },
    'GET /api/v1/webhooks/:id/deliveries': { roles: SIGNED_IN, scope: 'own-organisation' },
  },
  routes: notificationRoutes,
  tasks: (platform) => [
    {
      name: 'deliver-webhooks',
      everyMs: 5_000,
      run: async () => {
        // A few batches per tick while there is work; the rest waits for the next tick.
        for (let i = 0; i < 5; i++) if ((await deliverDue(platform, platform.clock.now())) === 0) return;
      },
    },
  ],
  on: { 'notification.created': onNotification },
};
