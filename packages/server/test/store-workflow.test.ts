// Store gatekeeping end to end on both databases, with the real queue and warm workers: developer
// identity (bad credit code / 备案号 → 400 naming the field), verification, a listing contradicting
// the real ApiDemos APK (rejected with diff reasons), a resubmission that passes and is listed, the
// public disclosure (ETag, 304, filters), a gate policy edited while jobs run (applies only to later
// submissions), manual review with two reviewers racing (one wins, the other 409) and role separation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApk, generateTestKey } from '@apprights/testkit';
import { buildApp } from '../src/http/app.js';
import { startWorkers } from '../src/jobs/index.js';
import { dispatchEvents } from '../src/workflows/events.js';
import { patrolListings } from '../src/workflows/store/patrol.js';
import { bothDatabases } from './support/databases.js';
import { bearer, member, type Member } from './support/http.js';
import { APKS, testPlatform, waitFor } from './support/jobs.js';
import { API_DEMOS_LISTING } from './support/api-demos-listing.js';

const POLICY = API_DEMOS_LISTING.policy;
/** Every permission ApiDemos requests at the dangerous level, with a purpose. */
const API_DEMOS_PERMISSIONS = API_DEMOS_LISTING.permissions;
const ENTERPRISE = API_DEMOS_LISTING.enterpriseName;

