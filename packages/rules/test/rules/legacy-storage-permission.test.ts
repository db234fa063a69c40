import { test } from 'node:test';
import assert from 'node:assert/strict';
import { legacyStoragePermission } from '../../src/rules/legacy-storage-permission.js';
import { evidenceOf, makeFacts, permission } from '../support/facts.js';
import { RuleTester, runRule } from '../../src/testing/rule-tester.js';

const write = 'android.permission.WRITE_EXTERNAL_STORAGE';
const read = 'android.permission.READ_EXTERNAL_STORAGE';
const library = makeFacts({ permissions: [permission(write, 'dangerous')] });
library.file.kind = 'aar';

new RuleTester().run(legacyStoragePermission, {
  valid: [
    {
      name: 'target API 29 still uses WRITE_EXTERNAL_STORAGE',
      evidence: evidenceOf(makeFacts({ app: { targetSdk: 29 }, permissions: [permission(write, 'dangerous')] })),
    },
    {
      name: 'target API 32 still uses READ_EXTERNAL_STORAGE',
      evidence: evidenceOf(makeFacts({ app: { targetSdk: 32 }, permissions: [permission(read, 'dangerous')] })),
    },
    {
      name: 'bounded by maxSdkVersion',
      evidence: evidenceOf(
        makeFacts({
          app: { targetSdk: 34 },
          permissions: [
            { ...permission(write, 'dangerous'), maxSdkVersion: 28 },
            { ...permission(read, 'dangerous'), maxSdkVersion: 32 },
          ],
        }),
      ),
    },
  ],
  invalid: [
    {
      name: 'target API 33: both, one declared with uses-permission-sdk-23, one bounded too high',
      evidence: evidenceOf(
        makeFacts({
          app: { targetSdk: 33 },
          permissions: [
            { ...permission(write, 'dangerous'), maxSdkVersion: 30 },
            { ...permission(read, 'dangerous'), sdk23: true },
          ],
        }),
      ),
      findings: [
        {
          messageId: 'unbounded',
          data: { permission: write, lastLevel: 29, targetSdk: 33 },
          key: `uses-permission/${write}`,
          severity: 'low',
          measures: ['miit26-10'],
          facts: { permission: write, maxSdkVersion: 30, targetSdk: 33, lastLevel: 29 },
          fix: [{ target: { element: 'uses-permission', name: write }, attribute: 'maxSdkVersion', value: '29' }],
        },
        {
          messageId: 'unbounded',
          data: { permission: read, lastLevel: 32, targetSdk: 33 },
          key: `uses-permission-sdk-23/${read}`,
          fix: [{ target: { element: 'uses-permission-sdk-23', name: read }, attribute: 'maxSdkVersion', value: '32' }],
        },
      ],
    },
  ],
});

test('legacy-storage-permission: does not apply to a library, whose manifest does not decide the target level', () => {
  assert.deepEqual(runRule(legacyStoragePermission, evidenceOf(library)).rules[0], {
    id: 'legacy-storage-permission',
    status: 'not-applicable',
    findings: 0,
  });
});
