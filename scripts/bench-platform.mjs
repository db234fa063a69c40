#!/usr/bin/env node
// npm run bench:platform: the platform's throughput, as ratios to a floor measured in the same run
// on the same machine. A benchmark, not a timed test: nothing here fails a build.
//
// Jobs part (this file, for now; scans through the API and uploads come with the API):
//   no-op jobs/s   enqueue → claim (with a lease, fair) → complete with a result row and its outbox
//                  event, on the embedded queue (SQLite) and on pg-boss (PostgreSQL), with 1, 2 and 4
//                  concurrent claim loops in one process, beside a raw SQL loop doing the same work
//                  (insert; claim the next row by UPDATE … RETURNING; mark it done and insert a result
//                  row in one transaction) with the same number of loops. Target: ≥ 50 % of raw.
//   rerun-rules    stored facts of the real npm APKs judged again by warm workers (1 child process),
//                  apps/s per worker. Target: ≥ 50.
//
// Usage: npm run bench:platform. BENCH_JOBS (default 400) no-op jobs per run; BENCH_RERUNS (default
// 150); BENCH_PG (default postgres://root@127.0.0.1:5432/postgres; BENCH_PG=0 skips PostgreSQL).
// BENCH_PART=noop runs only the no-op part, BENCH_PART=reruns only rerun-rules (default: both);
// BENCH_QUEUES picks the no-op tables, a comma list of sqlite, pg-boss, pg-embedded (default: all).
// (node scripts/bench-platform.mjs after npm run build runs this file alone, without the API part.)
import { mkdtempSync, rmSync } from 'node:fs';
import { cpus, totalmem, tmpdir, loadavg } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createReadStream } from 'node:fs';
import { randomBytes } from 'node:crypto';

const root = fileURLToPath(new URL('..', import.meta.url));
const server = await import(pathToFileURL(join(root, 'packages/server/dist/index.js')).href);
const { completeJob } = await import(pathToFileURL(join(root, 'packages/server/dist/jobs/results.js')).href);
const { newId } = await import(pathToFileURL(join(root, 'packages/server/dist/ids.js')).href);
const { default: pg } = await import('pg');

const JOBS = Number(process.env.BENCH_JOBS ?? 400);
const RERUNS = Number(process.env.BENCH_RERUNS ?? 150);
const PG_ADMIN = process.env.BENCH_PG ?? 'postgres://root@127.0.0.1:5432/postgres';
const LOOPS = [1, 2, 4];
const PART = process.env.BENCH_PART ?? 'all';
const QUEUES = (process.env.BENCH_QUEUES ?? 'sqlite,pg-boss,pg-embedded').split(',').map((q) => q.trim());
if (!['all', 'noop', 'reruns'].includes(PART)) throw new Error(`BENCH_PART=${PART}: noop, reruns or all`);
const APKS = [
  'node_modules/android-apidemos/apks/ApiDemos-debug.apk',
  'node_modules/io.appium.settings/apks/settings_apk-debug.apk',
  'node_modules/appium-uiautomator2-server/apks/appium-uiautomator2-server-v10.6.6.apk',
].map((p) => join(root, p));

const NO_OP = { reportKind: 'rerun', body: '{}', facts: null, summary: {}, findings: [] };

// ---- databases ---------------------------------------------------------------------------------

