import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { test } from 'node:test';
import { buildApk } from '@apprights/testkit';
import { startWorkers } from '../src/jobs/index.js';
import { createApiToken } from '../src/admin.js';
import { dispatchEvents } from '../src/workflows/events.js';
import { addOutbox } from '../src/jobs/sql.js';
import { regexProblem } from '../src/workflows/sdk-registry/validate.js';
import { bothDatabases } from './support/databases.js';
import { bearer, harness, member } from './support/http.js';
import { listedApp } from './support/listed.js';
import { addOrg, testPlatform, waitForState } from './support/jobs.js';

function entry(id: string, prefix: string, extra: Record<string, unknown> = {}) {
  return {
    id,
    name: { zh: `${id} 推送`, en: `${id} Push` },
    vendor: { zh: '示例科技有限公司', en: 'Example Tech Ltd.' },
    category: 'push',
    region: 'cn',
    tracker: false,
    packages: [prefix],
    personalInformation: ['device-identifiers'],
    sources: {
      identity: 'https://example.com/sdk/compliance-guide §1',
      packages: 'https://example.com/sdk/integration (package name)',
      personalInformation: 'https://example.com/sdk/privacy §2: OAID, Android ID',
    },
    checked: '2026-12-01',
    ...extra,
  };
}

test('version-hint patterns: flat ones pass, exponential shapes and backreferences are refused', () => {
  for (const ok of [
    '^(\\d+\\.\\d+\\.\\d+)$',
    '^okhttp/(\\d+\\.\\d+\\.\\d+)',
    '^v([0-9.]+)$',
    '(a|b)c+',
    '[(+*]+x',
    '^(?:sdk-)?(\\d{1,3}\\.\\d{1,3})$',
  ])
    assert.equal(regexProblem(ok), null, ok);
  for (const bad of ['(a+)+$', '(a|aa)*b', '((ab)*)+', '(\\d+(?:\\.\\d+)*)x', '(a)\\1', 'a{1,100000}', '(', 'x'.repeat(201)])
    assert.notEqual(regexProblem(bad), null, bad);
});

