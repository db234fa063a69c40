import assert from 'node:assert/strict';
import { buildApk } from '@apprights/testkit';
import { ACTORS, type Actor } from '../src/http/access.js';
import { ACCESS } from '../src/http/access-table.js';
import { ROLES } from '../src/db/schema.js';
import { newId } from '../src/ids.js';
import { bothDatabases } from './support/databases.js';
import { bearer, harness, member, type Member } from './support/http.js';

// The role matrix: every route in the one access table × every actor. An actor the table admits
// gets past authorisation (whatever the handler then says about the empty request); one it does
// not is refused, 401 when anonymous and 403 when signed in. And objects of another organisation
// are 404, as if they did not exist.

bothDatabases(
  'every route has one access entry, and the role matrix holds for every route × actor',
  async (_t, under) => {
    const h = await harness(under);
    try {
      // The meta-test: the table and the routes are the same set (a route without an entry, or a stale entry, fails).
      assert.deepEqual([...h.app.registeredRoutes].sort(), Object.keys(ACCESS).sort());
      for (const [key, access] of Object.entries(ACCESS)) {
        assert.ok(access.roles.length > 0, `${key} admits someone`);
        for (const role of access.roles) assert.ok(ACTORS.includes(role), `${key}: ${role} is an actor`);
        // The scope and the roles agree: public routes admit anyone, the others need a principal,
        // and the platform's own records are the platform admin's alone.
        assert.equal(access.roles.includes('anonymous'), access.scope === 'public', `${key}: anonymous iff public`);
        if (access.scope === 'platform') assert.deepEqual(access.roles, ['platform-admin'], `${key}: platform scope`);
      }
      const members = new Map<Actor, Member>();
      for (const role of ROLES) members.set(role, await member(h.platform, role === 'platform-admin' ? 'platform' : `org-${role}`, role));
      let checked = 0;
      for (const [key, access] of Object.entries(ACCESS)) {
        const [method, path] = key.split(' ') as [string, string];
        const url = path.replace(/:[A-Za-z]+/g, () => newId());
        for (const actor of ACTORS) {
          const headers: Record<string, string> = actor === 'anonymous' ? {} : bearer(members.get(actor)!);
          let payload: string | undefined;
          if (method === 'POST' && path === '/api/v1/packages') {
            headers['content-type'] = 'application/octet-stream';
            payload = '';
          } else if (method === 'POST') {
            headers['content-type'] = 'application/json';
            payload = '{}';
          }
          const res = await h.app.inject({ method: method as 'GET', url, headers, payload });
          const allowed = access.roles.includes(actor);
          if (path.startsWith('/console')) {
            // The console's pages answer people: a refusal redirects to the sign-in page; an admitted
            // POST without its form's CSRF field gets the 403 page (the role passed, the token did not).
            const toLogin = res.statusCode === 303 && String(res.headers.location).startsWith('/console/login?next=');
            if (allowed) {
              assert.ok(!toLogin && res.statusCode !== 401, `${key} as ${actor}: admitted, got ${res.statusCode} ${res.headers.location}`);
              if (res.statusCode === 403) assert.match(res.body, /安全令牌/, `${key} as ${actor}: 403 only for the CSRF field`);
            } else {
              assert.ok(toLogin, `${key} as ${actor}: refused, got ${res.statusCode} ${res.body.slice(0, 200)}`);
            }
            checked++;
            continue;
          }
          if (allowed) {
            assert.ok(
              res.statusCode !== 401 && res.statusCode !== 403,
              `${key} as ${actor}: admitted, got ${res.statusCode} ${res.body.slice(0, 200)}`,
            );
          } else {
            assert.equal(
              res.statusCode,
              actor === 'anonymous' ? 401 : 403,
              `${key} as ${actor}: refused, got ${res.statusCode} ${res.body.slice(0, 200)}`,
            );
            assert.match(String(res.headers['content-type']), /^application\/problem\+json/);
            const problem = res.json() as { code: string; title: string; title_zh: string };
            assert.equal(problem.code, actor === 'anonymous' ? 'unauthenticated' : 'forbidden');
            assert.ok(problem.title && problem.title_zh, 'titles in both languages');
          }
          checked++;
        }
      }
      assert.equal(checked, Object.keys(ACCESS).length * ACTORS.length);
    } finally {
      await h.close();
    }
  },
  { timeout: 180_000 },
);

