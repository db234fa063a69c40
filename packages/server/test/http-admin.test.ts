import assert from 'node:assert/strict';
import {
  AdminError,
  createApiToken,
  createOrganisation,
  createUser,
  ensureOrganisation,
  orgKindForRole,
  revokeApiToken,
} from '../src/index.js';
import { bothDatabases } from './support/databases.js';
import { bearer, harness, member } from './support/http.js';

// The platform admin's routes, and the same actions as plain functions (what `apprights admin` calls).

bothDatabases(
  'the admin functions work without HTTP, as the command line uses them, and their token works on the API',
  async (_t, under) => {
    const h = await harness(under);
    try {
      const db = h.platform.store.db;
      const org = await createOrganisation(db, { slug: 'demo', name: 'Demo developer', kind: 'developer' });
      const user = await createUser(db, { login: 'Dev@Example.com', organisation: 'demo', role: 'developer' });
      assert.equal(user.login, 'dev@example.com', 'logins are lower-cased');
      const { token, record } = await createApiToken(db, { userId: user.id, orgId: org.id, name: 'cli' });
      assert.equal(record.role, 'developer');
      const me = await h.app.inject({ method: 'GET', url: '/api/v1/sessions/current', headers: { authorization: `Bearer ${token}` } });
      assert.equal(me.statusCode, 200);
      assert.deepEqual((me.json() as { organisation: { slug: string }; role: string; via: string }).organisation.slug, 'demo');
      // A token-only account cannot log in with a password.
      const login = await h.app.inject({
        method: 'POST',
        url: '/api/v1/sessions',
        payload: { login: 'dev@example.com', password: 'anything-at-all' },
      });
      assert.equal(login.statusCode, 401);

      await assert.rejects(
        createOrganisation(db, { slug: 'demo', name: 'Again', kind: 'developer' }),
        (e: AdminError) => e.code === 'conflict' && /已存在/.test(e.zh),
      );
      await assert.rejects(
        createOrganisation(db, { slug: '../x', name: 'x', kind: 'developer' }),
        (e: AdminError) => e.code === 'bad-request',
      );
      await assert.rejects(
        createUser(db, { login: 'x', organisation: 'nowhere', role: 'developer' }),
        (e: AdminError) => e.code === 'not-found',
      );
      await assert.rejects(
        createUser(db, { login: 'y', organisation: 'demo', role: 'developer', password: 'short' }),
        (e: AdminError) => e.code === 'bad-request',
      );
      const other = await createOrganisation(db, { slug: 'other', name: 'Other', kind: 'store' });
      await assert.rejects(
        createApiToken(db, { userId: user.id, orgId: other.id, name: 'x' }),
        (e: AdminError) => e.code === 'not-found',
        'not a member there',
      );
      await revokeApiToken(db, record.id);
      assert.equal(
        (await h.app.inject({ method: 'GET', url: '/api/v1/sessions/current', headers: { authorization: `Bearer ${token}` } })).statusCode,
        401,
      );
      const actions = (await db.selectFrom('audit_log').select(['action', 'actor_user_id']).orderBy('id').execute()).map((r) => r.action);
      assert.deepEqual(actions, ['org.create', 'user.create', 'token.create', 'auth.login-failed', 'org.create', 'token.revoke']);
    } finally {
      await h.close();
    }
  },
);

bothDatabases("ensureOrganisation makes the organisation once (the CLI's create-user --org on a fresh database)", async (_t, under) => {
  const h = await harness(under);
  try {
    const db = h.platform.store.db;
    const first = await ensureOrganisation(db, { slug: 'demo', kind: orgKindForRole('developer') });
    const again = await ensureOrganisation(db, { slug: 'demo', kind: 'store' });
    assert.equal(first.created, true);
    assert.equal(again.created, false);
    assert.equal(again.id, first.id);
    assert.equal(again.kind, 'developer', 'an existing organisation keeps its kind');
    assert.equal(orgKindForRole('store-reviewer'), 'store');
    assert.equal(orgKindForRole('platform-admin'), 'platform');
    const rows = await db.selectFrom('organisations').select('id').execute();
    assert.equal(rows.length, 1);
  } finally {
    await h.close();
  }
});