bothDatabases(
  'SDK registry: vendors see only their SDKs; entries are checked like the catalogue; proposals need two approvals by non-authors',
  async (_t, under) => {
    const h = await harness(under);
    try {
      const db = h.platform.store.db;
      const vendorA = await member(h.platform, 'vendor-a', 'sdk-vendor');
      const vendorB = await member(h.platform, 'vendor-b', 'sdk-vendor');
      const admin = await member(h.platform, 'platform', 'platform-admin');
      const admin2 = await member(h.platform, 'platform', 'platform-admin');
      const regulator = await member(h.platform, 'miit', 'regulator');
      const developer = await member(h.platform, 'dev-a', 'developer');
      const inject = (who: { token: string } | null, method: string, url: string, payload?: unknown) =>
        h.app.inject({
          method: method as 'GET',
          url,
          headers: who ? bearer(who) : {},
          ...(payload !== undefined ? { payload: payload as object } : {}),
        });

      // Publish: a valid entry.
      const pub = await inject(vendorA, 'POST', '/api/v1/sdk-registry/sdks', {
        entry: entry('examplepush', 'com.examplepush.sdk'),
        complianceGuideUrl: 'https://example.com/sdk/compliance-guide',
      });
      assert.equal(pub.statusCode, 201, pub.body);
      const sdk = pub.json() as { id: string; catalogId: string };

      // Bad input: grammar, a catastrophic pattern, a collision with the shipped catalogue (Adjust's prefix).
      const bad = await inject(vendorB, 'POST', '/api/v1/sdk-registry/sdks', {
        entry: entry('badpush', 'com.adjust.sdk.push', {
          versionHints: [{ class: 'com.adjust.sdk.push.Version', kind: 'string-pattern', pattern: '(a+)+$' }],
        }),
      });
      assert.equal(bad.statusCode, 400, bad.body);
      assert.deepEqual(
        (bad.json() as { errors: { pointer: string }[] }).errors.map((e) => e.pointer),
        ['/entry/versionHints/0/pattern'],
        'limits first: the pattern is refused before the catalogue check',
      );
      const collide = await inject(vendorB, 'POST', '/api/v1/sdk-registry/sdks', { entry: entry('badpush', 'com.adjust.sdk.push') });
      assert.equal(collide.statusCode, 400);
      assert.match(collide.body, /adjust/);
      const grammar = await inject(vendorB, 'POST', '/api/v1/sdk-registry/sdks', { entry: entry('Bad Id', 'com..x') });
      assert.equal(grammar.statusCode, 400);
      const pointers = (grammar.json() as { errors: { pointer: string }[] }).errors.map((e) => e.pointer);
      assert.ok(pointers.includes('/entry/id') && pointers.includes('/entry/packages/0'), pointers.join());

      // Versions with PI per purpose and configuration options.
      const v = await inject(vendorA, 'POST', `/api/v1/sdk-registry/sdks/${sdk.id}/versions`, {
        version: '5.2.0',
        personalInformation: [{ category: 'device-identifiers', purpose: 'deliver pushes to the device', items: 'OAID' }],
        configOptions: [
          { function: 'location-based push', option: 'PushConfig.setLocationEnabled(false)', personalInformation: ['location'] },
        ],
      });
      assert.equal(v.statusCode, 201, v.body);
      const badPi = await inject(vendorA, 'POST', `/api/v1/sdk-registry/sdks/${sdk.id}/versions`, {
        version: '5.2.1',
        personalInformation: [{ category: 'no-such-pi', purpose: 'x' }],
      });
      assert.equal(badPi.statusCode, 400);
      assert.equal((badPi.json() as { errors: { pointer: string }[] }).errors[0]!.pointer, '/personalInformation/0/category');

      // Vendors see only their SDKs; a developer is not admitted.
      assert.equal((await inject(vendorB, 'GET', `/api/v1/sdk-registry/sdks/${sdk.id}`)).statusCode, 404);
      assert.equal((await inject(vendorB, 'GET', `/api/v1/sdk-registry/sdks/${sdk.id}/versions`)).statusCode, 404);
      assert.deepEqual((await inject(vendorB, 'GET', '/api/v1/sdk-registry/sdks')).json().items, []);
      assert.equal((await inject(vendorA, 'GET', '/api/v1/sdk-registry/sdks')).json().items.length, 1);
      assert.equal((await inject(regulator, 'GET', `/api/v1/sdk-registry/sdks/${sdk.id}`)).statusCode, 200);
      assert.equal((await inject(developer, 'GET', '/api/v1/sdk-registry/sdks')).statusCode, 403);
      assert.equal((await inject(null, 'GET', '/api/v1/sdk-registry/sdks')).statusCode, 401);

      // Proposal; a second open one for the same SDK is refused.
      const prop = await inject(vendorA, 'POST', `/api/v1/sdk-registry/sdks/${sdk.id}/proposals`, {});
      assert.equal(prop.statusCode, 201, prop.body);
      const proposal = prop.json() as { id: string };
      assert.equal((await inject(vendorA, 'POST', `/api/v1/sdk-registry/sdks/${sdk.id}/proposals`, {})).statusCode, 409);
      // Another vendor's proposal colliding with the open one (a prefix under it) is refused.
      const pubB = await inject(vendorB, 'POST', '/api/v1/sdk-registry/sdks', { entry: entry('otherpush', 'com.examplepush.sdk.inner') });
      assert.equal(pubB.statusCode, 201, pubB.body);
      const propB = await inject(vendorB, 'POST', `/api/v1/sdk-registry/sdks/${(pubB.json() as { id: string }).id}/proposals`, {});
      assert.equal(propB.statusCode, 400, propB.body);
      assert.match(propB.body, /examplepush/);
      assert.equal((await inject(vendorB, 'GET', `/api/v1/sdk-registry/proposals/${proposal.id}`)).statusCode, 404);

      // Reviews: the vendor's role may not review; the author under another role may not either.
      assert.equal(
        (await inject(vendorA, 'POST', `/api/v1/sdk-registry/proposals/${proposal.id}/reviews`, { decision: 'approve' })).statusCode,
        403,
      );
      const regulatorOrg = await db.selectFrom('organisations').select('id').where('slug', '=', 'miit').executeTakeFirstOrThrow();
      await db
        .insertInto('memberships')
        .values({ user_id: vendorA.userId, org_id: regulatorOrg.id, role: 'regulator', created_at: Date.now() })
        .execute();
      const authorAsRegulator = await createApiToken(db, { userId: vendorA.userId, orgId: regulatorOrg.id, name: 'second hat' });
      const own = await inject(authorAsRegulator, 'POST', `/api/v1/sdk-registry/proposals/${proposal.id}/reviews`, { decision: 'approve' });
      assert.equal(own.statusCode, 403, own.body);
      assert.match(own.body, /author/);

      const first = await inject(admin, 'POST', `/api/v1/sdk-registry/proposals/${proposal.id}/reviews`, {
        decision: 'approve',
        comment: 'prefix checked',
      });
      assert.equal(first.statusCode, 201, first.body);
      assert.equal(first.json().state, 'open');
      const again = await inject(admin, 'POST', `/api/v1/sdk-registry/proposals/${proposal.id}/reviews`, { decision: 'approve' });
      assert.equal(again.statusCode, 409, 'a second approval by the same user does not count');
      assert.equal((await inject(regulator, 'GET', `/api/v1/sdk-registry/proposals/${proposal.id}`)).json().state, 'open');
      // Two reviewers deciding at once take turns on the proposal row: one brings the second approval, the other gets 409.
      const second =
        under.dialect === 'postgres'
          ? await Promise.all([
              inject(regulator, 'POST', `/api/v1/sdk-registry/proposals/${proposal.id}/reviews`, { decision: 'approve' }),
              inject(admin2, 'POST', `/api/v1/sdk-registry/proposals/${proposal.id}/reviews`, { decision: 'approve' }),
            ])
          : [
              await inject(regulator, 'POST', `/api/v1/sdk-registry/proposals/${proposal.id}/reviews`, { decision: 'approve' }),
              await inject(admin2, 'POST', `/api/v1/sdk-registry/proposals/${proposal.id}/reviews`, { decision: 'approve' }),
            ];
      const codes = second.map((r) => r.statusCode).sort();
      assert.deepEqual(codes, [201, 409], second.map((r) => r.body).join(' | '));
      const done = (await inject(vendorA, 'GET', `/api/v1/sdk-registry/proposals/${proposal.id}`)).json() as {
        state: string;
        approvals: number;
        history: { action: string }[];
        catalogueFile: { path: string } | null;
      };
      assert.equal(done.state, 'approved');
      assert.equal(done.approvals, 2);
      assert.equal(done.catalogueFile?.path, 'packages/knowledge/data/sdks/examplepush.json');
      assert.deepEqual(
        done.history.map((x) => x.action),
        ['sdk-registry.propose', 'sdk-registry.review.approve', 'sdk-registry.review.approve'],
      );
      const inbox = await db.selectFrom('notifications').select('topic').where('org_id', '=', vendorA.orgId).execute();
      assert.deepEqual(
        inbox.map((n) => n.topic),
        ['sdk.proposal-approved'],
      );
    } finally {
      await h.close();
    }
  },
);

