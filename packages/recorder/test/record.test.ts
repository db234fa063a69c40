import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readTrace, type TraceEvent } from '@apprights/runtime';
import { AdbError, FakeAdb, RecorderControl, recordWithAdb, type AdbRunner, type FakeAdbResponse } from '../src/index.js';

const recorded = (path: string) => readFileSync(fileURLToPath(new URL(`./recorded/${path}`, import.meta.url)), 'utf8');
const APP = 'com.example.news';
const DEVICE_EPOCH_S = 1704420720;
/** A 1×1 PNG, as `screencap -p` would give (smaller). */
const PNG = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

/** A fake phone: a clock that moves 10 ms per adb command and `intervalMs` per sleep. */
function fakeDevice(responses: Record<string, FakeAdbResponse>) {
  const state = { now: 0 };
  const getprops = Object.fromEntries(
    recorded('session/getprop.txt')
      .trim()
      .split('\n')
      .map((l) => l.split('=') as [string, string]),
  );
  const fake = new FakeAdb({
    ...Object.fromEntries(Object.entries(getprops).map(([k, v]) => [`shell getprop ${k}`, `${v}\n`])),
    'shell date +%s.%N': () => `${DEVICE_EPOCH_S + Math.floor(state.now / 1000)}.${String(state.now % 1000).padStart(3, '0')}000000\n`,
    'shell am force-stop': '',
    'shell logcat -c': '',
    'shell monkey -p': 'Events injected: 1\n## Network stats: elapsed time=43ms (0ms mobile, 0ms wifi, 43ms not connected)\n',
    'exec-out screencap -p': PNG,
    'shell input tap': '',
    ...responses,
  });
  const adb: AdbRunner = {
    run: async (args, options) => {
      state.now += 10;
      return fake.run(args, options);
    },
  };
  return { fake, adb, state, clock: () => state.now, sleep: async (ms: number) => void (state.now += ms) };
}

/** `dumpsys appops --package` as Android 13 prints it, for accesses at fake-clock times. */
function dumpsysAppOps(state: { now: number }, accesses: { op: string; at: number; uid: string; mode?: string }[]) {
  const ago = (ms: number) => {
    const h = Math.floor(ms / 3_600_000);
    const m = Math.floor((ms % 3_600_000) / 60_000);
    const s = Math.floor((ms % 60_000) / 1000);
    return `-${h ? `${h}h` : ''}${h || m ? `${m}m` : ''}${h || m || s ? `${s}s` : ''}${ms % 1000}ms`;
  };
  let out =
    'Current AppOps Service state:\n  Settings:\n    top_state_settle_time=+5s0ms\n\n  Uid u0a123:\n    state=top\n    Package com.example.news:\n';
  for (const a of accesses.filter((x) => x.at <= state.now)) {
    out += `      ${a.op} (${a.mode ?? 'allow'}):\n        null=[\n          Access: [${a.uid}-s] 2024-01-05 10:12:00.000 (${ago(state.now - a.at)})\n        ]\n`;
  }
  return out;
}

type Ev = TraceEvent & Record<string, unknown>;

function readLines(file: string): Ev[] {
  const text = readFileSync(file, 'utf8');
  assert.ok(text.endsWith('\n'));
  return text
    .trimEnd()
    .split('\n')
    .map((line) => {
      const event = JSON.parse(line) as Ev;
      assert.equal(typeof event.kind, 'string', line);
      assert.ok(Number.isFinite(event.t), line);
      return event;
    });
}

