// The job handlers on warm worker processes, end to end on both databases: real APKs scanned,
// stored facts judged again, corrupt input, a worker killed mid-scan, the wall clock and the memory cap.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { bothDatabases } from './support/databases.js';
import { addOrg, APKS, storeApk, testPlatform, waitFor, waitForState } from './support/jobs.js';
import { startWorkers } from '../src/jobs/index.js';

bothDatabases(
  'a scan job stores the report without facts, the facts, findings, app and version; rerun-rules judges the facts again; corrupt input is dead at once',
  async (_t, under) => {
    const p = await testPlatform(under);
    const workers = await startWorkers(p, { concurrency: 1 });
    try {
      const org = await addOrg(p.store);
      const blob = await storeApk(p, APKS.apiDemos);
      const scan = await p.queue.submit({ kind: 'scan', orgId: org, payload: { blob } });
      const done = await waitForState(p.store, scan.id, ['succeeded', 'failed', 'dead'], 90_000);
      assert.equal(done.state, 'succeeded', done.error_message ?? '');
      assert.ok(done.progress && JSON.parse(done.progress).stage, 'the engine reported progress');
      const report = await p.store.db.selectFrom('reports').selectAll().where('job_id', '=', scan.id).executeTakeFirstOrThrow();
      assert.equal(report.kind, 'scan');
      const body = JSON.parse(report.body) as { facts?: unknown; findings: { fingerprint: string }[]; app: { package: string } };
      assert.equal(body.facts, undefined, 'the body leaves the facts out');
      assert.equal(body.app.package, 'io.appium.android.apis');
      const facts = JSON.parse(report.facts!) as { schemaVersion: string; package: unknown };
      assert.ok(facts.schemaVersion && facts.package, 'the facts section is stored separately');
      const findings = await p.store.db.selectFrom('findings').selectAll().where('report_id', '=', report.id).execute();
      assert.equal(findings.length, new Set(body.findings.map((f) => f.fingerprint)).size, 'one row per fingerprint');
      const app = await p.store.db.selectFrom('apps').selectAll().where('org_id', '=', org).executeTakeFirstOrThrow();
      assert.equal(app.package_name, 'io.appium.android.apis');
      const version = await p.store.db.selectFrom('versions').selectAll().where('id', '=', report.version_id!).executeTakeFirstOrThrow();
      assert.equal(version.app_id, app.id);
      assert.equal(version.blob_sha256, blob);
      assert.equal(version.version_code, '25');
      assert.match(version.signer_sha256 ?? '', /^[0-9a-f]{64}$/);
      assert.ok(findings.every((f) => f.app_id === app.id));
      const snapshot = await p.store.db
        .selectFrom('knowledge_snapshots')
        .selectAll()
        .where('id', '=', report.knowledge_id!)
        .executeTakeFirst();
      assert.ok(snapshot, 'the knowledge snapshot that judged the app is recorded');

      const rerun = await p.queue.submit({ kind: 'rerun-rules', orgId: org, payload: { reportId: report.id } });
      assert.equal((await waitForState(p.store, rerun.id, ['succeeded', 'failed', 'dead'])).state, 'succeeded');
      const again = await p.store.db.selectFrom('reports').selectAll().where('job_id', '=', rerun.id).executeTakeFirstOrThrow();
      const rerunFindings = await p.store.db.selectFrom('findings').select('fingerprint').where('report_id', '=', again.id).execute();
      assert.deepEqual(
        new Set(rerunFindings.map((f) => f.fingerprint)),
        new Set(findings.map((f) => f.fingerprint)),
        'the same rules over the same facts: the same findings',
      );
      assert.equal(again.knowledge_id, report.knowledge_id);

      const junk = await p.blobs.put(Readable.from([Buffer.from('this is not a package at all')]), { maxBytes: 1024 });
      const corrupt = await p.queue.submit({ kind: 'scan', orgId: org, payload: { blob: junk.sha256 } });
      const dead = await waitForState(p.store, corrupt.id, ['succeeded', 'failed', 'dead']);
      assert.equal(dead.state, 'dead');
      assert.equal(dead.attempts, 1, 'an input error is not retried');
      assert.equal(dead.error_code, 'not-zip');
      const other = await p.queue.submit({ kind: 'rerun-rules', orgId: await addOrg(p.store), payload: { reportId: report.id } });
      const refused = await waitForState(p.store, other.id, ['succeeded', 'failed', 'dead']);
      assert.equal(refused.error_code, 'report-not-found', "another organisation's report is not found");
    } finally {
      await workers.stop();
      await p.close();
    }
  },
  { timeout: 180_000 },
);

