import { test } from 'node:test';
import assert from 'node:assert/strict';
import { associatedStart } from '../../src/rules/associated-start.js';
import { apiUse, evidenceOf, makeFacts, sdk, service } from '../support/facts.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const run = (facts: ReturnType<typeof makeFacts>) => checkRule(associatedStart, evidenceOf(facts));
const pushSdk = sdk('getui', {
  category: 'push',
  evidence: {
    classes: 20,
    classExamples: ['com.igexin.sdk.PushService'],
    components: ['com.igexin.sdk.PushService'],
    nativeLibraries: [],
    domains: [],
  },
});

test('associated-start: getLaunchIntentForPackage callers can start other apps', () => {
  const facts = makeFacts({
    sensitiveApis: [
      apiUse('packageManager.getLaunchIntentForPackage', 'Landroid/content/pm/PackageManager;->getLaunchIntentForPackage', [
        { class: 'com.example.app.Jump', own: true },
      ]),
    ],
  });
  const [finding] = run(facts);
  assert.equal(finding!.key, 'api:packageManager.getLaunchIntentForPackage');
  assert.equal(finding!.evidence[0]!.kind, 'code');
});

test('associated-start: a login or payment SDK opening its partner app is low', () => {
  const facts = makeFacts({
    sdks: [sdk('wechat-opensdk', { category: 'social' })],
    sensitiveApis: [
      apiUse('packageManager.getLaunchIntentForPackage', 'Landroid/content/pm/PackageManager;->getLaunchIntentForPackage', [
        { class: 'com.tencent.mm.opensdk.openapi.WXApiImplV10', sdk: 'wechat-opensdk' },
      ]),
    ],
  });
  assert.equal(run(facts)[0]!.severity, 'low');
});

test('associated-start: a push SDK exporting wake-able components and building explicit intents is medium', () => {
  const facts = makeFacts({
    sdks: [pushSdk],
    components: [service('com.igexin.sdk.PushService', ['com.igexin.sdk.action.service.message'], { exported: true })],
    sensitiveApis: [
      apiUse('componentName.init', 'Landroid/content/ComponentName;-><init>', [{ class: 'com.igexin.push.Wake', sdk: 'getui' }]),
    ],
  });
  const [finding, ...rest] = run(facts);
  assert.equal(rest.length, 0);
  assert.equal(finding!.severity, 'medium');
  assert.deepEqual(finding!.data!.components, ['com.igexin.sdk.PushService']);
  const kinds = finding!.evidence.map((e) => e.kind);
  assert.deepEqual(kinds, ['sdk', 'manifest', 'code']);
});

test('associated-start: protected or unexported push components and non-push SDKs are fine', () => {
  const facts = makeFacts({
    sdks: [
      pushSdk,
      sdk('umeng', {
        category: 'analytics',
        evidence: { classes: 5, classExamples: [], components: ['com.umeng.X'], nativeLibraries: [], domains: [] },
      }),
    ],
    components: [
      service('com.igexin.sdk.PushService', ['com.igexin.sdk.action.service.message'], {
        exported: true,
        permission: 'com.example.app.permission.PUSH',
      }),
      service('com.umeng.X', ['com.umeng.WAKE'], { exported: true }),
    ],
  });
  assert.deepEqual(run(facts), []);
});
