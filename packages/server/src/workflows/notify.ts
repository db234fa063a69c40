import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import { newId } from '../ids.js';
import { addOutbox } from '../jobs/sql.js';

// Every workflow tells an organisation something the same way: a row in its inbox and a
// `notification.created` event, written in the caller's transaction (so a rejected submission and
// the developer's notice commit together). Delivery beyond the inbox (signed webhooks) reacts to
// the event.

export interface Notice {
  orgId: string;
  topic: string;
  subject?: string | null;
  en: string;
  zh: string;
  detail?: Record<string, unknown>;
  dueAt?: number | null;
}

export async function notify(db: Kysely<Database> | Transaction<Database>, notice: Notice, now: number): Promise<string> {
  const id = newId(now);
  await db
    .insertInto('notifications')
    .values({
      id,
      org_id: notice.orgId,
      topic: notice.topic,
      subject: notice.subject ?? null,
      title_en: notice.en,
      title_zh: notice.zh,
      detail: JSON.stringify(notice.detail ?? {}),
      due_at: notice.dueAt ?? null,
      created_at: now,
      read_at: null,
    })
    .execute();
  // The event's own time is the wall clock (addOutbox's default), like every job event: the dispatcher orders by it.
  await addOutbox(db, 'notification.created', { notificationId: id, orgId: notice.orgId, topic: notice.topic });
  return id;
}
