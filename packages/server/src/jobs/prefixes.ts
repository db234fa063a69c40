import type { Transaction } from 'kysely';
import type { Database } from '../db/schema.js';
import type { JobOutput } from './protocol.js';

/**
 * Stores a scanned version's package-prefix set (migration 0050), replacing the one an earlier
 * scan of the same bytes left: the header (readers' version, depth kept in full, cap) and one row
 * per prefix. Runs in the transaction that writes the scan's report.
 */
export async function writePrefixSet(
  trx: Transaction<Database>,
  versionId: string,
  reportId: string,
  set: NonNullable<JobOutput['packagePrefixes']>,
  now: number,
): Promise<void> {
  const prefixes = [...new Set(set.prefixes.filter((p) => typeof p === 'string' && p.length > 0 && p.length <= 512))];
  await trx.deleteFrom('version_package_prefixes').where('version_id', '=', versionId).execute();
  const header = {
    readers: set.readers,
    depth: set.depth,
    cap: set.cap,
    omitted: set.omitted,
    prefixes: prefixes.length,
    report_id: reportId,
    created_at: now,
  };
  await trx
    .insertInto('version_prefix_sets')
    .values({ version_id: versionId, ...header })
    .onConflict((oc) => oc.column('version_id').doUpdateSet(header))
    .execute();
  // 500 rows × 2 values stay far under both databases' parameter limits.
  for (let i = 0; i < prefixes.length; i += 500)
    await trx
      .insertInto('version_package_prefixes')
      .values(prefixes.slice(i, i + 500).map((prefix) => ({ prefix, version_id: versionId })))
      .execute();
}
