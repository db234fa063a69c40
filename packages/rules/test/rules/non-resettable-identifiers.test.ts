import { nonResettableIdentifiers } from '../../src/rules/non-resettable-identifiers.js';
import { apiUse, evidenceOf, makeFacts, sdk } from '../support/facts.js';
import { RuleTester } from '../../src/testing/rule-tester.js';

const IMEI = 'Landroid/telephony/TelephonyManager;->getImei';

new RuleTester().run(nonResettableIdentifiers, {
  valid: [
    {
      name: 'resettable IDs (OAID, Android ID) and non-identifier APIs',
      evidence: evidenceOf(
        makeFacts({
          sensitiveApis: [
            apiUse('msa.getOAID', 'Lcom/bun/miitmdid/interfaces/IdSupplier;->getOAID', [{ class: 'com.example.app.Id', own: true }], {
              pi: 'device-identifiers',
            }),
            apiUse('settings.secure.getString', 'Landroid/provider/Settings$Secure;->getString', [
              { class: 'com.example.app.Id', own: true },
            ]),
            apiUse('locationManager.getLastKnownLocation', 'Landroid/location/LocationManager;->getLastKnownLocation', [
              { class: 'a.b', own: false },
            ]),
          ],
        }),
      ),
    },
  ],
  invalid: [
    {
      name: 'IMEI read by the app is high, MAC read by an SDK medium',
      evidence: evidenceOf(
        makeFacts({
          sdks: [sdk('umeng', { name: { zh: '友盟', en: 'Umeng' } })],
          sensitiveApis: [
            apiUse('telephony.getImei', IMEI, [{ class: 'com.example.app.Device', own: true }], { pi: 'device-identifiers' }),
            apiUse(
              'wifiInfo.getMacAddress',
              'Landroid/net/wifi/WifiInfo;->getMacAddress',
              [{ class: 'com.umeng.commonsdk.Mac', sdk: 'umeng' }],
              { pi: 'network-identifiers' },
            ),
          ],
        }),
      ),
      findings: [
        {
          messageId: 'identifier',
          data: {
            what: { zh: 'IMEI', en: 'IMEI' },
            signature: 'Landroid/telephony/TelephonyManager;->getImei',
            use: { zh: '应用自身代码', en: "the app's own code" },
          },
          key: 'telephony.getImei',
          severity: 'high',
        },
        {
          messageId: 'identifier',
          data: {
            what: { zh: 'Wi-Fi MAC 地址', en: 'Wi-Fi MAC address' },
            signature: 'Landroid/net/wifi/WifiInfo;->getMacAddress',
            use: { zh: '友盟', en: 'Umeng' },
          },
          key: 'wifiInfo.getMacAddress',
          severity: 'medium',
          evidence: [
            {
              kind: 'code',
              artifact: 'classes.dex',
              class: 'com.umeng.commonsdk.Mac',
              method: 'run()V',
              api: 'wifiInfo.getMacAddress',
              sdk: 'umeng',
            },
          ],
        },
      ],
    },
    {
      name: 'a read only inside an open-source wrapper library is info',
      evidence: evidenceOf(
        makeFacts({
          sdks: [sdk('androidx', { category: 'open-source-library', tracker: false })],
          sensitiveApis: [
            apiUse('telephony.getImei', IMEI, [{ class: 'androidx.core.telephony.TelephonyManagerCompat', sdk: 'androidx' }], {
              pi: 'device-identifiers',
            }),
          ],
        }),
      ),
      findings: [
        {
          messageId: 'identifier',
          data: {
            what: { zh: 'IMEI', en: 'IMEI' },
            signature: 'Landroid/telephony/TelephonyManager;->getImei',
            use: { zh: 'androidx', en: 'androidx' },
          },
          key: 'telephony.getImei',
          severity: 'info',
        },
      ],
    },
  ],
});
