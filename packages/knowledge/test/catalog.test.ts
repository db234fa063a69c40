import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  appType,
  appTypes,
  isDangerousPermission,
  isPICategoryId,
  isWellFormedSignature,
  knowledgeRoot,
  piCategories,
  piCategory,
  platformPermission,
  platformPermissions,
  sensitiveApis,
} from '../src/catalog/index.js';

function dataJson(name: string): unknown {
  return JSON.parse(readFileSync(join(knowledgeRoot(), 'data', name), 'utf8'));
}

test('the package root is the @apprights/knowledge folder', () => {
  const manifest = JSON.parse(readFileSync(join(knowledgeRoot(), 'package.json'), 'utf8')) as { name: string };
  assert.equal(manifest.name, '@apprights/knowledge');
});

test('PI categories: load, unique ids, README ids present, PIPL art. 28 flags', () => {
  const categories = piCategories();
  assert.equal(new Set(categories.map((c) => c.id)).size, categories.length);
  const required = [
    'basic-identity',
    'identity-documents',
    'contact-info',
    'device-identifiers',
    'network-identifiers',
    'device-info',
    'location',
    'contacts',
    'sms',
    'call-log',
    'calendar',
    'photos-media',
    'camera',
    'microphone',
    'biometrics',
    'health',
    'financial',
    'accounts',
    'installed-apps',
    'running-processes',
    'clipboard',
    'sensors',
    'nearby-devices',
    'storage',
    'browsing-usage',
    'phone-number',
    'communications',
    'minors',
  ];
  for (const id of required) assert.ok(isPICategoryId(id), `missing PI category ${id}`);
  for (const id of ['biometrics', 'religious-beliefs', 'specific-identity', 'health', 'financial', 'location', 'minors']) {
    assert.equal(piCategory(id)?.sensitive, true, `${id} is sensitive under PIPL art. 28`);
  }
  assert.equal(piCategory('device-identifiers')?.sensitive, false);
});