bothDatabases(
  'SDK registry: listed apps embedding an SDK version come from the report index; a flag notifies their developers',
  async (_t, under) => {
    const h = await harness(under);
    try {
      const db = h.platform.store.db;
      const vendor = await member(h.platform, 'vendor-a', 'sdk-vendor');
      const other = await member(h.platform, 'vendor-b', 'sdk-vendor');
      const dev1 = await member(h.platform, 'dev-1', 'developer');
      const dev2 = await member(h.platform, 'dev-2', 'developer');
      const store = await member(h.platform, 'store-1', 'store-admin');
      const regulator = await member(h.platform, 'miit', 'regulator');
      const pub = await h.app.inject({
        method: 'POST',
        url: '/api/v1/sdk-registry/sdks',
        headers: bearer(vendor),
        payload: { entry: entry('examplepush', 'com.examplepush.sdk') },
      });
      const sdk = pub.json() as { id: string };
      const a = await listedApp(db, {
        storeId: store.orgId,
        developerOrgId: dev1.orgId,
        packageName: 'com.one',
        sdks: [
          { id: 'examplepush', version: '5.2.0' },
          { id: 'adjust', version: null },
        ],
      });
      const b = await listedApp(db, {
        storeId: store.orgId,
        developerOrgId: dev2.orgId,
        packageName: 'com.two',
        sdks: [{ id: 'examplepush', version: '5.1.0' }],
      });
      await listedApp(db, { storeId: store.orgId, developerOrgId: dev2.orgId, packageName: 'com.three', sdks: [] });
      const delisted = await listedApp(db, {
        storeId: store.orgId,
        developerOrgId: dev2.orgId,
        packageName: 'com.four',
        sdks: [{ id: 'examplepush', version: '5.2.0' }],
      });
      await db.updateTable('listings').set({ state: 'delisted' }).where('id', '=', delisted.listingId).execute();
      const dispatched = await dispatchEvents(h.platform);
      assert.equal(dispatched.failed, 0);
      const idx = await db
        .selectFrom('sdk_version_index')
        .select(['sdk_id', 'sdk_version'])
        .where('version_id', '=', a.versionId)
        .orderBy('sdk_id')
        .execute();
      assert.deepEqual(idx, [
        { sdk_id: 'adjust', sdk_version: '' },
        { sdk_id: 'examplepush', sdk_version: '5.2.0' },
      ]);

      const apps = async (who: { token: string }, query: string) =>
        h.app.inject({ method: 'GET', url: `/api/v1/sdk-registry/sdks/${sdk.id}/apps${query}`, headers: bearer(who) });
      const v520 = (await apps(vendor, '?version=5.2.0')).json() as { items: { listingId: string; packageName: string }[] };
      assert.deepEqual(
        v520.items.map((i) => i.packageName),
        ['com.one'],
        'listed only, that version only',
      );
      assert.equal(((await apps(regulator, '')).json() as { items: unknown[] }).items.length, 2);
      assert.equal((await apps(other, '?version=5.2.0')).statusCode, 404, 'another vendor');
      assert.equal(b.listingId.length, 26);

      const flag = await h.app.inject({
        method: 'POST',
        url: `/api/v1/sdk-registry/sdks/${sdk.id}/versions/5.2.0/flag`,
        headers: bearer(regulator),
        payload: { reason: 'collects the installed-app list before consent' },
      });
      assert.equal(flag.statusCode, 200, flag.body);
      assert.deepEqual(flag.json(), { sdk: sdk.id, version: '5.2.0', listings: 1, notifiedOrganisations: 1 });
      const notes = await db
        .selectFrom('notifications')
        .select(['org_id', 'topic', 'detail'])
        .where('topic', '=', 'sdk.version-flagged')
        .execute();
      assert.equal(notes.length, 1);
      assert.equal(notes[0]!.org_id, dev1.orgId);
      assert.match(notes[0]!.detail, /com\.one/);
      const audit = await db.selectFrom('audit_log').select('action').where('action', '=', 'sdk-registry.flag').execute();
      assert.equal(audit.length, 1);
      // An older report of the same version, whose event is handled after the newer one's, does not replace the index.
      // Same millisecond as the stored report, lowest random part: an id that sorts before it (newId() is monotonic).
      const older = `${a.reportId.slice(0, 10)}${'0'.repeat(16)}`;
      await db
        .insertInto('jobs')
        .values({
          id: older,
          kind: 'scan',
          org_id: dev1.orgId,
          created_by: null,
          state: 'succeeded',
          priority: 0,
          payload: '{}',
          run_after: 0,
          attempts: 1,
          max_attempts: 3,
          locked_by: null,
          lease_until: null,
          progress: null,
          error_code: null,
          error_message: null,
          created_at: 0,
          updated_at: 0,
          finished_at: 0,
        })
        .execute();
      await db
        .insertInto('reports')
        .values({
          id: older,
          job_id: older,
          org_id: dev1.orgId,
          kind: 'scan',
          version_id: a.versionId,
          knowledge_id: null,
          body: '{}',
          facts: JSON.stringify({ package: { sdks: [{ id: 'examplepush', version: '4.0.0' }] } }),
          summary: '{}',
          created_at: 0,
        })
        .execute();
      await addOutbox(db, 'job.succeeded', { jobId: older, kind: 'scan', orgId: dev1.orgId, reportId: older });
      await dispatchEvents(h.platform);
      assert.deepEqual(
        (
          await db
            .selectFrom('sdk_version_index')
            .select('sdk_version')
            .where('version_id', '=', a.versionId)
            .where('sdk_id', '=', 'examplepush')
            .execute()
        ).map((r) => r.sdk_version),
        ['5.2.0'],
      );
      const versions = await h.app.inject({ method: 'GET', url: `/api/v1/sdk-registry/sdks/${sdk.id}/versions`, headers: bearer(vendor) });
      assert.ok(
        (versions.json() as { items: { version: string; flagged: unknown }[] }).items.some((x) => x.version === '5.2.0' && x.flagged),
      );
    } finally {
      await h.close();
    }
  },
);

