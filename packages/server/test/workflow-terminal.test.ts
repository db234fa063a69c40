import assert from 'node:assert/strict';
import { test } from 'node:test';
import { TestClock } from '../src/calendar/clock.js';
import type { ListingElements } from '../src/db/schema.js';
import { newId } from '../src/ids.js';
import type { Platform } from '../src/platform.js';
import { verifyBody } from '../src/workflows/stop-access/signing.js';
import { foldLabel, refreshLabels } from '../src/workflows/terminal/labels.js';
import { importUsage, statedFrequency, streamLines } from '../src/workflows/terminal/usage.js';
import { bothDatabases } from './support/databases.js';
import { bearer, harness, member } from './support/http.js';

const S1 = '11'.repeat(32);
const S2 = '22'.repeat(32);
const CAMERA = 'android.permission.CAMERA';

/** What the store workflow would have written: an app, its version (with its signer) and a listing. */
async function listApp(
  platform: Platform,
  store: { orgId: string },
  developerOrgId: string,
  pkg: string,
  signer: string,
  elements: Partial<ListingElements>,
  now: number,
): Promise<void> {
  const db = platform.store.db;
  const appId = newId(now);
  const versionId = newId(now);
  const blob = newId(now).toLowerCase().padEnd(64, '0');
  await db
    .insertInto('blobs')
    .values({ sha256: blob, size: 1, media_type: 'application/vnd.android.package-archive', created_at: now })
    .execute();
  await db.insertInto('apps').values({ id: appId, org_id: developerOrgId, package_name: pkg, created_at: now }).execute();
  await db
    .insertInto('versions')
    .values({
      id: versionId,
      app_id: appId,
      org_id: developerOrgId,
      version_code: '42',
      version_name: '4.2',
      signer_sha256: signer,
      blob_sha256: blob,
      created_at: now,
    })
    .execute();
  const full: ListingElements = {
    name: pkg,
    version: '4.2',
    developer: 'Dev',
    privacyPolicyUrl: 'https://example.com/p',
    permissions: [],
    description: 'd',
    ...elements,
  };
  await db
    .insertInto('listings')
    .values({
      id: newId(now),
      store_id: store.orgId,
      developer_org_id: developerOrgId,
      package_name: pkg,
      app_id: appId,
      version_id: versionId,
      state: 'listed',
      elements: JSON.stringify(full),
      app_type: null,
      listed_at: now,
      delisted_at: null,
      updated_at: now,
    })
    .execute();
}

test('labels fold case, width, NFKC and inserted separators', () => {
  assert.equal(foldLabel('ＷｅＣｈａｔ　Ｐａｙ'), 'wechatpay');
  assert.equal(foldLabel('We\u200bChat-Pay'), 'wechatpay');
  assert.equal(foldLabel('微 信'), '微信');
  assert.notEqual(foldLabel('WeChat Pay'), foldLabel('WeChat Play'));
});

test('stated frequencies are read from purposes in Chinese and English', () => {
  assert.deepEqual(statedFrequency('扫码登录，每天最多2次'), { max: 2, per: 'day' });
  assert.deepEqual(statedFrequency('每小时不超过一次'), { max: 1, per: 'hour' });
  assert.deepEqual(statedFrequency('定位 3 次/天'), { max: 3, per: 'day' });
  assert.deepEqual(statedFrequency('at most once a day'), { max: 1, per: 'day' });
  assert.deepEqual(statedFrequency('up to 5 times per hour'), { max: 5, per: 'hour' });
  assert.equal(statedFrequency('拍照上传头像'), null);
});

test('a line of 20 MB without a newline is one error, never held in memory', async () => {
  async function* huge() {
    const chunk = Buffer.alloc(64 * 1024, 0x61);
    for (let i = 0; i < 320; i++) yield chunk;
    yield Buffer.from('\n{"ok":1}\n');
  }
  const before = process.memoryUsage().heapUsed;
  const out = [];
  for await (const item of streamLines(huge(), { maxLineBytes: 8192, maxBytes: 1 << 30 })) out.push(item);
  assert.equal(out.length, 2);
  assert.match((out[0] as { error: string }).error, /longer than 8192/);
  assert.deepEqual(out[1], { line: 2, text: '{"ok":1}' });
  assert.ok(process.memoryUsage().heapUsed - before < 15 * 1024 * 1024, 'the long line was not buffered');
});

