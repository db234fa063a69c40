import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PolicyAnalysis } from '@apprights/policy';
import { policyApiPiUnmentioned } from '../../src/rules/policy-api-pi-unmentioned.js';
import { apiUse, makeFacts, sdk } from '../support/facts.js';
import { dataMention, policyFrom } from '../support/policy.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const facts = makeFacts({
  sdks: [sdk('jpush', { name: { zh: '极光推送', en: 'JPush' } }), sdk('androidx', { tracker: false, category: 'open-source-library' })],
  sensitiveApis: [
    apiUse(
      'locationManager.getLastKnownLocation',
      'Landroid/location/LocationManager;->getLastKnownLocation',
      [{ class: 'com.example.app.Map', own: true }],
      {
        pi: 'location',
      },
    ),
    apiUse('telephony.getImei', 'Landroid/telephony/TelephonyManager;->getImei', [{ class: 'cn.jpush.android.X', sdk: 'jpush' }], {
      pi: 'device-identifiers',
    }),
    apiUse(
      'packageManager.getInstalledPackages',
      'Landroid/content/pm/PackageManager;->getInstalledPackages',
      [{ class: 'androidx.core.Y', sdk: 'androidx' }],
      {
        pi: 'installed-apps',
      },
    ),
    apiUse('clipboard.getPrimaryClip', 'Landroid/content/ClipboardManager;->getPrimaryClip', [{ class: 'a.b.C' }], { pi: 'clipboard' }),
    apiUse('dexClassLoader.init', 'Ldalvik/system/DexClassLoader;-><init>', [{ class: 'com.example.app.Z', own: true }]),
  ],
});

const run = (policy: PolicyAnalysis) => checkRule(policyApiPiUnmentioned, { package: facts, policy });

test('policy-api-pi-unmentioned: categories the policy mentions pass', () => {
  const policy = policyFrom([{ text: '我们会收集您的位置信息、设备标识符（IMEI）和剪切板内容。', kinds: ['collection-use'] }]);
  const analysed = {
    ...policy,
    dataMentions: [
      dataMention(policy, '位置信息', 'location'),
      dataMention(policy, 'IMEI', 'device-identifiers'),
      dataMention(policy, '剪切板', 'clipboard'),
    ],
  };
  assert.deepEqual(run(analysed), []);
});

test('policy-api-pi-unmentioned: one finding per unmentioned category, with APIs and callers; library wrappers are left out', () => {
  const policy = policyFrom([{ text: '我们会收集您的手机号码。', kinds: ['collection-use'] }]);
  const found = run({ ...policy, dataMentions: [dataMention(policy, '手机号码', 'phone-number')] });
  assert.deepEqual(
    found.map((f) => [f.key, f.severity]),
    [
      ['clipboard', 'low'],
      ['device-identifiers', 'medium'],
      ['location', 'high'],
    ],
  );
  const imei = found.find((f) => f.key === 'device-identifiers')!;
  assert.match(imei.message.zh, /代码调用了涉及设备标识符的接口（IMEI），调用方：极光推送；隐私政策没有提到设备标识符/);
  assert.match(imei.message.en, /called by JPush; the privacy policy never mentions device identifiers/);
  assert.deepEqual(imei.evidence[0], {
    kind: 'code',
    artifact: 'classes.dex',
    class: 'cn.jpush.android.X',
    method: 'run()V',
    api: 'telephony.getImei',
    sdk: 'jpush',
  });
  assert.deepEqual(imei.evidence.at(-1), { kind: 'policy', source: 'https://example.com/privacy.html' });
  assert.match(found.find((f) => f.key === 'location')!.message.zh, /调用方：应用自身代码/);
});

test('policy-api-pi-unmentioned: a policy that denies collecting what the code reads is quoted, and high', () => {
  const policy = policyFrom([{ text: '我们不会收集您的位置信息。', kinds: ['collection-use'] }]);
  const found = run({ ...policy, dataMentions: [dataMention(policy, '位置信息', 'location', { negated: true })] });
  const location = found.find((f) => f.key === 'location')!;
  assert.equal(location.severity, 'high');
  assert.match(location.message.zh, /隐私政策却声明不收集（“位置信息”）/);
  const ref = location.evidence.at(-1)!;
  assert.ok(ref.kind === 'policy' && ref.text === '我们不会收集您的位置信息。');
});

test('policy-api-pi-unmentioned: a type the policy names anywhere (mentionedCategories) counts as mentioned', () => {
  const policy = policyFrom([{ text: '我们采取措施保护您的位置信息、设备标识符和剪切板内容的安全。', kinds: ['security'] }]);
  const found = run({ ...policy, mentionedCategories: ['location', 'device-identifiers', 'clipboard'] });
  assert.deepEqual(found, []);
});
