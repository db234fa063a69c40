import assert from 'node:assert/strict';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { assertNoStack, describeRun, runCli, tempDir } from './helpers.js';

// The platform's commands as a person types them (the server's own behaviour is tested in
// packages/server). Only the embedded store here: nothing to start.
const noDb = { APPRIGHTS_DATABASE_URL: '' };

test('admin create-user: prints the token alone on stdout, once; a second user with the same login is exit 1', () => {
  const dir = tempDir();
  try {
    const data = join(dir, 'data');
    let r = runCli(['admin', 'create-user', '--data', data, '--org', 'demo', '--role', 'developer', '--print-token'], { env: noDb });
    assert.equal(r.status, 0, describeRun(r));
    assert.match(r.stdout, /^ar_[A-Za-z0-9_-]{40,}\n$/, 'stdout is the token alone, for $(…)');
    assert.match(r.stderr, /developer@demo \(developer\) in organisation demo \(new\)/);
    r = runCli(['admin', 'create-user', '--data', data, '--org', 'demo', '--role', 'developer'], { env: noDb });
    assert.equal(r.status, 1, describeRun(r));
    assert.match(r.stderr, /exists|已存在/);
    assertNoStack(r.stderr);
    r = runCli(['admin', 'create-user', '--data', data, '--org', 'Not A Slug', '--role', 'developer'], { env: noDb });
    assert.equal(r.status, 2, describeRun(r));
    r = runCli(['admin', 'create-user', '--data', data, '--org', 'demo', '--role', 'king'], { env: noDb });
    assert.equal(r.status, 2, describeRun(r));
    assert.match(r.stderr, /--role/);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('serve, worker and migrate: wrong settings name the setting (exit 2); help names the environment', () => {
  let r = runCli(['worker'], { env: noDb });
  assert.equal(r.status, 2, describeRun(r));
  assert.match(r.stderr, /APPRIGHTS_DATABASE_URL/);
  r = runCli(['migrate'], { env: { APPRIGHTS_DATABASE_URL: 'mysql://x' } });
  assert.equal(r.status, 2, describeRun(r));
  assert.match(r.stderr, /APPRIGHTS_DATABASE_URL: must be a postgres:\/\/ URL/);
  r = runCli(['serve', '--port', '0'], { env: noDb });
  assert.equal(r.status, 2, describeRun(r));
  r = runCli(['serve', '--help']);
  assert.equal(r.status, 0);
  assert.match(r.stdout, /APPRIGHTS_DATABASE_URL/);
  assert.match(r.stdout, /--no-workers/);
  assertNoStack(r.stderr);
});

test('migrate: a PostgreSQL server that does not answer is exit 5 and names the database', () => {
  const r = runCli(['migrate'], { env: { APPRIGHTS_DATABASE_URL: 'postgres://nobody@127.0.0.1:9/none' } });
  assert.equal(r.status, 5, describeRun(r));
  assert.match(r.stderr, /cannot reach the database|无法连接数据库/);
  assertNoStack(r.stderr);
});
