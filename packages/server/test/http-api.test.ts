import { systemClock } from '../src/calendar/clock.js';
import assert from 'node:assert/strict';
import { startPgProxy } from './support/pg-proxy.js';
import { join } from 'node:path';
import { test } from 'node:test';
import { buildApk } from '@apprights/testkit';
import { scanPackage } from '@apprights/engine';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ACCESS } from '../src/http/access-table.js';
import { CONSOLE_ACCESS } from '../src/console/routes.js';
import { CONSOLE_APP_ACCESS } from '../src/console/pages.js';
import { CONSOLE_WORKFLOW_ACCESS } from '../src/console/workflow-screens.js';
import { newId } from '../src/ids.js';
import { LocalBlobStore } from '../src/blobs/store.js';
import { defaultConfig, MiB } from '../src/config.js';
import { openStore, type Store } from '../src/db/open.js';
import { buildApp } from '../src/http/app.js';
import type { Platform } from '../src/platform.js';
import { bothDatabases, skipWithoutPostgres, tempDir, throwawayPostgres } from './support/databases.js';
import { bearer, harness, member } from './support/http.js';
import { RecordingQueue } from './support/queue.js';

// The API's contract: problem documents, JSON limits and validation pointers, the OpenAPI
// description, scans → jobs → reports, cursor pagination, probes and metrics.

bothDatabases(
  'JSON bodies: over 1 MiB → 413; not JSON → 400; unknown or invalid fields → 400 naming the JSON pointer',
  async (_t, under) => {
    const h = await harness(under);
    try {
      const dev = await member(h.platform, 'demo', 'developer');
      const big = JSON.stringify({ name: 'x'.repeat(MiB + 10) });
      const tooLarge = await h.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { ...bearer(dev), 'content-type': 'application/json' },
        payload: big,
      });
      assert.equal(tooLarge.statusCode, 413);
      const problem = tooLarge.json() as Record<string, unknown>;
      assert.equal(problem.code, 'too-large');
      assert.equal(problem.status, 413);
      assert.ok(
        typeof problem.title === 'string' && typeof problem.title_zh === 'string' && /[\u4e00-\u9fff]/.test(problem.title_zh as string),
      );
      assert.match(String(tooLarge.headers['content-type']), /^application\/problem\+json/);

      const broken = await h.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: { ...bearer(dev), 'content-type': 'application/json' },
        payload: '{"name": ',
      });
      assert.equal(broken.statusCode, 400);
      assert.equal((broken.json() as { code: string }).code, 'invalid-json');

      const cases: [string, string, unknown, string][] = [
        ['POST', '/api/v1/tokens', { name: 'ok', colour: 'red' }, '/colour'],
        ['POST', '/api/v1/tokens', { name: 'ok', expiresInDays: 1000 }, '/expiresInDays'],
        ['POST', '/api/v1/tokens', {}, '/name'],
        // A body is checked as sent: a number in a string is not a number.
        ['POST', '/api/v1/tokens', { name: 'ok', expiresInDays: '7' }, '/expiresInDays'],
        ['POST', '/api/v1/scans', { upload: 'not-an-id' }, '/upload'],
        ['POST', '/api/v1/scans', { blob: 'a'.repeat(64), priority: 'high' }, '/priority'],
        ['POST', '/api/v1/scans', { url: 'file:///etc/passwd' }, '/url'],
        ['POST', '/api/v1/scans', { url: 'https://example.com/p', appType: 'no-such-type' }, '/appType'],
      ];
      for (const [method, url, payload, pointer] of cases) {
        const res = await h.app.inject({ method: method as 'POST', url, headers: bearer(dev), payload: payload as object });
        assert.equal(res.statusCode, 400, `${url} ${JSON.stringify(payload)}`);
        const body = res.json() as { code: string; errors: { pointer: string }[]; detail: string };
        assert.equal(body.code, 'invalid-body');
        assert.equal(body.errors[0]!.pointer, pointer, `${JSON.stringify(payload)}: ${body.detail}`);
      }
      const query = await h.app.inject({ method: 'GET', url: '/api/v1/jobs?limit=100000', headers: bearer(dev) });
      assert.equal(query.statusCode, 400);
      assert.equal((query.json() as { code: string; errors: { pointer: string }[] }).errors[0]!.pointer, '/limit');
      const unknownQuery = await h.app.inject({ method: 'GET', url: '/api/v1/jobs?sort=asc', headers: bearer(dev) });
      assert.equal(unknownQuery.statusCode, 400);
      assert.equal((unknownQuery.json() as { errors: { pointer: string }[] }).errors[0]!.pointer, '/sort');
      const badId = await h.app.inject({ method: 'GET', url: '/api/v1/jobs/..%2F..%2Fetc', headers: bearer(dev) });
      assert.equal(badId.statusCode, 400);
      const nowhere = await h.app.inject({ method: 'GET', url: '/api/v1/nowhere', headers: bearer(dev) });
      assert.equal(nowhere.statusCode, 404);
      assert.equal((nowhere.json() as { code: string }).code, 'not-found');
      // helmet's headers.
      assert.equal(nowhere.headers['x-content-type-options'], 'nosniff');
    } finally {
      await h.close();
    }
  },
);