bothDatabases(
  'terminal: signed verdicts (listed, signer mismatch, stop-access order, unknown), look-alikes, ETag 304, validation',
  async (_t, under) => {
    const clock = new TestClock(Date.now());
    const h = await harness(under, {}, clock);
    try {
      const store = await member(h.platform, 'store-x', 'store-admin');
      const dev = await member(h.platform, 'dev-real', 'developer');
      const faker = await member(h.platform, 'dev-fake', 'developer');
      const regulator = await member(h.platform, 'miit', 'regulator');
      await listApp(h.platform, store, dev.orgId, 'com.example.pay', S1, { name: 'WeChat Pay' }, clock.now());
      await listApp(h.platform, store, faker.orgId, 'com.fake.pay', S2, { name: 'ＷｅＣｈａｔ　Ｐａｙ' }, clock.now());
      await refreshLabels(h.platform.store.db);
      // The real developer's identity was verified by the store (the store workflow's record).
      await h.platform.store.db
        .insertInto('store_developers')
        .values({
          org_id: dev.orgId,
          enterprise_name: 'Real Pay Ltd',
          credit_code: '91350100M000100Y43',
          filing_number: null,
          contacts: '[]',
          documents: '[]',
          state: 'verified',
          decided_by: store.userId,
          decided_store_id: store.orgId,
          decision_comment: null,
          created_at: clock.now(),
          updated_at: clock.now(),
        })
        .execute();
      const order = await h.app.inject({
        method: 'POST',
        url: '/api/v1/stop-access/orders',
        headers: bearer(regulator),
        payload: { packageNames: ['com.evil.app'], legalBasis: '下架决定' },
      });
      assert.equal(order.statusCode, 201);
      const key = (await h.app.inject({ method: 'GET', url: '/api/v1/stop-access/public-key' })).json() as { publicKeyPem: string };

      const ask = (query: string, headers: Record<string, string> = {}) =>
        h.app.inject({ method: 'GET', url: `/api/v1/verdicts?${query}`, headers });
      const listed = await ask(`package=com.example.pay&signer=${S1}`);
      assert.equal(listed.statusCode, 200, listed.body);
      assert.ok(verifyBody(key.publicKeyPem, listed.rawPayload, String(listed.headers.signature)), 'signed');
      assert.match(String(listed.headers['cache-control']), /public/);
      const v = listed.json() as {
        verdict: string;
        listed: { storeId: string; versionName: string; signerMatches: boolean; developerVerified: boolean | null }[];
        lookAlikes: { packageName: string; label: string }[];
      };
      assert.equal(v.verdict, 'listed');
      assert.deepEqual(
        v.listed.map((l) => [l.storeId, l.versionName, l.signerMatches, l.developerVerified]),
        [[store.orgId, '4.2', true, true]],
      );
      assert.deepEqual(
        v.lookAlikes.map((l) => l.packageName),
        ['com.fake.pay'],
        'the full-width copy under another signer is a look-alike',
      );
      const again = await ask(`package=com.example.pay&signer=${S1}`, { 'if-none-match': String(listed.headers.etag) });
      assert.equal(again.statusCode, 304);

      const mismatch = (await ask(`package=com.example.pay&signer=${S2.match(/../g)!.join(':')}`)).json() as {
        verdict: string;
        signer: string;
      };
      assert.deepEqual([mismatch.verdict, mismatch.signer], ['signer-mismatch', S2]);
      const fake = (await ask(`package=com.fake.pay&signer=${S2}`)).json() as {
        verdict: string;
        developerVerified: boolean;
        lookAlikes: { packageName: string }[];
      };
      assert.deepEqual(
        [fake.verdict, fake.developerVerified, fake.lookAlikes.map((l) => l.packageName)],
        ['listed', false, ['com.example.pay']],
      );
      const stopped = (await ask('package=com.evil.app')).json() as { verdict: string; stopAccessOrders: { seq: number }[] };
      assert.deepEqual([stopped.verdict, stopped.stopAccessOrders.map((o) => o.seq)], ['stop-access-order', [1]]);
      const unknown = (await ask(`package=com.nobody.app&signer=${S2}&label=${encodeURIComponent('wechat  pay')}`)).json() as {
        verdict: string;
        lookAlikes: { packageName: string }[];
      };
      assert.equal(unknown.verdict, 'unknown');
      assert.deepEqual(
        unknown.lookAlikes.map((l) => l.packageName),
        ['com.example.pay'],
        'the label the device shows is checked too',
      );

      const bad = await ask('package=not-a-package&signer=xyz');
      assert.equal(bad.statusCode, 400);
      assert.deepEqual(
        (bad.json() as { errors: { pointer: string }[] }).errors.map((e) => e.pointer),
        ['/package', '/signer'],
      );
      const missing = await ask('signer=' + S1);
      assert.equal(missing.statusCode, 400);
    } finally {
      await h.close();
    }
  },
);

bothDatabases('terminal: verdicts are rate-limited per client', async (_t, under) => {
  const h = await harness(under, { rateLimitPerMinute: 5 });
  try {
    const codes: number[] = [];
    for (let i = 0; i < 7; i++) codes.push((await h.app.inject({ method: 'GET', url: `/api/v1/verdicts?package=com.a.b${i}` })).statusCode);
    assert.deepEqual(codes, [200, 200, 200, 200, 200, 429, 429]);
  } finally {
    await h.close();
  }
});

