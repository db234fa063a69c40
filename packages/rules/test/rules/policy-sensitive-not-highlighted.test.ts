import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { PolicyAnalysis } from '@apprights/policy';
import { policySensitiveNotHighlighted } from '../../src/rules/policy-sensitive-not-highlighted.js';
import { dataMention, policyFrom } from '../support/policy.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const run = (policy: PolicyAnalysis) => checkRule(policySensitiveNotHighlighted, { policy });

function policyWith(format: PolicyAnalysis['format'], highlighted: { location: boolean; biometrics: boolean }): PolicyAnalysis {
  const policy = policyFrom(
    [
      { text: '为向您推荐附近的门店，我们会收集您的精确位置信息。', kinds: ['collection-use'], heading: '一、收集和使用' },
      { text: '在您开启刷脸登录时，我们会收集您的面部识别特征。', kinds: ['collection-use'], heading: '一、收集和使用' },
      { text: '我们会收集您的设备型号。', kinds: ['collection-use'] },
    ],
    { format },
  );
  return {
    ...policy,
    dataMentions: [
      dataMention(policy, '精确位置信息', 'location', { sensitive: true, highlighted: highlighted.location }),
      dataMention(policy, '面部识别特征', 'biometrics', { sensitive: true, highlighted: highlighted.biometrics }),
      dataMention(policy, '设备型号', 'device-info'),
    ],
  };
}

test('policy-sensitive-not-highlighted: everything sensitive highlighted passes', () => {
  assert.deepEqual(run(policyWith('html', { location: true, biometrics: true })), []);
});

test('policy-sensitive-not-highlighted: unhighlighted sensitive mentions make one finding with categories and passages', () => {
  const policy = policyWith('html', { location: false, biometrics: true });
  const found = run(policy);
  assert.equal(found.length, 1);
  const [f] = found;
  assert.equal(f!.key, 'sensitive-not-highlighted');
  assert.equal(f!.severity, 'medium');
  assert.deepEqual(f!.data!.categories, ['location']);
  assert.match(f!.message.zh, /1 处敏感个人信息未突出显示（位置与行踪轨迹），如 “精确位置信息”/);
  assert.match(f!.message.en, /location and whereabouts/);
  const ref = f!.evidence[0]!;
  assert.ok(ref.kind === 'policy' && ref.section === '一、收集和使用' && ref.text === '为向您推荐附近的门店，我们会收集您的精确位置信息。');
  assert.ok(ref.kind === 'policy' && policy.text.slice(ref.start, ref.end) === ref.text);
});

test('policy-sensitive-not-highlighted: a plain-text policy with no emphasis anywhere gets a low finding saying so', () => {
  const found = run(policyWith('text', { location: false, biometrics: false }));
  assert.equal(found[0]!.severity, 'low');
  assert.equal(found[0]!.data!.plainText, true);
  assert.match(found[0]!.message.zh, /纯文本/);
  assert.match(found[0]!.message.en, /plain text, so highlighting cannot be seen/);
  // Plain text where something is highlighted (a Markdown-ish policy read as text): judged as usual.
  assert.equal(run(policyWith('text', { location: false, biometrics: true }))[0]!.severity, 'medium');
});

test('policy-sensitive-not-highlighted: "we do not collect" needs no highlighting', () => {
  const policy = policyWith('html', { location: true, biometrics: true });
  const negated = policyFrom([{ text: '我们不会收集您的生物识别信息。', kinds: ['collection-use'] }]);
  const denial = { ...negated, dataMentions: [dataMention(negated, '生物识别信息', 'biometrics', { sensitive: true, negated: true })] };
  assert.deepEqual(run(denial), []);
  assert.deepEqual(run(policy), []);
});