bothDatabases('the OpenAPI 3.1 description lists every route and its schemas compile as JSON Schema 2020-12', async (_t, under) => {
  const h = await harness(under);
  try {
    const res = await h.app.inject({ method: 'GET', url: '/api/v1/openapi.json' });
    assert.equal(res.statusCode, 200);
    const doc = res.json() as {
      openapi: string;
      info: { title: string; version: string };
      paths: Record<
        string,
        Record<
          string,
          {
            responses: Record<string, unknown>;
            parameters?: { name: string; in: string; schema: object; required?: boolean }[];
            requestBody?: { content: Record<string, { schema: object }> };
          }
        >
      >;
      components: { securitySchemes: Record<string, unknown> };
    };
    assert.match(doc.openapi, /^3\.1\.\d+$/);
    assert.ok(doc.info.title && doc.info.version);
    assert.ok(doc.components.securitySchemes.bearer);
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const operations = new Set<string>();
    for (const [path, item] of Object.entries(doc.paths)) {
      assert.ok(path.startsWith('/'), path);
      for (const [method, op] of Object.entries(item)) {
        const key = `${method.toUpperCase()} ${path.replace(/\{(\w+)\}/g, ':$1')}`;
        operations.add(key);
        assert.ok(ACCESS[key], `${key} is described and has an access entry`);
        assert.ok(Object.keys(op.responses).length > 0, `${key} has responses`);
        const problem = (op.responses['4XX'] ?? op.responses['4xx']) as { content?: Record<string, { schema: object }> } | undefined;
        assert.ok(problem?.content?.['application/problem+json'], `${key} describes its problem documents`);
        ajv.compile(problem.content['application/problem+json'].schema);
        for (const parameter of op.parameters ?? []) {
          assert.ok(['path', 'query', 'header', 'cookie'].includes(parameter.in), `${key}: ${parameter.in}`);
          if (parameter.in === 'path') assert.equal(parameter.required, true, `${key}: path parameter ${parameter.name} is required`);
          ajv.compile(parameter.schema);
        }
        for (const media of Object.values(op.requestBody?.content ?? {})) ajv.compile(media.schema);
        // Every path parameter in the template is declared.
        for (const match of path.matchAll(/\{(\w+)\}/g)) {
          assert.ok(
            op.parameters?.some((p) => p.in === 'path' && p.name === match[1]),
            `${key} declares {${match[1]}}`,
          );
        }
      }
    }
    // The console's HTML pages (src/console) are pages for people, not API operations: not described.
    const expected = Object.keys(ACCESS).filter(
      (k) => k !== 'GET /api/v1/openapi.json' && !(k in CONSOLE_ACCESS) && !(k in CONSOLE_APP_ACCESS) && !(k in CONSOLE_WORKFLOW_ACCESS),
    );
    assert.deepEqual([...operations].sort(), expected.sort(), 'every route but the description itself is described');
  } finally {
    await h.close();
  }
});

