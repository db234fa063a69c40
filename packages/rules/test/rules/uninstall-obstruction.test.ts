import { test } from 'node:test';
import assert from 'node:assert/strict';
import { uninstallObstruction } from '../../src/rules/uninstall-obstruction.js';
import { activity, apiUse, evidenceOf, makeFacts, receiver, sdk, service } from '../support/facts.js';
import type { IconImage, PackageFacts } from '../../src/index.js';
import { checkRule } from '../../src/testing/rule-tester.js';

const run = (facts: PackageFacts) => checkRule(uninstallObstruction, evidenceOf(facts));
const byKey = (facts: PackageFacts) => new Map(run(facts).map((f) => [f.key, f]));

const SET_ENABLED = 'Landroid/content/pm/PackageManager;->setComponentEnabledSetting';

const ICON = 'res/mipmap-xxxhdpi-v4/ic_launcher.png';
const png = (patch: Partial<IconImage>): IconImage => ({
  path: ICON,
  format: 'png',
  width: 192,
  height: 192,
  transparentRatio: 0.3,
  meanAlpha: 170,
  problem: null,
  ...patch,
});

test('uninstall-obstruction: an ordinary app with a name and a launcher entry gives nothing', () => {
  assert.deepEqual(
    run(makeFacts({ components: [activity('com.example.app.MainActivity', { launcher: true }), service('com.example.app.Sync')] })),
    [],
  );
});

test('uninstall-obstruction: a blank or invisible name in any locale is high', () => {
  for (const blank of ['', '   ', '\u200B', '\u3164', '\u2800\u2800', '\u00A0\uFEFF', '\u115F\u1160', '\u3000']) {
    const found = byKey(makeFacts({ app: { label: 'Example', labels: { default: 'Example', 'zh-CN': blank } } })).get('blank-label');
    assert.ok(found, JSON.stringify(blank));
    assert.equal(found.severity, 'high');
    assert.deepEqual(found.evidence, [
      { kind: 'manifest', artifact: 'AndroidManifest.xml', element: 'application', detail: 'android:label blank in zh-CN' },
    ]);
    assert.deepEqual((found.data as { locales: string[] }).locales, ['zh-CN']);
  }
  const onlyLabel = byKey(makeFacts({ app: { label: '\u200D', labels: {} } })).get('blank-label');
  assert.deepEqual((onlyLabel?.data as { locales: string[] }).locales, ['default']);
});

test('uninstall-obstruction: names with visible text are fine, even next to invisible marks', () => {
  for (const label of ['微信', 'A\u200B', '\u3164x']) {
    assert.equal(byKey(makeFacts({ app: { label, labels: { default: label } } })).has('blank-label'), false, label);
  }
});

test('uninstall-obstruction: no readable name at all is low, for a person to check', () => {
  const found = byKey(makeFacts({ app: { label: null, labels: {} } })).get('no-label');
  assert.equal(found?.severity, 'low');
  assert.equal(found?.evidence[0]!.kind, 'manifest');
});

test('uninstall-obstruction: background components without a launcher entry are medium', () => {
  const facts = makeFacts({
    app: { launcherActivity: null },
    components: [
      activity('com.example.app.Hidden'),
      receiver('com.example.app.Boot', ['android.intent.action.BOOT_COMPLETED']),
      service('com.example.app.Keep'),
    ],
  });
  const found = byKey(facts).get('no-launcher');
  assert.equal(found?.severity, 'medium');
  assert.deepEqual(found?.evidence, [
    { kind: 'manifest', artifact: 'AndroidManifest.xml', element: 'application', detail: 'no activity with MAIN/LAUNCHER intent-filter' },
  ]);
  assert.deepEqual(found?.data, { background: 2 });
});

