import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { createConnection } from 'node:net';
import { bothDatabases } from './support/databases.js';
import { bearer, harness, member } from './support/http.js';

// Sessions, CSRF, tokens, the login lockout, the rate limit and the audit trail, on both databases.

interface CookieOut {
  name: string;
  value: string;
  httpOnly?: boolean;
  sameSite?: string;
  path?: string;
  maxAge?: number;
}

function sessionCookie(res: { cookies: unknown[] }): CookieOut {
  const cookie = (res.cookies as CookieOut[]).find((c) => c.name === 'ar_session');
  assert.ok(cookie, 'the session cookie is set');
  return cookie;
}

bothDatabases('console sessions: HttpOnly SameSite=Lax cookie, rotated at login, CSRF on unsafe methods, logout', async (_t, under) => {
  const h = await harness(under);
  try {
    const dev = await member(h.platform, 'demo', 'developer');
    const login = await h.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { login: dev.login, password: dev.password } });
    assert.equal(login.statusCode, 201, login.body);
    const first = sessionCookie(login);
    assert.equal(first.httpOnly, true);
    assert.equal(first.sameSite, 'Lax');
    assert.equal(first.path, '/');
    const { csrfToken, role } = login.json() as { csrfToken: string; role: string };
    assert.equal(role, 'developer');
    const stored = await h.platform.store.db.selectFrom('sessions').selectAll().execute();
    assert.equal(stored.length, 1);
    assert.notEqual(stored[0]!.id, first.value, 'the database holds the hash of the cookie, not the cookie');
    assert.equal(stored[0]!.id, createHash('sha256').update(first.value).digest('hex'));

    const me = await h.app.inject({ method: 'GET', url: '/api/v1/sessions/current', cookies: { ar_session: first.value } });
    assert.equal(me.statusCode, 200);
    assert.equal((me.json() as { via: string }).via, 'session');

    // Logging in again while holding the cookie rotates it: the old value stops working.
    const again = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      cookies: { ar_session: first.value },
      payload: { login: dev.login, password: dev.password },
    });
    assert.equal(again.statusCode, 201);
    const second = sessionCookie(again);
    assert.notEqual(second.value, first.value);
    const old = await h.app.inject({ method: 'GET', url: '/api/v1/sessions/current', cookies: { ar_session: first.value } });
    assert.equal(old.statusCode, 401);
    assert.equal((old.json() as { code: string }).code, 'session-expired');
    const csrf2 = (again.json() as { csrfToken: string }).csrfToken;
    assert.notEqual(csrf2, csrfToken);

    // An unsafe method with the cookie but no CSRF token: 403. With the wrong one: 403. With it: done.
    const noCsrf = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      cookies: { ar_session: second.value },
      payload: { name: 'ci' },
    });
    assert.equal(noCsrf.statusCode, 403);
    assert.equal((noCsrf.json() as { code: string }).code, 'csrf-required');
    const wrong = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      cookies: { ar_session: second.value },
      headers: { 'x-csrf-token': csrfToken },
      payload: { name: 'ci' },
    });
    assert.equal(wrong.statusCode, 403, 'the previous session’s token is not this one’s');
    const ok = await h.app.inject({
      method: 'POST',
      url: '/api/v1/tokens',
      cookies: { ar_session: second.value },
      headers: { 'x-csrf-token': csrf2 },
      payload: { name: 'ci' },
    });
    assert.equal(ok.statusCode, 201, ok.body);
    // Reads need no token.
    const list = await h.app.inject({ method: 'GET', url: '/api/v1/tokens', cookies: { ar_session: second.value } });
    assert.equal(list.statusCode, 200);

    const outNoCsrf = await h.app.inject({ method: 'DELETE', url: '/api/v1/sessions/current', cookies: { ar_session: second.value } });
    assert.equal(outNoCsrf.statusCode, 403);
    const out = await h.app.inject({
      method: 'DELETE',
      url: '/api/v1/sessions/current',
      cookies: { ar_session: second.value },
      headers: { 'x-csrf-token': csrf2 },
    });
    assert.equal(out.statusCode, 204);
    const cleared = sessionCookie(out);
    assert.equal(cleared.value, '');
    const after = await h.app.inject({ method: 'GET', url: '/api/v1/sessions/current', cookies: { ar_session: second.value } });
    assert.equal(after.statusCode, 401);

    const actions = (await h.platform.store.db.selectFrom('audit_log').select('action').orderBy('id').execute()).map((r) => r.action);
    for (const action of ['user.create', 'token.create', 'auth.login', 'auth.logout'])
      assert.ok(actions.includes(action), `${action} is audited: ${actions.join(' ')}`);
    const user = await h.platform.store.db
      .selectFrom('users')
      .select('password_hash')
      .where('id', '=', dev.userId)
      .executeTakeFirstOrThrow();
    assert.match(user.password_hash!, /^\$argon2id\$v=19\$m=19456,t=2,p=1\$/, 'passwords are Argon2id at 19 MiB, 2 passes');
  } finally {
    await h.close();
  }
});