bothDatabases(
  'a worker killed mid-scan: a fresh worker finishes the job, one report',
  async (_t, under) => {
    const hold = join(under.dataDir, 'hold');
    mkdirSync(hold);
    const p = await testPlatform(under);
    const workers = await startWorkers(p, { concurrency: 1, childEnv: { ...process.env, APPRIGHTS_TEST_HOLD_DIR: hold } });
    try {
      const org = await addOrg(p.store);
      const blob = await storeApk(p, APKS.settings);
      const job = await p.queue.submit({ kind: 'scan', orgId: org, payload: { blob } });
      const held = join(hold, `held-${job.id}-1`);
      await waitFor('the job to be held', () => existsSync(held));
      const pid = Number(readFileSync(held, 'utf8'));
      process.kill(pid, 'SIGKILL');
      await waitFor('the retry to be held', () => existsSync(join(hold, `held-${job.id}-2`)));
      assert.notEqual(Number(readFileSync(join(hold, `held-${job.id}-2`), 'utf8')), pid, 'a fresh child took it');
      writeFileSync(join(hold, 'release'), '');
      const done = await waitForState(p.store, job.id, ['succeeded', 'failed', 'dead'], 90_000);
      assert.equal(done.state, 'succeeded', done.error_message ?? '');
      assert.equal((await p.store.db.selectFrom('reports').select('id').where('job_id', '=', job.id).execute()).length, 1);
      const attempts = await p.store.db
        .selectFrom('job_attempts')
        .select(['attempt', 'outcome', 'error_code'])
        .where('job_id', '=', job.id)
        .orderBy('attempt')
        .execute();
      assert.deepEqual(attempts, [
        { attempt: 1, outcome: 'crashed', error_code: 'worker-crashed' },
        { attempt: 2, outcome: 'succeeded', error_code: null },
      ]);
    } finally {
      await workers.stop();
      await p.close();
    }
  },
  { timeout: 180_000 },
);

bothDatabases(
  'the wall clock and the memory cap kill the child, fail the job with its reason, and the workers keep serving',
  async (_t, under) => {
    const hold = join(under.dataDir, 'hold');
    mkdirSync(hold);
    // A held job outlives a 1.5 s clock; a scan outgrows 80 MiB (an idle child is about 70).
    const p = await testPlatform(under, { config: { workers: { jobTimeoutMs: 1500 } as never } });
    const slow = await startWorkers(p, { concurrency: 1, childEnv: { ...process.env, APPRIGHTS_TEST_HOLD_DIR: hold } });
    try {
      const org = await addOrg(p.store);
      const blob = await storeApk(p, APKS.apiDemos);
      const poison = await p.queue.submit({ kind: 'scan', orgId: org, payload: { blob } });
      const failed = await waitForState(p.store, poison.id, ['succeeded', 'failed', 'dead'], 60_000);
      assert.equal(failed.state, 'failed');
      assert.equal(failed.error_code, 'timeout');
      assert.equal(failed.attempts, 1, 'a breach is not retried: the same input breaches again');
      const next = await p.queue.submit({ kind: 'rerun-rules', orgId: org, payload: { reportId: 'none' } });
      assert.equal(
        (await waitForState(p.store, next.id, ['succeeded', 'failed', 'dead'])).error_code,
        'report-not-found',
        'the next job runs',
      );
    } finally {
      await slow.stop();
    }
    const small = { ...p, config: { ...p.config, workers: { ...p.config.workers, memoryLimitMb: 80 } } };
    const capped = await startWorkers(small, { concurrency: 1 });
    try {
      const org = await addOrg(p.store);
      const blob = await storeApk(p, APKS.apiDemos);
      const big = await p.queue.submit({ kind: 'scan', orgId: org, payload: { blob } });
      const failed = await waitForState(p.store, big.id, ['succeeded', 'failed', 'dead'], 60_000);
      assert.equal(failed.state, 'failed', failed.error_message ?? '');
      assert.equal(failed.error_code, 'memory');
      assert.match(failed.error_message ?? '', /80 MiB/);
    } finally {
      await capped.stop();
      await p.close();
    }
    assert.deepEqual(readdirSync(hold).filter((f) => f.startsWith('held-')).length, 1);
  },
  { timeout: 180_000 },
);

bothDatabases(
  'a diff job compares two stored packages',
  async (_t, under) => {
    const p = await testPlatform(under);
    const workers = await startWorkers(p, { concurrency: 1 });
    try {
      const org = await addOrg(p.store);
      const oldBlob = await storeApk(p, APKS.settings);
      const newBlob = await storeApk(p, APKS.uiautomator);
      const job = await p.queue.submit({ kind: 'diff', orgId: org, payload: { oldBlob, newBlob } });
      const done = await waitForState(p.store, job.id, ['succeeded', 'failed', 'dead'], 120_000);
      assert.equal(done.state, 'succeeded', done.error_message ?? '');
      const report = await p.store.db.selectFrom('reports').selectAll().where('job_id', '=', job.id).executeTakeFirstOrThrow();
      assert.equal(report.kind, 'diff');
      const body = JSON.parse(report.body) as Record<string, unknown>;
      assert.ok(Object.keys(body).length > 0);
      const missing = await p.queue.submit({ kind: 'diff', orgId: org, payload: { oldBlob, newBlob: 'f'.repeat(64) } });
      assert.equal((await waitForState(p.store, missing.id, ['succeeded', 'failed', 'dead'])).error_code, 'blob-missing');
    } finally {
      await workers.stop();
      await p.close();
    }
  },
  { timeout: 180_000 },
);
