import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadKnowledge } from '@apprights/knowledge';
import {
  allRules,
  ConfigError,
  emptyConfig,
  findConfigFile,
  loadConfigFile,
  parseConfig,
  runRules,
  validateConfig,
} from '../../src/index.js';
import { completePolicy } from '../support/policy.js';

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

test('config: rule options are checked against the rule’s specs when the configuration loads', () => {
  const bad =
    (options: Record<string, unknown>, rule = 'policy-response-time') =>
    () =>
      parseConfig({ rules: { [rule]: { options } } });
  assert.throws(bad({ maxWorkingDays: 'ten' }), /rules\.policy-response-time\.options\.maxWorkingDays: must be a whole number/);
  assert.throws(bad({ maxWorkingDays: 0 }), /rules\.policy-response-time\.options\.maxWorkingDays: must be at least 1/);
  assert.throws(bad({ maxWorkingDays: 7.5 }), /must be a whole number/);
  assert.throws(
    bad({ maxWorkingDay: 10 }),
    /rules\.policy-response-time\.options\.maxWorkingDay: unknown option \(the rule has: maxWorkingDays\)/,
  );
  assert.throws(
    bad({ elements: ['operator', 'nonsense'] }, 'policy-required-elements'),
    /options\.elements: value\[1\] must be one of operator/,
  );
  assert.throws(bad({ perCategory: { location: 0 } }, 'runtime-pi-frequency'), /options\.perCategory: value\.location must be at least 1/);
  assert.throws(bad({ minSizePx: -1 }, 'ui-popup-close-control'), /options\.minSizePx: must be more than 0/);
  assert.throws(bad({ anything: 1 }, 'debuggable'), /options\.anything: unknown option \(the rule has none\)/);
  assert.throws(bad({ maxWorkingDays: 'ten' }), (error: Error) => error instanceof ConfigError);
  // Good values load; null is allowed where the spec says the value is worked out from the evidence.
  const config = parseConfig({
    rules: {
      'policy-response-time': { options: { maxWorkingDays: 10 } },
      'ui-popup-close-control': { options: { minSizePx: null, minSizeDp: 40 } },
      'runtime-pi-frequency': { options: { perCategory: { location: 20 } } },
    },
  });
  assert.deepEqual(config.rules['policy-response-time']!.options, { maxWorkingDays: 10 });
  // Options of rules this version does not know are left to validateConfig (a newer config still loads).
  assert.doesNotThrow(() => parseConfig({ rules: { 'future-rule': { options: { x: 1 } } } }));
});

test('config: a configuration built in code is checked when the rules run', () => {
  const config = emptyConfig();
  config.rules['policy-response-time'] = { enabled: true, options: { maxWorkingDays: -3 } };
  assert.throws(
    () => runRules({ policy: completePolicy() }, allRules, config, loadKnowledge()),
    /configuration: rules\.policy-response-time\.options\.maxWorkingDays: must be at least 1/,
  );
});