bothDatabases(
  'SDK registry: a real scan job fills the index from the stored report (catalogue id and detected version)',
  async (_t, under) => {
    const p = await testPlatform(under);
    const workers = await startWorkers(p, { concurrency: 1 });
    try {
      const org = await addOrg(p.store);
      // An app carrying Adjust's classes (a catalogue SDK), its version as the SDK's BuildConfig constant.
      const apk = buildApk({
        package: 'com.example.embeds',
        dex: [
          {
            classes: [
              { type: 'Lcom/example/embeds/MainActivity;' },
              { type: 'Lcom/adjust/sdk/Adjust;' },
              { type: 'Lcom/adjust/sdk/AdjustConfig;' },
              {
                type: 'Lcom/adjust/sdk/BuildConfig;',
                staticFields: [{ name: 'VERSION_NAME', type: 'Ljava/lang/String;', access: 0x19 }],
                staticValues: [{ type: 'string', value: '4.38.0' }],
              },
            ],
          },
        ],
      });
      const blob = await p.blobs.put(Readable.from([Buffer.from(apk)]), { maxBytes: p.config.maxUploadBytes });
      await p.store.db
        .insertInto('blobs')
        .values({ sha256: blob.sha256, size: blob.size, media_type: 'application/vnd.android.package-archive', created_at: Date.now() })
        .execute();
      const scan = await p.queue.submit({ kind: 'scan', orgId: org, payload: { blob: blob.sha256 } });
      const done = await waitForState(p.store, scan.id, ['succeeded', 'failed', 'dead'], 90_000);
      assert.equal(done.state, 'succeeded', done.error_message ?? '');
      await dispatchEvents(p);
      const rows = await p.store.db.selectFrom('sdk_version_index').select(['sdk_id', 'sdk_version', 'org_id']).execute();
      assert.deepEqual(rows, [{ sdk_id: 'adjust', sdk_version: '4.38.0', org_id: org }]);
    } finally {
      await workers.stop();
      await p.close();
    }
  },
  { timeout: 180_000 },
);
