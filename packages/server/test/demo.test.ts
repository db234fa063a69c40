import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bothDatabases } from './support/databases.js';
import { harness } from './support/http.js';
import { APKS } from './support/jobs.js';
import { seedDemo } from '../src/demo.js';
import { findDemoApk, runDemoStory } from '../src/demo-story.js';
import { defaultConfig } from '../src/config.js';
import { migrateDatabase, startServer } from '../src/serve.js';

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

bothDatabases(
  'serve --demo story: every actor finds something (listed app, bulletin, SDK entry, stop-access order, complaint); told once per data folder',
  async (_t, under) => {
    const config = defaultConfig({
      dataDir: under.dataDir,
      ...(under.url ? { databaseUrl: under.url } : {}),
      port: 0,
      workers: { ...defaultConfig().workers, concurrency: 1 },
    });
    if (config.databaseUrl) await migrateDatabase(config);
    const running = await startServer(config);
    try {
      const { accounts } = await seedDemo(running.platform);
      const steps: string[] = [];
      const story = await runDemoStory({ url: running.url, accounts, apk: APKS.apiDemos, onStep: (en, zh) => steps.push(`${en} / ${zh}`) });
      assert.deepEqual({ told: story.told, listed: story.listed, bulletin: story.bulletin }, { told: true, listed: true, bulletin: true });
      assert.equal(steps.length, story.steps);
      assert.ok(
        steps.some((s) => /rejected a listing/.test(s) && /驳回/.test(s)),
        steps.join('\n'),
      );
      const token = (role: string) => ({ authorization: `Bearer ${accounts.find((a) => a.role === role)!.token}` });
      const get = async (path: string, role?: string) => {
        const res = await fetch(`${running.url}${path}`, { headers: role ? token(role) : {} });
        assert.equal(res.status, 200, path);
        return (await res.json()) as { items?: unknown[]; entries?: unknown[] };
      };
      assert.ok(JSON.stringify(await get('/api/v1/public/listings')).includes('io.appium.android.apis'));
      assert.equal((await get('/api/v1/public/bulletins')).items!.length, 1);
      assert.equal((await get('/api/v1/complaints', 'developer')).items!.length, 1);
      assert.ok(JSON.stringify(await get('/api/v1/stop-access/feed?since=0', 'access-provider')).includes('com.example.fakeloan'));
      assert.equal((await get('/api/v1/sdk-registry/sdks', 'sdk-vendor')).items!.length, 1);
      const submissions = (await get('/api/v1/store/submissions', 'developer')).items as { state: string }[];
      assert.deepEqual(submissions.map((s) => s.state).sort(), ['listed', 'rejected']);

      // A second start on the same data folder: new credentials, the story is not told twice.
      const again = await seedDemo(running.platform);
      const second = await runDemoStory({ url: running.url, accounts: again.accounts, apk: APKS.apiDemos });
      assert.equal(second.told, false);
    } finally {
      await running.close();
    }
  },
);

test('serve --demo story: the demo package is found from the checkout whatever the working folder', () => {
  assert.equal(findDemoApk(['/nonexistent']), APKS.apiDemos);
});
