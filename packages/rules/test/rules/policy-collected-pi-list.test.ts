import { test } from 'node:test';
import assert from 'node:assert/strict';
import { policyCollectedPiList } from '../../src/rules/policy-collected-pi-list.js';
import { completePolicy, makePolicy } from '../support/policy.js';
import { checkRule } from '../../src/testing/rule-tester.js';

test('policy-collected-pi-list: a policy with the list (inline or linked) passes', () => {
  assert.deepEqual(checkRule(policyCollectedPiList, { policy: completePolicy() }), []);
});

test('policy-collected-pi-list: no list is one finding about the policy as a whole', () => {
  const policy = makePolicy({ text: '我们会收集您的手机号码。', source: 'policy.txt', format: 'text' });
  const found = checkRule(policyCollectedPiList, { policy });
  assert.deepEqual(
    found.map((f) => [f.key, f.evidence]),
    [['missing', [{ kind: 'policy', source: 'policy.txt' }]]],
  );
  assert.match(found[0]!.message.zh, /已收集个人信息清单/);
  assert.match(found[0]!.message.en, /list of the personal information collected/);
});
