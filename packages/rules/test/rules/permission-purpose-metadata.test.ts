import { test } from 'node:test';
import assert from 'node:assert/strict';
import { permissionPurposeMetadata } from '../../src/rules/permission-purpose-metadata.js';
import { evidenceOf, makeFacts, permission } from '../support/facts.js';
import type { PackageFacts } from '../../src/index.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const run = (facts: PackageFacts) => checkRule(permissionPurposeMetadata, evidenceOf(facts));

const CAMERA = 'android.permission.CAMERA';
const LOCATION = 'android.permission.ACCESS_FINE_LOCATION';

test('permission-purpose-metadata: one finding lists every dangerous permission without a purpose', () => {
  const facts = makeFacts({
    app: { metaData: [{ name: CAMERA, value: '扫描二维码时使用相机' }] },
    permissions: [
      permission(LOCATION),
      permission(CAMERA),
      permission('android.permission.READ_CONTACTS', 'dangerous|appop'),
      permission('android.permission.INTERNET', 'normal'),
    ],
  });
  const found = run(facts);
  assert.equal(found.length, 1);
  assert.equal(found[0]!.key, 'missing');
  assert.deepEqual(found[0]!.data, { missing: [LOCATION, 'android.permission.READ_CONTACTS'], dangerous: 3 });
  assert.deepEqual(found[0]!.evidence, [
    { kind: 'permission', artifact: 'AndroidManifest.xml', permission: LOCATION },
    { kind: 'permission', artifact: 'AndroidManifest.xml', permission: 'android.permission.READ_CONTACTS' },
  ]);
});

test('permission-purpose-metadata: a blank purpose is no purpose; a permission requested twice is listed once', () => {
  const facts = makeFacts({
    app: { metaData: [{ name: CAMERA, value: '  ' }] },
    permissions: [permission(CAMERA), { ...permission(CAMERA), sdk23: true }],
  });
  assert.deepEqual(run(facts)[0]!.data, { missing: [CAMERA], dangerous: 1 });
});

test('permission-purpose-metadata: silent when every dangerous permission has a purpose, or none is requested', () => {
  const covered = makeFacts({
    app: {
      metaData: [
        { name: CAMERA, value: 'scan codes' },
        { name: LOCATION, value: null },
      ],
    },
    permissions: [permission(CAMERA), permission(LOCATION)],
  });
  assert.deepEqual(run(covered), []);
  assert.deepEqual(run(makeFacts({ permissions: [permission('android.permission.INTERNET', 'normal'), permission('x.y.Z', null)] })), []);
});

test('permission-purpose-metadata: only applies to APKs', () => {
  const aar = makeFacts({ permissions: [permission(CAMERA)] });
  aar.file.kind = 'aar';
  assert.deepEqual(run(aar), []);
});
