import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PolicyAnalysis } from '@apprights/policy';
import type { StoreListing } from '../../src/index.js';
import { policyAppTypeNecessaryPi } from '../../src/rules/policy-app-type-necessary-pi.js';
import { dataMention, policyFrom } from '../support/policy.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const run = (policy: PolicyAnalysis, store: StoreListing) => checkRule(policyAppTypeNecessaryPi, { policy, store });

function mapPolicy(): PolicyAnalysis {
  const policy = policyFrom([
    { text: '为实现定位和导航的基本功能，我们必须收集您的位置信息。', kinds: ['collection-use'], heading: '基本功能' },
    { text: '注册时您必须提供手机号码，否则无法使用导航服务。', kinds: ['collection-use'], heading: '基本功能' },
    { text: '我们会读取您的通讯录以便分享位置，您可以拒绝。', kinds: ['collection-use'] },
  ]);
  return {
    ...policy,
    dataMentions: [
      dataMention(policy, '位置信息', 'location', { required: true, sensitive: true }),
      dataMention(policy, '手机号码', 'phone-number', { required: true }),
      dataMention(policy, '通讯录', 'contacts'),
    ],
  };
}

test('policy-app-type-necessary-pi: required information within the type’s necessary PI passes', () => {
  const policy = mapPolicy();
  const onlyLocation = { ...policy, dataMentions: policy.dataMentions.filter((m) => m.category !== 'phone-number') };
  assert.deepEqual(run(onlyLocation, { appType: 'map-navigation' }), []);
  // Without an app type there is nothing to compare with.
  assert.deepEqual(run(policy, {}), []);
});

test('policy-app-type-necessary-pi: information called required beyond the type’s necessary PI is a finding per category', () => {
  const found = run(mapPolicy(), { appType: 'map-navigation', source: 'cli' });
  assert.deepEqual(
    found.map((f) => [f.key, f.severity]),
    [['required:phone-number', undefined]],
  );
  const [f] = found;
  assert.match(f!.message.zh, /隐私政策称手机号码为基本功能所必需（“手机号码”），但应用属于「地图导航类」，该类型的必要个人信息仅为：/);
  assert.match(f!.message.en, /"map and navigation"/);
  const [ref, store] = f!.evidence;
  assert.ok(ref!.kind === 'policy' && ref!.section === '基本功能' && ref!.text === '注册时您必须提供手机号码，否则无法使用导航服务。');
  assert.deepEqual(store, { kind: 'store', field: 'appType', value: 'map-navigation' });
});

test('policy-app-type-necessary-pi: for types needing no PI every required category is reported', () => {
  const found = run(mapPolicy(), { appType: 'browser' });
  assert.deepEqual(
    found.map((f) => f.key),
    ['required:location', 'required:phone-number'],
  );
  assert.match(found[0]!.message.zh, /该类型的基本功能无需任何个人信息/);
});

test('policy-app-type-necessary-pi: a policy naming none of the necessary PI gets an info note', () => {
  const policy = policyFrom([{ text: '我们会收集您的设备型号。', kinds: ['collection-use'] }]);
  const found = run({ ...policy, dataMentions: [dataMention(policy, '设备型号', 'device-info')] }, { appType: 'ride-hailing' });
  assert.deepEqual(
    found.map((f) => [f.key, f.severity]),
    [['necessary-unmentioned', 'info']],
  );
  assert.match(found[0]!.message.zh, /「网络约车类」/);
});
