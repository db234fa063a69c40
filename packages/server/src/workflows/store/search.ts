import { sql, type Kysely, type RawBuilder } from 'kysely';
import type { Database, Dialect } from '../../db/schema.js';

// What the disclosure list's search box ("name or package") looks in: listings.search_text, the
// app's name from its six elements and its package name, lowercased, one per line. Kept beside the
// listing (written with it, migration 0060), so a search reads a few dozen bytes per listing from an
// index instead of each listing's whole elements JSON, and matches the same way on SQLite and
// PostgreSQL (whose LIKE is case-sensitive): both sides are lowercased here.
//
// The match is always `search_text LIKE '%text%'` (a substring, its % _ and \ literal). Walking the
// listings newest first until a page is found is quick for a common text and slow for a rare one (a
// word no app has walks all 100,000 apps): a trigram index finds the few listings that can hold a rare
// text first (migration 0062-search-list-reads). SQLite: an FTS5 trigram table, asked here before the
// walk. PostgreSQL: pg_trgm's GIN index, which the planner uses for the same LIKE when it is there
// (a server without pg_trgm walks, as a text of one or two characters always does: pg_trgm has no
// shorter key).

/** The search text of a listing; `elements` is its JSON text (unreadable JSON: the package alone). */
export function listingSearchText(packageName: string, elements: string): string {
  let name = '';
  try {
    const parsed = JSON.parse(elements) as { name?: unknown };
    if (typeof parsed?.name === 'string') name = parsed.name;
  } catch {
    // not JSON: the package name is still searchable
  }
  return `${name}\n${packageName}`.toLowerCase();
}

/** The reader's search text as it is matched: trimmed and lowercased. */
function searchTerm(text: string): string {
  return text.trim().toLowerCase();
}

