import assert from 'node:assert/strict';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { TestClock } from '../src/calendar/clock.js';
import { dispatchEvents } from '../src/workflows/events.js';
import { DEAD_AFTER_MS } from '../src/workflows/notifications/deliver.js';
import { notificationsWorkflow } from '../src/workflows/notifications/index.js';
import { notify } from '../src/workflows/notify.js';
import { bothDatabases } from './support/databases.js';
import { bearer, harness, member } from './support/http.js';

interface Received {
  headers: IncomingMessage['headers'];
  body: string;
}

/** A receiver on loopback that answers `statuses` in turn (then 200). */
async function receiver(statuses: number[]): Promise<{ url: string; received: Received[]; server: Server }> {
  const received: Received[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.statusCode = statuses.shift() ?? 200;
      res.end('ok');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`, received, server };
}

function checkSignature(secret: string, r: Received): boolean {
  const header = String(r.headers['x-apprights-signature']);
  const match = /^t=(\d+),v1=([0-9a-f]{64})$/.exec(header);
  if (!match || match[1] !== r.headers['x-apprights-timestamp']) return false;
  const expected = createHmac('sha256', secret).update(`${match[1]}.${r.body}`).digest();
  return timingSafeEqual(expected, Buffer.from(match[2]!, 'hex'));
}

const deliverTask = (platform: Parameters<NonNullable<typeof notificationsWorkflow.tasks>>[0]) =>
  notificationsWorkflow.tasks!(platform)[0]!;

bothDatabases('notifications: inbox of the own organisation, cursor paging, mark read; others get 404', async (_t, under) => {
  const clock = new TestClock(Date.now());
  const h = await harness(under, {}, clock);
  try {
    const a = await member(h.platform, 'dev-a', 'developer');
    const a2 = await member(h.platform, 'dev-a', 'developer');
    const b = await member(h.platform, 'dev-b', 'developer');
    const ids: string[] = [];
    for (let i = 0; i < 3; i++)
      ids.push(await notify(h.platform.store.db, { orgId: a.orgId, topic: 'test.note', en: `n${i}`, zh: `通知${i}` }, clock.advance(1000)));
    await notify(h.platform.store.db, { orgId: b.orgId, topic: 'test.note', en: 'b', zh: 'b' }, clock.now());
    const first = (await h.app.inject({ method: 'GET', url: '/api/v1/notifications?limit=2', headers: bearer(a) })).json() as {
      items: { id: string; title: { en: string } }[];
      nextCursor: string;
    };
    assert.deepEqual(
      first.items.map((n) => n.title.en),
      ['n2', 'n1'],
    );
    const rest = (
      await h.app.inject({ method: 'GET', url: `/api/v1/notifications?limit=2&cursor=${first.nextCursor}`, headers: bearer(a2) })
    ).json() as { items: { title: { en: string } }[]; nextCursor: null };
    assert.deepEqual([rest.items.map((n) => n.title.en), rest.nextCursor], [['n0'], null]);
    const other = await h.app.inject({ method: 'POST', url: `/api/v1/notifications/${ids[0]}/read`, headers: bearer(b) });
    assert.equal(other.statusCode, 404);
    const read = await h.app.inject({ method: 'POST', url: `/api/v1/notifications/${ids[0]}/read`, headers: bearer(a) });
    assert.equal(read.statusCode, 200, read.body);
    assert.equal((read.json() as { readAt: number }).readAt, clock.now());
    const unread = (await h.app.inject({ method: 'GET', url: '/api/v1/notifications?unread=true', headers: bearer(a) })).json() as {
      items: unknown[];
    };
    assert.equal(unread.items.length, 2);
    const bList = (await h.app.inject({ method: 'GET', url: '/api/v1/notifications', headers: bearer(b) })).json() as { items: unknown[] };
    assert.equal(bList.items.length, 1);
  } finally {
    await h.close();
  }
});

bothDatabases('notifications: webhook URLs pass the SSRF rules; the secret is shown once', async (_t, under) => {
  const h = await harness(under);
  try {
    const a = await member(h.platform, 'dev-a', 'developer');
    for (const url of [
      'ftp://example.com/x',
      'http://user:pw@example.com/',
      'http://127.0.0.1:8080/',
      'http://[::1]/',
      'http://169.254.169.254/latest',
      'http://localhost/',
      'not a url',
    ]) {
      const res = await h.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: bearer(a), payload: { url } });
      assert.equal(res.statusCode, 400, `${url}: ${res.body}`);
      assert.equal((res.json() as { errors: { pointer: string }[] }).errors[0]!.pointer, '/url');
    }
    const ok = await h.app.inject({
      method: 'POST',
      url: '/api/v1/webhooks',
      headers: bearer(a),
      payload: { url: 'https://hooks.example.com/apprights' },
    });
    assert.equal(ok.statusCode, 201, ok.body);
    assert.match((ok.json() as { secret: string }).secret, /^whsec_/);
    const list = await h.app.inject({ method: 'GET', url: '/api/v1/webhooks', headers: bearer(a) });
    assert.ok(!list.body.includes('whsec_'), 'the secret is never listed');
  } finally {
    await h.close();
  }
});

bothDatabases(
  'notifications: signed webhook delivery retries with backoff, then succeeds; a receiver that never answers is dead-lettered after 24 h',
  async (_t, under) => {
    const clock = new TestClock(Date.now());
    const h = await harness(under, { allowPrivateFetch: true }, clock);
    const good = await receiver([500, 503]);
    const bad = await receiver(Array.from({ length: 200 }, () => 500));
    try {
      const a = await member(h.platform, 'dev-a', 'developer');
      const b = await member(h.platform, 'dev-b', 'developer');
      const hookA = (
        await h.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: bearer(a), payload: { url: good.url } })
      ).json() as {
        id: string;
        secret: string;
      };
      // Topic filter: this one only wants bulletins.
      await h.app.inject({
        method: 'POST',
        url: '/api/v1/webhooks',
        headers: bearer(a),
        payload: { url: good.url, topics: ['bulletin.issued'] },
      });
      const hookB = (
        await h.app.inject({ method: 'POST', url: '/api/v1/webhooks', headers: bearer(b), payload: { url: bad.url } })
      ).json() as {
        id: string;
      };
      const db = h.platform.store.db;
      const noteId = await db
        .transaction()
        .execute((trx) =>
          notify(trx, { orgId: a.orgId, topic: 'finding.new', en: 'New finding', zh: '新问题', detail: { k: 1 } }, clock.now()),
        );
      await notify(db, { orgId: b.orgId, topic: 'finding.new', en: 'x', zh: 'x' }, clock.now());
      await dispatchEvents(h.platform);
      await dispatchEvents(h.platform);
      const task = deliverTask(h.platform);
      const deliveries = async (hook: string) =>
        (
          await h.app.inject({ method: 'GET', url: `/api/v1/webhooks/${hook}/deliveries`, headers: bearer(hook === hookA.id ? a : b) })
        ).json() as {
          items: { state: string; attempts: number; nextAttemptAt: number | null; lastStatus: number | null }[];
        };
      assert.equal((await deliveries(hookA.id)).items.length, 1, 'one delivery (the filtered webhook takes none)');

      await task.run(h.platform.store, clock.now());
      assert.equal(good.received.length, 1);
      let d = (await deliveries(hookA.id)).items[0]!;
      assert.deepEqual([d.state, d.attempts, d.lastStatus, d.nextAttemptAt], ['pending', 1, 500, clock.now() + 30_000]);
      // Not due yet: nothing sent.
      await task.run(h.platform.store, clock.now());
      assert.equal(good.received.length, 1);
      clock.advance(30_000);
      await task.run(h.platform.store, clock.now());
      d = (await deliveries(hookA.id)).items[0]!;
      assert.deepEqual([d.state, d.attempts, d.lastStatus, d.nextAttemptAt], ['pending', 2, 503, clock.now() + 60_000], 'the wait doubles');
      clock.advance(60_000);
      await task.run(h.platform.store, clock.now());
      d = (await deliveries(hookA.id)).items[0]!;
      assert.deepEqual([d.state, d.attempts, d.lastStatus], ['delivered', 3, 200]);
      assert.equal(good.received.length, 3);
      // Every attempt is signed over timestamp + body with the secret shown at creation.
      for (const r of good.received) assert.ok(checkSignature(hookA.secret, r), 'HMAC-SHA256 signature verifies');
      assert.ok(!checkSignature('whsec_wrong', good.received[0]!));
      const sent = JSON.parse(good.received[2]!.body) as { notification: { id: string; title: { zh: string }; detail: unknown } };
      assert.deepEqual([sent.notification.id, sent.notification.title.zh, sent.notification.detail], [noteId, '新问题', { k: 1 }]);

      // The failing receiver: retried with capped backoff until 24 h, then dead.
      let attempts = 0;
      for (let i = 0; i < 100; i++) {
        const row = (await deliveries(hookB.id)).items[0]!;
        if (row.state !== 'pending') break;
        if (row.nextAttemptAt! > clock.now()) clock.advance(row.nextAttemptAt! - clock.now());
        await task.run(h.platform.store, clock.now());
        attempts++;
      }
      const dead = (await deliveries(hookB.id)).items[0]!;
      assert.equal(dead.state, 'dead');
      assert.ok(attempts >= 20 && attempts <= 40, `${attempts} attempts within 24 h`);
      const created = await db
        .selectFrom('webhook_deliveries')
        .select(['created_at'])
        .where('webhook_id', '=', hookB.id)
        .executeTakeFirstOrThrow();
      assert.ok(clock.now() - created.created_at <= DEAD_AFTER_MS);
      const audit = await db.selectFrom('audit_log').select('action').where('action', '=', 'webhook.dead-letter').execute();
      assert.equal(audit.length, 1);
      // Another organisation cannot see the deliveries.
      const cross = await h.app.inject({ method: 'GET', url: `/api/v1/webhooks/${hookB.id}/deliveries`, headers: bearer(a) });
      assert.equal(cross.statusCode, 404);
    } finally {
      good.server.close();
      bad.server.close();
      await h.close();
    }
  },
  { timeout: 120_000 },
);

bothDatabases('notifications: loopback is refused at connection time when private addresses are not allowed', async (_t, under) => {
  const clock = new TestClock(Date.now());
  const h = await harness(under, { allowPrivateFetch: false }, clock);
  const r = await receiver([]);
  try {
    const a = await member(h.platform, 'dev-a', 'developer');
    // Registered as a public name that resolves to loopback (what DNS rebinding would do).
    const db = h.platform.store.db;
    await db
      .insertInto('webhooks')
      .values({
        id: '01JZZZZZZZZZZZZZZZZZZZZZZZ',
        org_id: a.orgId,
        url: r.url.replace('127.0.0.1', 'localhost'),
        secret: 's',
        topics: null,
        created_by: null,
        created_at: clock.now(),
        disabled_at: null,
      })
      .execute();
    await notify(db, { orgId: a.orgId, topic: 't', en: 'x', zh: 'x' }, clock.now());
    await dispatchEvents(h.platform);
    await deliverTask(h.platform).run(h.platform.store, clock.now());
    assert.equal(r.received.length, 0);
    const row = await db.selectFrom('webhook_deliveries').selectAll().executeTakeFirstOrThrow();
    assert.equal(row.state, 'pending');
    assert.match(row.last_error ?? '', /loopback|private/);
  } finally {
    r.server.close();
    await h.close();
  }
});
