import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimePermissionBundle } from '../../src/rules/runtime-permission-bundle.js';
import { exampleTrace, runOn } from '../support/trace.js';

const ID = 'runtime-permission-bundle';

test('runtime-permission-bundle: phone and location in one request; camera and microphone 0.7 s apart', () => {
  const found = runOn(runtimePermissionBundle, exampleTrace(ID, 'violating'));
  assert.deepEqual(found.map((f) => f.key).sort(), ['camera+microphone', 'device-identifiers+location']);
  const one = found.find((f) => f.key === 'device-identifiers+location')!;
  assert.match(
    one.message.zh,
    /第 4\.2 秒，应用在一次申请中同时申请了 2 组危险权限（设备标识符、位置与行踪轨迹）：READ_PHONE_STATE、ACCESS_FINE_LOCATION、ACCESS_COARSE_LOCATION/,
  );
  assert.match(one.message.en, /in one request: READ_PHONE_STATE, ACCESS_FINE_LOCATION, ACCESS_COARSE_LOCATION/);
  const two = found.find((f) => f.key === 'camera+microphone')!;
  assert.match(two.message.en, /in 2 requests within 0\.7 s: CAMERA, RECORD_AUDIO/);
  assert.deepEqual(
    two.evidence.map((r) => r.kind === 'trace' && r.event),
    [6, 7],
  );
});

test('runtime-permission-bundle: one group per request, and normal permissions, are fine', () => {
  assert.deepEqual(runOn(runtimePermissionBundle, exampleTrace(ID, 'clean')), []);
});

test('runtime-permission-bundle: the burst window is an option', () => {
  assert.equal(runOn(runtimePermissionBundle, exampleTrace(ID, 'violating'), { windowSeconds: 0.5 }).length, 1);
});
