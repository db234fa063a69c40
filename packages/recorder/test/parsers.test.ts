import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import {
  answerOfGrant,
  appStateOfUidState,
  findConsentDialog,
  parseAndroidDuration,
  parseAppOps,
  parseDumpsysPackagePermissions,
  parseLogcatActivity,
  parsePermissionDialog,
  readUiDump,
  splitLogcatLine,
  LogcatActivityParser,
} from '../src/index.js';

const recorded = (path: string) => readFileSync(fileURLToPath(new URL(`./recorded/${path}`, import.meta.url)), 'utf8');
const APP = 'com.example.news';

/** Inputs that are not what a parser expects: none may throw. */
const GARBAGE: unknown[] = [
  '',
  '\0\0\0',
  '<<<<>>>>',
  '<node text="unterminated',
  '<node '.repeat(50_000),
  'COARSE_LOCATION: allow; time=+99999999999999999999d ago',
  'Access: [top-s] (-)',
  `${'a'.repeat(100_000)}\n`.repeat(20),
  '\uFFFD'.repeat(10_000),
  null,
  undefined,
  42,
  { text: 'x' },
];

test('Android durations', () => {
  assert.equal(parseAndroidDuration('+1m23s456ms'), 83_456);
  assert.equal(parseAndroidDuration('-1h2m3s4ms'), -3_723_004);
  assert.equal(parseAndroidDuration('+1d2h0m0s0ms'), 93_600_000);
  assert.equal(parseAndroidDuration('0'), 0);
  assert.equal(parseAndroidDuration('+5s'), 5000);
  assert.equal(parseAndroidDuration('soon'), undefined);
  assert.equal(parseAndroidDuration('+'), undefined);
});

test('appops get (Android 10 form): modes, accesses, rejects, pi categories', () => {
  const now = 1_000_000;
  const report = parseAppOps(recorded('appops/appops-get-android10.txt'), now);
  assert.equal(report.format, 'appops-get');
  assert.ok(report.modes.some((m) => m.op === 'POST_NOTIFICATION' && m.mode === 'allow'));
  assert.ok(!report.modes.some((m) => m.op === 'Uid mode'));
  const coarse = report.accesses.find((a) => a.op === 'COARSE_LOCATION')!;
  assert.deepEqual(
    { kind: coarse.kind, time: coarse.time, ago: coarse.ago, durationMs: coarse.durationMs, pi: coarse.pi, mode: coarse.mode },
    { kind: 'access', time: now - 83_456, ago: 83_456, durationMs: 2010, pi: 'location', mode: 'allow' },
  );
  assert.equal(report.accesses.find((a) => a.op === 'FINE_LOCATION')!.running, true);
  assert.equal(report.accesses.find((a) => a.op === 'READ_CLIPBOARD')!.pi, 'clipboard');
  assert.equal(report.accesses.find((a) => a.op === 'READ_PHONE_STATE')!.pi, 'device-identifiers');
  const rejected = report.accesses.find((a) => a.op === 'READ_DEVICE_IDENTIFIERS')!;
  assert.equal(rejected.kind, 'reject');
  assert.equal(rejected.time, now - 12_301);
  assert.equal(report.accesses.find((a) => a.op === 'WAKE_LOCK')!.pi, null);
  assert.equal(report.accesses.find((a) => a.op === 'TOAST_WINDOW')!.ago, 40_000);
  assert.ok(!report.accesses.some((a) => a.op === 'LEGACY_STORAGE'));
});

