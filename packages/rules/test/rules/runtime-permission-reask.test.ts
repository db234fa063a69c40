import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMeasureCatalog } from '@apprights/knowledge';
import { runtimePermissionReask } from '../../src/rules/runtime-permission-reask.js';
import { exampleTrace, runOn, traceOf } from '../support/trace.js';
import { RuleTester } from '../../src/testing/rule-tester.js';
import { ruleDefaults } from '../../src/index.js';
import { loadKnowledge } from '@apprights/knowledge';

const ID = 'runtime-permission-reask';

test('runtime-permission-reask: the default pause is the catalogue’s 48 h', () => {
  assert.equal(loadMeasureCatalog().parameter('permission.reaskAfterRefusal').value, 48);
  assert.deepEqual(ruleDefaults(runtimePermissionReask, loadKnowledge()), { hours: 48, userActionSeconds: 5 });
});

test('runtime-permission-reask: location asked again 10 minutes after a denial; the camera after a tap is low', () => {
  const found = runOn(runtimePermissionReask, exampleTrace(ID, 'violating'));
  assert.deepEqual(
    found.map((f) => [f.key, f.severity]),
    [
      ['android.permission.ACCESS_FINE_LOCATION', undefined],
      ['android.permission.CAMERA', 'low'],
    ],
  );
  assert.match(found[0]!.message.zh, /用户在第 5 秒拒绝 ACCESS_FINE_LOCATION 后，应用在 10 分钟后（第 602 秒）再次申请，早于 48 小时/);
  assert.match(found[0]!.message.en, /asked again 10 min later \(at 602 s\), within 48 h/);
  assert.deepEqual(
    found[0]!.evidence.map((r) => r.kind === 'trace' && [r.event, r.time]),
    [
      [4, 5000],
      [7, 602000],
    ],
  );
  assert.match(found[1]!.message.en, /a user action came just before/);
});

test('runtime-permission-reask: asking again after 49 h is fine', () => {
  assert.deepEqual(runOn(runtimePermissionReask, exampleTrace(ID, 'clean')), []);
});

test('runtime-permission-reask: the pause is an option', () => {
  assert.equal(runOn(runtimePermissionReask, exampleTrace(ID, 'clean'), { hours: 72 }).length, 1);
  assert.equal(runOn(runtimePermissionReask, exampleTrace(ID, 'violating'), { hours: 0.1 }).length, 1);
});

const CAMERA = 'android.permission.CAMERA';
const denyThenAsk = (tap: Record<string, unknown>) =>
  traceOf([
    { kind: 'permission-request', t: 10000, permissions: [CAMERA], answers: ['denied'] },
    { ...tap, kind: 'user', t: 60000, action: 'tap' },
    { kind: 'permission-request', t: 61000, permissions: [CAMERA], answers: ['denied'] },
  ]);
const reask = (userTriggered: boolean) => ({
  deniedAt: '10',
  name: 'CAMERA',
  after: { zh: '51 秒', en: '51 s' },
  askedAt: '61',
  hours: 48,
  asks: { zh: '', en: '' },
  userTriggered: userTriggered
    ? { zh: '（再次申请前有用户操作，可能由用户主动触发）', en: ' (a user action came just before: the user may have started the feature)' }
    : { zh: '', en: '' },
});

new RuleTester().run(runtimePermissionReask, {
  invalid: [
    {
      // Found on an unseen scenario: any tap within seconds lowered a re-ask to low.
      name: 'an unrelated tap just before the re-ask does not lower it',
      evidence: { trace: denyThenAsk({ node: 'com.example.app:id/tab_mine', nodeText: '我的' }) },
      findings: [{ messageId: 'reask', key: CAMERA, severity: 'medium', data: reask(false) }],
    },
    {
      name: 'a tap on the feature that needs the permission lowers it',
      evidence: { trace: denyThenAsk({ node: 'com.example.app:id/btn_scan', nodeText: '扫一扫' }) },
      findings: [{ messageId: 'reask', key: CAMERA, severity: 'low', data: reask(true) }],
    },
    {
      name: 'the consent answer does not lower it',
      evidence: { trace: denyThenAsk({ nodeText: '同意并继续' }) },
      findings: [{ messageId: 'reask', key: CAMERA, severity: 'medium', data: reask(false) }],
    },
  ],
});
