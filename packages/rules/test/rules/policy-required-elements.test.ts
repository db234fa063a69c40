import { test } from 'node:test';
import assert from 'node:assert/strict';
import { emptyConfig, runRules } from '../../src/index.js';
import { policyRequiredElements } from '../../src/rules/policy-required-elements.js';
import { completePolicy, makePolicy, policyFrom } from '../support/policy.js';
import type { PolicyAnalysis } from '@apprights/policy';
import { checkRule } from '../../src/testing/rule-tester.js';
import { loadKnowledge } from '@apprights/knowledge';

const knowledge = loadKnowledge();

const run = (policy: PolicyAnalysis, options: Record<string, unknown> = {}) => checkRule(policyRequiredElements, { policy }, options);

test('policy-required-elements: a complete policy has nothing missing', () => {
  assert.deepEqual(run(completePolicy()), []);
});

test('policy-required-elements: one finding per missing element, keyed by it, pointing at the whole policy', () => {
  const policy = policyFrom([
    { text: '我们收集您的手机号码用于注册。', kinds: ['collection-use'], heading: '我们如何收集和使用您的个人信息' },
    { text: '您可以更正或删除您的信息。', kinds: ['user-rights'] },
  ]);
  const found = run(policy);
  assert.deepEqual(
    found.map((f) => f.key),
    ['operator', 'effective-date', 'third-party', 'retention', 'security', 'policy-change', 'contact-channel', 'minors'],
  );
  const minors = found.find((f) => f.key === 'minors')!;
  assert.equal(minors.severity, 'low');
  assert.deepEqual(minors.measures, ['miit26-09']);
  const contact = found.find((f) => f.key === 'contact-channel')!;
  assert.equal(contact.severity, 'medium');
  assert.deepEqual(contact.measures, ['miit26-11', 'cac2019-6.5']);
  assert.deepEqual(contact.evidence, [{ kind: 'policy', source: 'https://example.com/privacy.html' }]);
  assert.match(contact.message.zh, /联系与投诉渠道/);
  assert.match(contact.message.en, /complaint channel/);
});

test('policy-required-elements: no collection rules is high; an SDK table counts as the third-party part', () => {
  const policy = { ...completePolicy() };
  policy.sections = policy.sections.map((s) => ({ ...s, kinds: s.kinds.filter((k) => k !== 'collection-use' && k !== 'third-party') }));
  policy.lists = { ...policy.lists, thirdPartySharing: null };
  const found = run(policy);
  assert.deepEqual(
    found.map((f) => [f.key, f.severity]),
    [
      ['collection-use', 'high'],
      ['third-party', 'medium'],
    ],
  );
  const withTable = {
    ...policy,
    sdkTable: [
      { start: 0, end: 4, name: '极光推送', company: null, purpose: null, data: [], categories: [], policyUrl: null, sdk: 'jpush' },
    ],
  };
  assert.deepEqual(
    run(withTable).map((f) => f.key),
    ['collection-use'],
  );
});

test('policy-required-elements: an empty policy is one high finding; options choose the elements', () => {
  const empty = run(makePolicy({ text: '  \n' }));
  assert.deepEqual(
    empty.map((f) => [f.key, f.severity]),
    [['empty', 'high']],
  );
  const policy = policyFrom([{ text: '我们收集您的位置信息。', kinds: ['collection-use'] }]);
  assert.deepEqual(
    run(policy, { elements: ['minors', 'operator'] }).map((f) => f.key),
    ['operator', 'minors'],
  );
});

test('policy-required-elements: through the engine, a missing minors part fails measure 9 only', () => {
  const policy = { ...completePolicy() };
  policy.sections = policy.sections.map((s) => ({ ...s, kinds: s.kinds.filter((k) => k !== 'minors') }));
  const result = runRules({ policy }, [policyRequiredElements], emptyConfig(), knowledge);
  assert.deepEqual(
    result.findings.map((f) => [f.ruleId, f.measures]),
    [['policy-required-elements', ['miit26-09']]],
  );
});
