import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { sql } from 'kysely';
import pg from 'pg';
import { ADMIN_URL, bothDatabases, skipWithoutPostgres, tempDir, throwawayPostgres } from './support/databases.js';
import { harness } from './support/http.js';
import { addOrg } from './support/jobs.js';
import { newId } from '../src/ids.js';
import { openStore, type Store } from '../src/db/open.js';
import { listingSearchText, searchListingIds, type ListingSearch, type SearchBounds } from '../src/workflows/store/search.js';

// The disclosure list's search answers what `search_text LIKE '%text%'` answers, whichever way it
// takes (SQLite: the trigram index for a rare text, its vocabulary for a one- or two-character one,
// the walk for a common one; PostgreSQL: the planner's choice with pg_trgm): checked against a plain
// substring test over the same listings, for texts of every length, CJK, LIKE's and FTS5's own
// syntax, and after listings are renamed, delisted and deleted.

/** A small alphabet, so that short texts repeat: CJK, LIKE and FTS5 syntax, quotes, letters whose lowercase differs. */
const ALPHABET = [...'微信支付应用宝ab%_\\".*^- İÉß'];
const STORES = 2;
/** Enough that, under the small bounds below, a common text takes the walk. */
const LISTINGS = 1200;

function random(seed: number): () => number {
  let x = seed;
  return () => {
    x = (x * 1103515245 + 12345) % 2 ** 31;
    return x / 2 ** 31;
  };
}

interface Row {
  id: string;
  store_id: string;
  app_type: string;
  state: 'listed' | 'delisted';
  name: string;
  package_name: string;
}

const textOf = (row: Row) => listingSearchText(row.package_name, JSON.stringify({ name: row.name }));

/** What the search must answer: listed, the filters, the lowercased text holds the lowercased trimmed term; newest first. */
function expected(rows: readonly Row[], search: ListingSearch, limit: number): string[] {
  const term = search.q.trim().toLowerCase();
  if (term.includes('\0')) return [];
  return rows
    .filter(
      (r) =>
        r.state === 'listed' &&
        textOf(r).includes(term) &&
        (!search.store || r.store_id === search.store) &&
        (!search.type || r.app_type === search.type) &&
        (!search.cursor || r.id < search.cursor),
    )
    .map((r) => r.id)
    .sort()
    .reverse()
    .slice(0, limit);
}