test('recordWithAdb: splash → consent dialog → auto-agree → permission dialog → main screen', async (t) => {
  const outDir = mkdtempSync(join(tmpdir(), 'apprights-record-'));
  t.after(() => rmSync(outDir, { recursive: true, force: true }));
  const accesses = [
    { op: 'COARSE_LOCATION', at: -3 * 3_600_000, uid: 'bg' }, // a previous run: not this trace's
    { op: 'READ_PHONE_STATE', at: 1500, uid: 'top' }, // before consent
    { op: 'WAKE_LOCK', at: 1600, uid: 'top' }, // no personal information
    { op: 'COARSE_LOCATION', at: 5200, uid: 'top' },
    { op: 'FINE_LOCATION', at: 6300, uid: 'fgs' },
  ];
  const device: ReturnType<typeof fakeDevice> = fakeDevice({
    'shell dumpsys package com.example.news': [
      recorded('dumpsys/package-android13-before.txt'),
      recorded('dumpsys/package-android13-before.txt'),
      recorded('dumpsys/package-android13-after.txt'),
    ],
    'exec-out uiautomator dump /dev/tty': [
      recorded('ui/splash.xml'),
      recorded('ui/consent-zh.xml'),
      recorded('ui/permission-location-en-android13.xml'),
      recorded('ui/main.xml'),
    ],
    'shell logcat -d -v epoch': (_args, call) => [recorded('session/logcat-1.txt'), '', recorded('session/logcat-3.txt')][call] ?? '',
    'shell dumpsys appops --package com.example.news': () => dumpsysAppOps(device.state, accesses),
  });
  const progress: string[] = [];
  const result = await recordWithAdb({
    adb: device.adb,
    package: APP,
    durationMs: 8000,
    intervalMs: 2000,
    autoConsent: true,
    outDir,
    clock: device.clock,
    sleep: device.sleep,
    serial: 'emulator-5554',
    onProgress: (p) => progress.push(p.message),
  });

  assert.deepEqual(result.warnings, []);
  assert.equal(result.traceFile, join(outDir, 'trace.jsonl'));
  const events = readLines(result.traceFile);
  assert.equal(result.events, events.length);
  for (let i = 1; i < events.length; i++) assert.ok(events[i]!.t >= events[i - 1]!.t, `time order at line ${i + 1}`);

  const header = events[0]!;
  assert.equal(header.kind, 'trace');
  assert.deepEqual(
    { package: header['package'], recorder: header['recorder'], versionName: header['versionName'], versionCode: header['versionCode'] },
    { package: APP, recorder: 'apprights-adb', versionName: '3.2.1', versionCode: 30201 },
  );
  assert.deepEqual(header['device'], { emulator: false, model: 'Pixel 7', sdkInt: 33, serial: 'emulator-5554' });

  const of = (kind: string) => events.filter((e) => e.kind === kind);
  const ui = of('ui');
  assert.deepEqual(
    ui.map((e) => [e['id'], e['role'], e['file'], e['screenshot']]),
    [
      ['ui-0001', 'splash', 'ui/ui-0001.xml', 'screenshots/ui-0001.png'],
      ['ui-0002', 'consent', 'ui/ui-0002.xml', 'screenshots/ui-0002.png'],
      ['ui-0003', 'permission', 'ui/ui-0003.xml', 'screenshots/ui-0003.png'],
      ['ui-0004', undefined, 'ui/ui-0004.xml', 'screenshots/ui-0004.png'],
    ],
  );
  assert.deepEqual(ui[0]!['screen'], { width: 1080, height: 2400 });
  for (const e of ui) {
    assert.ok(existsSync(join(outDir, e['file'] as string)));
    assert.deepEqual(readFileSync(join(outDir, e['screenshot'] as string)), PNG);
  }
  assert.equal(
    readFileSync(join(outDir, 'ui/ui-0002.xml'), 'utf8'),
    recorded('ui/consent-zh.xml').replace(/UI hierchary dumped to: \/dev\/tty\n$/, ''),
  );
  assert.equal(result.snapshots, 4);
  assert.equal(result.screenshots, 4);

  // consent: shown by the UI dump, agreed by the recorder's tap on 同意并继续
  const consent = of('consent');
  assert.deepEqual(
    consent.map((e) => [e['action'], e['detectedBy'], e['snapshot']]),
    [
      ['shown', 'ui', 'ui-0002'],
      ['agreed', 'auto', 'ui-0002'],
    ],
  );
  assert.equal(consent[0]!.t, ui[1]!.t);
  const taps = of('user').filter((e) => e['action'] === 'tap');
  assert.deepEqual(
    taps.map((e) => [e['x'], e['y'], e['node']]),
    [[540, 1620, `${APP}:id/btn_agree`]],
  );
  assert.ok(taps[0]!.t <= consent[1]!.t);
  assert.deepEqual(device.fake.callsTo('shell input tap'), [['shell', 'input', 'tap', '540', '1620']]);

  // the permission dialog, answered (by the tester) and read back from dumpsys package
  const requests = of('permission-request');
  assert.equal(requests.length, 1);
  assert.deepEqual(requests[0]!['permissions'], ['android.permission.ACCESS_FINE_LOCATION', 'android.permission.ACCESS_COARSE_LOCATION']);
  assert.deepEqual(requests[0]!['answers'], ['granted', 'granted']);
  assert.equal(requests[0]!['purposeShown'], true);
  assert.equal(requests[0]!['purposeText'], '位置权限使用说明：用于为您推荐本地新闻和天气');
  assert.equal(requests[0]!.t, ui[2]!.t);

  // lifecycle and navigation from logcat, on the trace's clock
  const lifecycle = of('lifecycle');
  assert.deepEqual(
    lifecycle.map((e) => [e['action'], e['cause'], e['process']]),
    [
      ['process-start', 'launcher', APP],
      ['foreground', undefined, APP],
      ['process-start', 'push', `${APP}:pushcore`],
    ],
  );
  // the fake device's clock is the test clock (epoch DEVICE_EPOCH_S at 0); the recorder maps logcat times within one command's latency
  const near = (actual: number, expected: number) => assert.ok(Math.abs(actual - expected) <= 10, `${actual} ≉ ${expected}`);
  near(lifecycle[0]!.t, 170);
  near(lifecycle[2]!.t, 2400);
  const navigation = of('navigation');
  assert.deepEqual(
    navigation.map((e) => [e['action'], e['target'], e['trigger']]),
    [
      ['activity', `${APP}.SplashActivity`, 'user'],
      ['activity', `${APP}.MainActivity`, undefined],
    ],
  );
  near(navigation[0]!.t, 150);
  near(navigation[1]!.t, 4000);
  const launch = of('user').find((e) => e['action'] === 'launch')!;
  assert.equal(launch['node'], APP);
  assert.ok(launch.t < lifecycle[0]!.t);
  assert.ok(device.fake.callsTo('shell logcat -d -v epoch').some((args) => args.includes('-T')));

  // AppOps: this run's accesses with personal information, with the app's state
  const api = of('api');
  assert.deepEqual(
    api.map((e) => [e['class'], e['method'], e['pi'], e['state']]),
    [
      ['appops', 'READ_PHONE_STATE', 'device-identifiers', 'foreground'],
      ['appops', 'COARSE_LOCATION', 'location', 'foreground'],
      ['appops', 'FINE_LOCATION', 'location', 'background'],
    ],
  );
  assert.ok(Math.abs(api[0]!.t - 1500) <= 20, `READ_PHONE_STATE at ${api[0]!.t}`);
  assert.ok(api[0]!.t < consent[1]!.t, 'the identifier read comes before consent');
  assert.equal(api[2]!['args'], 'uidState=fgs');

  // the order of the setup commands
  const order = device.fake.calls.map((c) => c.args.slice(0, 3).join(' '));
  assert.ok(order.indexOf('shell am force-stop') < order.indexOf('shell monkey -p'));
  assert.ok(order.indexOf('shell logcat -c') < order.indexOf('shell monkey -p'));
  assert.ok(progress.length >= 4 && progress.at(-1) === 'done');

  // the runtime package's reader takes it as is
  const trace = readTrace(readFileSync(result.traceFile, 'utf8'), { source: result.traceFile });
  assert.deepEqual(trace.problems, []);
  assert.equal(trace.header?.package, APP);
  assert.equal(trace.events.length, events.length);
});

