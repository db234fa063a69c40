import { test } from 'node:test';
import assert from 'node:assert/strict';
import { unsafeEntryNames } from '../../src/rules/unsafe-entry-names.js';
import { evidenceOf, makeFacts } from '../support/facts.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const issue = (entry: string) => ({
  kind: 'unsafe-name',
  entry,
  message: 'entry name is absolute, climbs with "..", or holds NUL or control characters',
});

function run(issues: { kind: string; entry: string | null; message: string }[]) {
  const facts = makeFacts();
  facts.archive.issues = issues;
  return checkRule(unsafeEntryNames, evidenceOf(facts));
}

test('unsafe-entry-names: one finding naming the entries that escape, high by default', () => {
  const found = run([issue('../../data/evil.so'), issue('/etc/hosts'), { kind: 'duplicate-name', entry: 'a.txt', message: 'dup' }]);
  assert.equal(found.length, 1);
  assert.equal(unsafeEntryNames.meta.severity, 'high');
  assert.deepEqual(found[0]!.data, { count: 2, names: ['../../data/evil.so', '/etc/hosts'] });
  assert.equal(found[0]!.messageId, 'unsafeNames');
  assert.match(found[0]!.message.en, /^2 entry name\(s\) escape .* e\.g\. "\.\.\/\.\.\/data\/evil\.so"/);
  assert.match(found[0]!.message.zh, /2 个条目名称越出目录/);
  // The package is the artifact: a hostile name never becomes a path or a URI.
  assert.ok(found[0]!.evidence.every((e) => e.kind === 'resource' && e.artifact === '.'));
});

test('unsafe-entry-names: control characters are shown escaped; thousands of names give one finding of 20', () => {
  const names = Array.from({ length: 5000 }, (_, i) => `../x${i}\u001b[31m`);
  const [finding] = run(names.map(issue));
  assert.equal(finding!.evidence.length, 20);
  assert.equal((finding!.data as { count: number }).count, 5000);
  const texts = [finding!.message.en, finding!.message.zh, ...finding!.evidence.map((e) => (e.kind === 'resource' ? e.detail : ''))];
  assert.ok(
    texts.every((t) => !t.includes(String.fromCharCode(27))),
    'no raw escape character reaches a report',
  );
  assert.match(finding!.message.en, /\\\\u001b/);
  assert.match(finding!.message.en, /4980 more not listed/);
});

test('unsafe-entry-names: silent on a clean archive and on other archive issues', () => {
  assert.deepEqual(run([]), []);
  assert.deepEqual(run([{ kind: 'encrypted', entry: 'a', message: 'x' }]), []);
});
