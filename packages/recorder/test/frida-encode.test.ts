import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  ForegroundTracker,
  PermissionTracker,
  RateLimiter,
  SensorSummariser,
  STANDARD_GRAVITY,
  acceptAgentEvent,
  apiEvent,
  classifyIntent as classifyJump,
  downloadTarget,
  triggerOf,
  dexArgsToFrida,
  hookPlanFromCatalog,
  matchContentUri,
  parseStackTrace,
  redactArg,
  redactArgs,
  redactResult,
  redactUri,
  type CatalogEntry,
  type SensorReading,
  type ValueDescription,
} from '../src/index.js';

const IMEI = '861234567890123';
const catalog = (
  JSON.parse(readFileSync(fileURLToPath(new URL('../../knowledge/data/sensitive-apis.json', import.meta.url)), 'utf8')) as {
    apis: CatalogEntry[];
  }
).apis;

test('redaction never lets an IMEI, a phone number, a MAC address or coordinates through', () => {
  const secrets = [
    IMEI,
    '+8613800138000',
    '13800138000',
    '02:00:00:00:00:00',
    'a4:5e:60:c1:22:9f',
    '39.9042',
    '116.4074',
    'user@example.com',
  ];
  const values: ValueDescription[] = [
    ...secrets.map((value) => ({ kind: 'string' as const, value })),
    { kind: 'string', value: `imei=${IMEI}` },
    { kind: 'string', value: `getprop ${IMEI}` },
    { kind: 'string', value: 'lat 39.9042 lon 116.4074' },
    { kind: 'integer', value: 861234567890123 },
    { kind: 'integer', value: 3232235777, type: 'int' },
    { kind: 'float', type: 'double' },
  ];
  for (const v of values) {
    for (const text of [redactArg(v), redactResult(v), redactArgs([v, v])]) {
      assert.doesNotMatch(text, /\d{5,}/, text);
      assert.doesNotMatch(text, /39\.9|116\.4|8613|@|:00:/, text);
    }
  }
  assert.equal(redactArg({ kind: 'string', value: IMEI }), 'String(len=15)');
  assert.equal(redactResult({ kind: 'string', value: IMEI }), '<redacted String len=15>');
  assert.equal(redactResult({ kind: 'integer', value: 42, type: 'int' }), '<redacted int>');
  assert.equal(redactResult({ kind: 'float', type: 'double' }), '<redacted double>');
  // A whole api event built from an IMEI result and location arguments.
  const event = apiEvent(
    { id: 'telephony.getImei', class: 'android.telephony.TelephonyManager', method: 'getImei', pi: 'device-identifiers' },
    5,
    {
      args: [
        { kind: 'integer', value: 0, type: 'int' },
        { kind: 'float', type: 'double' },
      ],
      result: { kind: 'string', value: IMEI },
    },
  );
  const json = JSON.stringify(event);
  assert.ok(!json.includes(IMEI) && !json.includes('39.9'));
  assert.equal(event.args, '0, double');
});

test('constants, small integers and types stay readable', () => {
  assert.equal(redactArg({ kind: 'string', value: 'android_id' }), '"android_id"');
  assert.equal(redactArg({ kind: 'string', value: 'android.permission.READ_PHONE_STATE' }), '"android.permission.READ_PHONE_STATE"');
  assert.equal(redactArg({ kind: 'string', value: 'gps' }), '"gps"');
  assert.equal(redactArg({ kind: 'string', value: 'getprop ro.serialno' }), '"getprop ro.serialno"');
  assert.equal(redactArg({ kind: 'string', value: 'cat /sys/class/net/wlan0/address' }), '"cat …"(len=32)');
  assert.equal(redactArg({ kind: 'string', value: 'Alice' }), 'String(len=5)');
  assert.equal(redactArg({ kind: 'integer', value: 128, type: 'int' }), '128');
  assert.equal(redactArg({ kind: 'boolean', value: true }), 'true');
  assert.equal(redactArg({ kind: 'object', type: 'java.lang.String' }), 'String');
  assert.equal(redactArg({ kind: 'object', type: 'android.content.Intent' }), 'android.content.Intent');
  assert.equal(redactArg({ kind: 'array', type: 'java.lang.String', length: 3 }), 'String[3]');
  assert.equal(redactResult({ kind: 'boolean', value: false }), 'false');
  assert.equal(redactResult({ kind: 'null' }), 'null');
});