test('dumpsys appops --package (Android 13): uid states, durations, attribution tags, other packages left out', () => {
  const now = 50_000;
  const report = parseAppOps(recorded('appops/dumpsys-appops-android13.txt'), now, { package: APP });
  assert.equal(report.format, 'dumpsys');
  const coarse = report.accesses.filter((a) => a.op === 'COARSE_LOCATION');
  assert.deepEqual(
    coarse.map((a) => [a.state, a.time, a.durationMs, a.wallClock]),
    [
      ['top', now - 62_003, undefined, '2024-01-05 10:11:12.345'],
      ['bg', now - 193_346, 120, '2024-01-05 10:09:01.002'],
    ],
  );
  const fine = report.accesses.find((a) => a.op === 'FINE_LOCATION')!;
  assert.equal(fine.state, 'fgs');
  assert.equal(fine.durationMs, 1500);
  assert.equal(appStateOfUidState(fine.state), 'background');
  assert.equal(appStateOfUidState('top'), 'foreground');
  const ids = report.accesses.find((a) => a.op === 'READ_DEVICE_IDENTIFIERS')!;
  assert.deepEqual([ids.kind, ids.attributionTag, ids.pi, ids.mode], ['reject', 'com.umeng.analytics', 'device-identifiers', 'deny']);
  assert.equal(report.accesses.find((a) => a.op === 'GET_USAGE_STATS')!.state, 'cached');
  assert.equal(report.accesses.find((a) => a.op === 'GET_USAGE_STATS')!.pi, 'browsing-usage');
  const media = report.accesses.find((a) => a.op === 'READ_MEDIA_IMAGES')!;
  assert.deepEqual([media.flags, media.pi], ['tp', 'photos-media']);
  assert.ok(report.modes.some((m) => m.op === 'READ_EXTERNAL_STORAGE'));
  // com.other.app's COARSE_LOCATION is not ours
  assert.equal(coarse.length, 2);
  assert.equal(report.accesses.length, 9);
});

test('dumpsys appops without --package (Android 11): only the asked package', () => {
  const report = parseAppOps(recorded('appops/dumpsys-appops-android11-all.txt'), 0, { package: APP });
  assert.deepEqual(
    report.accesses.map((a) => [a.op, a.state, a.pi, a.time]),
    [
      ['RECORD_AUDIO', 'fg', 'microphone', -9793],
      ['READ_SMS', 'bg', 'sms', -1793],
    ],
  );
  const all = parseAppOps(recorded('appops/dumpsys-appops-android11-all.txt'), 0);
  assert.ok(all.accesses.some((a) => a.op === 'READ_CONTACTS' && a.pi === 'contacts'));
});

test('logcat -v epoch (Android 13): launch, activities, starts with causes, jumps, background, exits, crash', () => {
  const events = parseLogcatActivity(recorded('logcat/launch-epoch-android13.txt'), { package: APP });
  const summary = events.map((e) =>
    e.kind === 'navigation'
      ? `${e.t} nav ${e.action} ${e.target}${e.trigger ? ` (${e.trigger})` : ''}`
      : `${e.t} ${e.action}${e.cause ? ` ${e.cause}` : ''} ${e.process ?? ''}${e.pid ? `#${e.pid}` : ''}${e.component ? ` ${e.component}` : ''}${e.other ? ` <${e.other}>` : ''}`,
  );
  assert.deepEqual(summary, [
    '1704420720512 nav activity com.example.news.SplashActivity (user)',
    '1704420720540 process-start launcher com.example.news#12345 com.example.news.SplashActivity',
    '1704420721301 foreground com.example.news',
    '1704420721900 process-start push com.example.news:pushcore#12398 cn.jpush.android.service.PushService',
    '1704420722004 process-start unknown com.example.news:remote#12410 com.example.news.data.SyncProvider',
    '1704420724118 nav activity com.example.news.MainActivity',
    '1704420726200 nav jump-browser https://m.example-ads.com/...',
    '1704420726950 background com.example.news <com.android.chrome>',
    '1704420728004 nav activity com.example.news.SplashActivity (user)',
    '1704420728210 foreground com.example.news',
    '1704420728210 nav activity com.example.news.MainActivity',
    '1704420729300 nav jump-store com.xiaomi.market',
    '1704420730100 nav install-request content://com.example.news.fileprovider/...',
    '1704420731000 nav jump-app com.tencent.mm',
    '1704420731500 background com.example.news <com.google.android.apps.nexuslauncher>',
    '1704420733000 exit com.example.news:remote#12410',
    '1704420735000 crash com.example.news#12345',
    '1704420735400 exit com.example.news#12345',
  ]);
});

