import type { Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { GateReason } from './gate.js';

// The developer credit's "same fingerprint rejected ≥ 3 times" input, from the store workflow's own
// records: every rejected submission of the organisation (by the gate or by a reviewer), each
// reason counted once per submission by its finding fingerprint, or by its listing difference
// (kind and field) when the reason is a contradiction between listing and package.

export const REPEAT_THRESHOLD = 3;
/** Bounded work: the newest rejected submissions only. */
const MAX_SUBMISSIONS = 5000;

export async function repeatedRejections(db: Kysely<Database>, developerOrgId: string): Promise<number> {
  const rows = await db
    .selectFrom('store_submissions')
    .select(['reasons'])
    .where('developer_org_id', '=', developerOrgId)
    .where('state', '=', 'rejected')
    .orderBy('id', 'desc')
    .limit(MAX_SUBMISSIONS)
    .execute();
  const times = new Map<string, number>();
  for (const row of rows) {
    let reasons: GateReason[];
    try {
      reasons = JSON.parse(row.reasons ?? '[]') as GateReason[];
    } catch {
      continue;
    }
    if (!Array.isArray(reasons)) continue;
    const keys = new Set<string>();
    for (const r of reasons) {
      if (r?.finding?.fingerprint) keys.add(`finding:${r.finding.fingerprint}`);
      else if (r?.diff?.kind) keys.add(`diff:${r.diff.kind}:${(r.diff as { pointer?: string }).pointer ?? ''}`);
    }
    for (const k of keys) times.set(k, (times.get(k) ?? 0) + 1);
  }
  let repeated = 0;
  for (const n of times.values()) if (n >= REPEAT_THRESHOLD) repeated++;
  return repeated;
}
