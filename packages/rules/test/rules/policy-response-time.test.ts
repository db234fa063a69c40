import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadMeasureCatalog } from '@apprights/knowledge';
import type { PolicyAnalysis } from '@apprights/policy';
import { emptyConfig, parseConfig, runRules } from '../../src/index.js';
import { calendarDaysFor, policyResponseTime } from '../../src/rules/policy-response-time.js';
import { completePolicy, policyFrom, spanOf } from '../support/policy.js';
import { checkRule, RuleTester } from '../../src/testing/rule-tester.js';
import { loadKnowledge } from '@apprights/knowledge';
import { ruleDefaults } from '../../src/index.js';

const knowledge = loadKnowledge();

const run = (policy: PolicyAnalysis, options: Record<string, unknown> = {}) => checkRule(policyResponseTime, { policy }, options);

function promising(sentence: string, needle: string, days: number, workingDays: boolean): PolicyAnalysis {
  const policy = policyFrom([
    { text: '隐私政策正文。', kinds: ['collection-use'] },
    { text: sentence, kinds: ['contact'], heading: '联系我们' },
  ]);
  return { ...policy, responseTime: { ...spanOf(policy, needle), days, workingDays } };
}

test('policy-response-time: the default limit is the catalogue’s 15 working days', () => {
  assert.equal(loadMeasureCatalog().parameter('complaint.maxWorkingDays').value, 15);
  assert.deepEqual(ruleDefaults(policyResponseTime, knowledge), { maxWorkingDays: 15 });
  assert.equal(calendarDaysFor(15), 21);
});

test('policy-response-time: 15 working days or 21 calendar days pass; 30 days do not', () => {
  assert.deepEqual(run(completePolicy()), []);
  assert.deepEqual(run(promising('我们将在二十一天内答复您的请求。', '二十一天', 21, false)), []);
  const found = run(promising('我们将在30天内回复您的投诉。', '30天', 30, false));
  assert.equal(found.length, 1);
  assert.equal(found[0]!.key, 'too-long');
  assert.equal(found[0]!.severity, undefined); // the rule's: medium
  assert.match(found[0]!.message.zh, /30 天内答复.*超过 15 个工作日（约 21 天）/);
  assert.match(found[0]!.message.en, /30 calendar days/);
  const ref = found[0]!.evidence[0]!;
  assert.equal(ref.kind, 'policy');
  if (ref.kind === 'policy') {
    assert.equal(ref.section, '联系我们');
    assert.equal(ref.text, '我们将在30天内回复您的投诉。');
  }
  assert.equal(run(promising('我们将在20个工作日内处理。', '20个工作日', 20, true))[0]!.key, 'too-long');
});

test('policy-response-time: no promise is a low finding about the policy as a whole', () => {
  const policy = { ...completePolicy(), responseTime: null };
  const [finding] = run(policy);
  assert.equal(finding!.key, 'missing');
  assert.equal(finding!.severity, 'low');
  assert.deepEqual(finding!.evidence, [{ kind: 'policy', source: 'https://example.com/privacy.html' }]);
});

test('policy-response-time: the limit can be configured', () => {
  const policy = promising('我们将在20个工作日内处理。', '20个工作日', 20, true);
  assert.deepEqual(run(policy, { maxWorkingDays: 20 }), []);
  const config = parseConfig({ rules: { 'policy-response-time': { options: { maxWorkingDays: 10 } } } });
  const strict = runRules({ policy: completePolicy() }, [policyResponseTime], config, knowledge);
  assert.equal(strict.findings.length, 1);
  assert.match(strict.findings[0]!.message.en, /10-working-day limit/);
  assert.equal(runRules({ policy: completePolicy() }, [policyResponseTime], emptyConfig(), knowledge).findings.length, 0);
});

new RuleTester().run(policyResponseTime, {
  valid: [
    { name: 'a complete policy', evidence: { policy: completePolicy() } },
    {
      name: 'a promise within a configured limit',
      evidence: { policy: promising('我们将在20个工作日内处理。', '20个工作日', 20, true) },
      options: { maxWorkingDays: 20 },
    },
  ],
  invalid: [
    {
      name: 'no promise',
      evidence: { policy: { ...completePolicy(), responseTime: null } },
      findings: [{ messageId: 'missing', key: 'missing', severity: 'low', data: { limit: 15 } }],
    },
    {
      name: '30 calendar days',
      evidence: { policy: promising('我们将在30天内回复您的投诉。', '30天', 30, false) },
      findings: [
        {
          messageId: 'tooLong',
          key: 'too-long',
          severity: 'medium',
          data: {
            days: 30,
            unit: { zh: '天', en: 'calendar days' },
            text: '30天',
            limit: 15,
            workingDays: { zh: '（约 21 天）', en: ' (about 21 calendar days)' },
          },
        },
      ],
    },
  ],
  badOptions: [
    { name: 'a text limit', options: { maxWorkingDays: 'fifteen' }, error: /must be a whole number/ },
    { name: 'a zero limit', options: { maxWorkingDays: 0 }, error: /must be at least 1/ },
  ],
});
