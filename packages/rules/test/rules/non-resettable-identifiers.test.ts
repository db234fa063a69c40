import { test } from 'node:test';
import assert from 'node:assert/strict';
import { nonResettableIdentifiers } from '../../src/rules/non-resettable-identifiers.js';
import { apiUse, evidenceOf, makeFacts, sdk } from '../support/facts.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const run = (facts: ReturnType<typeof makeFacts>) => checkRule(nonResettableIdentifiers, evidenceOf(facts));

test('non-resettable-identifiers: IMEI read by the app is high, MAC read by an SDK medium', () => {
  const facts = makeFacts({
    sdks: [sdk('umeng', { name: { zh: '友盟', en: 'Umeng' } })],
    sensitiveApis: [
      apiUse('telephony.getImei', 'Landroid/telephony/TelephonyManager;->getImei', [{ class: 'com.example.app.Device', own: true }], {
        pi: 'device-identifiers',
      }),
      apiUse('wifiInfo.getMacAddress', 'Landroid/net/wifi/WifiInfo;->getMacAddress', [{ class: 'com.umeng.commonsdk.Mac', sdk: 'umeng' }], {
        pi: 'network-identifiers',
      }),
    ],
  });
  const found = run(facts);
  assert.equal(found.find((f) => f.key === 'telephony.getImei')!.severity, 'high');
  const mac = found.find((f) => f.key === 'wifiInfo.getMacAddress')!;
  assert.equal(mac.severity, 'medium');
  assert.equal(mac.messageId, 'identifier');
  assert.match((mac.messageData!.use as { en: string }).en, /Umeng/);
  assert.equal(mac.evidence[0]!.kind, 'code');
});

test('non-resettable-identifiers: resettable IDs (OAID, Android ID) and non-identifier APIs are fine', () => {
  const facts = makeFacts({
    sensitiveApis: [
      apiUse('msa.getOAID', 'Lcom/bun/miitmdid/interfaces/IdSupplier;->getOAID', [{ class: 'com.example.app.Id', own: true }], {
        pi: 'device-identifiers',
      }),
      apiUse('settings.secure.getString', 'Landroid/provider/Settings$Secure;->getString', [{ class: 'com.example.app.Id', own: true }]),
      apiUse('locationManager.getLastKnownLocation', 'Landroid/location/LocationManager;->getLastKnownLocation', [
        { class: 'a.b', own: false },
      ]),
    ],
  });
  assert.deepEqual(run(facts), []);
});

test('non-resettable-identifiers: a read only inside an open-source wrapper library is info', () => {
  const facts = makeFacts({
    sdks: [sdk('androidx', { category: 'open-source-library', tracker: false })],
    sensitiveApis: [
      apiUse(
        'telephony.getImei',
        'Landroid/telephony/TelephonyManager;->getImei',
        [{ class: 'androidx.core.telephony.TelephonyManagerCompat', sdk: 'androidx' }],
        {
          pi: 'device-identifiers',
        },
      ),
    ],
  });
  assert.equal(run(facts)[0]!.severity, 'info');
});
