import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unsafeEntryNames } from '../../src/rules/unsafe-entry-names.js';
import { evidenceOf, makeFacts } from '../support/facts.js';
import type { Evidence } from '../../src/index.js';
import { RuleTester, runRule } from '../../src/testing/rule-tester.js';

const issue = (entry: string) => ({
  kind: 'unsafe-name',
  entry,
  message: 'entry name is absolute, climbs with "..", or holds NUL or control characters',
});

function withIssues(issues: { kind: string; entry: string | null; message: string }[]): Evidence {
  const facts = makeFacts();
  facts.archive.issues = issues;
  return evidenceOf(facts);
}

const many = Array.from({ length: 5000 }, (_, i) => `../x${i}\u001b[31m`);

new RuleTester().run(unsafeEntryNames, {
  valid: [
    { name: 'a clean archive', evidence: withIssues([]) },
    { name: 'other archive issues', evidence: withIssues([{ kind: 'encrypted', entry: 'a', message: 'x' }]) },
  ],
  invalid: [
    {
      name: 'one finding naming the entries that escape, high by default',
      evidence: withIssues([issue('../../data/evil.so'), issue('/etc/hosts'), { kind: 'duplicate-name', entry: 'a.txt', message: 'dup' }]),
      findings: [
        {
          messageId: 'unsafeNames',
          data: { count: 2, example: '"../../data/evil.so"', more: '' },
          severity: 'high',
          facts: { count: 2, names: ['../../data/evil.so', '/etc/hosts'] },
        },
      ],
    },
    {
      name: 'thousands of names give one finding, control characters escaped in its data',
      evidence: withIssues(many.map(issue)),
      findings: [
        {
          messageId: 'unsafeNames',
          data: { count: 5000, example: '"../x0\\\\u001b[31m"', more: { zh: '（另有 4980 个未列出）', en: ' (4980 more not listed)' } },
          severity: 'high',
        },
      ],
    },
  ],
});

test('unsafe-entry-names: evidence names the package, never a hostile path, and at most 20 entries without raw control characters', () => {
  const [finding] = runRule(unsafeEntryNames, withIssues(many.map(issue))).findings;
  assert.equal(finding!.evidence.length, 20);
  assert.equal((finding!.data as { count: number }).count, 5000);
  // The package is the artifact: a hostile name never becomes a path or a URI.
  assert.ok(finding!.evidence.every((e) => e.kind === 'resource' && e.artifact === '.' && !e.detail.includes(String.fromCharCode(27))));
  for (const text of [finding!.message.en, finding!.message.zh])
    assert.ok(!text.includes(String.fromCharCode(27)), 'no raw escape character');
});