test('logcat -v threadtime (Android 10): push, boot, other-app and unknown wake-ups', () => {
  const events = parseLogcatActivity(recorded('logcat/wakeups-threadtime-android10.txt'), { package: APP, year: 2024 });
  const starts = events.filter((e) => e.kind === 'lifecycle' && e.action === 'process-start');
  assert.deepEqual(
    starts.map((e) => (e.kind === 'lifecycle' ? [e.cause, e.component, e.other] : [])),
    [
      ['push', 'com.igexin.push.core.receiver.NetworkReceiver', undefined],
      ['broadcast', 'com.example.news.receiver.BootCompletedReceiver', undefined],
      ['push', 'com.taobao.accs.ChannelService', undefined],
      ['other-app', 'com.example.news.sync.SyncService', 'com.partner.app'],
      ['unknown', 'com.example.news.share.ShareEntryActivity', undefined],
    ],
  );
  assert.equal(starts[0]!.t, Date.UTC(2024, 0, 5, 10, 20, 1, 114));
  assert.ok(events.some((e) => e.kind === 'lifecycle' && e.action === 'exit' && e.pid === 8201));
  assert.equal(events.length, 6);
});

test('logcat parser keeps state across batches and learns the app uid', () => {
  const lines = recorded('logcat/launch-epoch-android13.txt').split('\n');
  const parser = new LogcatActivityParser({ package: APP });
  const a = parser.push(lines.slice(0, 5));
  assert.equal(parser.appUid, 10123);
  const b = parser.push(lines.slice(5));
  assert.deepEqual([...a, ...b], parseLogcatActivity(lines, { package: APP }));
  assert.equal(splitLogcatLine('garbage'), null);
  assert.equal(splitLogcatLine('  1704420720.512  1432  1980 I ActivityTaskManager: x')!.tag, 'ActivityTaskManager');
});

test('logcat: jumps only count when the app started them', () => {
  const other =
    '  1704420726.200  1432  3001 I ActivityTaskManager: START u0 {act=android.intent.action.VIEW dat=https://x.example/... cmp=com.android.chrome/.Main} from uid 10200';
  assert.deepEqual(parseLogcatActivity([other], { package: APP, appUid: 10123 }), []);
  const own = other.replace('from uid 10200', 'from uid 10123');
  assert.equal(parseLogcatActivity([own], { package: APP, appUid: 10123 })[0]!.kind, 'navigation');
});

test('permission dialog: Android 13 location (en) with its buttons', () => {
  const dialog = parsePermissionDialog(recorded('ui/permission-location-en-android13.xml'))!;
  assert.equal(dialog.package, 'com.android.permissioncontroller');
  assert.equal(dialog.message, 'Allow Today News to access this device’s location?');
  assert.equal(dialog.group, 'location');
  assert.ok(dialog.permissions.includes('android.permission.ACCESS_FINE_LOCATION'));
  assert.deepEqual(dialog.buttons.allowForegroundOnly?.center, [540, 1651]);
  assert.equal(
    dialog.buttons.allowForegroundOnly?.resourceId,
    'com.android.permissioncontroller:id/permission_allow_foreground_only_button',
  );
  assert.equal(dialog.buttons.allowOnce?.text, 'Only this time');
  assert.equal(dialog.buttons.deny?.text, 'Don’t allow');
  assert.deepEqual(dialog.buttons.deny?.bounds, [66, 1882, 1014, 2036]);
});

test('permission dialog: Android 12 camera (zh, GMS), Android 9 phone, MIUI phone by text', () => {
  const camera = parsePermissionDialog(recorded('ui/permission-camera-zh-android12.xml'))!;
  assert.equal(camera.package, 'com.google.android.permissioncontroller');
  assert.equal(camera.group, 'camera');
  assert.deepEqual(camera.permissions, ['android.permission.CAMERA']);
  assert.equal(camera.buttons.allowForegroundOnly?.text, '仅在使用该应用时允许');
  assert.equal(camera.buttons.deny?.text, '不允许');

  const phone = parsePermissionDialog(recorded('ui/permission-phone-android9.xml'))!;
  assert.equal(phone.package, 'com.android.packageinstaller');
  assert.equal(phone.group, 'phone');
  assert.ok(phone.permissions.includes('android.permission.READ_PHONE_STATE'));
  assert.equal(phone.buttons.allow?.text, '允许');

  const miui = parsePermissionDialog(recorded('ui/permission-miui-phone.xml'))!;
  assert.equal(miui.package, 'com.lbe.security.miui');
  assert.equal(miui.message, '允许“今日资讯”获取手机信息？');
  assert.equal(miui.group, 'phone');
  assert.equal(miui.buttons.allow?.resourceId, 'android:id/button1');
  assert.equal(miui.buttons.allowOnce?.text, '本次使用允许');
  assert.deepEqual(miui.buttons.deny?.center, [540, 2150]);
});

