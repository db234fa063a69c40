import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimePermissionAtStart } from '../../src/rules/runtime-permission-at-start.js';
import { exampleTrace, runOn, traceOf } from '../support/trace.js';

const ID = 'runtime-permission-at-start';

test('runtime-permission-at-start: a request 2 s after a cold start and one no user action preceded', () => {
  const found = runOn(runtimePermissionAtStart, exampleTrace(ID, 'violating'));
  assert.deepEqual(found.map((f) => f.key).sort(), [
    'at-start:android.permission.READ_PHONE_STATE',
    'no-user-action:android.permission.ACCESS_FINE_LOCATION',
  ]);
  const start = found.find((f) => f.key.startsWith('at-start'))!;
  assert.match(start.message.zh, /应用冷启动后 2 秒（第 2 秒），用户尚未进行任何操作就申请了 READ_PHONE_STATE 权限/);
  assert.deepEqual(
    start.evidence.map((r) => r.kind === 'trace' && [r.event, r.detail]),
    [
      [2, 'cold start'],
      [4, 'request READ_PHONE_STATE at start'],
    ],
  );
  const loose = found.find((f) => f.key.startsWith('no-user-action'))!;
  assert.match(
    loose.message.en,
    /At 30 s the app asked for ACCESS_FINE_LOCATION \(by SDK Baidu Location SDK \(LBS\)\) with no user action in the 5 s before/,
  );
});

test('runtime-permission-at-start: a request right after the user taps the feature is fine', () => {
  assert.deepEqual(runOn(runtimePermissionAtStart, exampleTrace(ID, 'clean')), []);
});

test('runtime-permission-at-start: the windows are options', () => {
  const trace = traceOf([
    { kind: 'user', t: 0, action: 'tap' },
    { kind: 'permission-request', t: 8000, permissions: ['android.permission.CAMERA'] },
  ]);
  assert.equal(runOn(runtimePermissionAtStart, trace)[0]!.key, 'no-user-action:android.permission.CAMERA');
  assert.deepEqual(runOn(runtimePermissionAtStart, trace, { userActionSeconds: 10 }), []);
});