async function sqliteStore() {
  const dir = mkdtempSync(join(tmpdir(), 'apprights-bench-'));
  const store = await server.openStore({ dataDir: dir });
  return {
    store,
    dir,
    drop: async () => {
      await store.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function postgresStore() {
  const name = `apprights_bench_${randomBytes(4).toString('hex')}`;
  const admin = new pg.Client({ connectionString: PG_ADMIN });
  await admin.connect();
  await admin.query(`create database ${name}`);
  const version = (await admin.query('show server_version')).rows[0].server_version;
  await admin.end();
  const url = new URL(PG_ADMIN);
  url.pathname = `/${name}`;
  const dir = mkdtempSync(join(tmpdir(), 'apprights-bench-'));
  const store = await server.openStore({ databaseUrl: url.toString(), dataDir: dir, poolSize: 8 });
  return {
    store,
    dir,
    version,
    drop: async () => {
      await store.close();
      const c = new pg.Client({ connectionString: PG_ADMIN });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

async function addOrg(store) {
  const id = newId();
  await store.db
    .insertInto('organisations')
    .values({ id, slug: `bench-${id.toLowerCase()}`, name: 'bench', kind: 'developer', created_at: Date.now() })
    .execute();
  return id;
}

// ---- the raw floor: the same work in plain SQL, no fairness, no attempts, no outbox -----------------

async function rawLoop(store, loops) {
  const { sql } = await import('kysely');
  const db = store.db;
  const org = await addOrg(store);
  const pgSkip = store.dialect === 'postgres' ? sql` for update skip locked` : sql``;
  const started = performance.now();
  const insert = async () => {
    const now = Date.now();
    await db
      .insertInto('jobs')
      .values({
        id: newId(),
        kind: 'rerun-rules',
        org_id: org,
        created_by: null,
        state: 'queued',
        priority: 0,
        payload: '{}',
        run_after: now,
        attempts: 0,
        max_attempts: 4,
        locked_by: null,
        lease_until: null,
        progress: null,
        error_code: null,
        error_message: null,
        cancel_requested: 0,
        created_at: now,
        updated_at: now,
        finished_at: null,
      })
      .execute();
  };
  for (let i = 0; i < JOBS; i++) await insert();
  const enqueued = performance.now();
  let done = 0;
  const loop = async (name) => {
    for (;;) {
      const now = Date.now();
      const { rows } =
        await sql`update jobs set state = 'running', locked_by = ${name}, lease_until = ${now + 60000}, attempts = attempts + 1
        where id = (select id from jobs where state = 'queued' and run_after <= ${now} order by priority desc, id limit 1${pgSkip}) and state = 'queued'
        returning id, org_id`.execute(db);
      const job = rows[0];
      if (!job) return;
      await db.transaction().execute(async (trx) => {
        await trx.updateTable('jobs').set({ state: 'succeeded', finished_at: now, locked_by: null }).where('id', '=', job.id).execute();
        await trx
          .insertInto('reports')
          .values({
            id: newId(),
            job_id: job.id,
            org_id: job.org_id,
            kind: 'rerun',
            version_id: null,
            knowledge_id: null,
            body: '{}',
            facts: null,
            summary: '{}',
            created_at: now,
          })
          .execute();
      });
      done++;
    }
  };
  await Promise.all(Array.from({ length: loops }, (_, i) => loop(`raw-${i}`)));
  const seconds = (performance.now() - started) / 1000;
  if (done !== JOBS) throw new Error(`raw loop finished ${done} of ${JOBS}`);
  return { rate: JOBS / seconds, enqueueMs: enqueued - started, drainMs: performance.now() - enqueued };
}

// ---- the platform's queue ------------------------------------------------------------------------

async function queueLoop(store, kind, loops) {
  const config = server.defaultConfig({ dataDir: '/nonexistent', retryBackoffMs: 50 });
  const queue = server.createQueue({ store, config, kind, pollMs: 20 });
  await queue.start();
  try {
    const orgs = [await addOrg(store), await addOrg(store)];
    const started = performance.now();
    for (let i = 0; i < JOBS; i++) await queue.submit({ kind: 'rerun-rules', orgId: orgs[i % 2], payload: { reportId: 'none' } });
    const enqueued = performance.now();
    let done = 0;
    const loop = async (name) => {
      let idle = 0;
      while (done < JOBS) {
        const job = await queue.claim(name, 60000);
        if (!job) {
          // pg-boss: a message may not be fetchable yet; give up only after a quiet second.
          if (++idle > 50) return;
          await queue.waitForWork(20);
          continue;
        }
        idle = 0;
        await completeJob(queue, { jobId: job.id, worker: name, attempt: job.attempts }, job, NO_OP, {});
        done++;
      }
    };
    await Promise.all(Array.from({ length: loops }, (_, i) => loop(`w-${i}`)));
    const seconds = (performance.now() - started) / 1000;
    if (done !== JOBS) throw new Error(`${kind} finished ${done} of ${JOBS}`);
    return { rate: JOBS / seconds, enqueueMs: enqueued - started, drainMs: performance.now() - enqueued };
  } finally {
    await queue.stop();
  }
}

async function noOpTable(label, open, kind) {
  const rows = [];
  for (const loops of LOOPS) {
    // Fresh databases for each figure, the floor first then the queue, alternating.
    const a = await open();
    let raw;
    try {
      raw = await rawLoop(a.store, loops);
    } finally {
      await a.drop();
    }
    const b = await open();
    let ours;
    try {
      ours = await queueLoop(b.store, kind, loops);
    } finally {
      await b.drop();
    }
    rows.push({ loops, raw: raw.rate, ours: ours.rate });
    const ratio = ours.rate / raw.rate;
    // Where the time went, per job: the enqueue (one loop, both sides) and the claim/complete part.
    const split = (r) => `${((r.enqueueMs * 1000) / JOBS).toFixed(0)}+${((r.drainMs * 1000) / JOBS).toFixed(0)} µs`;
    console.log(
      `  ${label.padEnd(22)} ${String(loops).padStart(2)} loop(s): ${ours.rate.toFixed(0).padStart(6)} jobs/s   raw SQL ${raw.rate.toFixed(0).padStart(6)} jobs/s   ratio ${ratio.toFixed(2)}   (enqueue+drain per job ${split(ours)}, raw ${split(raw)})${ratio >= 0.5 ? '' : '   (below the 0.5 target)'}`,
    );
  }
  return rows;
}

// ---- rerun-rules on stored facts ---------------------------------------------------------------

async function reruns(label, open) {
  const db = await open();
  const config = server.defaultConfig({ dataDir: db.dir, ...(db.store.url ? { databaseUrl: db.store.url } : {}) });
  const blobs = new server.LocalBlobStore(join(db.dir, 'blobs'));
  const queue = server.createQueue({ store: db.store, config, pollMs: 20 });
  const platform = { config, store: db.store, blobs, queue };
  const workers = await server.startWorkers(platform, { concurrency: 1 });
  try {
    const org = await addOrg(db.store);
    const reportIds = [];
    for (const apk of APKS) {
      const blob = await blobs.put(createReadStream(apk), { maxBytes: config.maxUploadBytes });
      const job = await queue.submit({ kind: 'scan', orgId: org, payload: { blob: blob.sha256 } });
      const row = await waitDone(db.store, job.id);
      if (row.state !== 'succeeded') throw new Error(`scan of ${apk} ${row.state}: ${row.error_message}`);
      reportIds.push((await db.store.db.selectFrom('reports').select('id').where('job_id', '=', job.id).executeTakeFirstOrThrow()).id);
    }
    // A few to warm the child's code paths, then the measured batch.
    const warm = [];
    for (let i = 0; i < 6; i++)
      warm.push((await queue.submit({ kind: 'rerun-rules', orgId: org, payload: { reportId: reportIds[i % reportIds.length] } })).id);
    for (const id of warm) await waitDone(db.store, id);
    const started = performance.now();
    const ids = [];
    for (let i = 0; i < RERUNS; i++)
      ids.push((await queue.submit({ kind: 'rerun-rules', orgId: org, payload: { reportId: reportIds[i % reportIds.length] } })).id);
    for (const id of ids) {
      const row = await waitDone(db.store, id, 50);
      if (row.state !== 'succeeded') throw new Error(`rerun ${row.state}: ${row.error_message}`);
    }
    const seconds = (performance.now() - started) / 1000;
    const rate = RERUNS / seconds;
    console.log(
      `  ${label.padEnd(22)} 1 worker: ${rate.toFixed(1)} apps/s (${RERUNS} re-runs over the facts of ${APKS.length} real APKs)${rate >= 50 ? '' : '   (below the 50 target)'}`,
    );
    return rate;
  } finally {
    await workers.stop();
    await queue.stop();
    await db.drop();
  }
}

async function waitDone(store, id, pollMs = 50) {
  for (;;) {
    const row = await store.db.selectFrom('jobs').select(['state', 'error_message']).where('id', '=', id).executeTakeFirstOrThrow();
    if (!['queued', 'running'].includes(row.state)) return row;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

// ---- run ---------------------------------------------------------------------------------------

let pgVersion = 'skipped';
let withPg = PG_ADMIN !== '0';
if (withPg) {
  try {
    const probe = await postgresStore();
    pgVersion = probe.version;
    await probe.drop();
  } catch (error) {
    console.log(`PostgreSQL at ${PG_ADMIN} is not reachable (${error.message}); its figures are skipped`);
    withPg = false;
  }
}
const cpu = cpus();
console.log(
  `machine: ${cpu[0]?.model ?? 'unknown CPU'} × ${cpu.length}, ${(totalmem() / 2 ** 30).toFixed(1)} GiB, Node ${process.version}, load ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')}; PostgreSQL ${pgVersion}; SQLite WAL synchronous=FULL`,
);
if (PART !== 'reruns') {
  console.log(`no-op jobs (${JOBS} per figure; enqueue → claim → complete with a result row):`);
  if (QUEUES.includes('sqlite')) await noOpTable('embedded (SQLite)', sqliteStore, 'embedded');
  if (withPg && QUEUES.includes('pg-boss')) await noOpTable('pg-boss (PostgreSQL)', postgresStore, 'pg-boss');
  if (withPg && QUEUES.includes('pg-embedded')) await noOpTable('embedded (PostgreSQL)', postgresStore, 'embedded');
}
if (PART !== 'noop') {
  console.log('rerun-rules on stored facts (warm worker child, engine loaded once):');
  await reruns('embedded (SQLite)', sqliteStore);
  if (withPg) await reruns('pg-boss (PostgreSQL)', postgresStore);
}
console.log(
  `load after: ${loadavg()
    .map((l) => l.toFixed(2))
    .join(' ')} (other processes on this machine share the CPUs)`,
);
