import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError, findConfigFile, loadConfigFile, parseConfig, validateConfig } from '../../src/index.js';

test('config: rule settings in all their forms', () => {
  const config = parseConfig({
    appType: 'map-navigation',
    failOn: 'medium',
    rules: { debuggable: 'off', 'allow-backup': 'high', 'shake-ad-sdk': { options: { accelerationMs2: 20 } }, x: { enabled: false } },
  });
  assert.equal(config.appType, 'map-navigation');
  assert.equal(config.failOn, 'medium');
  assert.deepEqual(config.rules.debuggable, { enabled: false });
  assert.deepEqual(config.rules['allow-backup'], { enabled: true, severity: 'high' });
  assert.deepEqual(config.rules['shake-ad-sdk'], { enabled: true, options: { accelerationMs2: 20 } });
  assert.deepEqual(config.rules.x, { enabled: false });
});

test('config: a suppression without a reason, unknown keys and bad severities are refused with their place', () => {
  const cases: [unknown, RegExp][] = [
    [{ suppressions: [{ rule: 'debuggable' }] }, /suppressions\[0\]\.reason: a suppression needs a reason/],
    [{ suppressions: [{ rule: 'debuggable', reason: '  ' }] }, /reason/],
    [{ suppressions: [{ reason: 'x' }] }, /suppressions\[0\]\.rule/],
    [{ rules: { debuggable: 'severe' } }, /rules\.debuggable: must be one of high, medium, low, info/],
    [{ rule: {} }, /rule: unknown setting/],
    [[], /root: must be a JSON object/],
    [{ failOn: 'always' }, /failOn/],
  ];
  for (const [raw, message] of cases)
    assert.throws(
      () => parseConfig(raw, 'apprights.config.json'),
      (e: Error) => e instanceof ConfigError && message.test(e.message),
    );
});

test('config: unknown rule ids are reported against the registry', () => {
  const config = parseConfig({
    rules: { debugable: 'off' },
    suppressions: [
      { rule: 'nope', reason: 'r' },
      { rule: '*', reason: 'r' },
    ],
  });
  assert.deepEqual(validateConfig(config, new Set(['debuggable'])), [
    'rules.debugable: no rule has this id',
    'suppressions[0].rule: no rule has the id nope',
  ]);
});

test('config: found in a folder and loaded from disk; broken JSON names the file', () => {
  const dir = mkdtempSync(join(tmpdir(), 'apprights-config-'));
  assert.equal(findConfigFile(dir), undefined);
  const file = join(dir, 'apprights.config.json');
  writeFileSync(
    file,
    JSON.stringify({ suppressions: [{ rule: 'debuggable', path: 'AndroidManifest.xml', reason: 'internal test build' }] }),
  );
  assert.equal(findConfigFile(dir), file);
  assert.equal(loadConfigFile(file).suppressions[0]!.reason, 'internal test build');
  writeFileSync(file, '{ nope');
  assert.throws(
    () => loadConfigFile(file),
    (e: Error) => e instanceof ConfigError && e.message.includes(file) && /not valid JSON/.test(e.message),
  );
});