test('sensitive APIs: unique ids, well-formed signatures, known PI and permissions', () => {
  const apis = sensitiveApis();
  assert.ok(apis.length >= 90 && apis.length <= 200, `expected 90-200 entries, got ${apis.length}`);
  assert.equal(new Set(apis.map((a) => a.id)).size, apis.length);
  for (const api of apis) {
    assert.ok(isWellFormedSignature(api.kind, api.signature), `${api.id}: malformed ${api.kind} signature ${api.signature}`);
    if (api.kind === 'method' || api.kind === 'field') assert.match(api.signature, /^L[^;]+;->/, api.id);
    if (api.kind === 'field') assert.match(api.signature, /->[^:(]+:\S+$/, `${api.id}: a field needs :Type`);
    if (api.pi !== null) assert.ok(isPICategoryId(api.pi), `${api.id}: unknown PI ${api.pi}`);
    if (api.permission !== null) assert.ok(platformPermission(api.permission), `${api.id}: unknown permission ${api.permission}`);
    assert.ok(api.source.length > 0, `${api.id}: no source`);
  }
  // Every section of regulation.md 5 is represented.
  for (const section of ['5.1', '5.2', '5.3', '5.4', '5.5', '5.6', '5.7', '5.8']) {
    assert.ok(
      apis.some((a) => a.source.includes(`regulation.md ${section}`)),
      `no entry from regulation.md ${section}`,
    );
  }
});

test('sensitive APIs: identifier resettability and required members', () => {
  const bySignature = new Map(sensitiveApis().map((a) => [a.signature, a]));
  const expectResettable: [string, boolean][] = [
    ['Landroid/telephony/TelephonyManager;->getImei', false],
    ['Landroid/telephony/TelephonyManager;->getDeviceId', false],
    ['Landroid/telephony/TelephonyManager;->getMeid', false],
    ['Landroid/telephony/TelephonyManager;->getSubscriberId', false],
    ['Landroid/telephony/TelephonyManager;->getSimSerialNumber', false],
    ['Landroid/net/wifi/WifiInfo;->getMacAddress', false],
    ['Landroid/os/Build;->SERIAL:Ljava/lang/String;', false],
    ['Landroid/provider/Settings$Secure;->getString', true],
    ['Lcom/bun/miitmdid/interfaces/IdSupplier;->getOAID', true],
  ];
  for (const [signature, resettable] of expectResettable) {
    assert.equal(bySignature.get(signature)?.resettable, resettable, signature);
  }
  assert.equal(bySignature.get('Landroid/os/Build;->SERIAL:Ljava/lang/String;')?.kind, 'field');
  for (const signature of [
    'Landroid/hardware/SensorManager;->registerListener',
    'Landroid/hardware/SensorManager;->getDefaultSensor',
    'Ldalvik/system/DexClassLoader;-><init>',
    'Ldalvik/system/PathClassLoader;-><init>',
    'Ldalvik/system/InMemoryDexClassLoader;-><init>',
    'Ljava/lang/System;->load',
    'Ljava/lang/System;->loadLibrary',
    'Ljava/lang/Class;->forName',
    'Ljava/lang/reflect/Method;->invoke',
    'Landroid/content/ClipboardManager;->getPrimaryClip',
    'Landroid/app/Activity;->requestPermissions',
    'content://sms',
    'content://com.android.contacts',
    'content://call_log',
    'content://com.android.calendar',
  ]) {
    assert.ok(bySignature.has(signature), `missing ${signature}`);
  }
  for (const api of sensitiveApis()) {
    if (api.kind === 'content-uri') assert.match(api.signature, /^content:\/\//, api.id);
  }
});

test('signature syntax check accepts DEX forms and rejects Java forms', () => {
  assert.ok(isWellFormedSignature('method', 'Landroid/telephony/TelephonyManager;->getImei(I)Ljava/lang/String;'));
  assert.ok(isWellFormedSignature('method', 'Ldalvik/system/DexClassLoader;-><init>'));
  assert.ok(
    isWellFormedSignature(
      'method',
      'Landroid/hardware/SensorManager;->registerListener(Landroid/hardware/SensorEventListener;Landroid/hardware/Sensor;I)Z',
    ),
  );
  assert.ok(isWellFormedSignature('field', 'Landroid/os/Build;->SERIAL:Ljava/lang/String;'));
  assert.ok(!isWellFormedSignature('method', 'android.telephony.TelephonyManager.getImei'));
  assert.ok(!isWellFormedSignature('method', 'Landroid/telephony/TelephonyManager;->getImei()'));
  assert.ok(!isWellFormedSignature('field', 'Landroid/os/Build;->SERIAL'));
  assert.ok(!isWellFormedSignature('content-uri', 'sms'));
});

test('app types: exactly 39, numbered 1..39, known PI, no-PI types', () => {
  const types = appTypes();
  assert.equal(types.length, 39);
  assert.deepEqual(
    types.map((t) => t.number),
    Array.from({ length: 39 }, (_, i) => i + 1),
  );
  assert.equal(new Set(types.map((t) => t.id)).size, 39);
  for (const type of types) {
    for (const item of type.necessaryPI) assert.ok(isPICategoryId(item.pi), `${type.id}: unknown PI ${item.pi}`);
  }
  const noPI = types.filter((t) => t.noPINeeded).map((t) => t.number);
  assert.deepEqual(noPI, [21, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 38]);
  assert.equal(appType(1)?.id, 'map-navigation');
  assert.equal(appType('map-navigation')?.number, 1);
  assert.ok(appType('instant-messaging')?.necessaryPI.some((p) => p.pi === 'phone-number'));
});

test('permissions: framework-res plus newer ones, dangerous ones have a PI category', () => {
  const permissions = platformPermissions();
  const fromFramework = [...permissions.values()].filter((p) => p.source === 'framework-res');
  assert.ok(fromFramework.length >= 533, `only ${fromFramework.length} permissions from framework-res`);
  const newer = dataJson('permissions.newer.json') as { permissions: Record<string, unknown> };
  for (const name of Object.keys(newer.permissions)) assert.ok(permissions.has(name), `newer permission ${name} missing`);
  assert.ok(permissions.size >= 533 + Object.keys(newer.permissions).length);
  for (const name of [
    'android.permission.POST_NOTIFICATIONS',
    'android.permission.READ_MEDIA_IMAGES',
    'android.permission.READ_MEDIA_VISUAL_USER_SELECTED',
    'android.permission.BLUETOOTH_SCAN',
    'android.permission.NEARBY_WIFI_DEVICES',
    'android.permission.QUERY_ALL_PACKAGES',
    'android.permission.MANAGE_EXTERNAL_STORAGE',
    'android.permission.ACCESS_BACKGROUND_LOCATION',
    'android.permission.FOREGROUND_SERVICE_LOCATION',
  ]) {
    assert.ok(permissions.has(name), `missing ${name}`);
  }
  assert.equal(platformPermission('android.permission.ACCESS_BACKGROUND_LOCATION')?.source, 'framework-res');

  const exempt = (dataJson('permissions.pi-map.json') as { noPersonalInformation: Record<string, string> }).noPersonalInformation;
  for (const permission of permissions.values()) {
    if (permission.pi !== null) assert.ok(isPICategoryId(permission.pi), `${permission.name}: unknown PI ${permission.pi}`);
    if (isDangerousPermission(permission.name) && !(permission.name in exempt)) {
      assert.notEqual(permission.pi, null, `dangerous ${permission.name} has no PI category`);
    }
  }
  assert.equal(platformPermission('android.permission.READ_PHONE_STATE')?.pi, 'device-identifiers');
  assert.equal(platformPermission('android.permission.CAMERA')?.addedIn, 1);
  assert.ok(platformPermission('android.permission.CAMERA')?.label['zh-CN']);
});
