import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readTrace, type TraceEvent } from '@apprights/runtime';
import { explore, FakeDevice, readScreen, fakeDumpXml, type FakeApp, type ExploreResult } from '../src/index.js';

const SHOP = JSON.parse(readFileSync(new URL('./fake-apps/shop.json', import.meta.url), 'utf8')) as FakeApp;
const AD_VIEWS = [{ sdk: 'pangle', prefixes: ['com.bytedance.sdk.openadsdk'] }];

async function run(app: FakeApp, limits = {}): Promise<{ result: ExploreResult; device: FakeDevice; dir: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'apprights-explore-'));
  const device = new FakeDevice(app);
  const result = await explore({
    adb: device,
    package: app.package,
    outDir: dir,
    clock: device.clock,
    sleep: device.sleep,
    adViews: AD_VIEWS,
    limits: { backgroundMs: 30_000, ...limits },
  });
  return { result, device, dir };
}

function events(dir: string, scenario: string): (TraceEvent & { line: number })[] {
  const trace = readTrace(readFileSync(join(dir, scenario, 'trace.jsonl'), 'utf8'));
  assert.deepEqual(trace.problems, [], `${scenario}: every line reads`);
  return trace.events;
}

const of = (list: (TraceEvent & { line: number })[], kind: string) =>
  list.filter((e) => e.kind === kind) as (TraceEvent & Record<string, unknown>)[];
const end = (list: (TraceEvent & { line: number })[]) => of(list, 'scenario').find((e) => e.action === 'end')!;
const clone = (app: FakeApp): FakeApp => JSON.parse(JSON.stringify(app)) as FakeApp;