bothDatabases(
  'API tokens: 256-bit, shown once with an ar_ prefix, stored as sha256, listed without secret; revoked or expired → 401',
  async (_t, under) => {
    const h = await harness(under);
    try {
      const dev = await member(h.platform, 'demo', 'developer');
      const created = await h.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: bearer(dev),
        payload: { name: 'laptop', expiresInDays: 7 },
      });
      assert.equal(created.statusCode, 201, created.body);
      const body = created.json() as { id: string; token: string; prefix: string; role: string; expiresAt: number; organisationId: string };
      assert.match(body.token, /^ar_[A-Za-z0-9_-]{43}$/, '32 random bytes, base64url');
      assert.equal(Buffer.from(body.token.slice(3), 'base64url').length, 32);
      assert.equal(body.prefix, body.token.slice(0, 11));
      assert.equal(body.role, 'developer');
      assert.equal(body.organisationId, dev.orgId);
      assert.ok(Math.abs(body.expiresAt - (Date.now() + 7 * 86400_000)) < 60_000);
      const row = await h.platform.store.db.selectFrom('api_tokens').selectAll().where('id', '=', body.id).executeTakeFirstOrThrow();
      assert.equal(row.token_hash, createHash('sha256').update(body.token).digest('hex'));
      const list = await h.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: bearer(body) });
      assert.equal(list.statusCode, 200);
      assert.ok(!list.body.includes(body.token.slice(11)), 'the list never holds a secret');
      assert.equal((list.json() as { items: unknown[] }).items.length, 2);

      // Unknown fields are refused, naming the pointer.
      const extra = await h.app.inject({
        method: 'POST',
        url: '/api/v1/tokens',
        headers: bearer(dev),
        payload: { name: 'x', role: 'platform-admin' },
      });
      assert.equal(extra.statusCode, 400);
      assert.deepEqual(
        (extra.json() as { errors: { pointer: string }[] }).errors.map((e) => e.pointer),
        ['/role'],
      );

      const revoke = await h.app.inject({ method: 'DELETE', url: `/api/v1/tokens/${body.id}`, headers: bearer(dev) });
      assert.equal(revoke.statusCode, 204);
      const revoked = await h.app.inject({ method: 'GET', url: '/api/v1/sessions/current', headers: bearer(body) });
      assert.equal(revoked.statusCode, 401);
      assert.equal((revoked.json() as { code: string }).code, 'invalid-token');
      // Revoked tokens are refused on public routes too: a client learns its credential is dead.
      assert.equal((await h.app.inject({ method: 'GET', url: '/health/live', headers: bearer(body) })).statusCode, 401);

      // Expired.
      await h.platform.store.db
        .updateTable('api_tokens')
        .set({ expires_at: Date.now() - 1 })
        .where('user_id', '=', dev.userId)
        .execute();
      const expired = await h.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: bearer(dev) });
      assert.equal(expired.statusCode, 401);
      // Malformed and unknown.
      for (const header of ['Bearer nonsense', `Bearer ar_${'A'.repeat(43)}`, 'Basic dXNlcjpwYXNz']) {
        const res = await h.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: { authorization: header } });
        assert.equal(res.statusCode, 401, header);
      }
      const actions = (await h.platform.store.db.selectFrom('audit_log').select('action').execute()).map((r) => r.action);
      assert.ok(actions.includes('token.revoke'));

      // A token is scoped to the role it was made in: when the member's role changes, it stops working.
      const storeAdmin = await member(h.platform, 'store', 'store-admin');
      assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: bearer(storeAdmin) })).statusCode, 200);
      await h.platform.store.db
        .updateTable('memberships')
        .set({ role: 'store-reviewer' })
        .where('user_id', '=', storeAdmin.userId)
        .execute();
      assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: bearer(storeAdmin) })).statusCode, 401);
    } finally {
      await h.close();
    }
  },
);

