import { test } from 'node:test';
import assert from 'node:assert/strict';
import { allowBackup } from '../../src/rules/allow-backup.js';
import { evidenceOf, makeFacts } from '../support/facts.js';
import { RuleTester, runRule } from '../../src/testing/rule-tester.js';

const library = makeFacts({ app: { flags: { allowBackup: null } } });
library.file.kind = 'jar';

new RuleTester().run(allowBackup, {
  valid: [{ name: 'allowBackup="false"', evidence: evidenceOf(makeFacts({ app: { flags: { allowBackup: false } } })) }],
  invalid: [
    {
      name: 'allowBackup="true", at the rule severity',
      evidence: evidenceOf(makeFacts({ app: { flags: { allowBackup: true } } })),
      findings: [
        {
          messageId: 'allowed',
          data: {},
          key: 'application',
          severity: 'low',
          facts: { explicit: true },
          fix: [{ target: { element: 'application' }, attribute: 'allowBackup', value: 'false' }],
          evidence: [{ kind: 'manifest', artifact: 'AndroidManifest.xml', element: 'application', detail: 'android:allowBackup=true' }],
        },
      ],
    },
    {
      name: 'no allowBackup attribute in an APK: information only, since the default is on',
      evidence: evidenceOf(makeFacts({ app: { flags: { allowBackup: null } } })),
      findings: [
        {
          messageId: 'defaultAllowed',
          data: {},
          key: 'application',
          severity: 'info',
          facts: { explicit: false },
          fix: [{ target: { element: 'application' }, attribute: 'allowBackup', value: 'false' }],
          evidence: [
            {
              kind: 'manifest',
              artifact: 'AndroidManifest.xml',
              element: 'application',
              detail: 'android:allowBackup absent (default true)',
            },
          ],
        },
      ],
    },
  ],
});

test('allow-backup: the fix words say what allowBackup="false" leaves on from Android 12, and only then', () => {
  const [old] = runRule(allowBackup, evidenceOf(makeFacts({ app: { targetSdk: 30, flags: { allowBackup: true } } }))).findings;
  const [recent] = runRule(allowBackup, evidenceOf(makeFacts({ app: { targetSdk: 34, flags: { allowBackup: true } } }))).findings;
  assert.doesNotMatch(old!.fix!.description.en, /device-to-device/);
  assert.match(
    recent!.fix!.description.en,
    /^Set android:allowBackup="false" on <application>\. .*device-to-device transfers still copy the data/,
  );
  assert.match(recent!.fix!.description.zh, /^将 <application> 的 android:allowBackup 设为 "false"。.*设备间迁移/);
  assert.match(recent!.fix!.description.en, /tools:replace="android:allowBackup"/);
});

test('allow-backup: does not apply to a library, which leaves the attribute to the app', () => {
  assert.deepEqual(runRule(allowBackup, evidenceOf(library)).rules[0], { id: 'allow-backup', status: 'not-applicable', findings: 0 });
});