test('permission dialog: none on app screens', () => {
  for (const file of ['splash.xml', 'consent-zh.xml', 'consent-en.xml', 'main.xml'])
    assert.equal(parsePermissionDialog(recorded(`ui/${file}`)), null, file);
});

test('consent dialog (zh): agree and refuse buttons with centres', () => {
  const dialog = findConsentDialog(recorded('ui/consent-zh.xml'), { package: APP })!;
  assert.equal(dialog.package, APP);
  assert.equal(dialog.agree.text, '同意并继续');
  assert.deepEqual(dialog.agree.center, [540, 1620]);
  assert.equal(dialog.agree.resourceId, `${APP}:id/btn_agree`);
  assert.equal(dialog.refuse?.text, '不同意');
  assert.deepEqual(dialog.refuse?.center, [540, 1745]);
  assert.ok(dialog.policyTexts.includes('用户协议与隐私政策'));
  assert.ok(dialog.policyTexts.includes('《个人信息保护指引》'));
  assert.equal(dialog.checkbox, undefined);
  // the same dump, another package asked for: not that app's dialog
  assert.equal(findConsentDialog(recorded('ui/consent-zh.xml'), { package: 'com.example.other' }), null);
});

test('consent dialog (en): label inside a clickable container, unticked checkbox', () => {
  const dialog = findConsentDialog(recorded('ui/consent-en.xml'))!;
  assert.equal(dialog.package, 'com.example.shop');
  assert.equal(dialog.agree.text, 'Agree');
  assert.equal(dialog.agree.resourceId, 'com.example.shop:id/btn_accept');
  assert.deepEqual(dialog.agree.bounds, [100, 1460, 980, 1580]);
  assert.equal(dialog.refuse?.text, 'Disagree');
  assert.equal(dialog.checkbox?.checked, false);
  assert.deepEqual(dialog.checkbox?.center, [140, 1370]);
});

test('consent dialog: none on splash, main (a policy link but no agree button) and permission screens', () => {
  for (const file of ['splash.xml', 'main.xml', 'permission-location-en-android13.xml', 'permission-miui-phone.xml'])
    assert.equal(findConsentDialog(recorded(`ui/${file}`), { package: APP }), null, file);
});

test('UI dump reader: entities, nesting, exec-out trailer', () => {
  const dump = readUiDump(recorded('ui/main.xml'));
  assert.ok(dump.isDump);
  assert.ok(dump.nodes.some((n) => n.text === '本地新闻：今天气温回升 & 晴'));
  assert.ok(dump.nodes.some((n) => n.text === '设置 > 隐私政策'));
  const clock = dump.nodes.find((n) => n.text === '10:12')!;
  assert.equal(dump.nodes[dump.nodes[clock.parent]!.parent]!.parent, -1);
  const consent = readUiDump(recorded('ui/consent-zh.xml'));
  assert.ok(consent.nodes.some((n) => n.text.includes('感谢您信任并使用今日资讯！\n我们依据')));
  const limited = readUiDump(recorded('ui/main.xml'), { maxUiNodes: 3 });
  assert.equal(limited.nodes.length, 3);
  assert.equal(limited.truncated, true);
});

