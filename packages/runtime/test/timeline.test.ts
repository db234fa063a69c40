import { test } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadSdkCatalog } from '@apprights/knowledge';
import { attributeStack, buildTimeline, eventsOfKind, frameClass, loadTrace, readTrace } from '../src/index.js';

const traces = fileURLToPath(new URL('./traces/', import.meta.url));

test('consent status, its first agreement, app state and the last user event at any time', () => {
  const lines = [
    { kind: 'lifecycle', t: 100, action: 'process-start', cause: 'launcher' },
    { kind: 'user', t: 150, action: 'launch' },
    { kind: 'consent', t: 200, action: 'shown', detectedBy: 'ui' },
    { kind: 'user', t: 300, action: 'tap', node: 'agree' },
    { kind: 'consent', t: 300, action: 'agreed', detectedBy: 'ui' },
    { kind: 'lifecycle', t: 400, action: 'background' },
    { kind: 'consent', t: 500, action: 'withdrawn', detectedBy: 'user' },
    { kind: 'consent', t: 600, action: 'agreed', detectedBy: 'user' },
    { kind: 'lifecycle', t: 700, action: 'exit' },
  ];
  const timeline = buildTimeline(readTrace(lines.map((l) => JSON.stringify(l)).join('\n')));
  assert.equal(timeline.firstAgreedAt, 300);
  const at = (t: number) => {
    const c = timeline.consentAt(t);
    return [c.status, c.agreedAt, timeline.stateAt(t), timeline.lastUserEventBefore(t)?.t ?? null];
  };
  assert.deepEqual(at(0), ['none', null, null, null]);
  assert.deepEqual(at(100), ['none', null, 'foreground', null]);
  assert.deepEqual(at(200), ['shown', null, 'foreground', 150]);
  assert.deepEqual(at(299), ['shown', null, 'foreground', 150]);
  // At exactly the agreement's time it counts as agreed; the tap at that time is not "before".
  assert.deepEqual(at(300), ['agreed', 300, 'foreground', 150]);
  assert.deepEqual(at(301), ['agreed', 300, 'foreground', 300]);
  assert.deepEqual(at(450), ['agreed', 300, 'background', 300]);
  assert.deepEqual(at(550), ['withdrawn', 300, 'background', 300]);
  assert.deepEqual(at(650), ['agreed', 300, 'background', 300]);
  assert.deepEqual(at(10_000), ['agreed', 300, 'not-running', 300]);
  assert.equal(timeline.consentEvents.length, 4);
  assert.equal(timeline.lifecycleEvents.length, 3);
  assert.equal(timeline.userEvents.length, 2);
});

test('the violating example: SDK calls before consent, a cold-start request without a user action', async () => {
  const trace = await loadTrace(join(traces, 'violating.jsonl'));
  const timeline = buildTimeline(trace);
  assert.equal(timeline.firstAgreedAt, 6200);
  const options = { appPackage: trace.header!.package };
  const beforeConsent = eventsOfKind(trace.events, 'api')
    .filter((e) => timeline.consentAt(e.t).status !== 'agreed')
    .map((e) => [e.api, attributeStack(e.stack ?? [], options).sdk]);
  assert.deepEqual(beforeConsent, [
    ['telephony.getImei', 'umeng-analytics'],
    ['wifiInfo.getMacAddress', 'jpush'],
    ['packageManager.getInstalledPackages', 'umeng-analytics'],
  ]);
  const [coldStart, many] = eventsOfKind(trace.events, 'permission-request');
  assert.equal(timeline.lastUserEventBefore(coldStart!.t), null);
  assert.equal(timeline.stateAt(coldStart!.t), 'foreground');
  assert.deepEqual(attributeStack(many!.stack!, options), {
    sdk: null,
    frame: 'com.example.shop.LaunchActivity.askAll(LaunchActivity.java:52)',
  });
  const sensor = eventsOfKind(trace.events, 'sensor')[0]!;
  assert.equal(attributeStack(sensor.stack!, options).sdk, 'pangle');
  // The boot-time start of the push process, after the app exited, is in the background.
  assert.equal(timeline.stateAt(60_000), 'background');
  assert.equal(timeline.stateAt(9_700), 'not-running');
});

test('the clean example: consent comes first, the permission follows a tap', async () => {
  const trace = await loadTrace(join(traces, 'clean.jsonl'));
  const timeline = buildTimeline(trace);
  for (const api of eventsOfKind(trace.events, 'api')) assert.equal(timeline.consentAt(api.t).status, 'agreed');
  const [request] = eventsOfKind(trace.events, 'permission-request');
  assert.equal(timeline.lastUserEventBefore(request!.t)?.node, 'com.example.news:id/scan');
  const [umeng, camera] = eventsOfKind(trace.events, 'api');
  assert.equal(attributeStack(umeng!.stack!).sdk, 'umeng-analytics');
  assert.deepEqual(attributeStack(camera!.stack!), { sdk: null, frame: 'com.example.news.scan.CameraSource.start(CameraSource.java:77)' });
});

