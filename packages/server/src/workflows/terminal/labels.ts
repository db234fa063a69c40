import type { Kysely } from 'kysely';
import type { Database, ListingElements } from '../../db/schema.js';
import { parseJson } from '../../http/routes/common.js';

// Look-alike labels: an app that takes a listed app's name under another signer is the classic
// counterfeit (仿冒应用). Labels are compared folded: NFKC (full-width ＷｅＣｈａｔ → WeChat,
// compatibility ideographs to their unified form), lower case, and without spaces, format
// characters (zero-width joiners) or the separators people insert to dodge exact matching.
// Listings are written by the store workflow; a scheduled task copies listed apps' folded labels
// and signers here so a verdict is one indexed lookup. Icons are not stored with listings, so the
// icon hash is not compared (only the label).

export function foldLabel(label: string): string {
  return label
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\p{Z}\p{Cf}\s\-_.·・•|/\\]+/gu, '');
}

const CURSOR = 'terminal-labels';
/** Listings are re-read from a little before the cursor: updates from several nodes may commit out of order. */
const LAG_MS = 60_000;
const BATCH = 1000;

/** Brings terminal_labels up to date with listings changed since the last run; returns rows touched. */
export async function refreshLabels(db: Kysely<Database>, maxBatches = 50): Promise<number> {
  let touched = 0;
  const cursor = await db.selectFrom('event_cursors').select('created_at').where('name', '=', CURSOR).executeTakeFirst();
  let from = Math.max(0, (cursor?.created_at ?? 0) - LAG_MS);
  let lastId = '';
  for (let batch = 0; batch < maxBatches; batch++) {
    const rows = await db
      .selectFrom('listings as l')
      .leftJoin('versions as v', 'v.id', 'l.version_id')
      .select(['l.id', 'l.store_id', 'l.package_name', 'l.state', 'l.elements', 'l.updated_at', 'v.signer_sha256'])
      .where((eb) => eb.or([eb('l.updated_at', '>', from), eb.and([eb('l.updated_at', '=', from), eb('l.id', '>', lastId)])]))
      .orderBy('l.updated_at')
      .orderBy('l.id')
      .limit(BATCH)
      .execute();
    if (rows.length === 0) break;
    await db.transaction().execute(async (trx) => {
      for (const row of rows) {
        const name = (parseJson(row.elements) as Partial<ListingElements> | null)?.name;
        if (row.state !== 'listed' || typeof name !== 'string' || !name.trim()) {
          await trx.deleteFrom('terminal_labels').where('listing_id', '=', row.id).execute();
          continue;
        }
        const values = {
          package_name: row.package_name,
          folded_label: foldLabel(name).slice(0, 500),
          label: name.slice(0, 500),
          signer_sha256: row.signer_sha256,
          store_id: row.store_id,
          updated_at: row.updated_at,
        };
        await trx
          .insertInto('terminal_labels')
          .values({ listing_id: row.id, ...values })
          .onConflict((oc) => oc.column('listing_id').doUpdateSet(values))
          .execute();
      }
    });
    touched += rows.length;
    const last = rows[rows.length - 1]!;
    from = last.updated_at;
    lastId = last.id;
  }
  if (touched > 0)
    await db
      .insertInto('event_cursors')
      .values({ name: CURSOR, created_at: from })
      .onConflict((oc) => oc.column('name').doUpdateSet({ created_at: from }))
      .execute();
  return touched;
}
