import { PostgresAdapter, sql, type Kysely } from 'kysely';
import type { Database } from '../../db/schema.js';
import { newId } from '../../ids.js';

// Rankings, recomputed over the whole database by one function and stored as a snapshot (the public
// endpoints read the newest snapshot, never the live tables). Definitions (docs/workflows.md):
// - an app "passes" when its latest report has no finding of severity `high`. The latest report of
//   an app is the newest of its scan reports (through versions) and of the reports its findings
//   point to (re-runs carry no version); a re-run that found nothing is not seen (limitation);
// - pass rate: passing listed apps / listed apps with a report;
// - rectification timeliness: bulletin items rectified at their deadline's re-test / items decided
//   (closed or escalated);
// - delisting speed: the median hours from a removal order to its delisting task done.

export const RANKING_DIMENSIONS = ['store', 'developer', 'category', 'measure'] as const;
export type RankingDimension = (typeof RANKING_DIMENSIONS)[number];

export interface RankingRow {
  key: string;
  name: string;
  listedApps: number;
  testedApps: number;
  passingApps: number;
  passRate: number | null;
  findings: Record<string, number>;
  bulletinItems: number;
  decidedItems: number;
  rectifiedOnTime: number;
  rectificationTimeliness: number | null;
  delistingTasksDone: number;
  delistingMedianHours: number | null;
}

export interface RankingSnapshot {
  id: string;
  computedAt: number;
  durationMs: number;
  definitions: string;
  rankings: Record<RankingDimension, RankingRow[]>;
}

export const RANKING_DEFINITIONS_VERSION = 'rankings/1';

function emptyRow(key: string, name: string): RankingRow {
  return {
    key,
    name,
    listedApps: 0,
    testedApps: 0,
    passingApps: 0,
    passRate: null,
    findings: { high: 0, medium: 0, low: 0, info: 0 },
    bulletinItems: 0,
    decidedItems: 0,
    rectifiedOnTime: 0,
    rectificationTimeliness: null,
    delistingTasksDone: 0,
    delistingMedianHours: null,
  };
}

function median(values: number[]): number | null {
  if (values.length === 0) return null;
  const s = [...values].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
}

const round4 = (x: number) => Math.round(x * 10_000) / 10_000;

const SEVERITIES = ['high', 'medium', 'low', 'info'] as const;

interface AggregateRow {
  dim: RankingDimension;
  key: string | null;
  name: string | null;
  listed: number | string;
  tested: number | string;
  passing: number | string;
  high: number | string | null;
  medium: number | string | null;
  low: number | string | null;
  info: number | string | null;
}

/**
 * The app-based columns of every dimension, aggregated by the database in one pass
 * over the findings: the latest report of each listed app (the newer of its newest scan report,
 * through versions, and the newest report its findings point to: index seeks per app), that
 * report's findings counted per app, severity and measure list (ranking_lf, read once), then summed per
 * store (per listing), developer (per app), category (per type and app) and measure (per finding and
 * measure named, apps counted once). Measure lists are JSON arrays of ids written by the platform;
 * SQLite expands them with json_each, PostgreSQL with json_array_elements_text (a value that is not
 * an array counts for no measure).
 */
