import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimePermissionRefusalExit } from '../../src/rules/runtime-permission-refusal-exit.js';
import { exampleTrace, runOn, traceOf } from '../support/trace.js';

const ID = 'runtime-permission-refusal-exit';

test('runtime-permission-refusal-exit: the camera asked in a loop, then the app quits', () => {
  const found = runOn(runtimePermissionRefusalExit, exampleTrace(ID, 'violating'));
  assert.deepEqual(found.map((f) => f.key).sort(), ['exit:android.permission.CAMERA', 'loop:android.permission.CAMERA']);
  const exit = found.find((f) => f.key.startsWith('exit'))!;
  assert.match(exit.message.zh, /用户在第 3\.2 秒拒绝 CAMERA 后 2\.8 秒，应用在无用户操作的情况下退出（记录中出现 3 次）/);
  assert.deepEqual(
    exit.evidence.map((r) => r.kind === 'trace' && [r.event, r.detail]),
    [
      [4, 'CAMERA denied'],
      [7, 'exit'],
    ],
  );
  const loop = found.find((f) => f.key.startsWith('loop'))!;
  assert.match(loop.message.en, /After the user denied CAMERA at 3\.2 s, the app asked again 2 times within 2 s, a request loop/);
});

test('runtime-permission-refusal-exit: the app stays, and the user leaves it themselves', () => {
  assert.deepEqual(runOn(runtimePermissionRefusalExit, exampleTrace(ID, 'clean')), []);
});

test('runtime-permission-refusal-exit: going to the background on its own is medium; a crash is named', () => {
  const denial = { kind: 'permission-request', t: 0, permissions: ['android.permission.READ_CONTACTS'], answers: ['denied'] };
  const [background] = runOn(runtimePermissionRefusalExit, traceOf([denial, { kind: 'lifecycle', t: 1000, action: 'background' }]));
  assert.equal(background!.key, 'background:android.permission.READ_CONTACTS');
  assert.equal(background!.severity, 'medium');
  const [crash] = runOn(runtimePermissionRefusalExit, traceOf([denial, { kind: 'lifecycle', t: 1000, action: 'crash' }]));
  assert.match(crash!.message.en, /the app crashed with no user action/);
});
