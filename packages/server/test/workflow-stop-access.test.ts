import assert from 'node:assert/strict';
import { createPublicKey, verify } from 'node:crypto';
import { TestClock } from '../src/calendar/clock.js';
import { addOutbox } from '../src/jobs/sql.js';
import { dispatchEvents } from '../src/workflows/events.js';
import { verifyBody } from '../src/workflows/stop-access/signing.js';
import { bothDatabases } from './support/databases.js';
import { bearer, harness, member } from './support/http.js';

const SIGNER = 'ab'.repeat(32);

bothDatabases(
  'stop-access: order → signed feed entry verified with the public key → ack; since paging, ETag 304, late acks',
  async (_t, under) => {
    // From the real now: organisations are made with the real time, and a provider owes entries published after it joined.
    const clock = new TestClock(Date.now() + 1000);
    const h = await harness(under, {}, clock);
    try {
      const regulator = await member(h.platform, 'miit', 'regulator');
      const provider = await member(h.platform, 'isp-a', 'access-provider');
      const provider2 = await member(h.platform, 'isp-b', 'access-provider');
      const developer = await member(h.platform, 'dev-a', 'developer');
      // Organisations carry the real creation time (password hashing takes a while under load): start after it.
      clock.advance(Math.max(0, Date.now() - clock.now()) + 1000);

      // Bad targets: each named by its pointer.
      const bad = await h.app.inject({
        method: 'POST',
        url: '/api/v1/stop-access/orders',
        headers: bearer(regulator),
        payload: {
          packageNames: ['com.example.ok', 'not a package'],
          signerSha256: ['12ab'],
          sdkPrefixes: ['com'],
          domains: ['exa mple.com', '10.0.0.1'],
          ips: ['300.1.1.1', '10.0.0.0/33'],
          legalBasis: 'x',
        },
      });
      assert.equal(bad.statusCode, 400, bad.body);
      const pointers = (bad.json() as { errors: { pointer: string }[] }).errors.map((e) => e.pointer).sort();
      assert.deepEqual(pointers, ['/domains/0', '/domains/1', '/ips/0', '/ips/1', '/packageNames/1', '/sdkPrefixes/0', '/signerSha256/0']);
      const empty = await h.app.inject({
        method: 'POST',
        url: '/api/v1/stop-access/orders',
        headers: bearer(regulator),
        payload: { legalBasis: 'x' },
      });
      assert.equal(empty.statusCode, 400);

      const created = await h.app.inject({
        method: 'POST',
        url: '/api/v1/stop-access/orders',
        headers: bearer(regulator),
        payload: {
          packageNames: ['com.example.bad'],
          signerSha256: [SIGNER.toUpperCase().match(/../g)!.join(':')],
          sdkPrefixes: ['com.bad.sdk'],
          domains: ['例子.测试', '*.tracker.example.com'],
          ips: ['203.0.113.7', '2001:DB8::/32'],
          legalBasis: '《网络安全法》第六十八条；下架决定 2026-001',
          validUntil: '2027-03-02T00:00:00Z',
        },
      });
      assert.equal(created.statusCode, 201, created.body);
      const order = created.json() as { id: string; seq: number; signerSha256: string[]; domains: string[]; ips: string[] };
      assert.equal(order.seq, 1);
      assert.deepEqual(order.signerSha256, [SIGNER]);
      assert.deepEqual(order.domains, ['xn--fsqu00a.xn--0zwm56d', '*.tracker.example.com']);
      assert.deepEqual(order.ips, ['203.0.113.7', '2001:db8::/32']);

      // A removal order from the regulator workflow, with fields missing and one invalid.
      await addOutbox(
        h.platform.store.db,
        'removal-order.issued',
        { orderId: 'RO-1', packageName: 'com.example.removed', signerSha256: 'nothex', ips: ['198.51.100.1'] },
        clock.now(),
      );
      // One with nothing usable: recorded, not an order.
      await addOutbox(h.platform.store.db, 'removal-order.issued', { orderId: 'RO-2' }, clock.now());
      await dispatchEvents(h.platform);
      await addOutbox(h.platform.store.db, 'removal-order.issued', { orderId: 'RO-1', packageName: 'com.example.removed' }, clock.now());
      await dispatchEvents(h.platform);
      const orders = (await h.app.inject({ method: 'GET', url: '/api/v1/stop-access/orders', headers: bearer(regulator) })).json() as {
        items: { removalOrderId: string | null; packageNames: string[]; legalBasis: string; seq: number }[];
      };
      assert.equal(orders.items.length, 2, 'RO-1 once, RO-2 refused');
      assert.deepEqual(orders.items[0]!.packageNames, ['com.example.removed']);
      assert.match(orders.items[0]!.legalBasis, /RO-1/);
      assert.equal(orders.items[0]!.seq, 2);
      const refused = await h.platform.store.db
        .selectFrom('audit_log')
        .select('action')
        .where('action', '=', 'stop-access.order-refused')
        .execute();
      assert.equal(refused.length, 1);

      // The public key, anonymously.
      const keyRes = await h.app.inject({ method: 'GET', url: '/api/v1/stop-access/public-key' });
      assert.equal(keyRes.statusCode, 200);
      const key = keyRes.json() as { keyId: string; publicKeyPem: string; publicKeyRaw: string };
      assert.equal(Buffer.from(key.publicKeyRaw, 'base64').length, 32);

      // The feed, verified over the exact bytes.
      const feed = await h.app.inject({ method: 'GET', url: '/api/v1/stop-access/feed?since=0', headers: bearer(provider) });
      assert.equal(feed.statusCode, 200, feed.body);
      assert.equal(feed.headers['signature-key-id'], key.keyId);
      const signature = String(feed.headers.signature);
      assert.ok(verifyBody(key.publicKeyPem, feed.rawPayload, signature));
      // The same with the raw key, as a provider without our helper would do it.
      const raw = createPublicKey({
        key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(key.publicKeyRaw, 'base64').toString('base64url') },
        format: 'jwk',
      });
      assert.ok(verify(null, feed.rawPayload, raw, Buffer.from(signature.slice('ed25519='.length), 'base64')));
      const tampered = Buffer.from(feed.rawPayload);
      tampered[tampered.length - 3] ^= 1;
      assert.equal(verifyBody(key.publicKeyPem, tampered, signature), false);
      const page = feed.json() as { entries: { seq: number; orderId: string }[]; next: number; more: boolean; keyId: string };
      assert.deepEqual(
        page.entries.map((e) => e.seq),
        [1, 2],
      );
      assert.equal(page.entries[0]!.orderId, order.id);
      assert.equal(page.next, 2);
      assert.equal(page.more, false);

      // ETag: 304 when nothing changed, a new page after a new entry.
      const etag = String(feed.headers.etag);
      const again = await h.app.inject({
        method: 'GET',
        url: '/api/v1/stop-access/feed?since=0',
        headers: { ...bearer(provider), 'if-none-match': etag },
      });
      assert.equal(again.statusCode, 304);
      assert.equal(again.body, '');

      // Since-cursor paging.
      const first = (
        await h.app.inject({ method: 'GET', url: '/api/v1/stop-access/feed?since=0&limit=1', headers: bearer(provider) })
      ).json() as {
        entries: { seq: number }[];
        next: number;
        more: boolean;
      };
      assert.deepEqual([first.entries.map((e) => e.seq), first.next, first.more], [[1], 1, true]);
      const second = (
        await h.app.inject({ method: 'GET', url: `/api/v1/stop-access/feed?since=${first.next}&limit=1`, headers: bearer(provider) })
      ).json() as { entries: { seq: number }[]; next: number; more: boolean };
      assert.deepEqual([second.entries.map((e) => e.seq), second.next, second.more], [[2], 2, false]);
      const end = (await h.app.inject({ method: 'GET', url: '/api/v1/stop-access/feed?since=2', headers: bearer(provider) })).json() as {
        entries: unknown[];
        next: number;
      };
      assert.deepEqual([end.entries.length, end.next], [0, 2]);

      // Providers were told.
      const inbox = await h.platform.store.db
        .selectFrom('notifications')
        .select(['org_id', 'topic', 'due_at'])
        .where('topic', '=', 'stop-access.entry')
        .execute();
      assert.equal(inbox.length, 4, 'two entries × two providers');

      // Acknowledgements: entry 1 in time; an unknown entry is refused by pointer.
      const unknown = await h.app.inject({
        method: 'POST',
        url: '/api/v1/stop-access/acks',
        headers: bearer(provider),
        payload: { seqs: [1, 99] },
      });
      assert.equal(unknown.statusCode, 400);
      assert.equal((unknown.json() as { errors: { pointer: string }[] }).errors[0]!.pointer, '/seqs/1');
      const ack1 = await h.app.inject({
        method: 'POST',
        url: '/api/v1/stop-access/acks',
        headers: bearer(provider),
        payload: { seqs: [1] },
      });
      assert.equal(ack1.statusCode, 200, ack1.body);
      assert.equal((ack1.json() as { acknowledged: { late: boolean }[] }).acknowledged[0]!.late, false);
      clock.advance(25 * 3_600_000);
      const ack2 = await h.app.inject({
        method: 'POST',
        url: '/api/v1/stop-access/acks',
        headers: bearer(provider),
        payload: { seqs: [2, 1] },
      });
      const acked = (ack2.json() as { acknowledged: { seq: number; late: boolean }[] }).acknowledged;
      assert.deepEqual(
        acked.map((a) => [a.seq, a.late]),
        [
          [2, true],
          [1, false],
        ],
        'a repeat keeps the first acknowledgement',
      );
      const overdue = await h.app.inject({ method: 'GET', url: '/api/v1/stop-access/overdue', headers: bearer(regulator) });
      assert.equal(overdue.statusCode, 200, overdue.body);
      const o = overdue.json() as {
        lateAcknowledgements: { seq: number; providerOrganisationId: string; overdueMs: number }[];
        unacknowledged: { seq: number; providerOrganisationId: string }[];
      };
      assert.deepEqual(
        o.lateAcknowledgements.map((x) => [x.seq, x.providerOrganisationId]),
        [[2, provider.orgId]],
      );
      assert.equal(o.lateAcknowledgements[0]!.overdueMs, 3_600_000);
      assert.deepEqual(o.unacknowledged.map((x) => [x.seq, x.providerOrganisationId]).sort(), [
        [1, provider2.orgId],
        [2, provider2.orgId],
      ]);
      const detail = (
        await h.app.inject({ method: 'GET', url: `/api/v1/stop-access/orders/${order.id}`, headers: bearer(regulator) })
      ).json() as {
        acknowledgements: { providerOrganisationId: string; late: boolean }[];
      };
      assert.deepEqual(
        detail.acknowledgements.map((a) => [a.providerOrganisationId, a.late]),
        [[provider.orgId, false]],
      );

      // Role separation: providers see only the feed; others never the feed's acknowledgement route.
      for (const [method, url, who, status] of [
        ['POST', '/api/v1/stop-access/orders', provider, 403],
        ['GET', '/api/v1/stop-access/orders', provider, 403],
        ['GET', `/api/v1/stop-access/orders/${order.id}`, provider, 403],
        ['GET', '/api/v1/stop-access/overdue', provider, 403],
        ['GET', '/api/v1/stop-access/feed', developer, 403],
        ['POST', '/api/v1/stop-access/acks', regulator, 403],
        ['POST', '/api/v1/stop-access/orders', developer, 403],
        ['GET', '/api/v1/stop-access/feed', null, 401],
      ] as const) {
        const res = await h.app.inject({
          method,
          url,
          headers: who ? bearer(who) : {},
          ...(method === 'POST' ? { payload: { seqs: [1], legalBasis: 'x', packageNames: ['a.b'] } } : {}),
        });
        assert.equal(res.statusCode, status, `${method} ${url} as ${who?.role ?? 'anonymous'}`);
      }
      for (const list of ['/api/v1/apps', '/api/v1/reports', '/api/v1/jobs']) {
        const res = await h.app.inject({ method: 'GET', url: list, headers: bearer(provider) });
        assert.deepEqual((res.json() as { items: unknown[] }).items, [], `${list}: nothing of other organisations`);
      }
    } finally {
      await h.close();
    }
  },
);

bothDatabases('stop-access: concurrent orders get gapless, unique sequence numbers in commit order', async (_t, under) => {
  const h = await harness(under, { rateLimitPerMinute: 10_000 });
  try {
    const regulator = await member(h.platform, 'miit', 'regulator');
    const n = 12;
    const post = (i: number) =>
      h.app.inject({
        method: 'POST',
        url: '/api/v1/stop-access/orders',
        headers: bearer(regulator),
        payload: { packageNames: [`com.example.app${i}`], legalBasis: 'concurrency' },
      });
    // Concurrently on PostgreSQL; SQLite has one writer (better-sqlite3 serialises the transactions).
    const results = await Promise.all(Array.from({ length: n }, (_, i) => post(i)));
    const seqs = results.map((r) => (r.json() as { seq: number }).seq).sort((a, b) => a - b);
    assert.deepEqual(
      seqs,
      Array.from({ length: n }, (_, i) => i + 1),
    );
    const feed = await h.platform.store.db.selectFrom('stop_access_feed').select(['seq', 'order_id']).orderBy('seq').execute();
    assert.equal(new Set(feed.map((f) => f.order_id)).size, n, 'one entry per order');
  } finally {
    await h.close();
  }
});