bothDatabases(
  'objects of another organisation are 404 on every route that names one',
  async (_t, under) => {
    const h = await harness(under);
    try {
      const a = await member(h.platform, 'org-a', 'developer');
      const b = await member(h.platform, 'org-b', 'developer');
      const bStore = await member(h.platform, 'store-b', 'store-admin');
      const admin = await member(h.platform, 'platform', 'platform-admin');
      const apk = Buffer.from(buildApk({ package: 'com.example.crossorg' }));
      const up = await h.app.inject({
        method: 'POST',
        url: '/api/v1/packages',
        headers: { ...bearer(a), 'content-type': 'application/vnd.android.package-archive' },
        payload: apk,
      });
      assert.equal(up.statusCode, 201, up.body);
      const upload = up.json() as { id: string; blob: { sha256: string } };
      const scan = await h.app.inject({ method: 'POST', url: '/api/v1/scans', headers: bearer(a), payload: { upload: upload.id } });
      assert.equal(scan.statusCode, 202, scan.body);
      const job = scan.json() as { id: string };
      // What a scan job would have recorded: the app, its version, a report.
      const db = h.platform.store.db;
      const now = Date.now();
      const appId = newId();
      const versionId = newId();
      const reportId = newId();
      await db.insertInto('apps').values({ id: appId, org_id: a.orgId, package_name: 'com.example.crossorg', created_at: now }).execute();
      await db
        .insertInto('versions')
        .values({
          id: versionId,
          app_id: appId,
          org_id: a.orgId,
          version_code: '1',
          version_name: '1.0',
          signer_sha256: null,
          blob_sha256: upload.blob.sha256,
          created_at: now,
        })
        .execute();
      await db
        .insertInto('reports')
        .values({
          id: reportId,
          job_id: job.id,
          org_id: a.orgId,
          kind: 'scan',
          version_id: versionId,
          knowledge_id: null,
          body: '{}',
          facts: null,
          summary: '{}',
          created_at: now,
        })
        .execute();
      const tokens = await h.app.inject({ method: 'GET', url: '/api/v1/tokens', headers: bearer(a) });
      const aToken = (tokens.json() as { items: { id: string }[] }).items[0]!.id;

      const named: [string, string, unknown?][] = [
        ['GET', `/api/v1/packages/${upload.id}`],
        ['GET', `/api/v1/jobs/${job.id}`],
        ['POST', `/api/v1/jobs/${job.id}/cancel`],
        ['GET', `/api/v1/reports/${reportId}`],
        ['GET', `/api/v1/reports/${reportId}?format=md`],
        ['GET', `/api/v1/apps/${appId}`],
        ['GET', `/api/v1/apps/${appId}/versions`],
        ['GET', `/api/v1/versions/${versionId}`],
        ['POST', `/api/v1/versions/${versionId}/diff`, { against: versionId }],
        ['POST', '/api/v1/scans', { upload: upload.id }],
        ['POST', '/api/v1/scans', { blob: upload.blob.sha256 }],
        ['DELETE', `/api/v1/tokens/${aToken}`],
      ];
      for (const other of [b, bStore]) {
        for (const [method, url, payload] of named) {
          const res = await h.app.inject({
            method: method as 'GET',
            url,
            headers: bearer(other),
            ...(payload ? { payload: payload as object } : {}),
          });
          assert.equal(
            res.statusCode,
            404,
            `${method} ${url} as ${other.role} of another organisation: ${res.statusCode} ${res.body.slice(0, 200)}`,
          );
          assert.equal((res.json() as { code: string }).code, 'not-found');
        }
        for (const list of ['/api/v1/jobs', '/api/v1/reports', '/api/v1/apps', '/api/v1/packages']) {
          const res = await h.app.inject({ method: 'GET', url: list, headers: bearer(other) });
          assert.equal(res.statusCode, 200);
          assert.deepEqual((res.json() as { items: unknown[] }).items, [], `${list} of another organisation is empty`);
        }
      }
      // The owner and the platform admin see them.
      for (const who of [a, admin]) {
        for (const url of [
          `/api/v1/jobs/${job.id}`,
          `/api/v1/reports/${reportId}`,
          `/api/v1/apps/${appId}`,
          `/api/v1/versions/${versionId}`,
        ]) {
          const res = await h.app.inject({ method: 'GET', url, headers: bearer(who) });
          assert.equal(res.statusCode, 200, `${url} as ${who.role}: ${res.body.slice(0, 200)}`);
        }
      }
      // The job was not cancelled by the other organisation's attempt.
      const after = await db.selectFrom('jobs').select('state').where('id', '=', job.id).executeTakeFirstOrThrow();
      assert.equal(after.state, 'queued');
    } finally {
      await h.close();
    }
  },
  { timeout: 120_000 },
);

