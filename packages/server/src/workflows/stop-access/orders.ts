import { sql, type Kysely, type Selectable, type Transaction } from 'kysely';
import { writeAudit } from '../../admin.js';
import type { ServerConfig } from '../../config.js';
import type { Database, StopAccessOrdersTable } from '../../db/schema.js';
import { newId } from '../../ids.js';
import { notify } from '../notify.js';
import type { Targets } from './targets.js';

// An order and its feed entry are written in one transaction. The entry's sequence number comes
// from a counter row that the transaction updates (UPDATE … RETURNING): on PostgreSQL the row lock
// is held to commit, so a second appender waits and numbers follow commit order — a provider reading
// `since=N` can never miss an entry that commits later with a smaller number; SQLite has one writer.

export const FEED_FORMAT = 'apprights-stop-access-feed/1';
export const DEFAULT_ACK_WINDOW_MS = 24 * 3_600_000;

export function ackWindowMs(config: ServerConfig): number {
  return config.stopAccessAckWindowMs ?? DEFAULT_ACK_WINDOW_MS;
}

export interface OrderInput {
  targets: Targets;
  legalBasis: string;
  validFrom: number;
  validUntil: number | null;
  regulatorOrgId: string | null;
  source: 'api' | 'removal-order';
  removalOrderId: string | null;
  createdBy: string | null;
}

export interface OrderView {
  id: string;
  source: string;
  removalOrderId: string | null;
  regulatorOrganisationId: string | null;
  packageNames: string[];
  signerSha256: string[];
  sdkPrefixes: string[];
  domains: string[];
  ips: string[];
  legalBasis: string;
  validFrom: number;
  validUntil: number | null;
  createdAt: number;
  seq: number | null;
}

/** The feed entry as served: keys in a fixed order, written once and never re-serialised. */
function entryJson(seq: number, order: OrderView): string {
  return JSON.stringify({
    seq,
    type: 'order.issued',
    orderId: order.id,
    issuedAt: order.createdAt,
    removalOrderId: order.removalOrderId,
    packageNames: order.packageNames,
    signerSha256: order.signerSha256,
    sdkPrefixes: order.sdkPrefixes,
    domains: order.domains,
    ips: order.ips,
    legalBasis: order.legalBasis,
    validFrom: order.validFrom,
    validUntil: order.validUntil,
  });
}

export async function createOrder(trx: Transaction<Database>, input: OrderInput, now: number, config: ServerConfig): Promise<OrderView> {
  const id = newId(now);
  const t = input.targets;
  await trx
    .insertInto('stop_access_orders')
    .values({
      id,
      regulator_org_id: input.regulatorOrgId,
      source: input.source,
      removal_order_id: input.removalOrderId,
      package_names: JSON.stringify(t.packageNames),
      signer_sha256s: JSON.stringify(t.signerSha256),
      sdk_prefixes: JSON.stringify(t.sdkPrefixes),
      domains: JSON.stringify(t.domains),
      ips: JSON.stringify(t.ips),
      legal_basis: input.legalBasis,
      valid_from: input.validFrom,
      valid_until: input.validUntil,
      created_by: input.createdBy,
      created_at: now,
    })
    .execute();
  const counter = await trx
    .updateTable('stop_access_counters')
    .set({ value: sql`value + 1` })
    .where('name', '=', 'feed')
    .returning('value')
    .executeTakeFirstOrThrow();
  const seq = Number(counter.value);
  const view: OrderView = {
    id,
    source: input.source,
    removalOrderId: input.removalOrderId,
    regulatorOrganisationId: input.regulatorOrgId,
    ...t,
    legalBasis: input.legalBasis,
    validFrom: input.validFrom,
    validUntil: input.validUntil,
    createdAt: now,
    seq,
  };
  await trx
    .insertInto('stop_access_feed')
    .values({ seq, order_id: id, entry: entryJson(seq, view), created_at: now })
    .execute();
  await writeAudit(
    trx,
    {
      userId: input.createdBy,
      orgId: input.regulatorOrgId,
      action: 'stop-access.order',
      subject: id,
      detail: { seq, source: input.source, removalOrderId: input.removalOrderId, targets: t },
    },
    now,
  );
  // Every access provider is told, with the acknowledgement deadline.
  const providers = await trx.selectFrom('organisations').select('id').where('kind', '=', 'access-provider').limit(10_000).execute();
  const dueAt = now + ackWindowMs(config);
  for (const provider of providers)
    await notify(
      trx,
      {
        orgId: provider.id,
        topic: 'stop-access.entry',
        subject: id,
        en: `Stop-access order ${id} (feed entry ${seq}): acknowledge it`,
        zh: `停止接入决定 ${id}（信息流条目 ${seq}）：请确认`,
        detail: { seq, orderId: id },
        dueAt,
      },
      now,
    );
  return view;
}

export function orderView(row: Selectable<StopAccessOrdersTable>, seq: number | null): OrderView {
  const list = (text: string): string[] => {
    try {
      const value = JSON.parse(text) as unknown;
      return Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : [];
    } catch {
      return [];
    }
  };
  return {
    id: row.id,
    source: row.source,
    removalOrderId: row.removal_order_id,
    regulatorOrganisationId: row.regulator_org_id,
    packageNames: list(row.package_names),
    signerSha256: list(row.signer_sha256s),
    sdkPrefixes: list(row.sdk_prefixes),
    domains: list(row.domains),
    ips: list(row.ips),
    legalBasis: row.legal_basis,
    validFrom: row.valid_from,
    validUntil: row.valid_until,
    createdAt: row.created_at,
    seq,
  };
}

/** Orders in force at `now` naming this package or signer (the verdicts read them). */
export async function ordersInForce(
  db: Kysely<Database>,
  query: { packageName: string; signer: string | null },
  now: number,
): Promise<OrderView[]> {
  // Targets are JSON text (one schema for both dialects): narrow with LIKE on the quoted value (an
  // underscore matching any character only widens the net), then check exactly.
  const pkg = `%${JSON.stringify(query.packageName)}%`;
  let q = db
    .selectFrom('stop_access_orders as o')
    .leftJoin('stop_access_feed as f', 'f.order_id', 'o.id')
    .selectAll('o')
    .select('f.seq')
    .where('o.valid_from', '<=', now)
    .where((eb) => eb.or([eb('o.valid_until', 'is', null), eb('o.valid_until', '>', now)]));
  q = q.where((eb) => {
    const ors = [eb('o.package_names', 'like', pkg)];
    if (query.signer) ors.push(eb('o.signer_sha256s', 'like', `%"${query.signer}"%`));
    return eb.or(ors);
  });
  const rows = await q.orderBy('o.id', 'desc').limit(100).execute();
  return rows
    .map((r) => orderView(r, r.seq ?? null))
    .filter((o) => o.packageNames.includes(query.packageName) || (query.signer !== null && o.signerSha256.includes(query.signer)));
}
