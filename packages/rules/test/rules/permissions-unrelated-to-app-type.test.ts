import { test } from 'node:test';
import assert from 'node:assert/strict';
import { permissionsUnrelatedToAppType } from '../../src/rules/permissions-unrelated-to-app-type.js';
import { evidenceOf, makeFacts, permission } from '../support/facts.js';
import { RuleTester } from '../../src/testing/rule-tester.js';

const facts = makeFacts({
  permissions: [
    permission('android.permission.ACCESS_FINE_LOCATION'),
    permission('android.permission.READ_CONTACTS'),
    permission('android.permission.INTERNET', 'normal'),
  ],
});

test('permissions-unrelated-to-app-type: the rule needs the app type', () => {
  assert.deepEqual(permissionsUnrelatedToAppType.meta.evidence, ['apk', 'store']);
});

new RuleTester().run(permissionsUnrelatedToAppType, {
  valid: [
    { name: 'no app type given', evidence: evidenceOf(facts, {}) },
    { name: 'an unknown app type', evidence: evidenceOf(facts, { appType: 'no-such-type', source: 'cli' }) },
  ],
  invalid: [
    {
      name: 'a map app needs location, not contacts',
      evidence: evidenceOf(facts, { appType: 'map-navigation', source: 'cli' }),
      findings: [
        {
          messageId: 'unrelated',
          key: 'android.permission.READ_CONTACTS',
          severity: 'medium',
          data: {
            requested: 'android.permission.READ_CONTACTS',
            label: { zh: '通讯录', en: 'contacts' },
            type: { zh: '地图导航类', en: 'map and navigation' },
            noPINeeded: { zh: '', en: '' },
          },
          evidence: [
            { kind: 'permission', artifact: 'AndroidManifest.xml', permission: 'android.permission.READ_CONTACTS' },
            { kind: 'store', field: 'appType', value: 'map-navigation' },
          ],
        },
      ],
    },
  ],
});