bothDatabases('every unsafe route refuses a cookie session without its CSRF token (login aside)', async (_t, under) => {
  const h = await harness(under);
  try {
    // A cookie session per role, made when a route first needs it: workflow routes admit roles
    // other than the platform admin (a developer's submission, a reviewer's decision).
    const sessions = new Map<string, { cookie: string; csrf: string }>();
    const sessionFor = async (role: (typeof ROLES)[number]) => {
      let s = sessions.get(role);
      if (!s) {
        const m = await member(h.platform, role === 'platform-admin' ? 'platform' : `csrf-${role}`, role);
        const login = await h.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { login: m.login, password: m.password } });
        assert.equal(login.statusCode, 201);
        s = {
          cookie: (login.cookies as { name: string; value: string }[]).find((c) => c.name === 'ar_session')!.value,
          csrf: (login.json() as { csrfToken: string }).csrfToken,
        };
        sessions.set(role, s);
      }
      return s;
    };
    const { cookie } = await sessionFor('platform-admin');
    let unsafe = 0;
    for (const key of Object.keys(ACCESS)) {
      const [method, path] = key.split(' ') as [string, string];
      if (method === 'GET' || key === 'POST /api/v1/sessions') continue;
      // Logging out would end the session the other checks use: it goes last.
      if (key === 'DELETE /api/v1/sessions/current') continue;
      // Routes of other roles only (a vendor's publishing, an operator's answer) refuse the admin by role first.
      if (!ACCESS[key]!.roles.includes('platform-admin')) continue;
      unsafe++;
      const url = path.replace(/:[A-Za-z]+/g, () => newId());
      const role = ACCESS[key]!.roles.includes('platform-admin') ? 'platform-admin' : ROLES.find((r) => ACCESS[key]!.roles.includes(r))!;
      // Signing out ends its session: that check gets a session of its own.
      if (key === 'POST /console/logout') sessions.delete(role);
      const { cookie, csrf } = await sessionFor(role);
      if (path.startsWith('/console')) {
        // Console forms carry the token in a field (_csrf), not a header; their refusal is a page.
        const form = { 'content-type': 'application/x-www-form-urlencoded' };
        const bare = await h.app.inject({ method: 'POST', url, headers: form, payload: 'a=1', cookies: { ar_session: cookie } });
        assert.equal(bare.statusCode, 403, `${key} without CSRF`);
        assert.match(bare.body, /安全令牌/);
        const header = await h.app.inject({
          method: 'POST',
          url,
          headers: { ...form, 'x-csrf-token': csrf },
          payload: 'a=1',
          cookies: { ar_session: cookie },
        });
        assert.equal(header.statusCode, 403, `${key}: the header is not the form's field`);
        const field = await h.app.inject({ method: 'POST', url, headers: form, payload: `_csrf=${csrf}`, cookies: { ar_session: cookie } });
        assert.notEqual(field.statusCode, 403, `${key} with the CSRF field: ${field.body.slice(0, 200)}`);
        if (key === 'POST /console/logout') sessions.delete(role);
        unsafe++;
        continue;
      }
      const headers: Record<string, string> = method === 'POST' ? { 'content-type': 'application/json' } : {};
      const payload = method === 'POST' ? '{}' : undefined;
      const without = await h.app.inject({ method: method as 'POST', url, headers, payload, cookies: { ar_session: cookie } });
      assert.equal(without.statusCode, 403, `${key} without CSRF: ${without.body.slice(0, 200)}`);
      assert.equal((without.json() as { code: string }).code, 'csrf-required');
      const withToken = await h.app.inject({
        method: method as 'POST',
        url,
        headers: { ...headers, 'x-csrf-token': csrf },
        payload,
        cookies: { ar_session: cookie },
      });
      assert.notEqual(withToken.statusCode, 403, `${key} with CSRF: ${withToken.body.slice(0, 200)}`);
    }
    assert.ok(unsafe >= 8, `${unsafe} unsafe routes checked`);
    const out = await h.app.inject({ method: 'DELETE', url: '/api/v1/sessions/current', cookies: { ar_session: cookie } });
    assert.equal(out.statusCode, 403);
  } finally {
    await h.close();
  }
});
