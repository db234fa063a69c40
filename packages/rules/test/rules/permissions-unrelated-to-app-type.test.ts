import { test } from 'node:test';
import assert from 'node:assert/strict';
import { permissionsUnrelatedToAppType } from '../../src/rules/permissions-unrelated-to-app-type.js';
import { evidenceOf, makeFacts, permission } from '../support/facts.js';
import { checkRule, RuleTester } from '../../src/testing/rule-tester.js';

const facts = makeFacts({
  permissions: [
    permission('android.permission.ACCESS_FINE_LOCATION'),
    permission('android.permission.READ_CONTACTS'),
    permission('android.permission.INTERNET', 'normal'),
  ],
});

test('permissions-unrelated-to-app-type: a map app needs location, not contacts', () => {
  const found = checkRule(permissionsUnrelatedToAppType, evidenceOf(facts, { appType: 'map-navigation', source: 'cli' }));
  assert.deepEqual(
    found.map((f) => f.key),
    ['android.permission.READ_CONTACTS'],
  );
  assert.equal(found[0]!.severity, 'medium');
  assert.deepEqual(found[0]!.evidence[1], { kind: 'store', field: 'appType', value: 'map-navigation' });
});

test('permissions-unrelated-to-app-type: the rule needs the app type and does nothing without it', () => {
  assert.deepEqual(permissionsUnrelatedToAppType.meta.evidence, ['apk', 'store']);
  assert.deepEqual(checkRule(permissionsUnrelatedToAppType, evidenceOf(facts, {})), []);
});

new RuleTester().run(permissionsUnrelatedToAppType, {
  valid: [
    { name: 'no app type given', evidence: evidenceOf(facts, {}) },
    { name: 'an unknown app type', evidence: evidenceOf(facts, { appType: 'no-such-type', source: 'cli' }) },
  ],
  invalid: [
    {
      name: 'contacts in a map app',
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
        },
      ],
    },
  ],
});