bothDatabases(
  'terminal: a permission-usage export is imported with bad lines reported by number and compared with the disclosures',
  async (_t, under) => {
    const clock = new TestClock(Date.parse('2026-06-10T12:00:00+08:00'));
    const h = await harness(under, {}, clock);
    try {
      const store = await member(h.platform, 'store-x', 'store-admin');
      const dev = await member(h.platform, 'dev-real', 'developer');
      const other = await member(h.platform, 'dev-other', 'developer');
      const provider = await member(h.platform, 'isp', 'access-provider');
      await listApp(
        h.platform,
        store,
        dev.orgId,
        'com.example.scan',
        S1,
        {
          name: 'Scanner',
          permissions: [
            { name: CAMERA, purpose: '扫码，每天最多2次' },
            { name: 'android.permission.ACCESS_FINE_LOCATION', purpose: '附近门店' },
          ],
        },
        clock.now(),
      );
      const rec = (o: Record<string, unknown>) => JSON.stringify({ package: 'com.example.scan', mode: 'foreground', ...o });
      const lines = [
        '\ufeff' + rec({ permission: CAMERA, time: '2026-06-09T09:00:00+08:00', durationMs: 1200 }),
        rec({ permission: 'CAMERA', time: '2026-06-09T10:00:00+08:00' }),
        rec({ permission: CAMERA, time: Date.parse('2026-06-09T23:30:00+08:00'), mode: 'background' }),
        rec({ op: 'android:record_audio', time: '2026-06-09T11:00:00Z' }),
        '{"package": "com.example.scan", ',
        rec({ permission: CAMERA, time: '2026-13-01T00:00:00Z' }),
        '',
        rec({ permission: CAMERA, time: '2026-06-09T10:00:00Z', pad: 'x'.repeat(9000) }),
        null,
        rec({ op: 'android:coarse_location', time: '2026-06-09T12:00:00+08:00' }),
        rec({ op: 'android:teleport', time: '2026-06-09T12:00:00+08:00' }),
        rec({ permission: CAMERA, time: '2026-06-10T01:00:00+08:00', mode: 'sideways' }),
      ];
      const body = Buffer.concat(
        lines.map((l) => (l === null ? Buffer.from([0x7b, 0xff, 0xfe, 0x7d, 0x0d, 0x0a]) : Buffer.from(`${l}\r\n`, 'utf8'))),
      );
      const res = await h.app.inject({
        method: 'POST',
        url: '/api/v1/terminal/usage-imports',
        headers: { ...bearer(dev), 'content-type': 'application/x-ndjson' },
        payload: body,
      });
      assert.equal(res.statusCode, 201, res.body);
      const out = res.json() as {
        id: string;
        lines: number;
        imported: number;
        rejected: number;
        errors: { line: number; pointer: string; message: string }[];
        comparison: { packageName: string; listed: boolean; findings: { kind: string; permission: string; uses: number }[] }[];
      };
      assert.deepEqual([out.lines, out.imported, out.rejected], [11, 5, 6]);
      assert.deepEqual(
        out.errors.map((e) => [e.line, e.pointer]),
        [
          [5, ''],
          [6, '/time'],
          [8, ''],
          [9, ''],
          [11, '/op'],
          [12, '/mode'],
        ],
      );
      assert.match(out.errors[2]!.message, /longer than/);
      assert.match(out.errors[3]!.message, /UTF-8/);
      const findings = out.comparison[0]!.findings.map((f) => [f.kind, f.permission, f.uses]).sort();
      assert.deepEqual(findings, [
        ['background-use', CAMERA, 1],
        ['over-frequency', CAMERA, 3],
        ['undisclosed-use', 'android.permission.RECORD_AUDIO', 1],
      ]);
      const again = await h.app.inject({ method: 'GET', url: `/api/v1/terminal/usage-imports/${out.id}`, headers: bearer(dev) });
      assert.equal(again.statusCode, 200);
      assert.equal((again.json() as { rejected: number }).rejected, 6);
      assert.equal(
        (await h.app.inject({ method: 'GET', url: `/api/v1/terminal/usage-imports/${out.id}`, headers: bearer(other) })).statusCode,
        404,
      );
      assert.equal(
        (await h.app.inject({ method: 'GET', url: `/api/v1/terminal/usage-imports/${out.id}`, headers: bearer(provider) })).statusCode,
        403,
      );
      const json = await h.app.inject({ method: 'POST', url: '/api/v1/terminal/usage-imports', headers: bearer(dev), payload: { a: 1 } });
      assert.equal(json.statusCode, 415);

      // Line cap: the rest is reported, not read.
      async function* many() {
        for (let i = 0; i < 10; i++) yield Buffer.from(rec({ permission: CAMERA, time: clock.now() - i * 1000 }) + '\n');
      }
      const capped = await importUsage(h.platform.store.db, many(), { orgId: dev.orgId, userId: null }, clock.now(), {
        maxLineBytes: 8192,
        maxBytes: 1 << 20,
        maxLines: 4,
      });
      assert.deepEqual([capped.lines, capped.imported, capped.truncated, capped.errors[0]!.line], [4, 4, true, 5]);
    } finally {
      await h.close();
    }
  },
);