test('URIs keep scheme and host, never queries, numbers or file names with identifiers', () => {
  assert.equal(redactUri(`https://ads.example.com/click?imei=${IMEI}&lat=39.9042`), 'https://ads.example.com');
  assert.equal(redactUri('https://cdn.example.com/apps/game-1.2.apk?sign=abc'), 'https://cdn.example.com/…/game-1.2.apk');
  assert.equal(redactUri(`https://cdn.example.com/apps/${IMEI}.apk`), 'https://cdn.example.com/…/….apk');
  assert.equal(redactUri('http://192.168.1.20:8080/x'), 'http://<ip>');
  assert.equal(redactUri('content://com.android.contacts/contacts/123'), 'content://com.android.contacts/contacts/#');
  assert.equal(redactUri('content://sms/inbox'), 'content://sms/inbox');
  assert.equal(redactUri('tel:13800138000'), 'tel:');
  assert.equal(redactUri('geo:39.9042,116.4074'), 'geo:');
  assert.equal(redactUri('weixin://dl/business/?t=abc'), 'weixin://dl');
  // A store link keeps the advertised package (no personal information; what the rules need), nothing else.
  assert.equal(redactUri('market://details?id=com.example.game'), 'market://details?id=com.example.game');
  assert.equal(redactUri('market://details?id=com.example.game&referrer=uid%3D12345'), 'market://details?id=com.example.game');
  assert.equal(redactUri('market://details?id=1234567'), 'market://details');
  assert.equal(
    redactUri('https://a.app.qq.com/o/simple.jsp?pkgname=com.example.game&uid=99'),
    'https://a.app.qq.com/o/simple.jsp?id=com.example.game',
  );
  assert.equal(redactUri('not a uri'), '<uri>');
});

test('stack strings parse to frames, innermost first, capped at 64', () => {
  const text = [
    'java.lang.Throwable',
    '\tat dalvik.system.VMStack.getThreadStackTrace(Native Method)',
    '\tat android.telephony.TelephonyManager.getImei(Native Method)',
    '\tat com.umeng.commonsdk.utils.UMUtils.getImei(UMUtils.java:120)',
    '\tat com.example.news.NewsApplication.onCreate(NewsApplication.java:41)',
    'Caused by: java.lang.RuntimeException: x',
    '\tat should.not.Appear(X.java:1)',
    '\t... 3 more',
  ].join('\n');
  assert.deepEqual(parseStackTrace(text), [
    'android.telephony.TelephonyManager.getImei(Native Method)',
    'com.umeng.commonsdk.utils.UMUtils.getImei(UMUtils.java:120)',
    'com.example.news.NewsApplication.onCreate(NewsApplication.java:41)',
  ]);
  const long = ['java.lang.Throwable', ...Array.from({ length: 200 }, (_, i) => `\tat a.B.m${i}(B.java:${i})`)].join('\r\n');
  const frames = parseStackTrace(long);
  assert.equal(frames.length, 64);
  assert.equal(frames[0], 'a.B.m0(B.java:0)');
  assert.deepEqual(parseStackTrace(undefined), []);
  assert.deepEqual(parseStackTrace('garbage\n\n'), []);
  assert.equal(parseStackTrace(`\tat ${'x'.repeat(1000)}`)[0]!.length, 300);
});

/** Readings at 50 Hz (every 20 ms) from `from` to `to` ms. */
function readings(type: number, from: number, to: number, values: (t: number) => number[]): SensorReading[] {
  const out: SensorReading[] = [];
  for (let t = from; t < to; t += 20) out.push({ t, type, values: values(t) });
  return out;
}

