import { test } from 'node:test';
import assert from 'node:assert/strict';
import { sdkDisclosureList } from '../../src/rules/sdk-disclosure-list.js';
import { apiUse, evidenceOf, makeFacts, sdk } from '../support/facts.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const run = (facts: ReturnType<typeof makeFacts>) => checkRule(sdkDisclosureList, evidenceOf(facts));

test('sdk-disclosure-list: lists tracker SDKs with purpose, declared and observed PI and policy link', () => {
  const facts = makeFacts({
    sdks: [
      sdk('jpush', { category: 'push', privacyPolicy: 'https://example.com/jpush-privacy', personalInformation: ['device-identifiers'] }),
    ],
    sensitiveApis: [
      apiUse(
        'locationManager.getLastKnownLocation',
        'Landroid/location/LocationManager;->getLastKnownLocation',
        [{ class: 'cn.jpush.Loc', sdk: 'jpush' }],
        {
          pi: 'location',
        },
      ),
    ],
  });
  const [entry] = run(facts);
  assert.ok(entry);
  assert.equal(entry.key, 'jpush');
  assert.deepEqual(entry.data!.personalInformation, ['device-identifiers', 'location']);
  assert.deepEqual(entry.data!.observedPersonalInformation, ['location']);
  assert.equal(entry.data!.privacyPolicy, 'https://example.com/jpush-privacy');
  assert.equal(entry.messageId, 'disclose');
  assert.deepEqual(entry.messageData!.purpose, { en: 'Push notifications', zh: '消息推送' });
  assert.equal(sdkDisclosureList.meta.kind, 'inventory');
});

test('sdk-disclosure-list: plain libraries that reach no PI are not listed; one that reaches PI is', () => {
  const quiet = makeFacts({
    sdks: [sdk('androidx', { tracker: false, category: 'open-source-library' })],
    sensitiveApis: [
      apiUse('telephony.getImei', 'Landroid/telephony/TelephonyManager;->getImei', [{ class: 'androidx.X', sdk: 'androidx' }], {
        pi: 'device-identifiers',
      }),
    ],
  });
  assert.deepEqual(run(quiet), []);
  const reaching = makeFacts({
    sdks: [sdk('somelib', { tracker: false, category: 'other' })],
    sensitiveApis: [
      apiUse('clipboard.getText', 'Landroid/content/ClipboardManager;->getText', [{ class: 'x.y', sdk: 'somelib' }], { pi: 'clipboard' }),
    ],
  });
  assert.equal(run(reaching).length, 1);
});
