import { sql, type Kysely } from 'kysely';
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

/** Computes every ranking from the database (read-only). */
export async function computeRankings(db: Kysely<Database>, now: number): Promise<RankingSnapshot> {
  const started = performance.now();
  const listings = await db
    .selectFrom('listings')
    .innerJoin('apps', 'apps.id', 'listings.app_id')
    .select(['listings.store_id', 'listings.app_id', 'listings.app_type', 'apps.org_id as developer_org_id'])
    .where('listings.state', '=', 'listed')
    .execute();
  const listedApps = new Set(listings.map((l) => l.app_id));
  // The latest report of each app (the newest of its scan reports through versions and of the
  // reports its findings point to: re-runs carry no version) joined to that report's findings, in
  // one statement: one row per finding, or one row with null severity for a report without any.
  const latestRows = await sql<{ app_id: string; report_id: string; severity: string | null; measures: string | null }>`
    with latest as (
      select app_id, max(report_id) as report_id from (
        select v.app_id as app_id, r.id as report_id from reports r join versions v on v.id = r.version_id
        union all
        select f.app_id as app_id, max(f.report_id) as report_id from findings f where f.app_id is not null group by f.app_id
      ) x group by app_id
    )
    select l.app_id as app_id, l.report_id as report_id, f.severity as severity, f.measures as measures
    from latest l left join findings f on f.report_id = l.report_id and f.app_id = l.app_id`.execute(db);
  const latest = new Map<string, string>();
  const severities = new Map<string, Record<string, number>>();
  const measuresByApp = new Map<string, Map<string, Record<string, number>>>();
  for (const r of latestRows.rows) {
    if (!listedApps.has(r.app_id)) continue;
    latest.set(r.app_id, r.report_id);
    if (r.severity === null) continue;
    const s = severities.get(r.app_id) ?? {};
    s[r.severity] = (s[r.severity] ?? 0) + 1;
    severities.set(r.app_id, s);
    let measures: unknown;
    try {
      measures = JSON.parse(r.measures ?? '[]');
    } catch {
      measures = [];
    }
    const m = measuresByApp.get(r.app_id) ?? new Map<string, Record<string, number>>();
    for (const id of Array.isArray(measures) ? measures : []) {
      const key =
        typeof id === 'string' ? id : typeof id === 'object' && id && 'id' in id ? String((id as { id: unknown }).id) : String(id);
      const c = m.get(key) ?? {};
      c[r.severity] = (c[r.severity] ?? 0) + 1;
      m.set(key, c);
    }
    measuresByApp.set(r.app_id, m);
  }
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
  const orgs = new Map((await db.selectFrom('organisations').select(['id', 'name']).execute()).map((o) => [o.id, o.name]));

  const tables: Record<RankingDimension, Map<string, RankingRow>> = {
    store: new Map(),
    developer: new Map(),
    category: new Map(),
    measure: new Map(),
  };
  const row = (dim: RankingDimension, key: string, name: string) => {
    let r = tables[dim].get(key);
    if (!r) tables[dim].set(key, (r = emptyRow(key, name)));
    return r;
  };
  const passes = (appId: string) => (severities.get(appId)?.high ?? 0) === 0;
  const addApp = (r: RankingRow, appId: string) => {
    r.listedApps++;
    if (!latest.has(appId)) return;
    r.testedApps++;
    if (passes(appId)) r.passingApps++;
    for (const [s, n] of Object.entries(severities.get(appId) ?? {})) r.findings[s] = (r.findings[s] ?? 0) + n;
  };
  // Apps count once per developer and category (an app in three stores is one app), once per store.
  const seen = { developer: new Set<string>(), category: new Set<string>() };
  const storesOfApp = new Map<string, Set<string>>();
  for (const l of listings) {
    addApp(row('store', l.store_id, orgs.get(l.store_id) ?? l.store_id), l.app_id);
    storesOfApp.set(l.app_id, (storesOfApp.get(l.app_id) ?? new Set()).add(l.store_id));
    if (!seen.developer.has(l.app_id)) {
      seen.developer.add(l.app_id);
      addApp(row('developer', l.developer_org_id, orgs.get(l.developer_org_id) ?? l.developer_org_id), l.app_id);
    }
    const type = l.app_type ?? 'unspecified';
    const catKey = `${type}\u0000${l.app_id}`;
    if (!seen.category.has(catKey)) {
      seen.category.add(catKey);
      addApp(row('category', type, type), l.app_id);
    }
  }
  for (const appId of listedApps)
    for (const [measure, counts] of measuresByApp.get(appId) ?? []) {
      const r = row('measure', measure, measure);
      r.listedApps++;
      r.testedApps++;
      for (const [s, n] of Object.entries(counts)) r.findings[s] = (r.findings[s] ?? 0) + n;
    }
  const typeOfApp = new Map(listings.map((l) => [l.app_id, l.app_type ?? 'unspecified']));
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