test('uninstall-obstruction: keyboards, live wallpapers and accessibility services are low without a launcher', () => {
  const kinds = [
    service('com.example.ime.Ime', ['android.view.InputMethod'], { permission: 'android.permission.BIND_INPUT_METHOD' }),
    service('com.example.wp.Wallpaper', ['android.service.wallpaper.WallpaperService']),
    service('com.example.a11y.Reader', [], { permission: 'android.permission.BIND_ACCESSIBILITY_SERVICE' }),
  ];
  for (const s of kinds) {
    const found = byKey(makeFacts({ app: { launcherActivity: null }, components: [s] })).get('no-launcher');
    assert.equal(found?.severity, 'low', s.name);
    assert.equal(found?.evidence[1]!.kind === 'manifest' && found.evidence[1]!.name, s.name);
  }
});

test('uninstall-obstruction: no launcher is fine for packages with no components, or with only activities', () => {
  assert.deepEqual(run(makeFacts({ app: { launcherActivity: null }, components: [] })), []);
  assert.deepEqual(run(makeFacts({ app: { launcherActivity: null }, components: [activity('com.example.app.Viewer')] })), []);
});

test('uninstall-obstruction: every launcher entry disabled is high; one of several disabled is an icon switch', () => {
  const main = { ...activity('com.example.app.MainActivity', { launcher: true }), enabled: false };
  const alias = { ...activity('com.example.app.Festival', { launcher: true }), type: 'activity-alias' as const, enabled: false };
  const hidden = byKey(makeFacts({ app: { launcherActivity: null }, components: [main, alias, service('com.example.app.Keep')] }));
  const found = hidden.get('launcher-disabled');
  assert.equal(found?.severity, 'high');
  assert.deepEqual(
    found?.evidence.map((e) => e.kind === 'manifest' && [e.element, e.name, e.detail]),
    [
      ['activity', 'com.example.app.MainActivity', 'android:enabled=false'],
      ['activity-alias', 'com.example.app.Festival', 'android:enabled=false'],
    ],
  );
  assert.equal(hidden.has('no-launcher'), false, 'one finding for one cause');
  const switched = makeFacts({ components: [{ ...main, enabled: null }, alias] });
  assert.deepEqual(run(switched), []);
});

test('uninstall-obstruction: code that can disable components is medium, with up to five callers as evidence', () => {
  const callers = Array.from({ length: 7 }, (_, i) => ({ class: `com.example.app.Hider${i}`, own: true }));
  const facts = makeFacts({ sensitiveApis: [apiUse('packageManager.setComponentEnabledSetting', SET_ENABLED, callers)] });
  const found = byKey(facts).get('set-component-enabled');
  assert.equal(found?.severity, 'medium');
  assert.equal(found!.messageId, 'setComponentEnabled');
  assert.equal(found!.evidence.length, 5);
  assert.deepEqual(found!.evidence[0], {
    kind: 'code',
    artifact: 'classes.dex',
    class: 'com.example.app.Hider0',
    method: 'run()V',
    api: 'packageManager.setComponentEnabledSetting',
    sdk: null,
  });
});

test('uninstall-obstruction: calls only from AndroidX or Google libraries are low', () => {
  const facts = makeFacts({
    sensitiveApis: [
      apiUse('packageManager.setComponentEnabledSetting', SET_ENABLED, [{ class: 'androidx.work.impl.utils.PackageManagerHelper' }]),
    ],
  });
  assert.equal(byKey(facts).get('set-component-enabled')?.severity, 'low');
  const other = makeFacts({
    sensitiveApis: [apiUse('telephony.getImei', 'Landroid/telephony/TelephonyManager;->getImei', [{ class: 'a.B' }])],
  });
  assert.deepEqual(run(other), []);
});

