import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowBackup } from '../../src/rules/allow-backup.js';
import { evidenceOf, makeFacts } from '../support/facts.js';
import type { PackageFacts } from '../../src/index.js';
import { checkRule, RuleTester } from '../../src/testing/rule-tester.js';

const run = (facts: PackageFacts) => checkRule(allowBackup, evidenceOf(facts));

test('allow-backup: flags android:allowBackup=true at the rule severity', () => {
  const found = run(makeFacts({ app: { flags: { allowBackup: true } } }));
  assert.equal(found.length, 1);
  assert.equal(found[0]!.severity, undefined);
  assert.equal(found[0]!.key, 'application');
  assert.deepEqual(found[0]!.evidence, [
    { kind: 'manifest', artifact: 'AndroidManifest.xml', element: 'application', detail: 'android:allowBackup=true' },
  ]);
});

test('allow-backup: an absent attribute is information only, since the default is on', () => {
  const found = run(makeFacts({ app: { flags: { allowBackup: null } } }));
  assert.equal(found.length, 1);
  assert.equal(found[0]!.severity, 'info');
  assert.equal(found[0]!.messageId, 'defaultAllowed');
  assert.deepEqual(found[0]!.evidence[0], {
    kind: 'manifest',
    artifact: 'AndroidManifest.xml',
    element: 'application',
    detail: 'android:allowBackup absent (default true)',
  });
});

test('allow-backup: silent when backups are off, and for a library that leaves the attribute out', () => {
  assert.deepEqual(run(makeFacts({ app: { flags: { allowBackup: false } } })), []);
  const jar = makeFacts({ app: { flags: { allowBackup: null } } });
  jar.file.kind = 'jar';
  assert.deepEqual(run(jar), []);
});

new RuleTester().run(allowBackup, {
  valid: [{ name: 'allowBackup="false"', evidence: evidenceOf(makeFacts({ app: { flags: { allowBackup: false } } })) }],
  invalid: [
    {
      name: 'allowBackup="true"',
      evidence: evidenceOf(makeFacts({ app: { flags: { allowBackup: true } } })),
      findings: [{ messageId: 'allowed', key: 'application', severity: 'low', facts: { explicit: true } }],
    },
    {
      name: 'no allowBackup attribute in an APK',
      evidence: evidenceOf(makeFacts({ app: { flags: { allowBackup: null } } })),
      findings: [{ messageId: 'defaultAllowed', key: 'application', severity: 'info', facts: { explicit: false } }],
    },
  ],
});
