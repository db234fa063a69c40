import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PolicyAnalysis } from '@apprights/policy';
import { policySdkUndisclosed } from '../../src/rules/policy-sdk-undisclosed.js';
import { apiUse, makeFacts, sdk } from '../support/facts.js';
import { policyFrom, recipient, sdkRow } from '../support/policy.js';
import type { PackageFacts } from '../../src/index.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const HEXUN = { zh: '深圳市和讯华谷信息技术有限公司', en: 'Shenzhen Hexun Huagu Information Technology Co., Ltd.' };
const UMENG = { zh: '友盟同欣（北京）科技有限公司、北京锐讯灵通科技有限公司', en: 'Umeng Tongxin (Beijing) Technology Co., Ltd.' };

const facts = makeFacts({
  sdks: [
    sdk('jpush', { name: { zh: '极光推送', en: 'JPush' }, vendor: HEXUN, category: 'push', personalInformation: ['device-identifiers'] }),
    sdk('jiguang-jcore', {
      name: { zh: '极光核心服务 JCore', en: 'Jiguang JCore' },
      vendor: HEXUN,
      category: 'other',
      personalInformation: ['device-identifiers'],
    }),
    sdk('umeng-push', {
      name: { zh: '友盟+ 消息推送 U-Push', en: 'Umeng U-Push' },
      vendor: UMENG,
      category: 'push',
      personalInformation: ['device-info'],
    }),
    sdk('tencent-bugly', { name: { zh: '腾讯 Bugly', en: 'Tencent Bugly' }, category: 'crash', personalInformation: ['device-info'] }),
    sdk('okhttp', { name: { zh: 'OkHttp', en: 'OkHttp' }, tracker: false, category: 'open-source-library' }),
  ],
});

const run = (policy: PolicyAnalysis, f: PackageFacts = facts) => checkRule(policySdkUndisclosed, { package: f, policy });

test('policy-sdk-undisclosed: every SDK named in the table, the prose or the text passes', () => {
  const policy = policyFrom([
    { text: 'SDK名称：极光推送SDK；极光核心服务JCore。', kinds: ['third-party'] },
    { text: '我们使用友盟+消息推送U-Push发送通知，并使用腾讯Bugly收集崩溃信息。', kinds: ['third-party'] },
  ]);
  assert.deepEqual(run(policy), []);
  // The analyser's catalogue ids count even when the text spells the SDK in a way the matcher does not know.
  const spelled = policyFrom([{ text: 'Push服务A、统计服务B、崩溃服务C、核心服务D', kinds: ['third-party'] }]);
  const linked = {
    ...spelled,
    sdkTable: [sdkRow(spelled, 'Push服务A', 'jpush'), sdkRow(spelled, '核心服务D', 'jiguang-jcore')],
    recipients: [recipient(spelled, '统计服务B', 'umeng-push'), recipient(spelled, '崩溃服务C', 'tencent-bugly')],
  };
  assert.deepEqual(run(linked), []);
});

test('policy-sdk-undisclosed: an SDK the policy does not name is one finding with the SDK and the policy', () => {
  const policy = policyFrom([{ text: '我们接入了极光推送SDK和友盟+消息推送。', kinds: ['third-party'] }]);
  const found = run(policy);
  assert.deepEqual(
    found.map((f) => [f.key, f.severity]),
    [
      ['jiguang-jcore', 'low'],
      ['tencent-bugly', 'high'],
    ],
  );
  const bugly = found.find((f) => f.key === 'tencent-bugly')!;
  assert.deepEqual(bugly.evidence, [
    { kind: 'sdk', sdk: 'tencent-bugly', name: 'Tencent Bugly', version: null },
    { kind: 'policy', source: 'https://example.com/privacy.html' },
  ]);
  assert.match(bugly.message.zh, /腾讯 Bugly.*隐私政策的 SDK 清单和正文都没有列出它/);
  assert.match(bugly.message.en, /Tencent Bugly .*collects device information/);
  // JCore comes with JPush, which the policy names: still to list, but low.
  const jcore = found.find((f) => f.key === 'jiguang-jcore')!;
  assert.match(jcore.message.zh, /同一开发者的极光推送/);
  assert.equal(jcore.data!.sameDeveloperNamed, 'jpush');
});