bothDatabases(
  'scans → jobs (cursor pages, attempts, cancel) → reports rendered as json, sarif, html and md',
  async (t, under) => {
    const h = await harness(under);
    try {
      const dev = await member(h.platform, 'demo', 'developer');
      const admin = await member(h.platform, 'platform', 'platform-admin');
      const apk = Buffer.from(
        buildApk({ package: 'com.example.scans', permissions: [{ name: 'android.permission.READ_CONTACTS' }] } as never),
      );
      const up = await h.app.inject({
        method: 'POST',
        url: '/api/v1/packages',
        headers: { ...bearer(dev), 'content-type': 'application/octet-stream' },
        payload: apk,
      });
      assert.equal(up.statusCode, 201, up.body);
      const upload = up.json() as { id: string; blob: { sha256: string } };

      const byUpload = await h.app.inject({
        method: 'POST',
        url: '/api/v1/scans',
        headers: bearer(dev),
        payload: { upload: upload.id, appType: 'instant-messaging' },
      });
      assert.equal(byUpload.statusCode, 202, byUpload.body);
      const job = byUpload.json() as { id: string; kind: string; state: string };
      assert.equal(job.kind, 'scan');
      assert.equal(job.state, 'queued');
      assert.equal(byUpload.headers.location, `/api/v1/jobs/${job.id}`);
      const row = await h.platform.store.db.selectFrom('jobs').selectAll().where('id', '=', job.id).executeTakeFirstOrThrow();
      assert.deepEqual(JSON.parse(row.payload), { blob: upload.blob.sha256, uploadId: upload.id, appType: 'instant-messaging' });
      assert.equal(row.org_id, dev.orgId);
      assert.equal(row.created_by, dev.userId);

      assert.equal(
        (await h.app.inject({ method: 'POST', url: '/api/v1/scans', headers: bearer(dev), payload: { blob: upload.blob.sha256 } }))
          .statusCode,
        202,
      );
      const policy = await h.app.inject({
        method: 'POST',
        url: '/api/v1/scans',
        headers: bearer(dev),
        payload: { url: 'https://example.com/privacy' },
      });
      assert.equal(policy.statusCode, 202);
      assert.equal((policy.json() as { kind: string }).kind, 'fetch-policy');
      const both = await h.app.inject({
        method: 'POST',
        url: '/api/v1/scans',
        headers: bearer(dev),
        payload: { upload: upload.id, url: 'https://example.com/p' },
      });
      assert.equal(both.statusCode, 400);
      const unknownBlob = await h.app.inject({
        method: 'POST',
        url: '/api/v1/scans',
        headers: bearer(dev),
        payload: { blob: 'f'.repeat(64) },
      });
      assert.equal(unknownBlob.statusCode, 404);
      const raised = await h.app.inject({
        method: 'POST',
        url: '/api/v1/scans',
        headers: bearer(dev),
        payload: { upload: upload.id, priority: 5 },
      });
      assert.equal(raised.statusCode, 403, 'only the platform admin raises priority');
      const adminRaised = await h.app.inject({
        method: 'POST',
        url: '/api/v1/scans',
        headers: bearer(admin),
        payload: { upload: upload.id, priority: 5 },
      });
      assert.equal(adminRaised.statusCode, 202);
      assert.equal(
        (adminRaised.json() as { organisationId: string }).organisationId,
        dev.orgId,
        'the job belongs to the upload’s organisation',
      );

      // Cursor pages: 4 jobs of the developer's organisation, 3 per page → 3 + 1, newest first, no overlap.
      const seen: string[] = [];
      let cursor: string | null = null;
      let pages = 0;
      do {
        const url: string = `/api/v1/jobs?limit=3${cursor ? `&cursor=${cursor}` : ''}`;
        const res = await h.app.inject({ method: 'GET', url, headers: bearer(dev) });
        assert.equal(res.statusCode, 200, res.body);
        const body = res.json() as { items: { id: string }[]; nextCursor: string | null };
        for (const item of body.items) seen.push(item.id);
        cursor = body.nextCursor;
        pages++;
      } while (cursor && pages < 10);
      assert.equal(pages, 2);
      assert.equal(seen.length, 4);
      assert.deepEqual([...seen].sort().reverse(), seen, 'newest first');
      assert.equal(new Set(seen).size, 4);
      const filtered = await h.app.inject({ method: 'GET', url: '/api/v1/jobs?kind=fetch-policy', headers: bearer(dev) });
      assert.equal((filtered.json() as { items: unknown[] }).items.length, 1);

      // A worker's traces: an attempt and progress, as the job layer writes them.
      const db = h.platform.store.db;
      const now = Date.now();
      await db
        .updateTable('jobs')
        .set({ state: 'running', attempts: 1, progress: JSON.stringify({ stage: 'dex', done: 3, total: 7 }) })
        .where('id', '=', job.id)
        .execute();
      await db
        .insertInto('job_attempts')
        .values({
          id: newId(),
          job_id: job.id,
          attempt: 1,
          worker: 'w1',
          started_at: now,
          ended_at: null,
          outcome: null,
          error_code: null,
          error_message: null,
        })
        .execute();
      const detail = await h.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}`, headers: bearer(dev) });
      const d = detail.json() as {
        state: string;
        progress: { stage: string };
        attempts: { attempt: number; worker: string }[];
        report: unknown;
      };
      assert.equal(d.state, 'running');
      assert.equal(d.progress.stage, 'dex');
      assert.deepEqual(
        d.attempts.map((a) => [a.attempt, a.worker]),
        [[1, 'w1']],
      );
      assert.equal(d.report, null);
      const cancel = await h.app.inject({ method: 'POST', url: `/api/v1/jobs/${job.id}/cancel`, headers: bearer(dev) });
      assert.equal(cancel.statusCode, 200);
      assert.equal((cancel.json() as { outcome: string }).outcome, 'requested');
      const queuedId = seen[0]!;
      const cancelQueued = await h.app.inject({ method: 'POST', url: `/api/v1/jobs/${queuedId}/cancel`, headers: bearer(dev) });
      assert.equal((cancelQueued.json() as { outcome: string; job: { state: string } }).job.state, 'cancelled');

      // A real scan report of the uploaded package, stored as the job layer stores it (facts apart).
      const started = Date.now();
      const report = await scanPackage(new Uint8Array(apk), { appType: 'instant-messaging' });
      t.diagnostic(`engine scan of the test APK: ${Date.now() - started} ms`);
      const { facts, ...body } = report;
      const reportId = newId();
      await db
        .insertInto('reports')
        .values({
          id: reportId,
          job_id: job.id,
          org_id: dev.orgId,
          kind: 'scan',
          version_id: null,
          knowledge_id: null,
          body: JSON.stringify(body),
          facts: JSON.stringify(facts ?? null),
          summary: JSON.stringify({ findings: body.findings?.length ?? 0 }),
          created_at: Date.now(),
        })
        .execute();
      const envelope = await h.app.inject({ method: 'GET', url: `/api/v1/reports/${reportId}`, headers: bearer(dev) });
      assert.equal(envelope.statusCode, 200);
      const e = envelope.json() as { kind: string; jobId: string; report: { findings: unknown[] }; facts?: unknown };
      assert.equal(e.kind, 'scan');
      assert.equal(e.jobId, job.id);
      assert.ok(Array.isArray(e.report.findings));
      assert.equal(e.facts, undefined);
      const withFacts = await h.app.inject({ method: 'GET', url: `/api/v1/reports/${reportId}?facts=true`, headers: bearer(dev) });
      assert.ok((withFacts.json() as { facts: unknown }).facts);
      const sarif = await h.app.inject({ method: 'GET', url: `/api/v1/reports/${reportId}?format=sarif`, headers: bearer(dev) });
      assert.equal(sarif.statusCode, 200);
      assert.match(String(sarif.headers['content-type']), /^application\/sarif\+json/);
      assert.equal((sarif.json() as { version: string }).version, '2.1.0');
      const html = await h.app.inject({ method: 'GET', url: `/api/v1/reports/${reportId}?format=html&lang=zh-CN`, headers: bearer(dev) });
      assert.match(String(html.headers['content-type']), /^text\/html/);
      assert.match(html.body, /<html/i);
      assert.match(html.body, /[\u4e00-\u9fff]/, 'Chinese when asked');
      assert.match(String(html.headers['content-security-policy']), /default-src 'none'/);
      const md = await h.app.inject({ method: 'GET', url: `/api/v1/reports/${reportId}?format=md`, headers: bearer(dev) });
      assert.match(String(md.headers['content-type']), /^text\/markdown/);
      assert.match(md.body, /com\.example\.scans/);
      const json = await h.app.inject({ method: 'GET', url: `/api/v1/reports/${reportId}?format=json`, headers: bearer(dev) });
      assert.equal(json.statusCode, 200);
      const jobNow = await h.app.inject({ method: 'GET', url: `/api/v1/jobs/${job.id}`, headers: bearer(dev) });
      assert.equal((jobNow.json() as { report: { id: string } }).report.id, reportId);
      const reports = await h.app.inject({ method: 'GET', url: '/api/v1/reports', headers: bearer(dev) });
      assert.equal((reports.json() as { items: { id: string }[] }).items[0]!.id, reportId);
    } finally {
      await h.close();
    }
  },
  { timeout: 120_000 },
);

bothDatabases('apps, versions and a version diff job', async (_t, under) => {
  const h = await harness(under);
  try {
    const dev = await member(h.platform, 'demo', 'developer');
    const db = h.platform.store.db;
    const now = Date.now();
    const appId = newId();
    await db.insertInto('apps').values({ id: appId, org_id: dev.orgId, package_name: 'com.example.app', created_at: now }).execute();
    const versions: string[] = [];
    for (const [i, sha] of ['1', '2'].map((c, i) => [i, c.repeat(64)] as const)) {
      await db.insertInto('blobs').values({ sha256: sha, size: 10, media_type: 'application/zip', created_at: now }).execute();
      const id = newId();
      versions.push(id);
      await db
        .insertInto('versions')
        .values({
          id,
          app_id: appId,
          org_id: dev.orgId,
          version_code: String(i + 1),
          version_name: null,
          signer_sha256: null,
          blob_sha256: sha,
          created_at: now,
        })
        .execute();
    }
    const apps = await h.app.inject({ method: 'GET', url: '/api/v1/apps?package=com.example.app', headers: bearer(dev) });
    assert.equal((apps.json() as { items: { id: string }[] }).items[0]!.id, appId);
    const app = await h.app.inject({ method: 'GET', url: `/api/v1/apps/${appId}`, headers: bearer(dev) });
    assert.equal((app.json() as { latestVersion: { versionCode: string } }).latestVersion.versionCode, '2');
    const list = await h.app.inject({ method: 'GET', url: `/api/v1/apps/${appId}/versions?limit=1`, headers: bearer(dev) });
    const page1 = list.json() as { items: { id: string }[]; nextCursor: string };
    assert.equal(page1.items[0]!.id, versions[1]);
    assert.equal(page1.nextCursor, versions[1]);
    const diff = await h.app.inject({
      method: 'POST',
      url: `/api/v1/versions/${versions[1]}/diff`,
      headers: bearer(dev),
      payload: { against: versions[0] },
    });
    assert.equal(diff.statusCode, 202, diff.body);
    const job = await db
      .selectFrom('jobs')
      .selectAll()
      .where('id', '=', (diff.json() as { id: string }).id)
      .executeTakeFirstOrThrow();
    assert.equal(job.kind, 'diff');
    assert.deepEqual(JSON.parse(job.payload), { oldBlob: '1'.repeat(64), newBlob: '2'.repeat(64) });
  } finally {
    await h.close();
  }
});

bothDatabases('probes and metrics: live, ready (503 + Retry-After when the database is gone), Prometheus text', async (_t, under) => {
  const h = await harness(under);
  try {
    const dev = await member(h.platform, 'demo', 'developer');
    await h.app.inject({ method: 'POST', url: '/api/v1/scans', headers: bearer(dev), payload: { url: 'https://example.com/privacy' } });
    assert.deepEqual((await h.app.inject({ method: 'GET', url: '/health/live' })).json(), { status: 'ok' });
    const ready = await h.app.inject({ method: 'GET', url: '/health/ready' });
    assert.equal(ready.statusCode, 200);
    assert.equal((ready.json() as { database: string }).database, under.dialect);
    const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
    assert.equal(metrics.statusCode, 200);
    assert.match(String(metrics.headers['content-type']), /^text\/plain; version=0\.0\.4/);
    assert.match(metrics.body, /^apprights_jobs\{kind="fetch-policy",state="queued"\} 1$/m);
    assert.match(metrics.body, /^apprights_http_requests_total\{method="POST",route="\/api\/v1\/scans",status="202"\} 1$/m);
    for (const line of metrics.body.trim().split('\n')) {
      assert.match(line, /^(# (HELP|TYPE) \w+ .+|\w+(\{[^}]*\})? -?[0-9.e+]+)$/, line);
    }
    // The database goes away: ready says 503 with Retry-After, live still answers.
    await h.platform.store.close();
    const down = await h.app.inject({ method: 'GET', url: '/health/ready' });
    assert.equal(down.statusCode, 503);
    assert.ok(Number(down.headers['retry-after']) > 0);
    assert.equal((down.json() as { code: string }).code, 'unavailable');
    assert.equal((await h.app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200);
  } finally {
    await h.close();
  }
});

// PostgreSQL going away under the server (a restart) is simulated by a TCP proxy in front of it that
// is stopped and started again: the API answers 503 + Retry-After meanwhile, and recovers by itself.
test('PostgreSQL unreachable: 503 + Retry-After on the API and /health/ready, /health/live still up; back when it is', async (t) => {
  if (await skipWithoutPostgres(t)) return;
  const database = await throwawayPostgres();
  const data = tempDir();
  const proxy = await startPgProxy(database.url);
  let store: Store | undefined;
  let app: Awaited<ReturnType<typeof buildApp>> | undefined;
  try {
    store = await openStore({ databaseUrl: proxy.url, poolSize: 2 });
    const platform: Platform = {
      config: defaultConfig({ dataDir: data.dir }),
      store,
      blobs: new LocalBlobStore(join(data.dir, 'blobs')),
      queue: new RecordingQueue(store),
      clock: systemClock,
    };
    app = await buildApp(platform);
    const dev = await member(platform, 'demo', 'developer');
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/jobs', headers: bearer(dev) })).statusCode, 200);

    await proxy.cut();
    for (const url of ['/api/v1/jobs', '/health/ready']) {
      const res: Awaited<ReturnType<NonNullable<typeof app>['inject']>> = await app.inject({ method: 'GET', url, headers: bearer(dev) });
      assert.equal(res.statusCode, 503, `${url}: ${res.body.slice(0, 300)}`);
      assert.equal((res.json() as { code: string }).code, 'unavailable');
      assert.ok(Number(res.headers['retry-after']) > 0);
    }
    assert.equal((await app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200);

    await proxy.restore();
    const back = await app.inject({ method: 'GET', url: '/api/v1/jobs', headers: bearer(dev) });
    assert.equal(back.statusCode, 200, back.body.slice(0, 300));
  } finally {
    await app?.close();
    await store?.close().catch(() => {});
    proxy.close();
    await database.drop();
    data.remove();
  }
});