test('dumpsys package (Android 13): requested, install and runtime grants, uid and version; hidden system block ignored', () => {
  const before = parseDumpsysPackagePermissions(recorded('dumpsys/package-android13-before.txt'), { package: APP });
  assert.equal(before.package, APP);
  assert.equal(before.uid, 10123);
  assert.equal(before.versionCode, 30201);
  assert.equal(before.targetSdk, 33);
  assert.equal(before.versionName, '3.2.1');
  assert.equal(before.requested.length, 11);
  assert.ok(before.requested.includes('android.permission.READ_EXTERNAL_STORAGE'));
  assert.equal(before.install.length, 4);
  assert.ok(before.install.every((g) => g.granted));
  assert.equal(before.runtime.length, 7);
  const camera = before.runtime.find((g) => g.permission === 'android.permission.CAMERA')!;
  assert.deepEqual(camera, {
    permission: 'android.permission.CAMERA',
    granted: false,
    flags: ['USER_SENSITIVE_WHEN_GRANTED', 'USER_SENSITIVE_WHEN_DENIED'],
    user: 0,
  });
  assert.equal(answerOfGrant(camera), 'dismissed');

  const after = parseDumpsysPackagePermissions(recorded('dumpsys/package-android13-after.txt'));
  const answer = (p: string) => answerOfGrant(after.runtime.find((g) => g.permission === `android.permission.${p}`));
  assert.equal(answer('ACCESS_FINE_LOCATION'), 'granted');
  assert.equal(answer('READ_PHONE_STATE'), 'denied-forever');
  assert.equal(answer('CAMERA'), 'denied');
  assert.equal(answer('POST_NOTIFICATIONS'), 'dismissed');
  assert.equal(answer('READ_SMS'), 'dismissed');
});

test('dumpsys package (Android 9): two users', () => {
  const info = parseDumpsysPackagePermissions(recorded('dumpsys/package-android9.txt'));
  assert.equal(info.package, 'com.example.legacy');
  assert.deepEqual(
    info.runtime.map((g) => [g.permission.slice(19), g.granted, g.flags.join('|'), g.user]),
    [
      ['READ_PHONE_STATE', true, 'USER_SET', 0],
      ['READ_CONTACTS', false, 'USER_SET|USER_FIXED', 0],
      ['READ_PHONE_STATE', false, '', 10],
    ],
  );
  assert.equal(parseDumpsysPackagePermissions(recorded('dumpsys/package-android9.txt'), { package: APP }).package, undefined);
});

test('no parser throws on garbage, and garbage gives nothing', () => {
  for (const input of GARBAGE) {
    const label = typeof input === 'string' ? JSON.stringify(input.slice(0, 30)) : String(input);
    assert.deepEqual(parseAppOps(input, 0).accesses, [], label);
    assert.deepEqual(parseLogcatActivity(input as string, { package: APP }), [], label);
    assert.equal(parsePermissionDialog(input), null, label);
    assert.equal(findConsentDialog(input), null, label);
    const pkg = parseDumpsysPackagePermissions(input);
    assert.deepEqual([pkg.requested, pkg.install, pkg.runtime], [[], [], []], label);
    readUiDump(input);
  }
  assert.deepEqual(parseAppOps('COARSE_LOCATION: allow', NaN).accesses, []);
});

test('huge inputs are cut to the limits and read quickly', () => {
  const line = '  1704420720.512  1432  1980 I ActivityTaskManager: START u0 {cmp=com.example.news/.A} from uid 10123\n';
  const big = line.repeat(300_000);
  const started = Date.now();
  const events = parseLogcatActivity(big, { package: APP, limits: { maxLines: 1000 } });
  assert.equal(events.length, 1000); // one START per line read, up to the line limit
  const ops = parseAppOps('READ_CLIPBOARD: allow; time=+5s0ms ago\n'.repeat(500_000), 0, { limits: { maxLines: 10 } });
  assert.equal(ops.accesses.length, 10);
  const nodes = '<node text="x" package="p.q" bounds="[0,0][1,1]" />'.repeat(200_000);
  assert.equal(readUiDump(`<hierarchy>${nodes}</hierarchy>`).nodes.length, 100_000);
  const deep = '<node package="a.b">'.repeat(10_000);
  assert.equal(readUiDump(deep).nodes.length, 500);
  assert.equal(findConsentDialog(`<hierarchy>${nodes}</hierarchy>`), null);
  const boxes = '<node checkable="true" text="" package="p.q" bounds="[0,0][9,9]" />'.repeat(50_000);
  const tail =
    '<node text="隐私政策" package="p.q" bounds="[0,0][9,9]" /><node text="同意" clickable="true" package="p.q" bounds="[0,0][9,9]" />';
  assert.equal(
    findConsentDialog(`<hierarchy><node package="p.q" bounds="[0,0][9,9]">${boxes}${tail}</node></hierarchy>`)?.checkbox,
    undefined,
  );
  assert.ok(Date.now() - started < 20_000);
});