test('uninstall-obstruction: device admin receivers are medium, one per receiver, with the SDK that owns them', () => {
  const admin = receiver('com.example.app.Admin', ['android.app.action.DEVICE_ADMIN_ENABLED'], {
    permission: 'android.permission.BIND_DEVICE_ADMIN',
  });
  const sdkAdmin = receiver('com.vendor.mdm.AdminReceiver', ['android.app.action.DEVICE_ADMIN_ENABLED']);
  const facts = makeFacts({
    components: [activity('com.example.app.MainActivity', { launcher: true }), admin, sdkAdmin],
    sdks: [sdk('mdm', { evidence: { classes: 5, classExamples: [], components: [sdkAdmin.name], nativeLibraries: [], domains: [] } })],
  });
  const found = byKey(facts);
  const own = found.get('device-admin:com.example.app.Admin');
  assert.equal(own?.severity, 'medium');
  assert.deepEqual(own?.evidence, [
    {
      kind: 'manifest',
      artifact: 'AndroidManifest.xml',
      element: 'receiver',
      name: 'com.example.app.Admin',
      detail: 'android:permission=android.permission.BIND_DEVICE_ADMIN',
      sdk: null,
    },
  ]);
  const fromSdk = found.get('device-admin:com.vendor.mdm.AdminReceiver');
  assert.equal(
    fromSdk?.evidence[0]!.kind === 'manifest' && fromSdk.evidence[0]!.detail,
    'intent-filter/action=android.app.action.DEVICE_ADMIN_ENABLED',
  );
  assert.equal(fromSdk?.evidence[0]!.kind === 'manifest' && fromSdk.evidence[0]!.sdk, 'mdm');
});

test('uninstall-obstruction: a transparent or one-dot PNG launcher icon is high, with the icon file as evidence', () => {
  const found = byKey(makeFacts({ app: { iconImage: png({ transparentRatio: 0.999973, meanAlpha: 0.01 }) } })).get('transparent-icon');
  assert.equal(found?.severity, 'high');
  assert.deepEqual(found?.evidence, [
    { kind: 'resource', artifact: ICON, detail: 'transparent 99.9% of 192×192 pixels (alpha < 16), mean alpha 0.0' },
  ]);
  assert.equal(found!.messageId, 'transparentIcon');
  assert.deepEqual(found!.messageData, { path: 'res/mipmap-xxxhdpi-v4/ic_launcher.png', percent: '99.9%', alpha: '0.0' });
  assert.deepEqual(found?.data, { transparentRatio: 0.999973, meanAlpha: 0.01, width: 192, height: 192 });
  // The thresholds themselves: 95% transparent, or faint all over (mean alpha under 13).
  assert.ok(byKey(makeFacts({ app: { iconImage: png({ transparentRatio: 0.95, meanAlpha: 40 }) } })).has('transparent-icon'));
  const faint = byKey(makeFacts({ app: { iconImage: png({ transparentRatio: 0.5, meanAlpha: 12.9 }) } })).get('transparent-icon');
  assert.equal(
    faint?.evidence[0]!.kind === 'resource' && faint.evidence[0]!.detail,
    'transparent 50.0% of 192×192 pixels (alpha < 16), mean alpha 12.9',
  );
});

test('uninstall-obstruction: visible icons, undecoded ones and WebP or adaptive XML icons give no transparent-icon finding', () => {
  for (const iconImage of [
    null,
    png({}),
    png({ transparentRatio: 0.9499, meanAlpha: 13 }),
    png({ transparentRatio: null, meanAlpha: null, width: null, height: null, problem: 'image-corrupt: bad' }),
    png({
      path: 'res/mipmap-anydpi-v26/ic_launcher.xml',
      format: 'xml',
      width: null,
      height: null,
      transparentRatio: null,
      meanAlpha: null,
    }),
    png({ path: 'res/mipmap-xxxhdpi-v4/ic_launcher.webp', format: 'webp', transparentRatio: null, meanAlpha: null }),
  ]) {
    assert.deepEqual(run(makeFacts({ app: { iconImage } })), [], JSON.stringify(iconImage));
  }
  // A report stored before iconImage existed.
  const old = makeFacts();
  delete (old.app as Partial<PackageFacts['app']>).iconImage;
  assert.deepEqual(run(old), []);
});

test('uninstall-obstruction: only applies to APKs', () => {
  const aar = makeFacts({ app: { label: '', launcherActivity: null }, components: [service('com.lib.Worker')] });
  aar.file.kind = 'aar';
  assert.deepEqual(run(aar), []);
});