async function appAggregates(db: Kysely<Database>): Promise<AggregateRow[]> {
  const postgres = db.getExecutor().adapter instanceof PostgresAdapter;
  const bySeverity = sql.join(
    SEVERITIES.map((s) => sql`sum(case when lf.severity = ${sql.lit(s)} then lf.n else 0 end) as ${sql.ref(s)}`),
    sql`, `,
  );
  const sums = sql`count(*) as listed, sum(s.tested) as tested, sum(case when s.tested = 1 and s.high = 0 then 1 else 0 end) as passing,
    sum(s.high) as high, sum(s.medium) as medium, sum(s.low) as low, sum(s.info) as info`;
  const measures = postgres
    ? sql`cross join lateral json_array_elements_text(case when left(lf.measures, 1) = '[' then lf.measures::json else '[]'::json end) as j(value)`
    : sql`cross join json_each(case when json_valid(lf.measures) and json_type(lf.measures) = 'array' then lf.measures else '[]' end) as j`;
  // The latest report of each listed app, and that report's findings grouped per app, severity and
  // measure list: ranking_latest and ranking_lf, CTEs on SQLite and tables of this transaction on PostgreSQL.
  const latest = sql`
    with listed as (select distinct app_id from listings where state = 'listed')
    select x.app_id as app_id, max(x.report_id) as report_id from (
      select v.app_id as app_id, max(r.id) as report_id from reports r join versions v on v.id = r.version_id group by v.app_id
      union all
      select l.app_id as app_id, (select max(f.report_id) from findings f where f.app_id = l.app_id) as report_id
      from listed l
    ) x join listed l2 on l2.app_id = x.app_id group by x.app_id`;
  const lf = sql`
    select lt.app_id as app_id, f.severity as severity, f.measures as measures, count(*) as n
    from ranking_latest lt join findings f on f.report_id = lt.report_id and f.app_id = lt.app_id
    group by lt.app_id, f.severity, f.measures`;
  const appStats = sql`
    select lt.app_id as app_id, case when lt.report_id is null then 0 else 1 end as tested, ${bySeverity}
    from ranking_latest lt left join ranking_lf lf on lf.app_id = lt.app_id
    group by lt.app_id, lt.report_id`;
  const aggregates = sql`
    select 'store' as dim, li.store_id as key, o.name as name, ${sums}
    from listings li join app_stats s on s.app_id = li.app_id left join organisations o on o.id = li.store_id
    where li.state = 'listed' group by li.store_id, o.name
    union all
    select 'developer' as dim, a.org_id as key, o.name as name, ${sums}
    from app_stats s join apps a on a.id = s.app_id left join organisations o on o.id = a.org_id
    group by a.org_id, o.name
    union all
    select 'category' as dim, t.app_type as key, t.app_type as name, ${sums}
    from (select distinct coalesce(app_type, 'unspecified') as app_type, app_id from listings where state = 'listed') t
    join app_stats s on s.app_id = t.app_id group by t.app_type
    union all
    select 'measure' as dim, j.value as key, j.value as name, count(distinct lf.app_id) as listed, count(distinct lf.app_id) as tested,
      0 as passing, ${bySeverity}
    from ranking_lf lf ${measures}
    group by j.value`;
  if (!postgres) {
    const query = sql<AggregateRow>`
      with ranking_latest as (${latest}), ranking_lf as (${lf}), app_stats as (${appStats}) ${aggregates}`;
    return (await query.execute(db)).rows;
  }
  // PostgreSQL's JIT compiles a statement this size for 1–2 s before running it, longer than the run
  // (20,000-app seed: 3.2 s with it, 1.8 s without): off for this statement only. Its sorts and
  // hashes (hundreds of thousands of finding groups) spill to disk under the default 4 MB work_mem
  // (20 MB at 20,000 apps, growing with the market): 64 MB for this statement (20,000 apps: no
  // spill, 1.98 s → 1.82 s). ranking_latest and ranking_lf are made as tables of this transaction and analysed
  // before the aggregation reads them: as CTEs the planner guessed their sizes 100–1000× off (the
  // 100,000-app bench after its campaign: ~10,500 latest reports of ~126 findings each) and chose
  // its joins for the wrong sizes (17.3 s).
  return db.transaction().execute(async (trx) => {
    await sql`set local jit = off`.execute(trx);
    await sql`set local work_mem = '64MB'`.execute(trx);
    await sql`create temporary table ranking_latest on commit drop as ${latest}`.execute(trx);
    await sql`analyze ranking_latest`.execute(trx);
    await sql`create temporary table ranking_lf on commit drop as ${lf}`.execute(trx);
    await sql`analyze ranking_lf`.execute(trx);
    return (await sql<AggregateRow>`with app_stats as (${appStats}) ${aggregates}`.execute(trx)).rows;
  });
}