test('sensor windows: peak linear acceleration with gravity removed, per 500 ms, with the movement duration', () => {
  const s = new SensorSummariser();
  const events = [];
  // At rest (gravity only) for 1 s, then a shake along x with a 20 m/s² peak for 1 s, then rest.
  const shake = (t: number) => (t >= 1000 && t < 2000 ? 20 * Math.sin(((t - 1000) / 100) * Math.PI) : 0);
  for (const r of readings(1, 0, 3500, (t) => [shake(t), 0, STANDARD_GRAVITY])) events.push(...s.add(r));
  events.push(...s.flushAll());
  assert.ok(events.length >= 2 && events.length <= 4, JSON.stringify(events));
  assert.ok(events.every((e) => e.kind === 'sensor' && e.action === 'reading' && e.sensor === 'accelerometer'));
  assert.deepEqual(
    events.map((e) => e.t),
    events.map((e) => e.t - (e.t % 500)),
  );
  const peak = Math.max(...events.map((e) => e.accelerationPeak ?? 0));
  assert.ok(peak > 17 && peak < 24, `peak ${peak}`);
  // Windows at rest are not reported: nothing before 1000 ms.
  assert.ok(events.every((e) => e.t >= 1000));
  const duration = Math.max(...events.map((e) => e.durationMs ?? 0));
  assert.ok(duration >= 800 && duration <= 1000, `duration ${duration}`);
});

test('sensor windows: linear acceleration as is, gyroscope rotation integrated to degrees', () => {
  const s = new SensorSummariser();
  const events = [];
  for (const r of readings(10, 0, 500, (t) => [t === 200 ? 16 : 0.1, 0, 0])) events.push(...s.add(r));
  // 90°/s (π/2 rad/s) around z for 600 ms: ~54°.
  for (const r of readings(4, 500, 1100, () => [0, 0, Math.PI / 2])) events.push(...s.add(r));
  for (const r of readings(4, 1100, 1700, () => [0, 0, 0])) events.push(...s.add(r));
  events.push(...s.flushAll());
  const linear = events.filter((e) => e.sensor === 'linear-acceleration');
  assert.equal(linear.length, 1);
  assert.equal(linear[0]!.accelerationPeak, 16);
  const gyro = events.filter((e) => e.sensor === 'gyroscope');
  const rotation = Math.max(...gyro.map((e) => e.rotationPeak ?? 0));
  assert.ok(rotation > 50 && rotation < 56, `rotation ${rotation}`);
  assert.ok(events.length < 10, 'summaries, not readings');
});

test('sensor windows: rotation vector angle from where the movement began', () => {
  const s = new SensorSummariser();
  const events = [];
  // Rotate 0 → 40° around z over 400 ms, then hold.
  const q = (deg: number) => {
    const half = (deg * Math.PI) / 360;
    return [0, 0, Math.sin(half), Math.cos(half)];
  };
  for (const r of readings(11, 0, 1500, (t) => q(t < 500 ? 0 : t < 900 ? ((t - 500) / 400) * 40 : 40))) events.push(...s.add(r));
  events.push(...s.flushAll());
  const peak = Math.max(...events.map((e) => e.rotationPeak ?? 0));
  assert.ok(peak > 37 && peak <= 40.01, `peak ${peak}`);
  assert.ok(events.every((e) => e.sensor === 'rotation-vector'));
});

test('intent classification: apps, browsers, stores, package installs, the app itself', () => {
  const classifyIntent = (summary: Parameters<typeof classifyJump>[0], self: string) => {
    const found = classifyJump(summary, self);
    if (found === null) return null;
    const { intent: _intent, ...rest } = found;
    return rest;
  };
  const self = 'com.example.news';
  assert.deepEqual(classifyIntent({ action: 'android.intent.action.VIEW', data: 'https://m.example.com/a?uid=1234567' }, self), {
    action: 'jump-browser',
    target: 'https://m.example.com',
  });
  assert.deepEqual(classifyIntent({ action: 'android.intent.action.VIEW', data: 'market://details?id=com.game' }, self), {
    action: 'jump-store',
    target: 'market://details?id=com.game',
  });
  assert.deepEqual(classifyIntent({ data: 'https://app.mi.com/details?id=x', package: null }, self), {
    action: 'jump-store',
    target: 'https://app.mi.com',
  });
  assert.deepEqual(classifyIntent({ action: 'android.intent.action.VIEW', package: 'com.huawei.appmarket' }, self), {
    action: 'jump-store',
    target: 'com.huawei.appmarket',
  });
  assert.deepEqual(classifyIntent({ componentPackage: 'com.taobao.taobao', componentClass: 'com.taobao.Main' }, self), {
    action: 'jump-app',
    target: 'com.taobao.taobao',
  });
  assert.deepEqual(classifyIntent({ action: 'android.intent.action.VIEW', data: 'tbopen://m.taobao.com/x?id=1' }, self), {
    action: 'jump-app',
    target: 'tbopen://m.taobao.com',
  });
  assert.deepEqual(
    classifyIntent(
      {
        action: 'android.intent.action.VIEW',
        data: 'content://com.example.news.fileprovider/dl/game.apk',
        type: 'application/vnd.android.package-archive',
      },
      self,
    ),
    { action: 'install-request', target: 'content://com.example.news.fileprovider/dl/#' },
  );
  assert.deepEqual(classifyIntent({ action: 'android.intent.action.VIEW', data: 'file:///sdcard/Download/game.apk' }, self), {
    action: 'install-request',
    target: 'file:…/game.apk',
  });
  assert.equal(classifyIntent({ componentPackage: self, componentClass: `${self}.DetailActivity` }, self), null);
  assert.equal(classifyIntent({ action: 'android.intent.action.MAIN' }, self), null);
  assert.deepEqual(classifyIntent({ action: 'android.settings.APPLICATION_DETAILS_SETTINGS', data: `package:${self}` }, self), {
    action: 'jump-app',
    target: 'android.settings.APPLICATION_DETAILS_SETTINGS',
  });
});

