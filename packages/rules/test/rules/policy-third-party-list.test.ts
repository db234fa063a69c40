import { test } from 'node:test';
import assert from 'node:assert/strict';
import { policyThirdPartyList } from '../../src/rules/policy-third-party-list.js';
import { completePolicy, policyFrom, recipient, sdkRow } from '../support/policy.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const run = (policy: ReturnType<typeof completePolicy>) => checkRule(policyThirdPartyList, { policy });

test('policy-third-party-list: a linked sharing list or an SDK table passes', () => {
  assert.deepEqual(run(completePolicy()), []);
  const table = policyFrom([{ text: '极光推送SDK 深圳市和讯华谷信息技术有限公司 消息推送', kinds: ['third-party'] }]);
  assert.deepEqual(run({ ...table, sdkTable: [sdkRow(table, '极光推送SDK', 'jpush')] }), []);
});

test('policy-third-party-list: neither list nor table is a finding, noting third parties named only in prose', () => {
  const policy = policyFrom([{ text: '我们会与合作伙伴友盟+共享设备信息。', kinds: ['third-party'] }]);
  const withProse = { ...policy, recipients: [recipient(policy, '友盟+')] };
  const [finding] = run(withProse);
  assert.equal(finding!.key, 'missing');
  assert.match(finding!.message.zh, /零散提到 1 个第三方/);
  assert.match(finding!.message.en, /names 1 third party, but not as a list/);
  assert.equal(run(policy)[0]!.data!.recipientsInProse, 0);
});
