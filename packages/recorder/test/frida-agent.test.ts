import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { runInNewContext } from 'node:vm';
import { AGENT_EVENT_MESSAGE, hookPlanFromCatalog, type CatalogEntry } from '../src/index.js';

const script = fileURLToPath(new URL('../scripts/build-agent.mjs', import.meta.url));
const catalog = (
  JSON.parse(readFileSync(fileURLToPath(new URL('../../knowledge/data/sensitive-apis.json', import.meta.url)), 'utf8')) as {
    apis: CatalogEntry[];
  }
).apis;
const IMEI = '861234567890123';

let bundle: string | null = null;
/** A value from the VM as a plain object of this realm. */
const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value));

test('build-agent typechecks the agent and bundles it into one script', { timeout: 120_000 }, () => {
  const dir = mkdtempSync(join(tmpdir(), 'apprights-agent-'));
  try {
    const outfile = join(dir, 'frida-agent.js');
    // The sandbox below provides a fake `Java` global, so the bridge package stays out of this bundle.
    const result = spawnSync(process.execPath, [script, '--outfile', outfile, '--java-global'], { encoding: 'utf8' });
    assert.equal(result.status, 0, `${result.stdout}\n${result.stderr}`);
    assert.ok(existsSync(outfile));
    // The shipped build takes the bridge package in (Frida 17 has no Java global).
    const withBridge = join(dir, 'frida-agent-17.js');
    const shipped = spawnSync(process.execPath, [script, '--outfile', withBridge, '--no-typecheck'], { encoding: 'utf8' });
    assert.equal(shipped.status, 0, `${shipped.stdout}\n${shipped.stderr}`);
    assert.match(`${shipped.stdout}${shipped.stderr}`, /Java bridge: .*frida-java-bridge/);
    bundle = readFileSync(outfile, 'utf8');
    for (const needle of [
      AGENT_EVENT_MESSAGE,
      'rpc.exports',
      'requestPermissions',
      'onRequestPermissionsResult',
      'registerListener',
      'onSensorChanged',
      'execStartActivity',
      'callApplicationOnCreate',
      'onResume',
      'getStackTraceString',
      'PackageInstaller$Session',
    ]) {
      assert.ok(bundle.includes(needle), `bundle lacks ${needle}`);
    }
    // One classic script: no ES module syntax left for Frida to choke on.
    assert.doesNotMatch(bundle, /^\s*(import|export)\s/m);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

// --- A fake Java bridge: just enough of frida-java-bridge to run the bundle in a Node VM. -------

type Fn = (this: unknown, ...args: unknown[]) => unknown;
interface FakeOverload {
  argumentTypes: { className: string; name: string }[];
  returnType: { className: string; name: string };
  implementation: Fn | null;
  original: Fn;
  apply(receiver: unknown, args: unknown[]): unknown;
}

function overload(types: string[], ret: string, original: Fn): FakeOverload {
  const o: FakeOverload = {
    argumentTypes: types.map((t) => ({ className: t, name: t })),
    returnType: { className: ret, name: ret },
    implementation: null,
    original,
    apply: (receiver, args) => original.apply(receiver, args),
  };
  return o;
}

function fakeJava() {
  const classes = new Map<string, Record<string, unknown>>();
  const define = (name: string, methods: Record<string, FakeOverload[]>) => {
    const cls: Record<string, unknown> = { $className: name };
    for (const [m, overloads] of Object.entries(methods)) {
      cls[m] = {
        overloads,
        overload: (...types: string[]) => {
          const found = overloads.find((o) => o.argumentTypes.map((a) => a.className).join() === types.join());
          if (!found) throw new Error(`no overload ${types.join()}`);
          return found;
        },
      };
    }
    classes.set(name, cls);
    return methods;
  };
  /** Calls a method as the app would: through the hook when one is installed. */
  const call = (o: FakeOverload, receiver: unknown, ...args: unknown[]) => (o.implementation ?? o.original).apply(receiver, args);
  const obj = (className: string, extra: Record<string, unknown> = {}) => ({
    $className: className,
    getClass: () => ({ getName: () => className }),
    ...extra,
  });

  const stack = 'java.lang.Throwable\n\tat android.telephony.TelephonyManager.getImei(Native Method)\n\tat com.umeng.Sdk.id(Sdk.java:9)\n';
  define('android.util.Log', { getStackTraceString: [overload(['java.lang.Throwable'], 'java.lang.String', () => stack)] });
  classes.get('android.util.Log')!.getStackTraceString = () => stack;
  classes.set('java.lang.Throwable', { $className: 'java.lang.Throwable', $new: () => obj('java.lang.Throwable') });
  classes.set('java.lang.System', { $className: 'java.lang.System', identityHashCode: () => 77 });
  classes.set('android.app.ActivityThread', { $className: 'android.app.ActivityThread', currentProcessName: () => 'com.example.news' });
  const tm = define('android.telephony.TelephonyManager', {
    getImei: [overload([], 'java.lang.String', () => IMEI), overload(['int'], 'java.lang.String', () => IMEI)],
  });
  const activity = define('android.app.Activity', {
    onResume: [overload([], 'void', () => undefined)],
    onPause: [overload([], 'void', () => undefined)],
    requestPermissions: [overload(['[Ljava.lang.String;', 'int'], 'void', () => undefined)],
  });
  const main = define('com.example.news.MainActivity', {
    onRequestPermissionsResult: [overload(['int', '[Ljava.lang.String;', '[I'], 'void', () => undefined)],
  });
  const instrumentation = define('android.app.Instrumentation', {
    callApplicationOnCreate: [overload(['android.app.Application'], 'void', () => undefined)],
    execStartActivity: [
      overload(
        [
          'android.content.Context',
          'android.os.IBinder',
          'android.os.IBinder',
          'android.app.Activity',
          'android.content.Intent',
          'int',
          'android.os.Bundle',
        ],
        'android.app.Instrumentation$ActivityResult',
        () => null,
      ),
    ],
  });
  const sensorManager = define('android.hardware.SensorManager', {
    registerListener: [overload(['android.hardware.SensorEventListener', 'android.hardware.Sensor', 'int'], 'boolean', () => true)],
    unregisterListener: [overload(['android.hardware.SensorEventListener'], 'void', () => undefined)],
  });
  const listener = define('com.example.ads.ShakeListener', {
    onSensorChanged: [overload(['android.hardware.SensorEvent'], 'void', () => undefined)],
  });

  const view = define('android.view.View', { performClick: [overload([], 'boolean', () => true)] });
  const downloads = define('android.app.DownloadManager', {
    enqueue: [overload(['android.app.DownloadManager$Request'], 'long', () => 7)],
  });
  const contextWrapper = define('android.content.ContextWrapper', {
    startService: [overload(['android.content.Intent'], 'android.content.ComponentName', () => null)],
  });

  const Java = {
    available: true,
    androidVersion: '13',
    perform: (fn: () => void) => fn(),
    performNow: (fn: () => void) => fn(),
    use: (name: string) => {
      const cls = classes.get(name);
      if (!cls) throw new Error(`java.lang.ClassNotFoundException: ${name}`);
      return cls;
    },
  };
  return { Java, call, obj, tm, activity, main, instrumentation, sensorManager, listener, view, downloads, contextWrapper };
}

test('the bundled agent hooks through the Java bridge and sends redacted trace events', { timeout: 120_000 }, () => {
  assert.ok(bundle !== null, 'the build test ran first');
  const java = fakeJava();
  const sent: { type: string; event?: Record<string, unknown>; [k: string]: unknown }[] = [];
  const intervals: (() => void)[] = [];
  const sandbox: Record<string, unknown> = {
    Java: java.Java,
    send: (message: unknown) => sent.push(JSON.parse(JSON.stringify(message)) as (typeof sent)[number]),
    rpc: { exports: {} },
    Process: { id: 4321, getCurrentThreadId: () => 1 },
    setInterval: (fn: () => void) => intervals.push(fn),
    clearInterval: () => undefined,
    Date,
    Math,
    JSON,
  };
  runInNewContext(bundle!, sandbox);
  const exports = (sandbox.rpc as { exports: Record<string, (...a: unknown[]) => unknown> }).exports;
  const plan = hookPlanFromCatalog(catalog);
  const start = Date.now();
  assert.deepEqual(plain(exports.start!({ package: 'com.example.news', startTime: start, hostNow: start, plan, spawned: true })), {
    pid: 4321,
  });
  const ready = sent.find((m) => m.type === 'apprights-ready')!;
  assert.ok((ready.hooked as string[]).includes('telephony.getImei'));
  assert.ok((ready.hooked as string[]).includes('android.app.Activity.requestPermissions'));
  assert.ok((ready.missing as { id: string }[]).some((m) => m.id === 'msa.getOAID'));

  const { call, obj } = java;
  call(java.instrumentation.callApplicationOnCreate[0]!, {}, obj('com.example.news.NewsApp'));
  assert.equal(call(java.tm.getImei[0]!, obj('android.telephony.TelephonyManager')), IMEI, 'the app still gets its value');
  call(java.tm.getImei[1]!, obj('android.telephony.TelephonyManager'), 0);
  const mainActivity = obj('com.example.news.MainActivity', {
    checkSelfPermission: () => -1,
    shouldShowRequestPermissionRationale: () => false,
  });
  call(java.activity.onResume[0]!, mainActivity);
  call(java.activity.requestPermissions[0]!, mainActivity, ['android.permission.READ_PHONE_STATE'], 3);
  call(java.main.onRequestPermissionsResult[0]!, mainActivity, 3, ['android.permission.READ_PHONE_STATE'], [-1]);
  const intent = obj('android.content.Intent', {
    getAction: () => 'android.intent.action.VIEW',
    getDataString: () => `https://ad.example.com/c?imei=${IMEI}`,
    getType: () => null,
    getPackage: () => null,
    getComponent: () => null,
  });
  // A click on the app's own button, then the jump, a download and another app's service it leads to.
  const button = obj('android.widget.Button', {
    getId: () => 0x7f0a0001,
    getResources: () => ({ getResourcePackageName: () => 'com.example.news', getResourceEntryName: () => 'btn_ad' }),
    getContentDescription: () => null,
    getText: () => '立即下载',
  });
  call(java.view.performClick[0]!, button);
  call(java.instrumentation.execStartActivity[0]!, {}, null, null, null, mainActivity, intent, -1, null);
  call(java.downloads.enqueue[0]!, obj('android.app.DownloadManager'), {
    mUri: { value: `https://cdn.example-ads.com/apk/game.apk?imei=${IMEI}` },
  });
  const partner = obj('android.content.Intent', {
    getAction: () => null,
    getDataString: () => null,
    getType: () => null,
    getPackage: () => null,
    getComponent: () => ({ getPackageName: () => 'com.example.partner', getClassName: () => 'com.example.partner.WakeService' }),
  });
  call(java.contextWrapper.startService[0]!, obj('com.example.news.NewsApp'), partner);
  const shake = obj('com.example.ads.ShakeListener');
  const accel = obj('android.hardware.Sensor', { getType: () => 1 });
  call(java.sensorManager.registerListener[0]!, obj('android.hardware.SystemSensorManager'), shake, accel, 3);
  for (let i = 0; i < 5; i++) {
    call(java.listener.onSensorChanged[0]!, shake, { sensor: { value: accel }, values: { value: [i === 2 ? 25 : 0, 0, 9.8] } });
  }
  call(java.activity.onPause[0]!, mainActivity);
  assert.deepEqual(plain(exports.stop!()), {
    events: sent.filter((m) => m.type === AGENT_EVENT_MESSAGE).length,
    hooked: (ready.hooked as string[]).length,
    missing: (ready.missing as unknown[]).length,
  });

  const events = sent.filter((m) => m.type === AGENT_EVENT_MESSAGE).map((m) => m.event!);
  const text = JSON.stringify(events);
  assert.ok(!text.includes(IMEI) && !text.includes('12345678'), 'no identifier leaves the agent');
  const kinds = events.map((e) => `${e.kind}:${(e.action as string | undefined) ?? e.api}`);
  assert.deepEqual(kinds, [
    'lifecycle:process-start',
    'api:telephony.getImei',
    'api:telephony.getImei',
    'lifecycle:foreground',
    'navigation:activity',
    'api:activity.requestPermissions',
    'permission-request:undefined',
    'user:tap',
    'navigation:jump-browser',
    'api:downloadManager.enqueue',
    'navigation:download-start',
    'intent:undefined',
    'api:sensorManager.registerListener',
    'sensor:register',
    'sensor:reading',
  ]);
  const imei = events[1]!;
  assert.equal(imei.result, '<redacted String len=15>');
  assert.deepEqual(imei.stack, ['android.telephony.TelephonyManager.getImei(Native Method)', 'com.umeng.Sdk.id(Sdk.java:9)']);
  assert.equal(imei.pid, 4321);
  assert.equal(imei.process, 'com.example.news');
  assert.equal(events[2]!.args, '0');
  assert.deepEqual(events[0], {
    kind: 'lifecycle',
    t: events[0]!.t,
    action: 'process-start',
    cause: 'launcher',
    component: 'com.example.news.NewsApp',
    pid: 4321,
    process: 'com.example.news',
  });
  assert.equal(events[4]!.target, 'com.example.news.MainActivity');
  assert.deepEqual(events[6]!.permissions, ['android.permission.READ_PHONE_STATE']);
  assert.deepEqual(events[6]!.answers, ['denied-forever']);
  assert.deepEqual([events[7]!.node, events[7]!.nodeText, events[7]!.source], ['com.example.news:id/btn_ad', '立即下载', 'frida']);
  assert.equal(events[8]!.target, 'https://ad.example.com');
  assert.equal(events[8]!.trigger, 'user');
  assert.match(String(events[8]!.triggerEvidence), /^click on com\.example\.news:id\/btn_ad, \d+ ms before$/);
  assert.deepEqual(events[8]!.intent, { explicit: false, component: 'activity', action: 'android.intent.action.VIEW' });
  assert.deepEqual(
    [events[10]!.via, events[10]!.host, events[10]!.file, events[10]!.trigger],
    ['download-manager', 'cdn.example-ads.com', 'game.apk', 'user'],
  );
  assert.deepEqual(
    [events[11]!.explicit, events[11]!.component, events[11]!.target, events[11]!.targetComponent],
    [true, 'service', 'com.example.partner', 'com.example.partner.WakeService'],
  );
  assert.equal(events[13]!.sensor, 'accelerometer');
  assert.ok((events[14]!.accelerationPeak as number) > 20);
  assert.ok(events.every((e) => typeof e.t === 'number' && e.t >= 0 && e.t < 60_000));
});
