// A synthetic market for the workflow and console benchmarks: stores, developers, apps, versions,
// listings and the latest version's scan report of every listed app, in SQLite or PostgreSQL.
//
// Facts are real: the three real npm APKs are scanned once by the engine and their reports (facts,
// findings, SDKs, coverage) are copied to every app in turn, with the package name changed. What is
// synthetic is the number of rows and their names. Stored report bodies are trimmed to what lists
// and pages read (app, SDKs, coverage, summary); the facts section is stored whole, so rules can
// re-run on it exactly as on a real report.
//
// Rows are written in bulk through the drivers (a prepared statement in one transaction on SQLite;
// INSERT … SELECT FROM unnest($1::text[], …) on PostgreSQL), not one INSERT per row through Kysely.
import { createHash } from 'node:crypto';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';

// The server's own search text of a listing (so the seeded market searches as written listings do).
const { listingSearchText } = await import(new URL('../../packages/server/dist/index.js', import.meta.url).href);

const SEED_TIME = Date.UTC(2026, 0, 5, 2);

/** A fixed-seed PRNG (mulberry32): the same seed gives the same market. */
export function prng(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sha = (text) => createHash('sha256').update(text).digest('hex');

/** Time-ordered unique ids shaped like the server's (26 Crockford characters), cheap to make by the million. */
function idMaker() {
  const alphabet = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';
  let n = 0;
  return (at = SEED_TIME) => {
    let time = '';
    let t = at;
    for (let i = 0; i < 10; i++) {
      time = alphabet[t % 32] + time;
      t = Math.floor(t / 32);
    }
    let tail = '';
    let c = n++;
    for (let i = 0; i < 16; i++) {
      tail = alphabet[c % 32] + tail;
      c = Math.floor(c / 32);
    }
    return time + tail;
  };
}

/** Scans the real APKs once and keeps what a stored report holds. */
export async function realReports(root) {
  const engine = await import(pathToFileURL(join(root, 'packages/engine/dist/index.js')).href);
  const files = [
    'node_modules/android-apidemos/apks/ApiDemos-debug.apk',
    'node_modules/io.appium.settings/apks/settings_apk-debug.apk',
    'node_modules/appium-uiautomator2-server/apks/appium-uiautomator2-server-v10.6.6.apk',
  ];
  const out = [];
  for (const file of files) {
    const report = await engine.scanPackage(join(root, file));
    const { facts, ...body } = report;
    const seen = new Set();
    const findings = [];
    for (const f of report.findings) {
      if (seen.has(f.fingerprint)) continue;
      seen.add(f.fingerprint);
      findings.push({ fingerprint: f.fingerprint, ruleId: f.ruleId, severity: f.severity, measures: JSON.stringify(f.measures) });
    }
    const bySeverity = {};
    for (const f of report.findings) if (!f.suppressed) bySeverity[f.severity] = (bySeverity[f.severity] ?? 0) + 1;
    const byStatus = {};
    for (const c of report.coverage) byStatus[c.status] = (byStatus[c.status] ?? 0) + 1;
    out.push({
      file,
      knowledge: body.context?.knowledge ?? null,
      facts,
      body: {
        schemaVersion: body.schemaVersion,
        tool: body.tool,
        context: body.context,
        app: body.app,
        sdks: body.sdks,
        coverage: body.coverage,
      },
      summary: JSON.stringify({ findings: bySeverity, suppressed: 0, coverage: byStatus }),
      findings,
      sdks: report.sdks,
      sdksText: JSON.stringify(report.sdks.map((x) => ({ id: x.id, name: x.name, vendor: x.vendor, category: x.category }))),
      coverageText: JSON.stringify(byStatus),
      permissions: (report.permissions ?? []).map((p) => p.name ?? p).filter((n) => typeof n === 'string'),
    });
  }
  return out;
}

const TABLES = {
  organisations: { id: 'text', slug: 'text', name: 'text', kind: 'text', created_at: 'bigint' },
  apps: { id: 'text', org_id: 'text', package_name: 'text', created_at: 'bigint' },
  blobs: { sha256: 'text', size: 'bigint', media_type: 'text', created_at: 'bigint' },
  versions: {
    id: 'text',
    app_id: 'text',
    org_id: 'text',
    version_code: 'text',
    version_name: 'text',
    signer_sha256: 'text',
    blob_sha256: 'text',
    created_at: 'bigint',
  },
  jobs: {
    id: 'text',
    kind: 'text',
    org_id: 'text',
    state: 'text',
    priority: 'integer',
    payload: 'text',
    run_after: 'bigint',
    attempts: 'integer',
    max_attempts: 'integer',
    created_at: 'bigint',
    updated_at: 'bigint',
    finished_at: 'bigint',
  },
  reports: {
    id: 'text',
    job_id: 'text',
    org_id: 'text',
    kind: 'text',
    version_id: 'text',
    knowledge_id: 'text',
    body: 'text',
    facts: 'text',
    summary: 'text',
    created_at: 'bigint',
  },
  findings: {
    id: 'text',
    report_id: 'text',
    org_id: 'text',
    app_id: 'text',
    fingerprint: 'text',
    rule_id: 'text',
    severity: 'text',
    measures: 'text',
    created_at: 'bigint',
  },
  store_listing_checks: {
    listing_id: 'text',
    version_id: 'text',
    report_id: 'text',
    knowledge_id: 'text',
    sdks: 'text',
    coverage: 'text',
    checked_at: 'bigint',
  },
  sdk_version_index: {
    version_id: 'text',
    sdk_id: 'text',
    sdk_version: 'text',
    report_id: 'text',
    app_id: 'text',
    org_id: 'text',
    created_at: 'bigint',
  },
  listings: {
    id: 'text',
    store_id: 'text',
    developer_org_id: 'text',
    package_name: 'text',
    app_id: 'text',
    version_id: 'text',
    state: 'text',
    elements: 'text',
    search_text: 'text',
    app_type: 'text',
    listed_at: 'bigint',
    updated_at: 'bigint',
  },
};

/** Bulk writers over an open SQLite database (better-sqlite3) or a pg Client. */
export function sqliteWriter(sqlite) {
  const statements = new Map();
  return {
    async begin() {
      sqlite.exec('BEGIN');
    },
    async commit() {
      sqlite.exec('COMMIT');
    },
    async insert(table, rows) {
      if (rows.length === 0) return;
      const columns = Object.keys(TABLES[table]);
      let statement = statements.get(table);
      if (!statement) {
        statement = sqlite.prepare(`INSERT INTO ${table} (${columns.join(', ')}) VALUES (${columns.map(() => '?').join(', ')})`);
        statements.set(table, statement);
      }
      for (const row of rows) statement.run(columns.map((c) => row[c] ?? null));
    },
  };
}

export function postgresWriter(client) {
  return {
    async begin() {
      await client.query('BEGIN');
    },
    async commit() {
      await client.query('COMMIT');
    },
    async insert(table, rows) {
      if (rows.length === 0) return;
      const types = TABLES[table];
      const columns = Object.keys(types);
      const arrays = columns.map((c) =>
        rows.map((r) => (r[c] === undefined || r[c] === null ? null : types[c] === 'text' ? String(r[c]) : r[c])),
      );
      const casts = columns.map((c, i) => `$${i + 1}::${types[c]}[]`);
      await client.query(`INSERT INTO ${table} (${columns.join(', ')}) SELECT * FROM unnest(${casts.join(', ')})`, arrays);
    },
  };
}

const APP_TYPES = ['map-navigation', 'online-shopping', 'instant-messaging', 'short-video', 'news', 'browser', 'utility', 'music'];

/**
 * Writes the market. Returns the ids the benchmarks need (stores, regulator, listed report ids).
 * Options: apps (100,000), versionsPerApp (10), stores (10), developers (50,000), findingsPerApp (20),
 * secondStoreShare (0.2), factsStores (all: the reports of apps whose home store is among the first
 * factsStores keep the facts section; the rest keep the trimmed body and summary only, as a market
 * whose older reports predate facts),
 * seed (20261206), onProgress(table, done, total).
 */
export async function seedMarket(writer, reports, options = {}) {
  const apps = options.apps ?? 100_000;
  const versionsPerApp = options.versionsPerApp ?? 10;
  const storeCount = options.stores ?? 10;
  const developerCount = Math.min(options.developers ?? 50_000, apps);
  const findingsPerApp = options.findingsPerApp ?? 20;
  const secondStoreShare = options.secondStoreShare ?? 0.2;
  const factsStores = options.factsStores ?? storeCount;
  const random = prng(options.seed ?? 20261206);
  const progress = options.onProgress ?? (() => {});
  const id = idMaker();
  const batch = 5_000;

  await writer.begin();
  const orgs = [];
  const stores = [];
  for (let s = 0; s < storeCount; s++) {
    const row = { id: id(), slug: `store-${s}`, name: `Store ${s} 应用商店`, kind: 'store', created_at: SEED_TIME };
    stores.push(row.id);
    orgs.push(row);
  }
  const regulator = { id: id(), slug: 'regulator', name: 'Regulator 监管部门', kind: 'regulator', created_at: SEED_TIME };
  orgs.push(regulator);
  await writer.insert('organisations', orgs);
  const developers = [];
  for (let d = 0; d < developerCount; d += batch) {
    const rows = [];
    for (let i = d; i < Math.min(developerCount, d + batch); i++) {
      const row = { id: id(), slug: `dev-${i}`, name: `Developer ${i} 科技有限公司`, kind: 'developer', created_at: SEED_TIME };
      developers.push(row.id);
      rows.push(row);
    }
    await writer.insert('organisations', rows);
    progress('organisations', Math.min(developerCount, d + batch), developerCount);
  }

  const knowledgeIds = new Set(reports.map((r) => r.knowledge?.id).filter(Boolean));
  const factsText = reports.map((r) => JSON.stringify(r.facts));
  const listedReports = [];
  for (let a = 0; a < apps; a += batch) {
    const appRows = [];
    const blobRows = [];
    const versionRows = [];
    const jobRows = [];
    const reportRows = [];
    const findingRows = [];
    const listingRows = [];
    const checkRows = [];
    const versionSdkRows = [];
    for (let i = a; i < Math.min(apps, a + batch); i++) {
      const real = reports[i % reports.length];
      const dev = developers[i % developers.length];
      const packageName = `cn.market.app${i}`;
      const appId = id();
      appRows.push({ id: appId, org_id: dev, package_name: packageName, created_at: SEED_TIME });
      const signer = sha(`signer:${i % developerCount}`);
      let latest;
      for (let v = 0; v < versionsPerApp; v++) {
        const at = SEED_TIME - (versionsPerApp - v) * 86_400_000 * 7;
        const blob = sha(`blob:${i}:${v}`);
        blobRows.push({
          sha256: blob,
          size: 1_000_000 + ((i * 31 + v) % 50_000_000),
          media_type: 'application/vnd.android.package-archive',
          created_at: at,
        });
        latest = {
          id: id(at),
          app_id: appId,
          org_id: dev,
          version_code: String(v + 1),
          version_name: `1.${v}.0`,
          signer_sha256: signer,
          blob_sha256: blob,
          created_at: at,
        };
        versionRows.push(latest);
      }
      const jobId = id();
      jobRows.push({
        id: jobId,
        kind: 'scan',
        org_id: dev,
        state: 'succeeded',
        priority: 0,
        payload: JSON.stringify({ blob: latest.blob_sha256 }),
        run_after: SEED_TIME,
        attempts: 1,
        max_attempts: 4,
        created_at: SEED_TIME,
        updated_at: SEED_TIME,
        finished_at: SEED_TIME,
      });
      const reportId = id();
      const facts =
        i % storeCount >= factsStores
          ? null
          : factsText[i % reports.length].replaceAll(`"package":"${real.facts.package.app.package}"`, `"package":"${packageName}"`);
      const body = {
        ...real.body,
        app: { ...real.body.app, package: packageName, versionCode: Number(latest.version_code), versionName: latest.version_name },
      };
      reportRows.push({
        id: reportId,
        job_id: jobId,
        org_id: dev,
        kind: 'scan',
        version_id: latest.id,
        knowledge_id: real.knowledge?.id ?? null,
        body: JSON.stringify(body),
        facts: i % storeCount < factsStores ? facts : null,
        summary: real.summary,
        created_at: SEED_TIME,
      });
      if (i % storeCount < factsStores) listedReports.push(reportId);
      // A sample of the real findings (the market's apps do not all carry the demo APK's 300+).
      const picked =
        real.findings.length <= findingsPerApp
          ? real.findings
          : real.findings.filter(() => random() < findingsPerApp / real.findings.length);
      for (const f of picked)
        findingRows.push({
          id: id(),
          report_id: reportId,
          org_id: dev,
          app_id: appId,
          fingerprint: f.fingerprint,
          rule_id: f.ruleId,
          severity: f.severity,
          measures: f.measures,
          created_at: SEED_TIME,
        });
      const elements = JSON.stringify({
        name: `应用 ${i} App`,
        version: latest.version_name,
        developer: `Developer ${i % developerCount} 科技有限公司`,
        privacyPolicyUrl: `https://app${i}.example.cn/privacy`,
        permissions: real.permissions.slice(0, 8).map((name) => ({ name, purpose: '用于提供相关功能 / for the feature that needs it' })),
        description: `Synthetic app ${i} of the benchmark market. 基准测试用的合成应用。`,
      });
      const appType = APP_TYPES[i % APP_TYPES.length];
      for (const sdk of real.sdks)
        versionSdkRows.push({
          version_id: latest.id,
          sdk_id: sdk.id,
          sdk_version: sdk.version ?? '',
          report_id: reportId,
          app_id: appId,
          org_id: dev,
          created_at: SEED_TIME,
        });
      // One listing (and the store's record of its last check) in a store.
      const list = (storeId) => {
        const listingId = id();
        checkRows.push({
          listing_id: listingId,
          version_id: latest.id,
          report_id: reportId,
          knowledge_id: real.knowledge?.id ?? null,
          sdks: real.sdksText,
          coverage: real.coverageText,
          checked_at: SEED_TIME,
        });
        listingRows.push({
          id: listingId,
          store_id: storeId,
          developer_org_id: dev,
          package_name: packageName,
          app_id: appId,
          version_id: latest.id,
          state: 'listed',
          elements,
          search_text: listingSearchText(packageName, elements),
          app_type: appType,
          listed_at: SEED_TIME,
          updated_at: SEED_TIME,
        });
      };
      const home = stores[i % stores.length];
      list(home);
      if (random() < secondStoreShare) {
        const other = stores[(i + 1 + Math.floor(random() * (stores.length - 1))) % stores.length];
        if (other !== home) list(other);
      }
    }
    await writer.insert('apps', appRows);
    await writer.insert('blobs', blobRows);
    for (let v = 0; v < versionRows.length; v += batch) await writer.insert('versions', versionRows.slice(v, v + batch));
    await writer.insert('jobs', jobRows);
    for (let r = 0; r < reportRows.length; r += 500) await writer.insert('reports', reportRows.slice(r, r + 500));
    for (let f = 0; f < findingRows.length; f += batch) await writer.insert('findings', findingRows.slice(f, f + batch));
    await writer.insert('listings', listingRows);
    await writer.insert('store_listing_checks', checkRows);
    for (let v = 0; v < versionSdkRows.length; v += batch) await writer.insert('sdk_version_index', versionSdkRows.slice(v, v + batch));
    progress('apps', Math.min(apps, a + batch), apps);
  }
  await writer.commit();
  return {
    stores,
    factsStoreIds: stores.slice(0, factsStores),
    regulator: regulator.id,
    developers: developers.length,
    /** Reports of listed apps that keep their facts. */
    listedReports,
    knowledgeIds: [...knowledgeIds],
  };
}