test('recordWithAdb without auto-consent: the tester marks consent; fallbacks for uiautomator and AppOps', async (t) => {
  const outDir = mkdtempSync(join(tmpdir(), 'apprights-record-'));
  t.after(() => rmSync(outDir, { recursive: true, force: true }));
  const control = new RecorderControl();
  const device: ReturnType<typeof fakeDevice> = fakeDevice({
    'shell dumpsys package com.example.news': recorded('dumpsys/package-android13-before.txt'),
    'exec-out uiautomator dump /dev/tty': { code: 1, stderr: 'ERROR: null root node returned by UiTestAutomationBridge.' },
    'shell uiautomator dump /data/local/tmp/apprights-ui.xml': 'UI hierchary dumped to: /data/local/tmp/apprights-ui.xml\n',
    'exec-out cat /data/local/tmp/apprights-ui.xml': (_args, call) => {
      if (call === 1) control.markConsent('agreed');
      if (call === 2) control.stop();
      return [recorded('ui/splash.xml'), recorded('ui/consent-zh.xml'), recorded('ui/main.xml')][call] ?? recorded('ui/main.xml');
    },
    'shell logcat -d -v epoch': '',
    'shell dumpsys appops': { code: 255, stderr: 'Unknown option: --package' },
    'shell appops get com.example.news': () =>
      device.state.now < 1500
        ? 'CAMERA: ignore; rejectTime=+3h0m0s0ms ago\n'
        : `READ_CLIPBOARD: allow; time=+${Math.floor((device.state.now - 1500) / 1000)}s${(device.state.now - 1500) % 1000}ms ago\nCAMERA: ignore; rejectTime=+3h0m0s0ms ago\n`,
  });
  const result = await recordWithAdb({
    adb: device.adb,
    package: APP,
    durationMs: 60_000,
    intervalMs: 1000,
    autoConsent: false,
    screenshots: false,
    outDir,
    clock: device.clock,
    sleep: device.sleep,
    control,
  });
  const events = readLines(result.traceFile);
  assert.equal(result.snapshots, 3, 'stopped after the third poll');
  assert.equal(result.screenshots, 0);
  assert.ok(!existsSync(join(outDir, 'screenshots')));
  assert.deepEqual(device.fake.callsTo('shell input'), []);
  assert.deepEqual(
    events.filter((e) => e.kind === 'consent').map((e) => [e['action'], e['detectedBy']]),
    [
      ['shown', 'ui'],
      ['agreed', 'user'],
    ],
  );
  assert.equal(device.fake.callsTo('exec-out uiautomator dump /dev/tty').length, 1, 'falls back to a file once');
  assert.equal(device.fake.callsTo('shell appops get').length, 4, 'the baseline and three polls');
  // READ_CLIPBOARD, read once at 1.5 s, shows at every later poll: one access, not one per poll; the old CAMERA reject is not this run's
  const api = events.filter((e) => e.kind === 'api');
  assert.deepEqual(
    api.map((e) => [e['method'], e['pi']]),
    [['READ_CLIPBOARD', 'clipboard']],
  );
  assert.deepEqual(readTrace(readFileSync(result.traceFile, 'utf8')).problems, []);
});

