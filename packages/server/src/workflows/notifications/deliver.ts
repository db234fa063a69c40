import { createHmac } from 'node:crypto';
import http from 'node:http';
import https from 'node:https';
import { writeAudit } from '../../admin.js';
import type { WebhookDeliveriesTable } from '../../db/schema.js';
import { guardedLookup } from '../../jobs/fetch.js';
import type { Platform } from '../../platform.js';
import type { Selectable } from 'kysely';

// Webhook delivery: each (webhook, notification) is one row, POSTed by the scheduler's lease holder
// until the receiver answers 2xx. A failure waits 30 s, then twice as long each time (capped at an
// hour); a delivery still failing 24 h after the notification is dead-lettered and stays visible
// in GET /webhooks/:id/deliveries. Connections pass the same address checks as fetch-policy (no
// private, loopback or link-local address unless allowPrivateFetch), and redirects are not followed.

export const FIRST_BACKOFF_MS = 30_000;
export const MAX_BACKOFF_MS = 3_600_000;
export const DEAD_AFTER_MS = 24 * 3_600_000;
export const DELIVERY_TIMEOUT_MS = 10_000;
/** While one attempt runs its row is pushed this far out, so a second runner skips it. */
const CLAIM_MS = 120_000;
const BATCH = 20;
export const SIGNATURE_HEADER = 'x-apprights-signature';
export const TIMESTAMP_HEADER = 'x-apprights-timestamp';

export function backoff(attempts: number): number {
  return Math.min(MAX_BACKOFF_MS, FIRST_BACKOFF_MS * 2 ** Math.max(0, attempts - 1));
}

/** "t=<unix seconds>,v1=<hex HMAC-SHA256 over `${t}.${body}` with the webhook's secret>". */
export function signatureHeader(secret: string, timestamp: number, body: string): string {
  return `t=${timestamp},v1=${createHmac('sha256', secret).update(`${timestamp}.${body}`).digest('hex')}`;
}

interface Outcome {
  status: number | null;
  error: string | null;
}

function post(urlText: string, headers: Record<string, string>, body: string, allowPrivate: boolean): Promise<Outcome> {
  return new Promise((resolve) => {
    let url: URL;
    let lookup;
    try {
      url = new URL(urlText);
      lookup = guardedLookup(url, { allowPrivate });
    } catch (error) {
      resolve({ status: null, error: String((error as Error).message).slice(0, 500) });
      return;
    }
    const client = url.protocol === 'https:' ? https : http;
    const request = client.request(
      url,
      {
        method: 'POST',
        headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
        lookup,
        signal: AbortSignal.timeout(DELIVERY_TIMEOUT_MS),
      },
      (response) => {
        // The answer's body is not needed: drain at most a little and close.
        let read = 0;
        response.on('data', (chunk: Buffer) => {
          read += chunk.length;
          if (read > 64 * 1024) response.destroy();
        });
        response.on('close', () => resolve({ status: response.statusCode ?? null, error: null }));
        response.on('error', () => resolve({ status: response.statusCode ?? null, error: null }));
      },
    );
    request.on('error', (error) => resolve({ status: null, error: String(error.message).slice(0, 500) }));
    request.end(body);
  });
}

type Delivery = Selectable<WebhookDeliveriesTable>;

/** Attempts the deliveries due at `now` (at most one batch); returns how many were attempted. */
export async function deliverDue(platform: Platform, now: number): Promise<number> {
  const db = platform.store.db;
  const due = await db
    .selectFrom('webhook_deliveries')
    .selectAll()
    .where('state', '=', 'pending')
    .where('next_at', '<=', now)
    .orderBy('next_at')
    .limit(BATCH)
    .execute();
  const claimed: Delivery[] = [];
  for (const d of due) {
    const result = await db
      .updateTable('webhook_deliveries')
      .set({ next_at: now + CLAIM_MS })
      .where('id', '=', d.id)
      .where('state', '=', 'pending')
      .where('next_at', '=', d.next_at)
      .executeTakeFirst();
    if (Number(result.numUpdatedRows) === 1) claimed.push(d);
  }
  await Promise.all(claimed.map((d) => attempt(platform, d, now)));
  return claimed.length;
}

async function attempt(platform: Platform, d: Delivery, now: number): Promise<void> {
  const db = platform.store.db;
  const hook = await db.selectFrom('webhooks').selectAll().where('id', '=', d.webhook_id).executeTakeFirst();
  const note = await db.selectFrom('notifications').selectAll().where('id', '=', d.notification_id).executeTakeFirst();
  let outcome: Outcome;
  if (!hook || hook.disabled_at !== null || !note) {
    outcome = { status: null, error: 'the webhook was removed' };
  } else {
    let detail: unknown = {};
    try {
      detail = JSON.parse(note.detail);
    } catch {
      // kept as {}
    }
    const body = JSON.stringify({
      deliveryId: d.id,
      event: 'notification.created',
      notification: {
        id: note.id,
        organisationId: note.org_id,
        topic: note.topic,
        subject: note.subject,
        title: { en: note.title_en, zh: note.title_zh },
        detail,
        dueAt: note.due_at,
        createdAt: note.created_at,
      },
    });
    const timestamp = Math.floor(now / 1000);
    outcome = await post(
      hook.url,
      {
        'content-type': 'application/json',
        'user-agent': 'AppRights-Webhook/1',
        'x-apprights-delivery': d.id,
        'x-apprights-event': 'notification.created',
        [TIMESTAMP_HEADER]: String(timestamp),
        [SIGNATURE_HEADER]: signatureHeader(hook.secret, timestamp, body),
      },
      body,
      platform.config.allowPrivateFetch,
    );
  }
  const attempts = d.attempts + 1;
  const ok = outcome.status !== null && outcome.status >= 200 && outcome.status < 300;
  const removed = outcome.error === 'the webhook was removed';
  const dead = !ok && (removed || now + backoff(attempts) - d.created_at > DEAD_AFTER_MS);
  const error = ok ? null : (outcome.error ?? `HTTP ${outcome.status}`);
  await db.transaction().execute(async (trx) => {
    await trx
      .updateTable('webhook_deliveries')
      .set({
        state: ok ? 'delivered' : dead ? 'dead' : 'pending',
        attempts,
        next_at: ok || dead ? now : now + backoff(attempts),
        last_status: outcome.status,
        last_error: error,
        delivered_at: ok ? now : null,
      })
      .where('id', '=', d.id)
      .execute();
    if (dead)
      await writeAudit(
        trx,
        { orgId: hook?.org_id ?? null, action: 'webhook.dead-letter', subject: d.id, detail: { webhookId: d.webhook_id, attempts, error } },
        now,
      );
  });
}
