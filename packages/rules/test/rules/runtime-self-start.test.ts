import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimeSelfStart } from '../../src/rules/runtime-self-start.js';
import { exampleTrace, runOn, traceOf } from '../support/trace.js';
import { RuleTester } from '../../src/testing/rule-tester.js';

const ID = 'runtime-self-start';

test('runtime-self-start: a boot start by a push SDK, a start by WeChat, and two apps woken', () => {
  const found = runOn(runtimeSelfStart, exampleTrace(ID, 'violating'));
  assert.deepEqual(found.map((f) => f.key).sort(), [
    'self-start:boot:cn.jpush.android.service.PushReceiver',
    'started-by:com.tencent.mm',
    'wakes:com.taobao.taobao',
    'wakes:com.xunmeng.pinduoduo',
  ]);
  const boot = found.find((f) => f.key.startsWith('self-start'))!;
  assert.match(
    boot.message.zh,
    /第 0 秒，应用进程因开机广播自行启动，而非用户从桌面打开，组件 cn\.jpush\.android\.service\.PushReceiver（SDK 极光推送）/,
  );
  // Self-start is measure 6 whoever starts; the TC260 SDK guide adds its own item for SDKs.
  assert.ok(boot.measures!.includes('miit26-06') && boot.measures!.includes('tc260-sdk-no-self-start'), 'an SDK’s self-start');
  assert.deepEqual(boot.evidence, [
    { kind: 'trace', event: 2, time: 0, detail: 'process start: boot:cn.jpush.android.service.PushReceiver' },
  ]);
  const wechat = found.find((f) => f.key === 'started-by:com.tencent.mm')!;
  assert.match(wechat.message.en, /At 60 s the app was started by com\.tencent\.mm with no user action \(associated start\)/);
  assert.ok(wechat.measures!.includes('miit26-06') && !wechat.measures!.includes('tc260-sdk-no-self-start'));
  assert.match(found.find((f) => f.key === 'wakes:com.xunmeng.pinduoduo')!.message.en, /SDK Getui Push/);
});

test('runtime-self-start: launcher starts and jumps the user asked for are fine', () => {
  assert.deepEqual(runOn(runtimeSelfStart, exampleTrace(ID, 'clean')), []);
});

test('runtime-self-start: the self-start causes are an option', () => {
  const found = runOn(runtimeSelfStart, exampleTrace(ID, 'violating'), { causes: ['alarm'] });
  assert.equal(found.filter((f) => f.key.startsWith('self-start')).length, 0);
});

const SETTLE = {
  zh: '触发方式未知：轨迹既没有记录 trigger，之前也没有用户输入事件，可能由应用自行发起，也可能是记录器未捕获输入。记录输入事件（adb getevent 或 Frida 点击钩子）和传感器读数，或由记录器填写 trigger，即可判定',
  en: 'the trigger is unknown: the trace records none and shows no user input before it, so the app may have started it on its own or the recorder missed the input. Input events (adb getevent or the Frida click hooks) and sensor readings before it, or a trigger written by the recorder, would settle it',
};

new RuleTester().run(runtimeSelfStart, {
  valid: [
    {
      name: 'a jump with no recorded trigger right after a tap is the user’s',
      evidence: {
        trace: traceOf([
          { kind: 'lifecycle', t: 100, action: 'process-start', cause: 'launcher' },
          { kind: 'user', t: 5000, action: 'tap', node: 'com.example.app:id/open_wechat' },
          { kind: 'navigation', t: 5400, action: 'jump-app', target: 'com.tencent.mm' },
        ]),
      },
    },
    {
      name: 'an intent to another app’s activity the user asked for',
      evidence: {
        trace: traceOf([
          { kind: 'user', t: 5000, action: 'tap', node: 'share' },
          { kind: 'intent', t: 5200, explicit: false, component: 'activity', target: 'com.tencent.mm', trigger: 'user' },
        ]),
      },
    },
  ],
  invalid: [
    {
      // Found on an unseen scenario: both recorders wrote jumps with no trigger, and the finding was dropped.
      name: 'a jump to another app with no recorded trigger and no input before it: low confidence, says what would settle it',
      evidence: {
        trace: traceOf([
          { kind: 'lifecycle', t: 100, action: 'process-start', cause: 'launcher' },
          { kind: 'navigation', t: 30000, action: 'jump-app', target: 'com.xunmeng.pinduoduo' },
        ]),
      },
      findings: [
        {
          messageId: 'wakesUnknown',
          key: 'wakes-unknown:com.xunmeng.pinduoduo',
          severity: 'low',
          data: {
            at: '30',
            other: 'com.xunmeng.pinduoduo',
            component: { zh: '', en: '' },
            times: { zh: '', en: '' },
            settle: SETTLE,
          },
        },
      ],
    },
    {
      name: 'an explicit start of another app’s service, recorded as the app’s',
      evidence: {
        trace: traceOf([{ kind: 'intent', t: 61000, explicit: true, component: 'service', target: 'com.example.partner', trigger: 'app' }]),
      },
      findings: [
        {
          messageId: 'wakes',
          key: 'wakes:com.example.partner',
          severity: 'medium',
          data: {
            at: '61',
            other: 'com.example.partner',
            component: { zh: '', en: '' },
            times: { zh: '', en: '' },
          },
        },
      ],
    },
  ],
});
