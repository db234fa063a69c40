import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimePermissionAtStart } from '../../src/rules/runtime-permission-at-start.js';
import { exampleTrace, runOn, traceOf } from '../support/trace.js';
import { RuleTester } from '../../src/testing/rule-tester.js';

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

const START = { kind: 'lifecycle', t: 0, action: 'process-start', cause: 'launcher' };
const PHONE = 'android.permission.READ_PHONE_STATE';
const CAMERA = 'android.permission.CAMERA';
const none = { zh: '', en: '' };

new RuleTester().run(runtimePermissionAtStart, {
  valid: [
    {
      name: 'a camera request right after a tap on 扫一扫 on the app’s own UI',
      evidence: {
        trace: traceOf([
          START,
          { kind: 'user', t: 1500, action: 'tap', node: 'com.example.app:id/btn_scan', nodeText: '扫一扫', package: 'com.example.app' },
          { kind: 'permission-request', t: 2000, permissions: [CAMERA] },
        ]),
      },
    },
    {
      name: 'a tap that opened the screen that asks',
      evidence: {
        trace: traceOf([
          START,
          { kind: 'user', t: 8000, action: 'tap', node: 'com.example.app:id/item_3' },
          { kind: 'navigation', t: 8300, action: 'activity', target: 'com.example.app.StoreFinderActivity' },
          { kind: 'permission-request', t: 9000, permissions: ['android.permission.ACCESS_FINE_LOCATION'] },
        ]),
      },
    },
  ],
  invalid: [
    {
      // Found on an unseen scenario: the tap on 同意 in the privacy dialog excused a request at cold start.
      name: 'the tap on the consent dialog does not excuse a request at cold start',
      evidence: {
        trace: traceOf([
          START,
          { kind: 'ui', t: 500, id: 'consent', role: 'consent' },
          { kind: 'user', t: 1800, action: 'tap', node: 'com.example.app:id/btn_agree', nodeText: '同意' },
          { kind: 'consent', t: 1900, action: 'agreed', detectedBy: 'auto' },
          { kind: 'permission-request', t: 2500, permissions: [PHONE] },
        ]),
      },
      findings: [
        {
          messageId: 'atStart',
          key: `at-start:${PHONE}`,
          data: { t: '2.5', permissions: { zh: 'READ_PHONE_STATE', en: 'READ_PHONE_STATE' }, by: none, times: none, after: '2.5' },
        },
      ],
    },
    {
      name: 'a tap on a system dialog is not the user asking',
      evidence: {
        trace: traceOf([
          START,
          { kind: 'user', t: 1000, action: 'tap', nodeText: '允许', package: 'com.android.permissioncontroller' },
          { kind: 'permission-request', t: 1500, permissions: [CAMERA] },
        ]),
      },
      findings: [{ messageId: 'atStart', key: `at-start:${CAMERA}` }],
    },
    {
      name: 'a request after a tap about something else',
      evidence: {
        trace: traceOf([
          START,
          { kind: 'user', t: 20000, action: 'tap', node: 'com.example.app:id/tab_news', nodeText: '资讯' },
          { kind: 'permission-request', t: 21000, permissions: ['android.permission.READ_CONTACTS'] },
        ]),
      },
      findings: [
        {
          messageId: 'unrelatedAction',
          key: 'unrelated-action:android.permission.READ_CONTACTS',
          data: {
            t: '21',
            permissions: { zh: 'READ_CONTACTS', en: 'READ_CONTACTS' },
            by: none,
            times: none,
            tap: '「资讯」 tab_news',
            before: '1',
          },
        },
      ],
    },
  ],
});