bothDatabases('the platform admin creates organisations and users over HTTP; conflicts are 409; the audit log pages', async (_t, under) => {
  const h = await harness(under);
  try {
    const admin = await member(h.platform, 'platform', 'platform-admin');
    const org = await h.app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: bearer(admin),
      payload: { slug: 'app-store-1', name: '应用商店一', kind: 'store' },
    });
    assert.equal(org.statusCode, 201, org.body);
    const orgId = (org.json() as { id: string }).id;
    const again = await h.app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: bearer(admin),
      payload: { slug: 'app-store-1', name: 'x', kind: 'store' },
    });
    assert.equal(again.statusCode, 409);
    assert.equal((again.json() as { code: string }).code, 'conflict');
    const badKind = await h.app.inject({
      method: 'POST',
      url: '/api/v1/organisations',
      headers: bearer(admin),
      payload: { slug: 'x', name: 'x', kind: 'bank' },
    });
    assert.equal(badKind.statusCode, 400);
    assert.equal((badKind.json() as { errors: { pointer: string }[] }).errors[0]!.pointer, '/kind');
    assert.equal((await h.app.inject({ method: 'GET', url: `/api/v1/organisations/${orgId}`, headers: bearer(admin) })).statusCode, 200);

    const user = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(admin),
      payload: { login: 'reviewer@store', password: 'a long enough password', organisation: 'app-store-1', role: 'store-reviewer' },
    });
    assert.equal(user.statusCode, 201, user.body);
    const dup = await h.app.inject({
      method: 'POST',
      url: '/api/v1/users',
      headers: bearer(admin),
      payload: { login: 'REVIEWER@store', organisation: 'app-store-1', role: 'developer' },
    });
    assert.equal(dup.statusCode, 409);
    const login = await h.app.inject({
      method: 'POST',
      url: '/api/v1/sessions',
      payload: { login: 'reviewer@store', password: 'a long enough password' },
    });
    assert.equal(login.statusCode, 201);
    assert.equal((login.json() as { role: string; organisation: { slug: string } }).organisation.slug, 'app-store-1');
    const users = await h.app.inject({ method: 'GET', url: '/api/v1/users', headers: bearer(admin) });
    const reviewer = (users.json() as { items: { login: string; memberships: { slug: string; role: string }[] }[] }).items.find(
      (u) => u.login === 'reviewer@store',
    );
    assert.deepEqual(reviewer?.memberships, [{ organisationId: orgId, slug: 'app-store-1', role: 'store-reviewer' }]);

    // The audit log, newest first, in pages of 2; admin actions carry the actor.
    const seen: { action: string; actorUserId: string | null }[] = [];
    let cursor: string | null = null;
    for (let i = 0; i < 20; i++) {
      const res = await h.app.inject({
        method: 'GET',
        url: `/api/v1/audit?limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        headers: bearer(admin),
      });
      const body = res.json() as { items: { action: string; actorUserId: string | null }[]; nextCursor: string | null };
      for (const item of body.items) seen.push(item);
      cursor = body.nextCursor;
      if (!cursor) break;
    }
    const byAdmin = seen.filter((e) => e.actorUserId === admin.userId).map((e) => e.action);
    assert.deepEqual(byAdmin, ['user.create', 'org.create']);
    assert.equal(seen[0]!.action, 'auth.login');
    const logins = await h.app.inject({ method: 'GET', url: '/api/v1/audit?action=auth.login', headers: bearer(admin) });
    assert.equal((logins.json() as { items: unknown[] }).items.length, 1);
  } finally {
    await h.close();
  }
});
