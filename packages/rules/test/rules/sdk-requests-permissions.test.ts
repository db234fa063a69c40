import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sdkRequestsPermissions } from '../../src/rules/sdk-requests-permissions.js';
import { apiUse, evidenceOf, makeFacts, sdk } from '../support/facts.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const run = (facts: ReturnType<typeof makeFacts>) => checkRule(sdkRequestsPermissions, evidenceOf(facts));

const request = (api: string, signature: string, callers: Parameters<typeof apiUse>[2]) =>
  apiUse(api, signature, callers, { pi: null, sensitivity: 'low' });
const activityRequest = (callers: Parameters<typeof apiUse>[2]) =>
  request('activity.requestPermissions', 'Landroid/app/Activity;->requestPermissions', callers);
const compatRequest = (callers: Parameters<typeof apiUse>[2]) =>
  request('androidx.activityCompat.requestPermissions', 'Landroidx/core/app/ActivityCompat;->requestPermissions', callers);

const ads = sdk('acme-ads', { name: { zh: 'Acme 广告', en: 'Acme Ads' }, category: 'ads', version: '5.1' });
const maps = sdk('acme-maps', { name: { zh: 'Acme 地图', en: 'Acme Maps' }, category: 'maps-location' });
const androidx = sdk('androidx', { category: 'open-source-library', tracker: false });
const support = sdk('android-support', { category: 'open-source-library', tracker: false });

test('sdk-requests-permissions: each SDK asking for permissions from its own code is one finding', () => {
  const facts = makeFacts({
    sdks: [ads, maps, androidx],
    sensitiveApis: [
      activityRequest([{ class: 'com.acme.ads.ui.PermissionActivity', sdk: 'acme-ads' }]),
      compatRequest([
        { class: 'com.acme.ads.core.Init', sdk: 'acme-ads' },
        { class: 'com.acme.maps.LocationHelper', sdk: 'acme-maps' },
      ]),
    ],
  });
  const found = run(facts);
  assert.deepEqual(
    found.map((f) => f.key),
    ['acme-ads', 'acme-maps'],
  );
  const [adsFinding] = found;
  assert.equal(adsFinding!.severity, undefined);
  assert.equal(adsFinding!.messageId, 'requests');
  assert.equal(adsFinding!.messageData!.callers, 2);
  assert.equal((adsFinding!.messageData!.name as { en: string }).en, 'Acme Ads');
  assert.deepEqual(adsFinding!.evidence, [
    { kind: 'sdk', sdk: 'acme-ads', name: 'Acme Ads', version: '5.1' },
    {
      kind: 'code',
      artifact: 'classes.dex',
      class: 'com.acme.ads.ui.PermissionActivity',
      method: 'run()V',
      api: 'activity.requestPermissions',
      sdk: 'acme-ads',
    },
    {
      kind: 'code',
      artifact: 'classes.dex',
      class: 'com.acme.ads.core.Init',
      method: 'run()V',
      api: 'androidx.activityCompat.requestPermissions',
      sdk: 'acme-ads',
    },
  ]);
  assert.deepEqual(adsFinding!.data!.apis, ['activity.requestPermissions', 'androidx.activityCompat.requestPermissions']);
});

test("sdk-requests-permissions: the app's own requests, AndroidX, the support library and unattributed code are not reported", () => {
  const facts = makeFacts({
    sdks: [androidx, support],
    sensitiveApis: [
      activityRequest([
        { class: 'androidx.core.app.ActivityCompat', sdk: 'androidx' },
        { class: 'com.example.app.CameraActivity', own: true },
      ]),
      compatRequest([{ class: 'com.example.app.MapActivity', own: true }]),
      request('support.activityCompat.requestPermissions', 'Landroid/support/v4/app/ActivityCompat;->requestPermissions', [
        { class: 'android.support.v4.app.FragmentActivity', sdk: 'android-support' },
        { class: 'a.b.c', sdk: null },
      ]),
    ],
  });
  assert.deepEqual(run(facts), []);
});

test('sdk-requests-permissions: other sensitive APIs of an SDK do not count', () => {
  const facts = makeFacts({
    sdks: [ads],
    sensitiveApis: [
      apiUse('telephony.getImei', 'Landroid/telephony/TelephonyManager;->getImei', [{ class: 'com.acme.ads.Id', sdk: 'acme-ads' }]),
    ],
  });
  assert.deepEqual(run(facts), []);
});
