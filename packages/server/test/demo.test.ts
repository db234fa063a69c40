import assert from 'node:assert/strict';
import { bothDatabases } from './support/databases.js';
import { harness } from './support/http.js';
import { seedDemo } from '../src/demo.js';

bothDatabases(
  'serve --demo: one account per actor; a second start gives new passwords and tokens, the old ones stop working',
  async (_t, under) => {
    const h = await harness(under);
    const first = await seedDemo(h.platform);
    assert.deepEqual(first.accounts.map((a) => a.role).sort(), [
      'access-provider',
      'developer',
      'platform-admin',
      'regulator',
      'sdk-vendor',
      'store-admin',
      'store-reviewer',
    ]);
    for (const account of first.accounts) {
      const me = await h.app.inject({
        method: 'GET',
        url: '/api/v1/sessions/current',
        headers: { authorization: `Bearer ${account.token}` },
      });
      assert.equal(me.statusCode, 200, account.login);
      assert.equal(me.json().role, account.role);
    }
    const second = await seedDemo(h.platform);
    const dev1 = first.accounts.find((a) => a.role === 'developer')!;
    const dev2 = second.accounts.find((a) => a.role === 'developer')!;
    assert.notEqual(dev1.password, dev2.password);
    const login = (password: string) =>
      h.app.inject({ method: 'POST', url: '/api/v1/sessions', payload: { login: 'developer@demo', password } });
    assert.equal((await login(dev1.password)).statusCode, 401, 'the old password no longer signs in');
    assert.equal((await login(dev2.password)).statusCode, 201);
    const old = await h.app.inject({ method: 'GET', url: '/api/v1/sessions/current', headers: { authorization: `Bearer ${dev1.token}` } });
    assert.equal(old.statusCode, 401, 'the old token is revoked');
    const users = await h.platform.store.db.selectFrom('users').select('login').execute();
    assert.equal(users.length, 7, 'no duplicate accounts');
    await h.close();
  },
);
