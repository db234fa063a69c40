import { test } from 'node:test';
import assert from 'node:assert/strict';
import { policySdkNotFound } from '../../src/rules/policy-sdk-not-found.js';
import { makeFacts, sdk } from '../support/facts.js';
import { policyFrom, recipient, sdkRow } from '../support/policy.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const facts = makeFacts({
  sdks: [sdk('jpush', { name: { zh: '极光推送', en: 'JPush' }, vendor: { zh: '深圳市和讯华谷信息技术有限公司', en: 'Hexun Huagu' } })],
});

test('policy-sdk-not-found: SDKs the policy lists and the package holds pass', () => {
  const policy = policyFrom([{ text: '极光推送SDK', kinds: ['third-party'] }]);
  assert.deepEqual(
    checkRule(policySdkNotFound, { package: facts, policy: { ...policy, sdkTable: [sdkRow(policy, '极光推送SDK', 'jpush')] } }),
    [],
  );
});

test('policy-sdk-not-found: a listed SDK the package lacks is a low warning with the row and the SDK', () => {
  const policy = policyFrom([
    { text: '极光推送SDK 深圳市和讯华谷信息技术有限公司 消息推送', kinds: ['third-party'], heading: '第三方SDK清单' },
    { text: '极光认证SDK 深圳市和讯华谷信息技术有限公司 一键登录', kinds: ['third-party'], heading: '第三方SDK清单' },
    { text: '我们使用腾讯Bugly分析崩溃。', kinds: ['third-party'] },
  ]);
  const analysed = {
    ...policy,
    sdkTable: [sdkRow(policy, '极光推送SDK', 'jpush'), sdkRow(policy, '极光认证SDK', 'jverification'), sdkRow(policy, '一键登录', null)],
    recipients: [recipient(policy, '腾讯Bugly', 'tencent-bugly')],
  };
  const found = checkRule(policySdkNotFound, { package: facts, policy: analysed });
  assert.deepEqual(
    found.map((f) => f.key),
    ['jverification', 'tencent-bugly'],
  );
  assert.equal(policySdkNotFound.meta.severity, 'low');
  const [jverification, bugly] = found;
  assert.match(
    jverification!.message.zh,
    /隐私政策的 SDK 清单列出了极光认证 JVerification（“极光认证SDK”），但安装包中未检出该 SDK：它可能只在服务器端使用/,
  );
  assert.match(jverification!.message.zh, /安装包中有同一开发者的极光推送/);
  assert.match(bugly!.message.en, /text names Tencent Bugly \("腾讯Bugly"\), but the package does not contain it/);
  const [row, ref] = jverification!.evidence;
  assert.ok(
    row!.kind === 'policy' && row!.section === '第三方SDK清单' && row!.text === '极光认证SDK 深圳市和讯华谷信息技术有限公司 一键登录',
  );
  assert.deepEqual(ref, { kind: 'sdk', sdk: 'jverification', name: 'Jiguang JVerification (one-click login)' });
});

test('policy-sdk-not-found: a row the analyser tied to an SDK only through a shared brand is not a claim about that SDK', () => {
  const policy = policyFrom([{ text: '友盟+ 提供统计服务', kinds: ['third-party'] }]);
  const analysed = { ...policy, sdkTable: [sdkRow(policy, '友盟+', 'umeng-analytics')] };
  assert.deepEqual(checkRule(policySdkNotFound, { package: facts, policy: analysed }), []);
});
