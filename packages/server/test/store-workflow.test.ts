// Store gatekeeping end to end on both databases, with the real queue and warm workers: developer
// identity (bad credit code / 备案号 → 400 naming the field), verification, a listing contradicting
// the real ApiDemos APK (rejected with diff reasons), a resubmission that passes and is listed, the
// public disclosure (ETag, 304, filters), a gate policy edited while jobs run (applies only to later
// submissions), manual review with two reviewers racing (one wins, the other 409) and role separation.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { buildApp } from '../src/http/app.js';
import { startWorkers } from '../src/jobs/index.js';
import { dispatchEvents } from '../src/workflows/events.js';
import { bothDatabases } from './support/databases.js';
import { bearer, member, type Member } from './support/http.js';
import { APKS, testPlatform, waitFor } from './support/jobs.js';

const POLICY = `隐私政策

本政策适用于 API Demos 应用，运营者为示例科技有限公司。
一、我们收集的个人信息：为实现通讯录演示功能，经您同意后我们读取您的通讯录；为实现定位演示，我们收集您的粗略位置信息。
二、第三方SDK：本应用未集成收集个人信息的第三方SDK。
三、您的权利：您可以查阅、更正、删除您的个人信息，或撤回同意。
四、联系我们：privacy@example.com，我们将在15个工作日内答复。`;

/** Every permission ApiDemos requests at the dangerous level, with a purpose. */
const API_DEMOS_PERMISSIONS = [
  'android.permission.READ_CONTACTS',
  'android.permission.WRITE_CONTACTS',
  'android.permission.ACCESS_COARSE_LOCATION',
  'android.permission.WRITE_EXTERNAL_STORAGE',
  'android.permission.SEND_SMS',
  'android.permission.RECEIVE_SMS',
  'android.permission.POST_NOTIFICATIONS',
  'android.permission.RECORD_AUDIO',
  'android.permission.CAMERA',
].map((name) => ({ name, purpose: '演示对应的系统接口 / demonstrates the API' }));

const ENTERPRISE = '示例科技有限公司';

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
      const again = await submit(dev, { elements, resubmissionOf: wrong.body.id });
      assert.equal(again.status, 202);
      const passed = await settled(again.body.id);
      assert.equal(passed.state, 'listed', passed.reasons ?? '');
      assert.equal(passed.resubmission_of, wrong.body.id);
      const listing = await db.selectFrom('listings').selectAll().where('id', '=', passed.listing_id!).executeTakeFirstOrThrow();
      assert.equal(listing.state, 'listed');
      assert.equal(listing.package_name, 'io.appium.android.apis');
      assert.equal(listing.version_id, passed.version_id);

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
    } finally {
      await app.close();
      await workers.stop({ graceMs: 1000 });
      await p.close();
      policyServer.close();
    }
  },
  { timeout: 300_000 },
);