test('hook plan from the real catalogue', () => {
  const plan = hookPlanFromCatalog(catalog);
  const methods = catalog.filter((a) => a.kind === 'method');
  assert.equal(
    plan.apis.length + plan.dedicated.length + plan.skipped.filter((s) => /same method|malformed/.test(s.reason)).length,
    methods.length,
  );
  const imei = plan.apis.find((h) => h.id === 'telephony.getImei')!;
  assert.deepEqual(imei, {
    id: 'telephony.getImei',
    class: 'android.telephony.TelephonyManager',
    method: 'getImei',
    pi: 'device-identifiers',
  });
  assert.equal(plan.apis.find((h) => h.id === 'settings.secure.getString')!.class, 'android.provider.Settings$Secure');
  assert.deepEqual(
    plan.apis.find((h) => h.id === 'componentName.init'),
    {
      id: 'componentName.init',
      class: 'android.content.ComponentName',
      method: '$init',
      argTypes: ['java.lang.String', 'java.lang.String'],
      pi: null,
      hot: true,
    },
  );
  assert.equal(plan.apis.find((h) => h.id === 'audioRecord.init')!.method, '$init');
  assert.equal(plan.apis.find((h) => h.id === 'class.forName')!.hot, true);
  assert.deepEqual(plan.dedicated.map((d) => d.id).sort(), [
    'activity.requestPermissions',
    'androidx.activityCompat.requestPermissions',
    'downloadManager.enqueue',
    'sensorManager.registerListener',
    'support.activityCompat.requestPermissions',
  ]);
  assert.ok(plan.contentUris.some((c) => c.id === 'uri.sms' && c.prefix === 'content://sms'));
  assert.ok(plan.skipped.some((s) => s.id === 'build.SERIAL' && s.reason.startsWith('field')));
  assert.ok(plan.skipped.some((s) => s.id === 'settings.androidIdKey'));
  assert.deepEqual(matchContentUri(plan, 'content://sms/inbox'), { id: 'uri.sms', pi: 'sms' });
  assert.equal(matchContentUri(plan, 'content://smsx'), null);
  // Every class is a Java binary name and every method a plain name.
  for (const h of plan.apis) {
    assert.match(h.class, /^[a-z][\w]*(\.[\w$]+)+$/);
    assert.match(h.method, /^(\$init|[A-Za-z_][\w$]*)$/);
  }
  assert.deepEqual(dexArgsToFrida('Ljava/lang/String;I[B[[Ljava/lang/Object;J'), [
    'java.lang.String',
    'int',
    '[B',
    '[[Ljava.lang.Object;',
    'long',
  ]);
  assert.equal(dexArgsToFrida('Ljava/lang/String'), null);
  assert.equal(dexArgsToFrida('Q'), null);
});