test('explore: the six scenarios on a scripted shop app (MIUI, AOSP and One UI dialogs, a slow splash, a crash)', async () => {
  const { result, device, dir } = await run(SHOP);
  try {
    assert.deepEqual(
      result.scenarios.map((s) => [s.dir, s.status, s.reason ?? null]),
      [
        ['a-refuse', 'completed', null],
        ['b-deny', 'completed', null],
        ['e-second-start', 'aborted', 'app-exited'],
        ['c-grant', 'completed', null],
        ['d-background', 'completed', null],
        ['f-walk', 'aborted', 'app-crashed'],
      ],
    );
    // a: the dialog read, its policy followed and saved, refused twice (the "are you sure" dialog too).
    const a = events(dir, 'a-refuse');
    assert.deepEqual(
      of(a, 'consent').map((e) => e.action),
      ['shown', 'refused', 'refused'],
    );
    assert.match(readFileSync(join(dir, 'privacy-policy.txt'), 'utf8'), /我们收集的信息/);
    // Collected before the consent (at the splash) and after the refusal (in the background).
    const aApis = of(a, 'api');
    assert.deepEqual(
      aApis.map((e) => [e.method, e.state]),
      [
        ['READ_PHONE_STATE', 'foreground'],
        ['COARSE_LOCATION', 'background'],
      ],
    );
    // b: agreed, the phone permission denied, asked again at once and denied again.
    const b = events(dir, 'b-deny');
    assert.deepEqual(
      of(b, 'permission-request').map((e) => [e.permissions, e.answers]),
      [
        [['android.permission.READ_PHONE_STATE'], ['denied']],
        [['android.permission.READ_PHONE_STATE'], ['denied']],
      ],
    );
    // e: the second cold start asks again; the refusal makes the app quit (recorded at once); its header
    // carries the device clock for the 48-hour question.
    const e = events(dir, 'e-second-start');
    assert.equal(of(e, 'permission-request').length, 1);
    assert.ok(of(e, 'lifecycle').some((l) => l.action === 'exit'));
    assert.equal(end(e).reason, 'app-exited');
    const bStart = result.scenarios.find((s) => s.scenario === 'deny')!.deviceEpochMs!;
    const eStart = result.scenarios.find((s) => s.scenario === 'second-start')!.deviceEpochMs!;
    assert.ok(eStart > bStart);
    assert.equal((of(e, 'trace')[0] as Record<string, unknown>).deviceEpochMs, eStart);
    // c: granted. d: in the background, location read there.
    assert.deepEqual(of(events(dir, 'c-grant'), 'permission-request')[0]!.answers, ['granted']);
    const d = events(dir, 'd-background');
    assert.ok(of(d, 'user').some((u) => u.action === 'home'));
    assert.ok(of(d, 'api').some((x) => x.method === 'FINE_LOCATION' && x.state === 'background'));
    // f: the walk: the camera (AOSP, zh) and location (One UI, en) dialogs answered, the advert's jump to the
    // store recorded with the explorer's tap as its trigger, the crash ends the scenario with its reason.
    const f = events(dir, 'f-walk');
    const asked = of(f, 'permission-request').map((x) => (x.permissions as string[])[0]);
    assert.ok(asked.includes('android.permission.CAMERA') && asked.includes('android.permission.ACCESS_FINE_LOCATION'), asked.join());
    const jump = of(f, 'navigation').find((n) => n.action === 'jump-store')!;
    assert.equal(jump.trigger, 'user');
    assert.match(String(jump.triggerEvidence), /^explorer tap line \d+, \d+ ms before$/);
    assert.deepEqual({ reason: end(f).reason, status: end(f).status }, { reason: 'app-crashed', status: 'aborted' });
    assert.ok(of(f, 'lifecycle').some((l) => l.action === 'crash'));
    // The deny-list: payment and settings are never tapped.
    const tapped = of(f, 'user').map((u) => String(u.nodeText ?? ''));
    assert.ok(!tapped.some((t) => /支付|设置/.test(t)), tapped.join(' | '));
    assert.ok(!device.visited.includes('paid'));
    // The splash advert is marked: role ad, the SDK named.
    const ads = of(a, 'ui').filter((u) => u.role === 'ad');
    assert.ok(ads.length > 0 && (ads[0]!.adSdks as string[])[0] === 'pangle');
    // Nothing read from the device reaches a command: every argument is a fixed word, a number or the package.
    for (const args of device.calls)
      for (const arg of args) assert.match(arg, /^(?:[\w@%+=:,./-]+)$/, `argument ${JSON.stringify(arg)} of ${args.join(' ')}`);
    assert.ok(!device.calls.some((args) => args.some((x) => /[^\x20-\x7e]/.test(x))), 'no label text in any command');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('explore: a device that disconnects mid-scenario: that scenario and the later ones end with the reason, nothing recorded is lost', async () => {
  const app = clone(SHOP);
  app.screens['perm-phone']!.disconnect = true;
  const { result, dir } = await run(app);
  try {
    assert.deepEqual(
      result.scenarios.map((s) => [s.scenario, s.status, s.reason ?? null]),
      [
        ['refuse', 'completed', null],
        ['deny', 'aborted', 'device-disconnected'],
        ['second-start', 'aborted', 'device-disconnected'],
        ['grant', 'aborted', 'device-disconnected'],
        ['background', 'aborted', 'device-disconnected'],
        ['walk', 'aborted', 'device-disconnected'],
      ],
    );
    const b = events(dir, 'b-deny');
    // What came before the loss is kept: the launch, the consent agreed.
    assert.ok(of(b, 'consent').some((c) => c.action === 'agreed'));
    assert.match(String(end(b).message), /not found/);
    assert.equal(events(dir, 'a-refuse').length > 10, true);
    assert.ok(existsSync(join(dir, 'explore.json')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('explore: an app that never shows a window, one that crashes at launch, and a dialog it cannot read', async () => {
  const blank = clone(SHOP);
  blank.firstLaunch = 'blank';
  blank.laterLaunch = 'blank';
  blank.screens.blank = {
    dumps: [[{ pkg: 'com.android.systemui', bounds: [0, 0, 1080, 84] }]],
    activity: 'com.example.shop/.SplashActivity',
  };
  const none = await run(blank, { windowTimeoutMs: 5000 });
  try {
    assert.ok(none.result.scenarios.every((s) => s.status === 'aborted' && s.reason === 'no-window'));
    assert.match(String(end(events(none.dir, 'a-refuse')).message), /showed no window of its own within 5000 ms/);
  } finally {
    rmSync(none.dir, { recursive: true, force: true });
  }

  const crashing = clone(SHOP);
  crashing.firstLaunch = 'crash';
  const crashed = await run(crashing, { windowTimeoutMs: 5000 });
  try {
    assert.deepEqual(crashed.result.scenarios.find((s) => s.scenario === 'refuse')!.reason, 'app-crashed');
    // A launch with the data kept goes normally: the other scenarios still run.
    assert.equal(crashed.result.scenarios.find((s) => s.scenario === 'background')!.status, 'completed');
  } finally {
    rmSync(crashed.dir, { recursive: true, force: true });
  }

  const update = clone(SHOP);
  update.screens.splash!.after = { ms: 3000, to: 'update' };
  update.screens.update = {
    dumps: [
      [
        { pkg: 'com.example.shop', bounds: [0, 0, 1080, 2340] },
        {
          pkg: 'com.example.shop',
          bounds: [90, 800, 990, 1500],
          children: [
            {
              cls: 'android.widget.TextView',
              text: '发现新版本，本应用需要更新到最新版本后才能继续使用全部功能',
              bounds: [130, 850, 950, 1100],
            },
            { cls: 'android.widget.Button', text: '立即更新', clickable: true, bounds: [130, 1300, 950, 1450] },
          ],
        },
      ],
    ],
    activity: 'com.example.shop/.MainActivity',
  };
  const unread = await run(update, { windowTimeoutMs: 8000 });
  try {
    const a = unread.result.scenarios.find((s) => s.scenario === 'refuse')!;
    assert.deepEqual([a.status, a.reason], ['aborted', 'unreadable-dialog']);
    assert.ok(unread.result.warnings.some((w) => /a dialog the explorer cannot read/.test(w)));
  } finally {
    rmSync(unread.dir, { recursive: true, force: true });
  }
});

test('explore: a privacy dialog that keeps coming back after agreeing ends the scenario', async () => {
  const app = clone(SHOP);
  app.screens.consent!.taps = { ...app.screens.consent!.taps, btn_agree: 'consent' };
  const { result, dir } = await run(app, { windowTimeoutMs: 30_000 });
  try {
    const b = result.scenarios.find((s) => s.scenario === 'deny')!;
    assert.deepEqual([b.status, b.reason], ['aborted', 'dialog-reappears']);
    assert.match(b.message!, /the same consent dialog came back 3 times/);
    assert.equal(of(events(dir, 'b-deny'), 'consent').filter((c) => c.action === 'agreed').length, 3);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('explore: only package names reach the device; the dump reader recognises OEM dialogs', async () => {
  await assert.rejects(
    explore({ adb: new FakeDevice(SHOP), package: 'com.example.shop;reboot', outDir: join(tmpdir(), 'never') }),
    /not an Android package name/,
  );
  const colorOs = fakeDumpXml([
    {
      pkg: 'com.oplus.securitypermission',
      bounds: [60, 1400, 1020, 2250],
      children: [
        { cls: 'android.widget.TextView', text: '允许“示例商城”访问您的位置信息？', bounds: [100, 1450, 980, 1600] },
        { cls: 'android.widget.Button', text: '使用期间允许', clickable: true, bounds: [100, 1650, 980, 1760] },
        { cls: 'android.widget.Button', text: '拒绝', clickable: true, bounds: [100, 1910, 980, 2020] },
      ],
    },
  ]);
  const reading = readScreen(colorOs, 'com.example.shop');
  assert.equal(reading.kind, 'permission');
  assert.equal(reading.permission!.group, 'location');
  assert.ok(reading.permission!.buttons.deny && reading.permission!.buttons.allowForegroundOnly);
  // OriginOS (vivo) and EMUI (Huawei) draw it in their own packages, with their own wordings.
  for (const [pkg, message, allow, deny, group] of [
    ['com.vivo.permissionmanager', '“示例商城”想要使用相机', '仅在使用中允许', '拒绝', 'camera'],
    ['com.huawei.systemmanager', '是否允许“示例商城”获取此设备的位置信息？', '仅使用期间允许', '禁止', 'location'],
  ] as const) {
    const xml = fakeDumpXml([
      {
        pkg,
        bounds: [60, 1400, 1020, 2250],
        children: [
          { cls: 'android.widget.TextView', text: message, bounds: [100, 1450, 980, 1600] },
          { cls: 'android.widget.Button', text: allow, clickable: true, bounds: [100, 1650, 980, 1760] },
          { cls: 'android.widget.Button', text: deny, clickable: true, bounds: [100, 1910, 980, 2020] },
        ],
      },
    ]);
    const r = readScreen(xml, 'com.example.shop');
    assert.equal(r.kind, 'permission', pkg);
    assert.equal(r.permission!.group, group, pkg);
    assert.ok(r.permission!.buttons.deny && r.permission!.buttons.allowForegroundOnly, pkg);
  }
  // The crash dialog, EMUI wording: a crash, not an unreadable dialog.
  const crash = fakeDumpXml([
    {
      pkg: 'android',
      bounds: [90, 900, 990, 1500],
      children: [
        { cls: 'android.widget.TextView', text: '“示例商城”已停止运行', bounds: [130, 950, 950, 1100] },
        { cls: 'android.widget.Button', text: '确定', clickable: true, bounds: [130, 1300, 950, 1450] },
      ],
    },
  ]);
  assert.equal(readScreen(crash, 'com.example.shop').kind, 'crash');
});

test("explore: every tap the explorer makes is a user event with the node it hit (bounds, text or id, the window's package)", async () => {
  const { result, dir } = await run(SHOP);
  try {
    let taps = 0;
    for (const s of result.scenarios) {
      const list = events(dir, s.dir);
      for (const tap of of(list, 'user').filter((e) => e.action === 'tap')) {
        taps++;
        const where = `${s.dir} line ${tap.line}`;
        assert.equal(tap.source, 'explorer', where);
        const b = tap.nodeBounds as number[] | undefined;
        assert.ok(Array.isArray(b) && b.length === 4 && b[2]! > b[0]! && b[3]! > b[1]!, `${where}: bounds`);
        assert.ok(
          (tap.x as number) >= b[0]! && (tap.x as number) <= b[2]! && (tap.y as number) >= b[1]! && (tap.y as number) <= b[3]!,
          where,
        );
        assert.ok(typeof tap.package === 'string' && tap.package !== '', `${where}: package`);
        assert.ok(Boolean(tap.nodeText) || Boolean(tap.node), `${where}: text or id`);
      }
      // A jump soon after one of those taps is the user's, and says which line.
      for (const jump of of(list, 'navigation').filter((e) => e.trigger === 'user'))
        assert.match(String(jump.triggerEvidence), /^explorer (tap|input) line \d+/);
    }
    assert.ok(taps >= 8, `${taps} taps`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