/** LIKE pattern for a reader's search text: lowercased, its % _ and \ literal (say ESCAPE '\'). */
export function searchPattern(text: string): string {
  return `%${searchTerm(text).replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}

/** Where a search changes its way (tests take them small, so that a few listings take every way). */
export interface SearchBounds {
  /** How many of the newest listings a search reads before it asks the index (5000: about 0.5 ms on SQLite). */
  recent: number;
  /**
   * Above this many listings holding the text's trigrams, the walk is taken rather than reading
   * them all: a text that common (5 % of the 100,000-app market) meets a page of matches within a
   * few thousand listings. Reading a candidate by key and checking it costs about 1 µs on SQLite,
   * walking the whole market 25 ms (AMD EPYC; docs/platform.md).
   */
  candidates: number;
  /** A text of two characters is looked up through the trigrams it begins; above this many, it is common (walk). */
  prefixTrigrams: number;
  /** ... and only when the newest `recent` listings hold it at most this many times. */
  rareShort: number;
}

const BOUNDS: SearchBounds = { recent: 5000, candidates: 5000, prefixTrigrams: 200, rareShort: 5 };

/** An FTS5 phrase: the text between double quotes, its own double quotes doubled (nothing else is syntax inside). */
const phrase = (text: string): string => `"${text.replaceAll('"', '""')}"`;

/**
 * The FTS5 query that every listing whose search text holds `term` matches (and maybe a few more,
 * which the LIKE then drops), or undefined when the index cannot narrow the search. Three characters
 * or more: the phrase, whose trigrams must follow each other. Two (a two-character Chinese name is
 * common): the trigram index has no shorter term, but every indexed text ends with two newlines
 * (migration 0062-search-list-reads), so each occurrence of the text begins some trigram: any of the
 * trigrams beginning with it, read from the index's vocabulary. That read counts every listing of
 * each trigram (about 1 µs each): cheap for a rare text, 40-90 ms for one character such as `p` at
 * 100,000 apps, so one character is never looked up (the walk: 25 ms at most), and two only when the
 * newest listings suggest the text is rare (searchListingIds).
 */
async function trigramQuery(db: Kysely<Database>, term: string, prefixTrigrams: number): Promise<string | undefined> {
  const length = [...term].length;
  if (length >= 3) return phrase(term);
  if (length < 2) return undefined;
  // Every trigram beginning with the term sorts between the term and the term followed by two of the
  // highest code point (SQLite compares the UTF-8 bytes, which keep code point order).
  const { rows } = await sql<{ term: string }>`select term from listings_search_terms
    where term >= ${term} and term <= ${`${term}\u{10FFFF}\u{10FFFF}`} limit ${prefixTrigrams + 1}`.execute(db);
  if (rows.length > prefixTrigrams) return undefined;
  // No trigram begins with it: no listing holds it (an empty OR would be a syntax error).
  if (rows.length === 0) return phrase('\n\n\n');
  return rows.map((r) => phrase(r.term)).join(' OR ');
}

export interface ListingSearch {
  q: string;
  store?: string | undefined;
  type?: string | undefined;
  /** Listings before this id (the next page). */
  cursor?: string | undefined;
}

/** The ids of listed listings whose search text holds `q` (with the filters), newest first, at most `limit`. */
export async function searchListingIds(
  db: Kysely<Database>,
  dialect: Dialect,
  search: ListingSearch,
  limit: number,
  bounds = BOUNDS,
): Promise<string[]> {
  // No listing holds U+0000 (PostgreSQL's text cannot, and refuses it in a parameter): none matches
  // on either database, rather than an error on one.
  if (search.q.includes('\0')) return [];
  const filters = [sql`l.state = 'listed'`];
  if (search.store) filters.push(sql`l.store_id = ${search.store}`);
  if (search.type) filters.push(sql`l.app_type = ${search.type}`);
  if (search.cursor) filters.push(sql`l.id < ${search.cursor}`);
  const filtered = sql.join(filters, sql` and `);
  // ESCAPE said outright: SQLite has no default escape character for LIKE.
  const pattern = searchPattern(search.q);
  const like = sql`l.search_text like ${pattern} escape '\\'`;
  const ids = async (query: RawBuilder<{ id: string }>) => (await query.execute(db)).rows.map((r) => r.id);
  // PostgreSQL plans this one query well: pg_trgm's index for a text its statistics call rare (1 ms
  // at 100,000 apps, against 10-80 ms walked), the walk newest first for a common one. (Asked for
  // every match first, then sorted, it was slower for a text in 1 % of the listings: 23 ms against 5.)
  if (dialect === 'postgres') return ids(sql`select l.id from listings l where ${filtered} and ${like} order by l.id desc limit ${limit}`);
  // SQLite's planner knows nothing of the FTS table: the ways are chosen here. A common text first:
  // the newest `recent` listed listings (before the cursor) hold a page of it, read from
  // listings_search alone (state, id, search_text); a listing's own row (for the store and type
  // filters: its row is kilobytes of elements, often in overflow pages) only when its text matches.
  // The same answer as the whole walk's, which meets those listings first; 0.5 ms.
  const before = search.cursor ? sql` and n.id < ${search.cursor}` : sql``;
  const newest = sql`select n.id, n.search_text from listings n where n.state = 'listed'${before}
    order by n.id desc limit ${bounds.recent}`;
  const recent = await ids(sql`select l.id from (${newest}) n cross join listings l on l.id = n.id
    where n.search_text like ${pattern} escape '\\' and ${filtered} order by l.id desc limit ${limit}`);
  if (recent.length === limit) return recent;
  // Fewer listed listings than that: the recent read was the whole walk.
  const { rows: counted } = await sql<{ listed: number; matching: number }>`select count(*) as listed,
    count(case when n.search_text like ${pattern} escape '\\' then 1 end) as matching from (${newest}) n`.execute(db);
  if ((counted[0]?.listed ?? 0) < bounds.recent) return recent;
  const term = searchTerm(search.q);
  // A two-character text found more than a few times among the newest listings (whatever the
  // filters) is likely common over the market too: its vocabulary read would cost more than the walk.
  const short = [...term].length < 3;
  const query = short && (counted[0]?.matching ?? 0) > bounds.rareShort ? undefined : await trigramQuery(db, term, bounds.prefixTrigrams);
  if (query !== undefined) {
    // How many listings the index names, counted up to the bound; fewer: read just those (by key),
    // check each with the same LIKE and sort them. Else the walk below.
    const { rows } = await sql<{ n: number }>`select count(*) as n from (select 1 from listings_search_fts
      where listings_search_fts match ${query} limit ${bounds.candidates + 1})`.execute(db);
    if ((rows[0]?.n ?? 0) <= bounds.candidates)
      // CROSS JOIN keeps this order in SQLite: from the candidates to their listings by key, never a
      // walk of every listing testing whether it is a candidate.
      return ids(sql`select l.id from (select k.listing_id from listings_search_fts f
          join listings_search_keys k on k.n = f.rowid where listings_search_fts match ${query}) c
          cross join listings l on l.id = c.listing_id
          where ${filtered} and ${like} order by l.id desc limit ${limit}`);
  }
  // The walk: listings_search (state, id, search_text) newest first until a page matches, a
  // listing's own row read only for a match (the filters), not for each listing of a store.
  return ids(sql`select l.id from listings n cross join listings l on l.id = n.id
    where n.state = 'listed'${before} and n.search_text like ${pattern} escape '\\' and ${filtered}
    order by n.id desc limit ${limit}`);
}
