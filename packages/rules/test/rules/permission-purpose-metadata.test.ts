import { test } from 'node:test';
import assert from 'node:assert/strict';
import { permissionPurposeMetadata } from '../../src/rules/permission-purpose-metadata.js';
import { evidenceOf, makeFacts, permission } from '../support/facts.js';
import { RuleTester, runRule } from '../../src/testing/rule-tester.js';

const CAMERA = 'android.permission.CAMERA';
const LOCATION = 'android.permission.ACCESS_FINE_LOCATION';
const CONTACTS = 'android.permission.READ_CONTACTS';

new RuleTester().run(permissionPurposeMetadata, {
  valid: [
    {
      name: 'every dangerous permission has a purpose',
      evidence: evidenceOf(
        makeFacts({
          app: {
            metaData: [
              { name: CAMERA, value: 'scan codes' },
              { name: LOCATION, value: null },
            ],
          },
          permissions: [permission(CAMERA), permission(LOCATION)],
        }),
      ),
    },
    {
      name: 'no dangerous permission requested',
      evidence: evidenceOf(makeFacts({ permissions: [permission('android.permission.INTERNET', 'normal'), permission('x.y.Z', null)] })),
    },
  ],
  invalid: [
    {
      name: 'one finding lists every dangerous permission without a purpose',
      evidence: evidenceOf(
        makeFacts({
          app: { metaData: [{ name: CAMERA, value: '扫描二维码时使用相机' }] },
          permissions: [
            permission(LOCATION),
            permission(CAMERA),
            permission(CONTACTS, 'dangerous|appop'),
            permission('android.permission.INTERNET', 'normal'),
          ],
        }),
      ),
      findings: [
        {
          messageId: 'missing',
          data: {
            missing: 2,
            s: 's',
            shown: {
              zh: 'android.permission.ACCESS_FINE_LOCATION、android.permission.READ_CONTACTS',
              en: 'android.permission.ACCESS_FINE_LOCATION, android.permission.READ_CONTACTS',
            },
            more: { zh: '', en: '' },
          },
          key: 'missing',
          facts: { missing: [LOCATION, CONTACTS], dangerous: 3 },
          evidence: [
            { kind: 'permission', artifact: 'AndroidManifest.xml', permission: LOCATION },
            { kind: 'permission', artifact: 'AndroidManifest.xml', permission: CONTACTS },
          ],
        },
      ],
    },
    {
      name: 'a blank purpose is no purpose; a permission requested twice is listed once',
      evidence: evidenceOf(
        makeFacts({
          app: { metaData: [{ name: CAMERA, value: '  ' }] },
          permissions: [permission(CAMERA), { ...permission(CAMERA), sdk23: true }],
        }),
      ),
      findings: [
        {
          messageId: 'missing',
          data: {
            missing: 1,
            s: '',
            shown: { zh: 'android.permission.CAMERA', en: 'android.permission.CAMERA' },
            more: { zh: '', en: '' },
          },
          key: 'missing',
          facts: { missing: [CAMERA], dangerous: 1 },
        },
      ],
    },
  ],
});

test('permission-purpose-metadata: does not apply to a library', () => {
  const aar = makeFacts({ permissions: [permission(CAMERA)] });
  aar.file.kind = 'aar';
  assert.notEqual(runRule(permissionPurposeMetadata, evidenceOf(aar)).rules[0]?.status, 'ran');
});