test('policy-sdk-undisclosed: a brand or vendor several SDKs share is low and quoted', () => {
  const policy = policyFrom([
    { text: '极光推送SDK、极光核心服务、腾讯Bugly。', kinds: ['third-party'] },
    { text: '我们与友盟+共享设备信息。', kinds: ['third-party'], heading: '第三方共享' },
  ]);
  const [umeng] = run(policy);
  assert.equal(umeng!.key, 'umeng-push');
  assert.equal(umeng!.severity, 'low');
  assert.match(umeng!.message.zh, /政策只提到“友盟\+”，这是 5 个 SDK 共用的品牌或公司名/);
  const ref = umeng!.evidence[1]!;
  assert.ok(ref.kind === 'policy' && ref.section === '第三方共享' && ref.text === '我们与友盟+共享设备信息。');
});

test('policy-sdk-undisclosed: plain libraries are left out unless seen reaching PI; low-confidence detections are low', () => {
  const policy = policyFrom([{ text: '极光推送、极光核心服务 JCore、友盟+ 消息推送 U-Push、腾讯Bugly', kinds: ['third-party'] }]);
  assert.deepEqual(run(policy), []);
  const reaching = makeFacts({
    sdks: [sdk('glide', { tracker: false, category: 'other' }), sdk('sentry', { confidence: 'low', category: 'crash' })],
    sensitiveApis: [
      apiUse('clipboard.getText', 'Landroid/content/ClipboardManager;->getText', [{ class: 'com.glide.X', sdk: 'glide' }], {
        pi: 'clipboard',
      }),
    ],
  });
  const found = run(policy, reaching);
  assert.deepEqual(
    found.map((f) => [f.key, f.severity]),
    [
      ['glide', 'medium'],
      ['sentry', 'low'],
    ],
  );
  assert.deepEqual(found[0]!.data!.personalInformation, ['clipboard']);
});

test('policy-sdk-undisclosed: needs the package and the policy, and judges apps only', () => {
  assert.deepEqual(policySdkUndisclosed.meta.evidence, ['apk', 'policy']);
  assert.deepEqual(policySdkUndisclosed.meta.appliesTo, ['apk']);
});

test('policy-sdk-undisclosed: an SDK id the analyser took from a shared vendor name is a brand mention, not a name', () => {
  const policy = policyFrom([
    { text: '极光推送、极光核心服务 JCore、腾讯Bugly', kinds: ['third-party'] },
    { text: 'SDK提供方：北京锐讯灵通科技有限公司', kinds: ['third-party'], heading: 'SDK清单' },
  ]);
  // The analyser keeps the first SDK of a name several SDKs share.
  const analysed = { ...policy, sdkTable: [sdkRow(policy, '北京锐讯灵通科技有限公司', 'umeng-push')] };
  const [umeng] = run(analysed);
  assert.equal(umeng!.key, 'umeng-push');
  assert.equal(umeng!.severity, 'low');
  assert.match(umeng!.message.en, /only says "北京锐讯灵通科技有限公司"/);
});

test('policy-sdk-undisclosed: an SDK named only in the user’s rights or a definition is not disclosed (issue 16)', () => {
  const named = (kinds: ('user-rights' | 'definitions' | 'third-party')[]) =>
    run(policyFrom([{ text: '您可以在设置中关闭极光推送SDK的消息推送。', kinds }]), makeFacts({ sdks: [facts.sdks[0]!] }));
  assert.deepEqual(named(['third-party']), []);
  assert.equal(named(['user-rights']).length, 1);
  assert.equal(named(['definitions']).length, 1);
});
