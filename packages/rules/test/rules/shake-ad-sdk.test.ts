import { test } from 'node:test';
import assert from 'node:assert/strict';
import { shakeAdSdk } from '../../src/rules/shake-ad-sdk.js';
import { apiUse, evidenceOf, makeFacts, sdk } from '../support/facts.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const sensor = (callers: { class: string; sdk?: string | null; own?: boolean }[]) =>
  apiUse('sensorManager.registerListener', 'Landroid/hardware/SensorManager;->registerListener', callers, { pi: 'sensors' });
const run = (facts: ReturnType<typeof makeFacts>) => checkRule(shakeAdSdk, evidenceOf(facts));

test('shake-ad-sdk: an ad SDK listening to sensors is flagged for runtime checking with the T/TAF thresholds', () => {
  const facts = makeFacts({
    sdks: [sdk('pangle', { category: 'ads' })],
    sensitiveApis: [sensor([{ class: 'com.bytedance.sdk.openadsdk.Shake', sdk: 'pangle' }])],
  });
  const [finding, ...rest] = run(facts);
  assert.equal(rest.length, 0);
  assert.equal(finding!.messageId, 'motionSensors');
  assert.deepEqual(
    [finding!.messageData!.accelerationMs2, finding!.messageData!.rotationDegrees, finding!.messageData!.durationSeconds],
    [15, 35, 3],
  );
  assert.deepEqual(finding!.data!.needs, ['trace', 'ui']);
  assert.equal(finding!.evidence[1]!.kind, 'code');
});

test('shake-ad-sdk: sensors used by the app itself or by a non-ad SDK are not flagged', () => {
  const facts = makeFacts({
    sdks: [sdk('pangle', { category: 'ads' }), sdk('amap', { category: 'maps-location' })],
    sensitiveApis: [
      sensor([
        { class: 'com.example.app.Step', own: true },
        { class: 'com.amap.Compass', sdk: 'amap' },
      ]),
    ],
  });
  assert.deepEqual(run(facts), []);
});
