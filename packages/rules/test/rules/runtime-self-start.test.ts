import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtimeSelfStart } from '../../src/rules/runtime-self-start.js';
import { exampleTrace, runOn } from '../support/trace.js';

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