/** Computes every ranking from the database (read-only). */
export async function computeRankings(db: Kysely<Database>, now: number): Promise<RankingSnapshot> {
  const started = performance.now();
  const aggregates = await appAggregates(db);
  const items = await db
    .selectFrom('reg_bulletin_items')
    .select(['app_id', 'developer_org_id', 'state', 'on_time', 'evidence'])
    .where('state', '<>', 'draft')
    .execute();
  const tasks = await db
    .selectFrom('reg_delisting_tasks')
    .innerJoin('reg_removal_orders', 'reg_removal_orders.id', 'reg_delisting_tasks.order_id')
    .select(['reg_delisting_tasks.store_id', 'reg_delisting_tasks.done_at', 'reg_removal_orders.issued_at'])
    .where('reg_delisting_tasks.state', '=', 'done')
    .execute();

  const tables: Record<RankingDimension, Map<string, RankingRow>> = {
    store: new Map(),
    developer: new Map(),
    category: new Map(),
    measure: new Map(),
  };
  for (const a of aggregates) {
    if (a.key === null) continue;
    const key = String(a.key);
    const r = emptyRow(key, a.name === null ? key : String(a.name));
    r.listedApps = Number(a.listed);
    r.testedApps = Number(a.tested);
    r.passingApps = Number(a.passing);
    for (const s of SEVERITIES) r.findings[s] = Number(a[s] ?? 0);
    tables[a.dim].set(key, r);
  }
  // Bulletin items and delisting tasks are few: counted here, per store the app is listed in (now),
  // its developer, its category and the measures its evidence names. Names of organisations without
  // listed apps are read for those only.
  const itemApps = [...new Set(items.map((i) => i.app_id))];
  const storesOfApp = new Map<string, Set<string>>();
  const typeOfApp = new Map<string, string>();
  for (let i = 0; i < itemApps.length; i += 500)
    for (const l of await db
      .selectFrom('listings')
      .select(['app_id', 'store_id', 'app_type'])
      .where('state', '=', 'listed')
      .where('app_id', 'in', itemApps.slice(i, i + 500))
      .orderBy('id')
      .execute()) {
      storesOfApp.set(l.app_id, (storesOfApp.get(l.app_id) ?? new Set()).add(l.store_id));
      typeOfApp.set(l.app_id, l.app_type ?? 'unspecified');
    }
  const unnamed = [
    ...new Set([
      ...items.map((i) => i.developer_org_id).filter((id) => !tables.developer.has(id)),
      ...tasks.map((t) => t.store_id).filter((id) => !tables.store.has(id)),
    ]),
  ];
  const orgs = new Map<string, string>();
  for (let i = 0; i < unnamed.length; i += 500)
    for (const o of await db
      .selectFrom('organisations')
      .select(['id', 'name'])
      .where('id', 'in', unnamed.slice(i, i + 500))
      .execute())
      orgs.set(o.id, o.name);
  const row = (dim: RankingDimension, key: string, name: string) => {
    let r = tables[dim].get(key);
    if (!r) tables[dim].set(key, (r = emptyRow(key, name)));
    return r;
  };
  for (const item of items) {
    const targets: RankingRow[] = [];
    for (const store of storesOfApp.get(item.app_id) ?? []) targets.push(row('store', store, orgs.get(store) ?? store));
    targets.push(row('developer', item.developer_org_id, orgs.get(item.developer_org_id) ?? item.developer_org_id));
    const type = typeOfApp.get(item.app_id);
    if (type) targets.push(row('category', type, type));
    const measures = new Set<string>();
    try {
      for (const e of JSON.parse(item.evidence) as { measures?: unknown }[])
        for (const m of Array.isArray(e.measures) ? e.measures : []) if (typeof m === 'string') measures.add(m);
    } catch {
      // evidence is written by this workflow; unreadable evidence counts for no measure
    }
    for (const m of measures) targets.push(row('measure', m, m));
    for (const r of targets) {
      r.bulletinItems++;
      if (item.state === 'closed' || item.state === 'escalated') {
        r.decidedItems++;
        if (item.on_time === 1) r.rectifiedOnTime++;
      }
    }
  }
  const hoursByStore = new Map<string, number[]>();
  for (const t of tasks) {
    if (t.done_at === null) continue;
    hoursByStore.set(t.store_id, [...(hoursByStore.get(t.store_id) ?? []), (Number(t.done_at) - Number(t.issued_at)) / 3_600_000]);
  }
  for (const [store, hours] of hoursByStore) {
    const r = row('store', store, orgs.get(store) ?? store);
    r.delistingTasksDone = hours.length;
    r.delistingMedianHours = round4(median(hours)!);
  }
  const rankings = {} as Record<RankingDimension, RankingRow[]>;
  for (const dim of RANKING_DIMENSIONS) {
    const rows = [...tables[dim].values()];
    for (const r of rows) {
      r.passRate = r.testedApps && dim !== 'measure' ? round4(r.passingApps / r.testedApps) : null;
      r.rectificationTimeliness = r.decidedItems ? round4(r.rectifiedOnTime / r.decidedItems) : null;
    }
    // Best first: pass rate, then timeliness, then key (stable across runs).
    rankings[dim] = rows.sort(
      (a, b) =>
        (b.passRate ?? -1) - (a.passRate ?? -1) ||
        (b.rectificationTimeliness ?? -1) - (a.rectificationTimeliness ?? -1) ||
        (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
    );
  }
  return {
    id: newId(now),
    computedAt: now,
    durationMs: Math.round(performance.now() - started),
    definitions: RANKING_DEFINITIONS_VERSION,
    rankings,
  };
}

/** Computes and stores a snapshot; returns it. */
export async function recomputeRankings(db: Kysely<Database>, now: number): Promise<RankingSnapshot> {
  const snapshot = await computeRankings(db, now);
  await db
    .insertInto('reg_ranking_snapshots')
    .values({ id: snapshot.id, computed_at: now, duration_ms: snapshot.durationMs, body: JSON.stringify(snapshot) })
    .execute();
  return snapshot;
}

export async function latestRankings(db: Kysely<Database>): Promise<RankingSnapshot | undefined> {
  const row = await db.selectFrom('reg_ranking_snapshots').select('body').orderBy('id', 'desc').executeTakeFirst();
  return row ? (JSON.parse(row.body) as RankingSnapshot) : undefined;
}

/**
 * One CSV cell (RFC 4180): quoted when it holds a comma, quote, CR or LF, quotes doubled. A cell a
 * spreadsheet would run as a formula (starting with = + - @, or a tab/CR that some read past) gets
 * a leading apostrophe first (OWASP "CSV injection"), so a developer's name cannot become a formula.
 */
export function csvCell(value: unknown): string {
  let text = value === null || value === undefined ? '' : typeof value === 'number' ? String(value) : String(value);
  if (typeof value !== 'number' && /^[=+\-@\t\r]/.test(text)) text = `'${text}`;
  return /[",\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function rankingsCsv(rows: readonly RankingRow[]): string {
  const header = [
    'rank',
    'key',
    'name',
    'listed_apps',
    'tested_apps',
    'passing_apps',
    'pass_rate',
    'findings_high',
    'findings_medium',
    'findings_low',
    'findings_info',
    'bulletin_items',
    'decided_items',
    'rectified_on_time',
    'rectification_timeliness',
    'delisting_tasks_done',
    'delisting_median_hours',
  ];
  const lines = [header.join(',')];
  rows.forEach((r, i) =>
    lines.push(
      [
        i + 1,
        r.key,
        r.name,
        r.listedApps,
        r.testedApps,
        r.passingApps,
        r.passRate,
        r.findings.high ?? 0,
        r.findings.medium ?? 0,
        r.findings.low ?? 0,
        r.findings.info ?? 0,
        r.bulletinItems,
        r.decidedItems,
        r.rectifiedOnTime,
        r.rectificationTimeliness,
        r.delistingTasksDone,
        r.delistingMedianHours,
      ]
        .map(csvCell)
        .join(','),
    ),
  );
  return lines.join('\r\n') + '\r\n';
}