bothDatabases(
  'store gatekeeping: identity, detection, gate, resubmission, disclosure, gate versions, review race, role separation',
  async (_t, under) => {
    const policyServer: Server = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      res.end(POLICY);
    });
    await new Promise<void>((resolve) => policyServer.listen(0, '127.0.0.1', resolve));
    const policyUrl = `http://127.0.0.1:${(policyServer.address() as AddressInfo).port}/privacy`;
    const p = await testPlatform(under, { config: { allowPrivateFetch: true } });
    const workers = await startWorkers(p, { concurrency: 1 });
    const app = await buildApp(p);
    const db = p.store.db;
    const call = async (who: Member | null, method: string, url: string, payload?: unknown, headers: Record<string, string> = {}) => {
      const res = await app.inject({
        method: method as 'GET',
        url,
        headers: { ...(who ? bearer(who) : {}), ...headers },
        ...(payload !== undefined ? { payload: payload as object } : {}),
      });
      // The answers' shapes are the routes' own; the test reads fields by name.
      // eslint-disable-next-line @typescript-eslint/no-explicit-any
      return { status: res.statusCode, body: res.body ? (JSON.parse(res.body) as Record<string, any>) : {}, headers: res.headers };
    };
    /** Runs the dispatcher until the submission leaves `detecting`. */
    const settled = (id: string) =>
      waitFor(
        `submission ${id} to be gated`,
        async () => {
          await dispatchEvents(p);
          const row = await db.selectFrom('store_submissions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
          return row.state === 'detecting' ? undefined : row;
        },
        120_000,
      );
    try {
      const dev = await member(p, 'dev-a', 'developer');
      const dev2 = await member(p, 'dev-b', 'developer');
      const storeAdmin = await member(p, 'store-x', 'store-admin');
      const reviewer1 = await member(p, 'store-x', 'store-reviewer');
      const reviewer2 = await member(p, 'store-x', 'store-reviewer');
      const otherReviewer = await member(p, 'store-y', 'store-reviewer');
      const storeId = storeAdmin.orgId;

      // 1. Identity: invalid fields are 400 naming the field.
      const profile = {
        enterpriseName: ENTERPRISE,
        creditCode: '91110108123456788E',
        filingNumber: '京ICP备2023012345号-1A',
        contacts: [{ name: '张三', email: 'zhang@example.com' }],
      };
      for (const [patch, pointer, pattern] of [
        [{ creditCode: '91110108123456788F' }, '/creditCode', /check character/],
        [{ creditCode: '91110108123456789E' }, '/creditCode', /GB 11714/],
        [{ creditCode: '9111010812345' }, '/creditCode', /18 characters/],
        [{ filingNumber: '京ICP备2023012345号' }, '/filingNumber', /does not match/],
      ] as const) {
        const bad = await call(dev, 'POST', '/api/v1/store/developer', { ...profile, ...patch });
        assert.equal(bad.status, 400, JSON.stringify(bad.body));
        assert.equal(bad.body.errors[0].pointer, pointer);
        assert.match(bad.body.errors[0].message, pattern);
        assert.ok(bad.body.title_zh);
      }
      const missing = await call(dev, 'POST', '/api/v1/store/developer', { ...profile, contacts: undefined });
      assert.equal(missing.status, 400);
      assert.equal(missing.body.errors[0].pointer, '/contacts');
      const badDoc = await call(dev, 'POST', '/api/v1/store/developer', {
        ...profile,
        documents: [{ kind: 'licence', blob: 'a'.repeat(64) }],
      });
      assert.equal(badDoc.status, 400);
      assert.equal(badDoc.body.errors[0].pointer, '/documents/0/blob');
      const saved = await call(dev, 'POST', '/api/v1/store/developer', profile);
      assert.equal(saved.status, 200, JSON.stringify(saved.body));
      assert.equal(saved.body.state, 'unverified');
      assert.equal((await call(dev2, 'GET', '/api/v1/store/developer')).status, 404, 'another developer has none');

      // Upload the real ApiDemos APK.
      const up = await app.inject({
        method: 'POST',
        url: '/api/v1/packages',
        headers: { ...bearer(dev), 'content-type': 'application/vnd.android.package-archive' },
        payload: readFileSync(APKS.apiDemos),
      });
      assert.equal(up.statusCode, 201, up.body);
      const blob = (up.json() as { blob: { sha256: string } }).blob.sha256;
      const elements = {
        name: 'API Demos',
        version: '5.0.0',
        developer: ENTERPRISE,
        privacyPolicyUrl: policyUrl,
        permissions: API_DEMOS_PERMISSIONS,
        description: 'Android API 演示 / demonstrates the Android APIs',
      };
      const submit = (who: Member, body: Record<string, unknown>) =>
        call(who, 'POST', '/api/v1/store/submissions', { store: storeId, blob, appType: 'utilities', ...body });

      // Not verified yet: refused.
      assert.equal((await submit(dev, { elements })).status, 409);
      // Developers cannot verify; store admins of any store can.
      assert.equal((await call(dev, 'POST', `/api/v1/store/developers/${dev.orgId}/decision`, { decision: 'verified' })).status, 403);
      const listed = await call(storeAdmin, 'GET', '/api/v1/store/developers?state=unverified');
      assert.deepEqual(
        listed.body.items.map((d: { organisation: string }) => d.organisation),
        [dev.orgId],
      );
      const verified = await call(storeAdmin, 'POST', `/api/v1/store/developers/${dev.orgId}/decision`, {
        decision: 'verified',
        comment: '营业执照一致',
      });
      assert.equal(verified.status, 200, JSON.stringify(verified.body));
      assert.equal(verified.body.state, 'verified');
      assert.ok(await db.selectFrom('audit_log').select('id').where('action', '=', 'store.developer.verified').executeTakeFirst());
      assert.ok(
        await db
          .selectFrom('notifications')
          .select('id')
          .where('org_id', '=', dev.orgId)
          .where('topic', '=', 'developer.verified')
          .executeTakeFirst(),
      );

      // Bad submissions name the field.
      const badType = await submit(dev, { elements, appType: 'no-such-type' });
      assert.equal(badType.status, 400);
      assert.equal(badType.body.errors[0].pointer, '/appType');
      const badBlob = await submit(dev, { elements, blob: 'f'.repeat(64) });
      assert.equal(badBlob.body.errors[0].pointer, '/blob');
      const badUrl = await submit(dev, { elements: { ...elements, privacyPolicyUrl: 'ftp://x' } });
      assert.equal(badUrl.status, 400);
      assert.equal(badUrl.body.errors[0].pointer, '/elements/privacyPolicyUrl');
      const badDownload = await submit(dev, { elements, downloadUrl: 'https://user:secret@store.example.com/a.apk' });
      assert.equal(badDownload.status, 400);
      assert.equal(badDownload.body.errors[0].pointer, '/downloadUrl');

      // 2. A listing contradicting the APK: wrong label and version, a permission left out → rejected (default gate).
      const wrong = await submit(dev, {
        elements: { ...elements, name: 'Totally Different App', version: '9.9.9', permissions: API_DEMOS_PERMISSIONS.slice(1) },
      });
      assert.equal(wrong.status, 202, JSON.stringify(wrong.body));
      assert.equal(wrong.body.state, 'detecting');
      assert.equal(wrong.body.gateVersion, 0);
      const rejected = await settled(wrong.body.id);
      assert.equal(rejected.state, 'rejected');
      const reasons = JSON.parse(rejected.reasons!) as { diff?: { kind: string; pointer: string; apk: unknown } }[];
      const kinds = reasons.map((r) => r.diff?.kind);
      assert.ok(kinds.includes('label-mismatch'), JSON.stringify(kinds));
      assert.ok(kinds.includes('version-mismatch'));
      assert.ok(kinds.includes('permission-not-listed'));
      assert.equal(reasons.find((r) => r.diff?.kind === 'label-mismatch')!.diff!.apk, 'API Demos');
      assert.equal(reasons.find((r) => r.diff?.kind === 'version-mismatch')!.diff!.pointer, '/elements/version');
      assert.ok(
        await db
          .selectFrom('notifications')
          .select('id')
          .where('org_id', '=', dev.orgId)
          .where('topic', '=', 'submission.rejected')
          .executeTakeFirst(),
      );
      // Resubmission must answer a rejected submission of this organisation.
      assert.equal((await submit(dev, { elements, resubmissionOf: dev2.orgId })).body.errors[0].pointer, '/resubmissionOf');

      // 3. The resubmission, consistent with the APK, passes and is listed.
      const again = await submit(dev, { elements, resubmissionOf: wrong.body.id, downloadUrl: 'https://store.example.com/api-demos.apk' });
      assert.equal(again.status, 202);
      const passed = await settled(again.body.id);
      assert.equal(passed.state, 'listed', passed.reasons ?? '');
      assert.equal(passed.resubmission_of, wrong.body.id);
      const listing = await db.selectFrom('listings').selectAll().where('id', '=', passed.listing_id!).executeTakeFirstOrThrow();
      assert.equal(listing.state, 'listed');
      assert.equal(listing.package_name, 'io.appium.android.apis');
      assert.equal(listing.version_id, passed.version_id);
      assert.equal(listing.download_url, 'https://store.example.com/api-demos.apk', 'the download URL reaches the listing (re-fetch)');

      // 5. Public disclosure: anonymous, six elements, SDKs, coverage, ETag and 304, filters.
      const pub = await call(null, 'GET', '/api/v1/public/listings');
      assert.equal(pub.status, 200);
      assert.equal(pub.body.items.length, 1);
      const item = pub.body.items[0];
      assert.equal(item.elements.name, 'API Demos');
      assert.equal(item.appType, 'utilities');
      assert.ok(item.sdks.some((s: { id: string }) => s.id === 'guava'));
      assert.ok(item.coverage && typeof item.lastCheck === 'number');
      assert.match(String(pub.headers['cache-control']), /max-age/);
      const etag = String(pub.headers.etag);
      assert.equal((await call(null, 'GET', '/api/v1/public/listings', undefined, { 'if-none-match': etag })).status, 304);
      assert.equal((await call(null, 'GET', '/api/v1/public/listings?sdk=guava')).body.items.length, 1);
      assert.equal((await call(null, 'GET', '/api/v1/public/listings?sdk=amap-map')).body.items.length, 0);
      assert.equal((await call(null, 'GET', `/api/v1/public/listings?store=${otherReviewer.orgId}`)).body.items.length, 0);
      assert.equal((await call(null, 'GET', '/api/v1/public/listings?category=utilities')).body.items.length, 1);
      assert.equal((await call(null, 'GET', '/api/v1/public/listings?category=nope')).status, 400);
      const one = await call(null, 'GET', `/api/v1/public/listings/${item.id}`);
      assert.equal(one.status, 200);
      assert.equal(one.body.packageName, 'io.appium.android.apis');
      // Anonymous reaches only the public pages.
      assert.equal((await call(null, 'GET', '/api/v1/store/submissions')).status, 401);
      assert.equal((await call(null, 'GET', '/api/v1/store/developer')).status, 401);

      // 3b. Gate versions: v1 sends high findings to review; a submission made under v1 keeps it
      // even though v2 (reject debuggable) is saved while its jobs run.
      const badGate = await call(storeAdmin, 'PUT', '/api/v1/store/gate', { rules: [{ id: 'x', when: {}, then: 'reject' }] });
      assert.equal(badGate.status, 400);
      assert.equal(badGate.body.errors[0].pointer, '/rules/0/when');
      const badSchema = await call(storeAdmin, 'PUT', '/api/v1/store/gate', {
        rules: [{ id: 'x', when: { severityAtLeast: 'huge' }, then: 'reject' }],
      });
      assert.equal(badSchema.status, 400);
      assert.match(badSchema.body.errors[0].pointer, /^\/rules\/0\/when\/severityAtLeast/);
      assert.equal((await call(reviewer1, 'PUT', '/api/v1/store/gate', { rules: [] })).status, 403, 'reviewers do not edit the gate');
      const v1 = await call(storeAdmin, 'PUT', '/api/v1/store/gate', {
        rules: [{ id: 'high-to-review', when: { severityAtLeast: 'high' }, then: 'manual-review' }],
      });
      assert.equal(v1.status, 200, JSON.stringify(v1.body));
      assert.equal(v1.body.version, 1);
      const underV1 = await submit(dev, { elements });
      assert.equal(underV1.body.gateVersion, 1);
      const v2 = await call(storeAdmin, 'PUT', '/api/v1/store/gate', {
        rules: [{ id: 'no-debuggable', when: { ruleIds: ['debuggable'] }, then: 'reject' }],
      });
      assert.equal(v2.body.version, 2);
      const v1Scan = await db.selectFrom('jobs').select('state').where('id', '=', underV1.body.jobs.scan).executeTakeFirstOrThrow();
      assert.ok(['queued', 'running'].includes(v1Scan.state), `the edit came while the v1 submission's scan was ${v1Scan.state}`);
      assert.equal((await call(reviewer1, 'GET', '/api/v1/store/gate')).body.version, 2);
      const underV2 = await submit(dev, { elements });
      assert.equal(underV2.body.gateVersion, 2);
      const inReview = await settled(underV1.body.id);
      assert.equal(inReview.state, 'review', 'judged by v1, not by v2 saved while its jobs ran');
      const rejectedV2 = await settled(underV2.body.id);
      assert.equal(rejectedV2.state, 'rejected');
      const v2Reasons = JSON.parse(rejectedV2.reasons!) as { gateRule: string; finding?: { ruleId: string; evidence: unknown[] } }[];
      assert.ok(v2Reasons.length > 0 && v2Reasons.every((r) => r.gateRule === 'no-debuggable' && r.finding?.ruleId === 'debuggable'));
      assert.ok(v2Reasons[0]!.finding!.evidence.length > 0, 'reasons carry the finding’s evidence');

      // 4. Role separation over submissions.
      const id = underV1.body.id as string;
      assert.equal((await call(dev2, 'GET', `/api/v1/store/submissions/${id}`)).status, 404);
      assert.deepEqual((await call(dev2, 'GET', '/api/v1/store/submissions')).body.items, []);
      assert.equal((await call(otherReviewer, 'GET', `/api/v1/store/submissions/${id}`)).status, 404);
      assert.deepEqual((await call(otherReviewer, 'GET', '/api/v1/store/submissions')).body.items, []);
      assert.equal((await call(otherReviewer, 'POST', `/api/v1/store/submissions/${id}/claim`)).status, 404);
      assert.equal((await call(dev, 'POST', `/api/v1/store/submissions/${id}/claim`)).status, 403);
      assert.equal((await call(dev, 'GET', '/api/v1/store/submissions')).body.items.length, 4);
      assert.equal((await call(reviewer1, 'GET', '/api/v1/store/submissions?state=review')).body.items.length, 1);

      // 5. Two reviewers decide at once (concurrently on PostgreSQL): one wins, the other is 409.
      const decide = (who: Member, decision: string) =>
        call(who, 'POST', `/api/v1/store/submissions/${id}/decision`, { decision, comment: `${decision} by ${who.login}` });
      const [a, b] = under.url
        ? await Promise.all([decide(reviewer1, 'pass'), decide(reviewer2, 'reject')])
        : [await decide(reviewer1, 'pass'), await decide(reviewer2, 'reject')];
      assert.deepEqual([a.status, b.status].sort(), [200, 409], `${a.status} ${b.status}`);
      const winner = a.status === 200 ? a : b;
      const final = await db.selectFrom('store_submissions').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
      assert.equal(final.state, winner.body.state);
      assert.equal(final.decided_by, a.status === 200 ? reviewer1.userId : reviewer2.userId);
      const decisions = await db
        .selectFrom('audit_log')
        .select('action')
        .where('subject', '=', id)
        .where('action', 'like', 'store.submission.%')
        .execute();
      assert.equal(decisions.filter((d) => d.action === 'store.submission.pass' || d.action === 'store.submission.reject').length, 1);
      // A claim after the decision is a conflict too.
      assert.equal((await call(reviewer2, 'POST', `/api/v1/store/submissions/${id}/claim`)).status, 409);

      // 6. Updates: a new signer without proof is blocked; one proven by a v3 rotation lineage goes
      // to review when the update adds a permission.
      const keyA = generateTestKey('rsa', 'Store test A');
      const keyB = generateTestKey('rsa', 'Store test B');
      const base = { package: 'com.example.storeupdate', label: 'Store Update', permissions: ['android.permission.INTERNET'] };
      const uploadApk = async (bytes: Uint8Array) => {
        const res = await app.inject({
          method: 'POST',
          url: '/api/v1/packages',
          headers: { ...bearer(dev), 'content-type': 'application/vnd.android.package-archive' },
          payload: Buffer.from(bytes),
        });
        assert.equal(res.statusCode, 201, res.body);
        return (res.json() as { blob: { sha256: string } }).blob.sha256;
      };
      const sign = ['v1', 'v2', 'v3'] as const;
      const first = await uploadApk(buildApk({ ...base, versionCode: 1, versionName: '1.0', sign: [...sign], keys: [keyA] }));
      const otherKey = await uploadApk(buildApk({ ...base, versionCode: 2, versionName: '2.0', sign: [...sign], keys: [keyB] }));
      const rotated = await uploadApk(
        buildApk({
          ...base,
          permissions: ['android.permission.INTERNET', 'android.permission.CAMERA'],
          versionCode: 3,
          versionName: '3.0',
          sign: [...sign],
          keys: [keyA],
          v3Options: { lineage: [keyA, keyB] },
        }),
      );
      const updElements = (version: string, permissions: { name: string; purpose: string }[] = []) => ({
        ...elements,
        name: 'Store Update',
        version,
        permissions,
      });
      const s1 = await submit(dev, { blob: first, elements: updElements('1.0') });
      const g1 = await settled(s1.body.id);
      assert.equal(g1.state, 'listed', g1.reasons ?? '');
      const s2 = await submit(dev, { blob: otherKey, elements: updElements('2.0') });
      const g2 = await settled(s2.body.id);
      assert.equal(g2.state, 'rejected');
      const r2 = JSON.parse(g2.reasons!) as { gateRule: string; diff?: { kind: string } }[];
      assert.equal(r2[0]!.diff!.kind, 'signer-changed');
      assert.equal(r2[0]!.gateRule, 'store:signer-continuity');
      const s3 = await submit(dev, {
        blob: rotated,
        elements: updElements('3.0', [{ name: 'android.permission.CAMERA', purpose: '扫码' }]),
      });
      const g3 = await settled(s3.body.id);
      assert.equal(g3.state, 'review', g3.reasons ?? '');
      const d3 = (JSON.parse(g3.diff!) as { kind: string; apk: unknown }[]).map((d) => `${d.kind}:${String(d.apk)}`);
      assert.ok(
        d3.some((d) => d.startsWith('signer-rotated:')),
        JSON.stringify(d3),
      );
      assert.ok(d3.includes('new-permission:android.permission.CAMERA'), JSON.stringify(d3));
      assert.ok(!d3.some((d) => d.startsWith('signer-changed')));
      // The listing still shows version 1.0 until a reviewer passes the update.
      const upd = await db
        .selectFrom('listings')
        .selectAll()
        .where('package_name', '=', 'com.example.storeupdate')
        .executeTakeFirstOrThrow();
      assert.equal(upd.version_id, g1.version_id);

      // A package the scan cannot read: the submission ends detection-failed and the developer is told.
      const broken = await uploadApk(buildApk({ ...base, manifestBytes: 'this is not a manifest' }));
      const sb = await submit(dev, { blob: broken, elements: updElements('1.0') });
      const gb = await settled(sb.body.id);
      assert.equal(gb.state, 'detection-failed');
      assert.ok(
        await db
          .selectFrom('notifications')
          .select('id')
          .where('subject', '=', sb.body.id)
          .where('topic', '=', 'submission.detection-failed')
          .executeTakeFirst(),
      );

      // 7. Patrol: nothing to do while every listing was judged by the installed catalogue; a listing
      // last judged by an older catalogue (one that lacked the debuggable rule) is re-judged on its
      // stored facts at priority -10, and the new finding reaches the developer with a deadline.
      assert.equal((await patrolListings(p)).queued, 0);
      const apiDemos = await db
        .selectFrom('listings as l')
        .innerJoin('store_listing_checks as c', 'c.listing_id', 'l.id')
        .select(['l.id', 'c.report_id'])
        .where('l.package_name', '=', 'io.appium.android.apis')
        .executeTakeFirstOrThrow();
      await db
        .updateTable('store_listing_checks')
        .set({ knowledge_id: 'sha256:0000000000000000' })
        .where('listing_id', '=', apiDemos.id)
        .execute();
      await db.deleteFrom('findings').where('report_id', '=', apiDemos.report_id).where('rule_id', '=', 'debuggable').execute();
      const patrol = await patrolListings(p);
      assert.equal(patrol.queued, 1);
      const patrolRow = await db.selectFrom('store_patrols').selectAll().where('listing_id', '=', apiDemos.id).executeTakeFirstOrThrow();
      const patrolJob = await db.selectFrom('jobs').selectAll().where('id', '=', patrolRow.job_id).executeTakeFirstOrThrow();
      assert.equal(patrolJob.kind, 'rerun-rules');
      assert.equal(patrolJob.priority, -10);
      assert.equal(patrolJob.org_id, dev.orgId);
      // A re-run no patrol waits for (a campaign's, say) ends beside the patrol's: both results reach
      // the store's and the SDK registry's handlers in one run (their batch forms), and only the
      // patrol's moves a patrol.
      const other = await p.queue.submit({
        kind: 'rerun-rules',
        orgId: dev.orgId,
        payload: { reportId: apiDemos.report_id },
        priority: -10,
      });
      await waitFor(
        'both re-runs to end',
        async () => {
          const rows = await db.selectFrom('jobs').select('state').where('id', 'in', [patrolJob.id, other.id]).execute();
          return rows.every((r) => r.state === 'succeeded') || undefined;
        },
        120_000,
      );
      const donePatrol = await waitFor(
        'the patrol to finish',
        async () => {
          await dispatchEvents(p);
          const row = await db.selectFrom('store_patrols').selectAll().where('id', '=', patrolRow.id).executeTakeFirstOrThrow();
          return row.state === 'running' ? undefined : row;
        },
        120_000,
      );
      assert.equal(donePatrol.state, 'done');
      assert.equal(donePatrol.new_findings, 1);
      const notice = await db
        .selectFrom('notifications')
        .selectAll()
        .where('org_id', '=', dev.orgId)
        .where('topic', '=', 'finding.new')
        .executeTakeFirstOrThrow();
      assert.ok(notice.due_at! > Date.now() + 14 * 86_400_000, 'fifteen working days are at least three weeks');
      const detail = JSON.parse(notice.detail) as { findings: { ruleId: string }[]; deadline: string };
      assert.deepEqual(
        detail.findings.map((f) => f.ruleId),
        ['debuggable'],
      );
      assert.match(detail.deadline, /^\d{4}-\d{2}-\d{2}$/);
      assert.notEqual(
        (await db.selectFrom('store_listing_checks').select('knowledge_id').where('listing_id', '=', apiDemos.id).executeTakeFirstOrThrow())
          .knowledge_id,
        'sha256:0000000000000000',
      );
      assert.equal((await patrolListings(p)).queued, 0, 'one patrol per listing and catalogue');
    } finally {
      await app.close();
      await workers.stop({ graceMs: 1000 });
      await p.close();
      policyServer.close();
    }
  },
  { timeout: 300_000 },
);
