import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runRules, emptyConfig } from '../../src/index.js';
import { runtimePiBeforeConsent } from '../../src/rules/runtime-pi-before-consent.js';
import { exampleTrace, runOn, traceOf } from '../support/trace.js';
import { loadKnowledge } from '@apprights/knowledge';

const knowledge = loadKnowledge();

const ID = 'runtime-pi-before-consent';

test('runtime-pi-before-consent: an SDK reading identifiers and the app reading location before consent', () => {
  const found = runOn(runtimePiBeforeConsent, exampleTrace(ID, 'violating'));
  assert.deepEqual(found.map((f) => f.key).sort(), ['app:location', 'umeng-analytics:device-identifiers']);
  const sdk = found.find((f) => f.key === 'umeng-analytics:device-identifiers')!;
  assert.equal(sdk.severity, undefined); // the rule's: high
  assert.match(
    sdk.message.zh,
    /用户同意隐私政策前，SDK 友盟\+ 统计分析.*读取了设备标识符：telephony\.getDeviceId、telephony\.getSubscriberId，共 3 次，首次在第 0\.8 秒（用户在第 5 秒同意）/,
  );
  assert.match(
    sdk.message.en,
    /SDK Umeng U-App Analytics .* read device identifiers: telephony\.getDeviceId, telephony\.getSubscriberId, 3 call\(s\), first at 0\.8 s \(the user agreed at 5 s\)/,
  );
  // The first events (line numbers of the file) and the consent they came before.
  assert.deepEqual(
    sdk.evidence.map((r) => (r.kind === 'trace' ? [r.event, r.time] : null)),
    [
      [4, 800],
      [5, 900],
      [8, 1500],
      [9, 5000],
    ],
  );
  assert.equal(sdk.evidence[0]!.kind === 'trace' && sdk.evidence[0]!.detail, 'telephony.getDeviceId before consent (sdk umeng-analytics)');
  assert.ok(sdk.measures!.includes('miit26-20'));
  const app = found.find((f) => f.key === 'app:location')!;
  assert.match(app.message.en, /the app’s own code read location and whereabouts: locationManager\.getLastKnownLocation/);
  assert.ok(!app.measures!.includes('miit26-20') && app.measures!.includes('cac2019-3.1'), 'the app is no SDK');
});

test('runtime-pi-before-consent: nothing before consent but a call reading no PI', () => {
  assert.deepEqual(runOn(runtimePiBeforeConsent, exampleTrace(ID, 'clean')), []);
});

test('runtime-pi-before-consent: no consent event at all is medium; a refusal hands over to runtime-pi-after-refusal', () => {
  const api = { kind: 'api', t: 10, class: 'android.telephony.TelephonyManager', method: 'getImei' };
  const [finding] = runOn(runtimePiBeforeConsent, traceOf([api]));
  assert.equal(finding!.severity, 'medium');
  assert.match(finding!.message.en, /the trace has no consent event/);
  const refused = traceOf([{ kind: 'consent', t: 5, action: 'refused', detectedBy: 'ui' }, api]);
  assert.deepEqual(runOn(runtimePiBeforeConsent, refused), []);
});

test('runtime-pi-before-consent: runs on trace evidence and fails measure 20 for SDKs', () => {
  const result = runRules({ trace: exampleTrace(ID, 'violating') }, [runtimePiBeforeConsent], emptyConfig(), knowledge);
  assert.equal(result.findings.length, 2);
  assert.ok(result.findings.find((f) => f.measures.includes('miit26-20')));
});