test('permission tracker: answers, denied forever, dismissed, already granted, expiry', () => {
  const p = new PermissionTracker();
  assert.deepEqual(p.request(7, ['android.permission.CAMERA', 'android.permission.RECORD_AUDIO'], 100, ['a.B.c(B.java:1)']), []);
  const answered = p.answer(7, ['android.permission.CAMERA', 'android.permission.RECORD_AUDIO'], [0, -1], [true, false]);
  assert.deepEqual(answered, {
    kind: 'permission-request',
    t: 100,
    permissions: ['android.permission.CAMERA', 'android.permission.RECORD_AUDIO'],
    stack: ['a.B.c(B.java:1)'],
    answers: ['granted', 'denied-forever'],
  });
  assert.equal(p.answer(7, [], []), null);
  p.request(8, ['android.permission.ACCESS_FINE_LOCATION'], 200);
  assert.deepEqual(p.answer(8, [], [])!.answers, ['dismissed']);
  const already = p.request(9, ['android.permission.CAMERA'], 300, undefined, [true]);
  assert.deepEqual(already[0]!.answers, ['already-granted']);
  p.request(10, ['android.permission.READ_CONTACTS', 'bad name!'], 400);
  assert.deepEqual(p.expire(1000, 5000), []);
  const expired = p.expire(6000, 5000);
  assert.equal(expired.length, 1);
  assert.deepEqual(expired[0]!.permissions, ['android.permission.READ_CONTACTS']);
  assert.equal(expired[0]!.answers, undefined);
});

test('foreground tracker: transitions inside the app are not a background', () => {
  const f = new ForegroundTracker(700);
  assert.deepEqual(f.resume(100), { kind: 'lifecycle', t: 100, action: 'foreground' });
  f.pause(1000);
  assert.equal(f.resume(1100), null); // the next activity of the app
  assert.equal(f.tick(3000), null);
  f.pause(4000);
  assert.equal(f.tick(4500), null);
  assert.deepEqual(f.tick(4800), { kind: 'lifecycle', t: 4000, action: 'background' });
  assert.deepEqual(f.resume(9000), { kind: 'lifecycle', t: 9000, action: 'foreground' });
});

test('rate limiter counts the calls it drops', () => {
  const r = new RateLimiter(2);
  assert.equal(r.take('a', 0), 0);
  assert.equal(r.take('a', 10), 0);
  assert.equal(r.take('a', 20), null);
  assert.equal(r.take('a', 30), null);
  assert.deepEqual(r.pending(), [{ key: 'a', dropped: 2 }]);
  assert.equal(r.take('a', 1000), 2);
  assert.equal(r.take('b', 1000), 0);
});

test('the host accepts only trace events from the agent', () => {
  assert.equal(acceptAgentEvent(null), null);
  assert.equal(acceptAgentEvent({ kind: 'trace', t: 0 }), null);
  assert.equal(acceptAgentEvent({ kind: 'api', t: Number.NaN }), null);
  assert.equal(acceptAgentEvent({ kind: 'API; rm', t: 1 }), null);
  assert.equal(acceptAgentEvent({ kind: 'api', t: 1, args: 'x'.repeat(70_000) }), null);
  const event = acceptAgentEvent({
    kind: 'api',
    t: 1,
    class: 'a.B',
    method: 'c',
    stack: [...Array.from({ length: 100 }, (_, i) => `f${i}`), 5],
  });
  assert.equal((event as { stack: string[] }).stack.length, 64);
});

test('trace 1.1: intents say explicit or implicit and the package; triggers rest on the last input; downloads keep host and file', () => {
  assert.deepEqual(classifyJump({ componentPackage: 'com.taobao.taobao', componentClass: 'com.taobao.Main' }, 'com.example.news')?.intent, {
    explicit: true,
    component: 'activity',
    package: 'com.taobao.taobao',
  });
  assert.deepEqual(classifyJump({ action: 'android.intent.action.VIEW', data: 'https://m.example.com/a' }, 'com.example.news')?.intent, {
    explicit: false,
    component: 'activity',
    action: 'android.intent.action.VIEW',
  });
  assert.deepEqual(triggerOf({ t: 1000, what: 'click on btn_download' }, 1300, 2000, true), {
    trigger: 'user',
    triggerEvidence: 'click on btn_download, 300 ms before',
  });
  assert.equal(triggerOf({ t: 1000, what: 'touch' }, 9000, 2000, true).trigger, 'app');
  assert.equal(triggerOf(null, 9000, 2000, false).trigger, 'unknown');
  assert.deepEqual(downloadTarget('https://cdn.example-ads.com/apk/game-3.2.apk?uid=998877'), {
    target: 'https://cdn.example-ads.com/…/game-3.2.apk',
    host: 'cdn.example-ads.com',
    file: 'game-3.2.apk',
  });
});