bothDatabases(
  'five failed logins per account and address in the window → 429 with Retry-After; another address is not locked out',
  async (_t, under) => {
    const h = await harness(under);
    try {
      const dev = await member(h.platform, 'demo', 'developer');
      const attempt = (password: string, remoteAddress = '192.0.2.10') =>
        h.app.inject({ method: 'POST', url: '/api/v1/sessions', remoteAddress, payload: { login: dev.login.toUpperCase(), password } });
      for (let i = 0; i < 5; i++) {
        const res = await attempt('wrong password!');
        assert.equal(res.statusCode, 401, `failure ${i + 1}`);
        assert.equal((res.json() as { code: string }).code, 'invalid-credentials');
      }
      const locked = await attempt(dev.password);
      assert.equal(locked.statusCode, 429, 'locked even with the right password');
      assert.equal((locked.json() as { code: string }).code, 'login-locked');
      const retry = Number(locked.headers['retry-after']);
      assert.ok(retry > 0 && retry <= 15 * 60, `Retry-After ${retry}`);
      const elsewhere = await attempt(dev.password, '192.0.2.99');
      assert.equal(elsewhere.statusCode, 201, 'the lock is per account and address');
      // An unknown login fails the same way (no account enumeration).
      const unknown = await h.app.inject({
        method: 'POST',
        url: '/api/v1/sessions',
        payload: { login: 'nobody@nowhere', password: 'whatever-it-is' },
      });
      assert.equal(unknown.statusCode, 401);
      assert.equal((unknown.json() as { code: string }).code, 'invalid-credentials');
      // Past the window the account opens again.
      await h.platform.store.db
        .updateTable('login_failures')
        .set({ at: Date.now() - 16 * 60_000 })
        .execute();
      assert.equal((await attempt(dev.password)).statusCode, 201);
      const actions = (await h.platform.store.db.selectFrom('audit_log').select('action').execute()).map((r) => r.action);
      assert.equal(actions.filter((a) => a === 'auth.login-failed').length, 6);
      assert.ok(actions.includes('auth.login-locked'));
    } finally {
      await h.close();
    }
  },
);

bothDatabases('a parallel burst of wrong passwords gets no more than five guesses checked', async (t, under) => {
  const h = await harness(under);
  try {
    const dev = await member(h.platform, 'demo', 'developer');
    const burst = await Promise.all(
      Array.from({ length: 20 }, () =>
        h.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { login: dev.login, password: 'a wrong guess' } }),
      ),
    );
    const codes = burst.map((r) => r.statusCode);
    const checked = codes.filter((c) => c === 401).length;
    t.diagnostic(`20 parallel wrong logins: ${checked} checked (401), ${20 - checked} refused (429)`);
    assert.ok(checked <= 5, `at most five checked: ${codes.join(' ')}`);
    assert.equal(codes.filter((c) => c === 429).length + checked, 20, codes.join(' '));
    // The lock counts the guesses that were checked: five of them lock the account, fewer do not.
    const next = await h.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { login: dev.login, password: dev.password } });
    assert.equal(next.statusCode, checked >= 5 ? 429 : 201, `after ${checked} checked guesses (${codes.join(' ')})`);
  } finally {
    await h.close();
  }
});

bothDatabases('past the rate limit → 429 problem with Retry-After; per principal; probes are not limited', async (_t, under) => {
  const h = await harness(under, { rateLimitPerMinute: 5 });
  try {
    const a = await member(h.platform, 'demo', 'developer');
    const b = await member(h.platform, 'demo', 'store-reviewer');
    for (let i = 0; i < 5; i++)
      assert.equal((await h.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: bearer(a) })).statusCode, 200);
    const limited = await h.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: bearer(a) });
    assert.equal(limited.statusCode, 429);
    assert.match(String(limited.headers['content-type']), /^application\/problem\+json/);
    assert.equal((limited.json() as { code: string }).code, 'rate-limited');
    assert.ok(Number(limited.headers['retry-after']) > 0, `Retry-After: ${limited.headers['retry-after']}`);
    assert.equal(
      (await h.app.inject({ method: 'GET', url: '/api/v1/jobs', headers: bearer(b) })).statusCode,
      200,
      'another principal has its own budget',
    );
    for (let i = 0; i < 8; i++) assert.equal((await h.app.inject({ method: 'GET', url: '/health/live' })).statusCode, 200);
    const metrics = await h.app.inject({ method: 'GET', url: '/metrics' });
    assert.match(metrics.body, /apprights_rate_limited_total [1-9]/);
  } finally {
    await h.close();
  }
});

function redisReachable(): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createConnection({ host: '127.0.0.1', port: 6379, timeout: 1000 });
    socket.once('connect', () => {
      socket.destroy();
      resolve(true);
    });
    socket.once('error', () => resolve(false));
    socket.once('timeout', () => {
      socket.destroy();
      resolve(false);
    });
  });
}

bothDatabases('with Redis, two server nodes share one rate-limit budget', async (t, under) => {
  if (!(await redisReachable())) {
    if (process.env.CI === 'true') throw new Error('Redis at 127.0.0.1:6379 is not reachable; CI=true requires it');
    t.skip('Redis at 127.0.0.1:6379 is not reachable');
    return;
  }
  const one = await harness(under, { rateLimitPerMinute: 4, redisUrl: 'redis://127.0.0.1:6379' });
  const two = await harness(under, { rateLimitPerMinute: 4, redisUrl: 'redis://127.0.0.1:6379' });
  try {
    const dev = await member(one.platform, 'demo', 'developer');
    const codes: number[] = [];
    for (let i = 0; i < 6; i++)
      codes.push((await (i % 2 ? two : one).app.inject({ method: 'GET', url: '/api/v1/jobs', headers: bearer(dev) })).statusCode);
    assert.deepEqual(codes, [200, 200, 200, 200, 429, 429], 'the fifth request, on either node, is over the shared budget');
  } finally {
    await one.close();
    await two.close();
  }
});