async function seed(store: Store, rows: Row[], next: () => number): Promise<void> {
  const stores: string[] = [];
  for (let s = 0; s < STORES; s++) stores.push(await addOrg(store));
  const dev = await addOrg(store);
  const pick = (n: number) => Array.from({ length: n }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join('');
  for (let i = 0; i < LISTINGS; i++) {
    const name = i % 97 === 0 ? `<img src=x onerror=alert(1)>\u202E${'名'.repeat(300)}` : pick(1 + Math.floor(next() * 8));
    rows.push({
      id: newId(1_700_000_000_000 + i),
      store_id: stores[i % STORES]!,
      app_type: i % 3 === 0 ? 'game' : 'utility',
      state: i % 11 === 0 ? 'delisted' : 'listed',
      name,
      package_name: `com.p${i}.${pick(3)}`,
    });
  }
  await insertListings(store, dev, rows);
}

/** The listings (and their apps) as the store workflow leaves them: search text beside the elements. */
async function insertListings(store: Store, dev: string, rows: readonly Row[]): Promise<void> {
  for (let i = 0; i < rows.length; i += 100) {
    const chunk = rows.slice(i, i + 100);
    await store.db
      .insertInto('apps')
      .values(chunk.map((r) => ({ id: r.id, org_id: dev, package_name: r.package_name, created_at: 1 })))
      .execute();
    await store.db
      .insertInto('listings')
      .values(
        chunk.map((r) => ({
          id: r.id,
          store_id: r.store_id,
          developer_org_id: dev,
          package_name: r.package_name,
          app_id: r.id,
          version_id: null,
          state: r.state,
          elements: JSON.stringify({ name: r.name }),
          app_type: r.app_type,
          listed_at: 1,
          delisted_at: null,
          updated_at: 1,
          search_text: textOf(r),
        })),
      )
      .execute();
  }
}

/** Texts to search: pieces of listed texts (1 to 5 characters), random ones, and hostile ones. */
function terms(rows: readonly Row[], next: () => number): string[] {
  const out = [
    '微信',
    '信',
    '应用宝',
    '%',
    '_',
    '\\',
    '%_',
    '\\%',
    '"',
    '""',
    'a"b',
    '*',
    'a*',
    '^a',
    'a OR b',
    'NEAR(a b)',
    '-a',
    ' 支付 ',
  ];
  out.push(
    'İ',
    'É',
    'COM.P1',
    'com.',
    'm.p1',
    'com.p1199.',
    'zzz-no-such-app',
    '微信支付宝应用',
    '\u202E',
    '名名名',
    `${'名'.repeat(100)}`,
  );
  out.push("' or 1=1 --", '\u0000', 'x\u0000y', '\uD800', '𠀀𠀁');
  for (let i = 0; i < 60; i++) {
    const text = textOf(rows[Math.floor(next() * rows.length)]!);
    const chars = [...text];
    const length = 1 + Math.floor(next() * 5);
    const start = Math.floor(next() * Math.max(1, chars.length - length));
    out.push(chars.slice(start, start + length).join(''));
  }
  for (let i = 0; i < 20; i++) out.push(Array.from({ length: 1 + (i % 4) }, () => ALPHABET[Math.floor(next() * ALPHABET.length)]).join(''));
  return out.filter((t) => t.trim());
}

/** The shipped bounds, and small ones under which these 1200 listings take every way (recent page, index, vocabulary, walk). */
const BOUNDS: (SearchBounds | undefined)[] = [
  undefined,
  { recent: 40, candidates: 60, prefixTrigrams: 8, rareShort: 5 },
  { recent: 40, candidates: 60, prefixTrigrams: 200, rareShort: 40 },
];

async function checkAll(store: Store, rows: readonly Row[], queries: readonly string[], next: () => number): Promise<void> {
  const listed = rows.filter((r) => r.state === 'listed');
  for (const q of queries) {
    const searches: ListingSearch[] = [
      { q },
      { q, store: rows[0]!.store_id },
      { q, type: 'game' },
      { q, cursor: listed[Math.floor(next() * listed.length)]!.id },
    ];
    for (const search of searches)
      for (const bounds of BOUNDS) {
        const got = await searchListingIds(store.db, store.dialect, search, 51, bounds);
        assert.deepEqual(got, expected(rows, search, 51), `${store.dialect} search ${JSON.stringify(search)} ${JSON.stringify(bounds)}`);
      }
  }
}

bothDatabases(
  'disclosure search: the same answers as a substring test, for short CJK texts, LIKE and FTS5 syntax, after renames and deletes',
  async (_t, under) => {
    const store = await under.open();
    const next = random(20261207);
    const rows: Row[] = [];
    await seed(store, rows, next);
    const queries = terms(rows, next);
    // The index is there (else every search would walk, and this test would check only the walk).
    const { rows: indexed } =
      store.dialect === 'sqlite'
        ? await sql<{ n: number }>`select count(*) as n from listings_search_keys`.execute(store.db)
        : await sql<{ n: number }>`select count(*)::int as n from pg_indexes where indexname = 'listings_search_trgm'`.execute(store.db);
    assert.equal(indexed[0]?.n, store.dialect === 'sqlite' ? LISTINGS : 1);
    await checkAll(store, rows, queries, next);

    // The index follows every write: renamed (a name no listing had), delisted, listed again, deleted.
    const db = store.db;
    const renamed = rows.filter((r) => r.state === 'listed').slice(0, 30);
    for (const [i, row] of renamed.entries()) {
      row.name = i % 2 ? `新名字${i}` : `Renamed ${i} 鹅`;
      await db
        .updateTable('listings')
        .set({ elements: JSON.stringify({ name: row.name }), search_text: textOf(row) })
        .where('id', '=', row.id)
        .execute();
    }
    for (const row of rows.slice(100, 130)) {
      row.state = row.state === 'listed' ? 'delisted' : 'listed';
      await db.updateTable('listings').set({ state: row.state }).where('id', '=', row.id).execute();
    }
    const gone = rows.splice(200, 20);
    await db
      .deleteFrom('listings')
      .where(
        'id',
        'in',
        gone.map((r) => r.id),
      )
      .execute();
    await checkAll(store, rows, [...queries, '新名字', '鹅', 'renamed 1', '名字1', ...gone.map((r) => r.package_name)], next);
  },
  { timeout: 180_000 },
);

bothDatabases('disclosure search over HTTP: a two-character Chinese name, LIKE wildcards literal', async (_t, under) => {
  const h = await harness(under);
  const store = await addOrg(h.platform.store);
  const names = ['微信', '微信读书', '100%_真实', 'Percent 100 real'];
  const rows = names.map((name, i) => ({
    id: newId(),
    store_id: store,
    app_type: 'utility',
    state: 'listed' as const,
    name,
    package_name: `com.example.search${i}`,
  }));
  await insertListings(h.platform.store, await addOrg(h.platform.store), rows);
  const shown = async (q: string) => {
    const page = await h.app.inject({ method: 'GET', url: `/apps?lang=en&q=${encodeURIComponent(q)}` });
    assert.equal(page.statusCode, 200);
    return names.filter((name) => page.body.includes(`>${name}</a>`));
  };
  assert.deepEqual(await shown('微信'), ['微信', '微信读书']);
  assert.deepEqual(await shown('信'), ['微信', '微信读书']);
  assert.deepEqual(await shown('读书'), ['微信读书']);
  assert.deepEqual(await shown('%_'), ['100%_真实']);
  assert.deepEqual(await shown('0%'), ['100%_真实']);
  assert.deepEqual(await shown('_'), ['100%_真实']);
  assert.deepEqual(await shown('PERCENT'), ['Percent 100 real']);
  assert.deepEqual(await shown('"'), []);
  assert.deepEqual(await shown('SEARCH2'), ['100%_真实']);
  await h.close();
});

// A PostgreSQL role that may not create extensions (no CREATE on its database; also what a server
// without contrib gives): the migrations finish without pg_trgm's index, and the search walks,
// with the same answers.
test(
  '[postgres] without pg_trgm (a role that may not create extensions): migrations finish, search walks with the same answers',
  { timeout: 180_000 },
  async (t) => {
    if (await skipWithoutPostgres(t)) return;
    const database = await throwawayPostgres();
    const role = `apprights_test_role_${randomBytes(4).toString('hex')}`;
    const dbName = new URL(database.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: database.url });
    await admin.connect();
    const data = tempDir();
    let store: Store | undefined;
    try {
      await admin.query(`create role ${role} login`);
      await admin.query(`revoke create on database ${dbName} from public`);
      await admin.query(`grant connect on database ${dbName} to ${role}`);
      await admin.query(`grant usage, create on schema public to ${role}`);
      const url = new URL(database.url);
      url.username = role;
      store = await openStore({ databaseUrl: url.toString(), dataDir: data.dir, poolSize: 2 });
      const extension = await admin.query(`select count(*)::int as n from pg_extension where extname = 'pg_trgm'`);
      assert.equal(extension.rows[0].n, 0, 'pg_trgm was created although the role may not');
      const index = await admin.query(`select count(*)::int as n from pg_indexes where indexname = 'listings_search_trgm'`);
      assert.equal(index.rows[0].n, 0);
      const next = random(20261208);
      const rows: Row[] = [];
      await seed(store, rows, next);
      await checkAll(store, rows, terms(rows, next), next);
    } finally {
      await store?.close().catch(() => {});
      await admin.end().catch(() => {});
      await database.drop();
      const root = new pg.Client({ connectionString: ADMIN_URL });
      await root.connect();
      await root.query(`drop role if exists ${role}`).catch(() => {});
      await root.end();
      data.remove();
    }
  },
);