test('attributeStack: framework frames skipped, SDK frames decide, libraries pass through, the app otherwise', () => {
  const catalog = loadSdkCatalog();
  for (const id of ['umeng-analytics', 'jpush', 'pangle', 'gdt', 'androidx', 'okhttp']) assert.ok(catalog.get(id), `catalogue has ${id}`);
  const cases: [string[], string | null, string | null][] = [
    [
      ['com.umeng.commonsdk.utils.UMUtils.getImei(UMUtils.java:120)'],
      'umeng-analytics',
      'com.umeng.commonsdk.utils.UMUtils.getImei(UMUtils.java:120)',
    ],
    [
      [
        'android.telephony.TelephonyManager.getImei(TelephonyManager.java:1)',
        'at cn.jpush.android.api.JPushInterface.init(Unknown Source)',
      ],
      'jpush',
      'at cn.jpush.android.api.JPushInterface.init(Unknown Source)',
    ],
    [
      ['java.lang.reflect.Method.invoke(Native Method)', 'com.qq.e.comm.managers.GDTADManager.initWith(Unknown Source:4)'],
      'gdt',
      'com.qq.e.comm.managers.GDTADManager.initWith(Unknown Source:4)',
    ],
    // AndroidX works for its caller: the app here.
    [
      ['androidx.core.app.ActivityCompat.requestPermissions(ActivityCompat.java:513)', 'com.example.Main.onClick(Main.java:3)'],
      null,
      'com.example.Main.onClick(Main.java:3)',
    ],
    // An obfuscated class the catalogue does not know is taken for the app's, unless an SDK frame follows.
    [['a.b.c.d(Unknown Source:2)', 'com.example.App.onCreate(App.java:1)'], null, 'a.b.c.d(Unknown Source:2)'],
    [
      ['a.b.c.d(Unknown Source:2)', 'com.bytedance.sdk.openadsdk.TTAdSdk.init(Unknown Source:9)'],
      'pangle',
      'com.bytedance.sdk.openadsdk.TTAdSdk.init(Unknown Source:9)',
    ],
    // Only library frames: the library.
    [
      ['okhttp3.internal.connection.RealCall.execute(RealCall.kt:154)', 'java.lang.Thread.run(Thread.java:1012)'],
      'okhttp',
      'okhttp3.internal.connection.RealCall.execute(RealCall.kt:154)',
    ],
    [
      [
        'kotlin.collections.CollectionsKt.first(Collections.kt:1)',
        'dalvik.system.VMStack.getThreadStackTrace(Native Method)',
        'com.android.internal.os.ZygoteInit.main(ZygoteInit.java:1)',
      ],
      null,
      null,
    ],
    [[], null, null],
    [['', '   ', '(no class)', 'Main'], null, null],
  ];
  for (const [stack, sdk, frame] of cases) assert.deepEqual(attributeStack(stack), { sdk, frame }, stack.join(' | '));
});

test('attributeStack: a frame of the app package stops the search, unless an SDK claims a longer prefix', () => {
  const stack = ['com.example.shop.util.Ids.imei(Ids.java:9)', 'com.umeng.commonsdk.UMConfigure.init(UMConfigure.java:301)'];
  assert.equal(attributeStack(stack).sdk, 'umeng-analytics', 'without the app package, the SDK frame further out decides');
  assert.deepEqual(attributeStack(stack, { appPackage: 'com.example.shop' }), { sdk: null, frame: stack[0] });
  // An app whose package lies inside an SDK vendor's package space.
  const inside = ['com.umeng.analytics.demo.Main.onCreate(Main.java:1)'];
  assert.equal(attributeStack(inside, { appPackage: 'com.umeng.analytics.demo' }).sdk, null);
  assert.equal(attributeStack(['com.umeng.commonsdk.X.y(X.java:1)'], { appPackage: 'com.umeng' }).sdk, 'umeng-analytics');
});

test('frameClass reads the frame notations recorders write', () => {
  assert.equal(frameClass('com.umeng.commonsdk.utils.UMUtils.getImei(UMUtils.java:120)'), 'com.umeng.commonsdk.utils.UMUtils');
  assert.equal(frameClass('  at com.example.Foo$1.run(Foo.java:3)'), 'com.example.Foo$1');
  assert.equal(frameClass('com.example.Foo.<init>(Foo.java:3)'), 'com.example.Foo');
  assert.equal(frameClass('com.example.Foo.lambda$onCreate$0(Foo.java:3)'), 'com.example.Foo');
  assert.equal(frameClass('com.example.Foo'), 'com.example.Foo');
  assert.equal(frameClass('com.example.Foo.bar'), 'com.example.Foo');
  assert.equal(frameClass('Foo'), null);
  assert.equal(frameClass(''), null);
  assert.equal(frameClass('not a frame at all'), null);
});
