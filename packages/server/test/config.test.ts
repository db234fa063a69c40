import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ConfigError, GiB, loadConfig, parseSize } from '../src/config.js';

test('settings: flags over environment over defaults', () => {
  const defaults = loadConfig({}, {});
  assert.equal(defaults.host, '127.0.0.1');
  assert.equal(defaults.port, 8080);
  assert.equal(defaults.maxUploadBytes, GiB);
  assert.equal(defaults.databaseUrl, undefined, 'no URL: the embedded SQLite store');
  const env = { APPRIGHTS_PORT: '9000', APPRIGHTS_DATABASE_URL: 'postgres://root@127.0.0.1/test', APPRIGHTS_WORKERS: '3' };
  const fromEnv = loadConfig({}, env);
  assert.equal(fromEnv.port, 9000);
  assert.equal(fromEnv.workers.concurrency, 3);
  assert.equal(fromEnv.databaseUrl, 'postgres://root@127.0.0.1/test');
  const fromFlags = loadConfig({ port: 9100, workers: false, maxUpload: '512MiB', jobTimeout: 5 }, env);
  assert.equal(fromFlags.port, 9100);
  assert.equal(fromFlags.workers.concurrency, 0, '--no-workers');
  assert.equal(fromFlags.maxUploadBytes, 512 * 1024 * 1024);
  assert.equal(fromFlags.workers.jobTimeoutMs, 5000);
});

test('settings: a wrong value names the setting instead of falling back', () => {
  assert.throws(
    () => loadConfig({}, { APPRIGHTS_DATABASE_URL: 'mysql://x' }),
    (e: unknown) => e instanceof ConfigError && e.setting === 'APPRIGHTS_DATABASE_URL',
  );
  assert.throws(() => loadConfig({}, { APPRIGHTS_PORT: 'eighty' }), /APPRIGHTS_PORT/);
  assert.throws(() => loadConfig({ port: 70000 }, {}), /--port/);
  assert.throws(() => parseSize('--max-upload', 'lots'), /--max-upload/);
  assert.equal(parseSize('x', '1GiB'), GiB);
  assert.equal(parseSize('x', '100mb'), 100 * 1024 * 1024);
  assert.equal(parseSize('x', '4096'), 4096);
});

test('APPRIGHTS_SCHEDULER=off keeps the periodic work off a node; anything but on/off is refused', () => {
  assert.equal(loadConfig({}, { APPRIGHTS_SCHEDULER: 'off' }).scheduler, false);
  assert.notEqual(loadConfig({}, { APPRIGHTS_SCHEDULER: 'on' }).scheduler, false);
  assert.notEqual(loadConfig({}, {}).scheduler, false);
  assert.throws(() => loadConfig({}, { APPRIGHTS_SCHEDULER: 'maybe' }), /on or off/);
});

test('APPRIGHTS_UPLOAD_DIRECT_IO=off writes uploads through the page cache; on or unset with O_DIRECT; anything else is refused', () => {
  assert.notEqual(loadConfig({}, { APPRIGHTS_UPLOAD_DIRECT_IO: 'on' }).uploadDirectIo, false);
  assert.equal(loadConfig({}, { APPRIGHTS_UPLOAD_DIRECT_IO: 'off' }).uploadDirectIo, false);
  assert.notEqual(loadConfig({}, {}).uploadDirectIo, false);
  assert.throws(() => loadConfig({}, { APPRIGHTS_UPLOAD_DIRECT_IO: 'yes' }), /APPRIGHTS_UPLOAD_DIRECT_IO.*on or off|on or off/);
});