test('recordWithAdb refuses bad packages and reports a missing device or app', async (t) => {
  const outDir = mkdtempSync(join(tmpdir(), 'apprights-record-'));
  t.after(() => rmSync(outDir, { recursive: true, force: true }));
  const base = { durationMs: 1000, intervalMs: 500, autoConsent: false, outDir };
  const untouched = new FakeAdb();
  await assert.rejects(recordWithAdb({ ...base, adb: untouched, package: 'com.x;reboot' }), TypeError);
  await assert.rejects(recordWithAdb({ ...base, adb: untouched, package: '../../etc' }), TypeError);
  assert.equal(untouched.calls.length, 0);
  await assert.rejects(recordWithAdb({ ...base, adb: untouched, package: APP, intervalMs: 0 }), RangeError);
  const offline = new FakeAdb({ 'shell getprop': { code: 1, stderr: 'adb: device offline' } });
  await assert.rejects(
    recordWithAdb({ ...base, adb: offline, package: APP }),
    (e: Error) => e instanceof AdbError && /device offline/.test(e.message),
  );
  const missing = new FakeAdb({ 'shell getprop': '33\n', 'shell dumpsys package': 'Unable to find package: com.example.news\n' });
  await assert.rejects(recordWithAdb({ ...base, adb: missing, package: APP }), /not installed/);
});

test('recordWithAdb: a slow clock read (seconds under load) does not drop the launch from logcat', async (t) => {
  const outDir = mkdtempSync(join(tmpdir(), 'apprights-record-'));
  t.after(() => rmSync(outDir, { recursive: true, force: true }));
  const epoch = (ms: number) => `${DEVICE_EPOCH_S + Math.floor(ms / 1000)}.${String(ms % 1000).padStart(3, '0')}`;
  let launchedAt: number | null = null;
  const device: ReturnType<typeof fakeDevice> = fakeDevice({
    'shell dumpsys package com.example.news': recorded('dumpsys/package-android13-before.txt'),
    // the device answers 2 s after the call, printing its clock at the end: the mapping is off by ~1 s
    'shell date +%s.%N': () => {
      device.state.now += 2000;
      return `${epoch(device.state.now)}000000\n`;
    },
    'shell monkey -p': () => {
      launchedAt = device.state.now;
      return 'Events injected: 1\n';
    },
    'exec-out uiautomator dump /dev/tty': recorded('ui/main.xml'),
    'shell logcat -d -v epoch': () =>
      launchedAt === null
        ? ''
        : `--------- beginning of system\n  ${epoch(launchedAt + 70)}  1432  1466 I ActivityManager: Start proc 12345:com.example.news/u0a123 for pre-top-activity {com.example.news/com.example.news.SplashActivity}\n`,
    'shell dumpsys appops --package com.example.news': dumpsysAppOps({ now: 0 }, []),
  });
  const result = await recordWithAdb({
    adb: device.adb,
    package: APP,
    durationMs: 2000,
    intervalMs: 1000,
    autoConsent: false,
    screenshots: false,
    outDir,
    clock: device.clock,
    sleep: device.sleep,
  });
  const events = readLines(result.traceFile);
  const launch = events.find((e) => e.kind === 'user' && e['action'] === 'launch')!;
  const start = events.find((e) => e.kind === 'lifecycle' && e['action'] === 'process-start');
  assert.ok(start, JSON.stringify(events));
  assert.ok(start.t >= launch.t, 'never before the launch that caused it');
  for (let i = 1; i < events.length; i++) assert.ok(events[i]!.t >= events[i - 1]!.t, `time order at line ${i + 1}`);
});
