// Times the regulator's ranking recomputation (computeRankings) over a synthetic market seeded
// directly into SQLite or PostgreSQL: APPS apps (default 100,000) from APPS/2 developers, each
// listed in one of 10 stores, VERSIONS_PER_APP versions each (default 10 → 1,000,000 versions),
// one scan report per app with 0–9 findings (severities and measures drawn from a fixed PRNG), and
// 1 % of apps in bulletins (half escalated, with delisting tasks done).
// Usage: node --import tsx scripts/bench-regulator-rankings.ts [sqlite|postgres] [apps]
//   PostgreSQL: APPRIGHTS_TEST_PG (default postgres://root@127.0.0.1:5432/postgres); a throwaway DB is made and dropped.
import { performance } from 'node:perf_hooks';
import { tmpdir } from 'node:os';
import { mkdtempSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { openStore } from '../packages/server/src/db/open.js';
import { computeRankings } from '../packages/server/src/workflows/regulator/rankings.js';
import { throwawayPostgres } from '../packages/server/test/support/databases.js';
import { newId } from '../packages/server/src/ids.js';
import { defaultConfig } from '../packages/server/src/config.js';

const dialect = process.argv[2] === 'postgres' ? 'postgres' : 'sqlite';
const APPS = Number(process.argv[3] ?? 100_000);
const VERSIONS_PER_APP = Number(process.env.VERSIONS_PER_APP ?? 10);

// xorshift32: a fixed, seedable sequence so every run seeds the same market.
let state = 2463534242;
const rand = () => {
  state ^= state << 13;
  state ^= state >>> 17;
  state ^= state << 5;
  return (state >>> 0) / 4294967296;
};

async function main() {
  const dir = mkdtempSync(join(tmpdir(), 'reg-bench-'));
  const pg = dialect === 'postgres' ? await throwawayPostgres() : undefined;
  const config = defaultConfig({ dataDir: dir, ...(pg ? { databaseUrl: pg.url } : {}) });
  const store = await openStore(config);
  const db = store.db;
  try {
    const t0 = performance.now();
    const now = Date.now();
    const orgs: { id: string; slug: string; name: string; kind: 'store' | 'developer'; created_at: number }[] = [];
    const stores = Array.from({ length: 10 }, (_, i) => ({
      id: newId(),
      slug: `s${i}`,
      name: `Store ${i}`,
      kind: 'store' as const,
      created_at: now,
    }));
    const devs = Array.from({ length: Math.max(1, APPS / 2) }, (_, i) => ({
      id: newId(),
      slug: `d${i}`,
      name: `Dev ${i}`,
      kind: 'developer' as const,
      created_at: now,
    }));
    orgs.push(...stores, ...devs);
    const batch = async <T>(table: string, rows: T[], size = 1000) => {
      for (let i = 0; i < rows.length; i += size)
        await db
          .insertInto(table as never)
          .values(rows.slice(i, i + size) as never)
          .execute();
    };
    await batch('organisations', orgs);
    // One blob per version number (a version row is unique per app and blob).
    const blobs = Array.from({ length: VERSIONS_PER_APP }, (_, v) => v.toString(16).padStart(64, '0'));
    await batch(
      'blobs',
      blobs.map((sha256) => ({ sha256, size: 1, media_type: 'x', created_at: now })),
    );
    const severities = ['high', 'medium', 'low', 'info'];
    const measures = ['m01', 'm02', 'm03', 'm05', 'm07', 'm11'];
    const types = ['news', 'online-games', 'utilities', 'short-video', 'online-shopping', null];
    for (let start = 0; start < APPS; start += 2000) {
      const apps = [];
      const versions = [];
      const listings = [];
      const jobs = [];
      const reports = [];
      const findings = [];
      for (let a = start; a < Math.min(APPS, start + 2000); a++) {
        const dev = devs[a % devs.length]!;
        const appId = newId();
        apps.push({ id: appId, org_id: dev.id, package_name: `com.bench.app${a}`, created_at: now });
        let last = '';
        for (let v = 0; v < VERSIONS_PER_APP; v++) {
          last = newId();
          versions.push({
            id: last,
            app_id: appId,
            org_id: dev.id,
            version_code: String(v),
            version_name: `1.${v}`,
            signer_sha256: null,
            blob_sha256: blobs[v]!,
            created_at: now,
          });
        }
        listings.push({
          id: newId(),
          store_id: stores[a % 10]!.id,
          developer_org_id: dev.id,
          package_name: `com.bench.app${a}`,
          app_id: appId,
          version_id: last,
          state: 'listed',
          elements: '{}',
          app_type: types[a % types.length]!,
          listed_at: now,
          delisted_at: null,
          updated_at: now,
        });
        const jobId = newId();
        jobs.push({
          id: jobId,
          kind: 'scan',
          org_id: dev.id,
          created_by: null,
          state: 'succeeded',
          priority: 0,
          payload: '{}',
          run_after: now,
          attempts: 1,
          max_attempts: 1,
          locked_by: null,
          lease_until: null,
          progress: null,
          error_code: null,
          error_message: null,
          cancel_requested: 0,
          created_at: now,
          updated_at: now,
          finished_at: now,
        });
        const reportId = newId();
        reports.push({
          id: reportId,
          job_id: jobId,
          org_id: dev.id,
          kind: 'scan',
          version_id: last,
          knowledge_id: null,
          body: '{}',
          facts: null,
          summary: '{}',
          created_at: now,
        });
        const n = Math.floor(rand() * 10);
        for (let f = 0; f < n; f++)
          findings.push({
            id: newId(),
            report_id: reportId,
            org_id: dev.id,
            app_id: appId,
            fingerprint: `fp${a}-${f}`,
            rule_id: `rule-${f}`,
            severity: severities[Math.floor(rand() * 4)]!,
            measures: JSON.stringify([measures[Math.floor(rand() * measures.length)]]),
            created_at: now,
          });
      }
      await batch('apps', apps);
      await batch('versions', versions);
      await batch('listings', listings);
      await batch('jobs', jobs, 500);
      await batch('reports', reports);
      await batch('findings', findings);
    }
    const seeded = performance.now() - t0;
    const times: number[] = [];
    let rows = 0;
    for (let i = 0; i < 3; i++) {
      const t = performance.now();
      const snap = await computeRankings(db, Date.now());
      times.push(performance.now() - t);
      rows = Object.values(snap.rankings).reduce((s, r) => s + r.length, 0);
    }
    console.log(
      JSON.stringify({
        dialect,
        apps: APPS,
        versions: APPS * VERSIONS_PER_APP,
        seededSeconds: +(seeded / 1000).toFixed(1),
        rankingRows: rows,
        computeMs: times.map((t) => Math.round(t)),
      }),
    );
  } finally {
    await store.close();
    await pg?.drop();
    rmSync(dir, { recursive: true, force: true });
  }
}

await main();
