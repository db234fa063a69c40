import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimePiAfterRefusal } from '../../src/rules/runtime-pi-after-refusal.js';
import { exampleTrace, runOn, traceOf } from '../support/trace.js';

const ID = 'runtime-pi-after-refusal';

test('runtime-pi-after-refusal: collection after a refused policy and after a denied permission', () => {
  const found = runOn(runtimePiAfterRefusal, exampleTrace(ID, 'violating'));
  assert.deepEqual(found.map((f) => f.key).sort(), [
    'consent:jpush:network-identifiers',
    'permission:android.permission.ACCESS_FINE_LOCATION:amap-location:location',
  ]);
  const consent = found.find((f) => f.key.startsWith('consent:'))!;
  assert.equal(consent.severity, undefined); // high
  assert.match(
    consent.message.zh,
    /用户在第 3 秒拒绝或撤回隐私政策同意后，SDK 极光推送仍读取网络标识符：wifiInfo\.getMacAddress，共 2 次，首次在第 3\.5 秒/,
  );
  assert.match(consent.message.en, /wifiInfo\.getMacAddress, 2 call\(s\), first at 3\.5 s/);
  assert.deepEqual(
    consent.evidence.map((r) => r.kind === 'trace' && r.event),
    [4, 5, 6],
  );
  const permission = found.find((f) => f.key.startsWith('permission:'))!;
  assert.equal(permission.severity, 'medium');
  assert.match(
    permission.message.en,
    /After the user denied ACCESS_FINE_LOCATION at 20\.5 s, SDK AMap Location SDK still read location and whereabouts: locationManager\.requestLocationUpdates/,
  );
  assert.equal(permission.evidence[0]!.kind === 'trace' && permission.evidence[0]!.detail, 'ACCESS_FINE_LOCATION denied');
});

test('runtime-pi-after-refusal: agreeing again or granting later ends the refusal; unrelated PI is not counted', () => {
  assert.deepEqual(runOn(runtimePiAfterRefusal, exampleTrace(ID, 'clean')), []);
});

test('runtime-pi-after-refusal: withdrawn consent counts like a refusal', () => {
  const trace = traceOf([
    { kind: 'consent', t: 0, action: 'agreed', detectedBy: 'ui' },
    { kind: 'consent', t: 1000, action: 'withdrawn', detectedBy: 'user' },
    { kind: 'api', t: 2000, class: 'android.content.ClipboardManager', method: 'getPrimaryClip' },
  ]);
  const [finding] = runOn(runtimePiAfterRefusal, trace);
  assert.equal(finding!.key, 'consent:app:clipboard');
});
