import { test } from 'node:test';
import assert from 'node:assert/strict';
import { policyPassage, policyWhole, quote, sectionAt } from '../../src/evidence/policy.js';
import { makePolicy, policyFrom, spanOf } from '../support/policy.js';

test('policy evidence: the passage is its paragraph, with the heading, and its offsets index the text', () => {
  const policy = policyFrom([
    { text: '引言。', heading: '引言' },
    { text: '为了向您推荐附近的门店，我们会收集您的位置信息。', kinds: ['collection-use'], heading: '一、收集和使用' },
  ]);
  const span = spanOf(policy, '位置信息');
  assert.equal(sectionAt(policy, span.start), policy.sections[1]);
  const ref = policyPassage(policy, span.start, span.end);
  assert.ok(ref.kind === 'policy');
  assert.equal(ref.section, '一、收集和使用');
  assert.equal(ref.source, 'https://example.com/privacy.html');
  assert.equal(policy.text.slice(ref.start, ref.end), ref.text);
});

test('policy evidence: outside any section the passage is its line; the whole policy has no offsets', () => {
  const policy = makePolicy({ text: '第一行\n联系我们：privacy@example.com\n第三行', source: '' });
  const span = spanOf(policy, 'privacy@example.com');
  const ref = policyPassage(policy, span.start, span.end);
  assert.deepEqual(ref, { kind: 'policy', start: 4, end: 28, text: '联系我们：privacy@example.com' });
  assert.deepEqual(policyWhole(policy), { kind: 'policy' });
});

test('policy evidence: long paragraphs are quoted to about 200 characters around the passage', () => {
  const filler = '我们重视您的隐私。'.repeat(40);
  const text = `${filler}为了提供导航服务，我们会收集您的精确位置信息。${filler}`;
  const start = text.indexOf('精确位置信息');
  const quoted = quote(text, 0, text.length, start, start + 6);
  assert.ok(quoted.length <= 205, `${quoted.length}`);
  assert.ok(quoted.includes('精确位置信息'));
  assert.ok(quoted.startsWith('…') && quoted.endsWith('…'));
  // It starts at the sentence holding the passage when that is close.
  assert.ok(quoted.startsWith('…为了提供导航服务'), quoted.slice(0, 20));
  assert.equal(quote('  short\n\ttext ', 0, 14), 'short text');
});
