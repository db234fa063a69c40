import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimePiBackground } from '../../src/rules/runtime-pi-background.js';
import { exampleTrace, runOn, traceOf } from '../support/trace.js';

const ID = 'runtime-pi-background';

test('runtime-pi-background: location, the app list and identifiers read in the background or not running', () => {
  const found = runOn(runtimePiBackground, exampleTrace(ID, 'violating'));
  assert.deepEqual(found.map((f) => f.key).sort(), ['app:installed-apps', 'getui:device-identifiers', 'getui:location']);
  const location = found.find((f) => f.key === 'getui:location')!;
  assert.match(
    location.message.zh,
    /应用在后台或未在前台运行时，SDK 个推消息推送读取了位置与行踪轨迹：locationManager\.getLastKnownLocation，共 2 次，首次在第 35 秒/,
  );
  assert.match(location.message.en, /2 call\(s\), first at 35 s/);
  assert.deepEqual(
    location.evidence.map((r) => r.kind === 'trace' && [r.event, r.time]),
    [
      [7, 35000],
      [8, 65000],
    ],
  );
  // Read by the :push process after the app exited: not running.
  const identifiers = found.find((f) => f.key === 'getui:device-identifiers')!;
  assert.deepEqual(identifiers.evidence, [{ kind: 'trace', event: 11, time: 95000, detail: 'telephony.getImei in the background' }]);
});

test('runtime-pi-background: foreground reads and reads of no PI are fine', () => {
  assert.deepEqual(runOn(runtimePiBackground, exampleTrace(ID, 'clean')), []);
});

test('runtime-pi-background: background location with ACCESS_BACKGROUND_LOCATION granted is low', () => {
  const trace = traceOf([
    { kind: 'lifecycle', t: 0, action: 'process-start', cause: 'launcher' },
    { kind: 'permission-request', t: 100, permissions: ['android.permission.ACCESS_BACKGROUND_LOCATION'], answers: ['granted'] },
    { kind: 'lifecycle', t: 200, action: 'background' },
    { kind: 'api', t: 300, class: 'android.location.LocationManager', method: 'requestLocationUpdates' },
  ]);
  const [finding] = runOn(runtimePiBackground, trace);
  assert.equal(finding!.severity, 'low');
  assert.match(finding!.message.en, /granted background location/);
});
