import { uninstallObstruction } from '../../src/rules/uninstall-obstruction.js';
import { activity, apiUse, evidenceOf, makeFacts, receiver, sdk, service } from '../support/facts.js';
import type { IconImage, PackageFacts } from '../../src/index.js';
import { RuleTester, runRule } from '../../src/testing/rule-tester.js';
import { test } from 'node:test';
import assert from 'node:assert/strict';

const ev = (patch: Parameters<typeof makeFacts>[0] = {}) => evidenceOf(makeFacts(patch));

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

const application = (detail: string) => ({ kind: 'manifest', artifact: 'AndroidManifest.xml', element: 'application', detail }) as const;
const blanks = ['', '   ', '\u200B', '\u3164', '\u2800\u2800', '\u00A0\uFEFF', '\u115F\u1160', '\u3000'];
const mainDisabled = { ...activity('com.example.app.MainActivity', { launcher: true }), enabled: false };
const aliasDisabled = { ...activity('com.example.app.Festival', { launcher: true }), type: 'activity-alias' as const, enabled: false };
const admin = receiver('com.example.app.Admin', ['android.app.action.DEVICE_ADMIN_ENABLED'], {
  permission: 'android.permission.BIND_DEVICE_ADMIN',
});
const sdkAdmin = receiver('com.vendor.mdm.AdminReceiver', ['android.app.action.DEVICE_ADMIN_ENABLED']);
const hiders = Array.from({ length: 7 }, (_, i) => ({ class: `com.example.app.Hider${i}`, own: true }));
const withoutIconImage = makeFacts();
// A report stored before iconImage existed.
delete (withoutIconImage.app as Partial<PackageFacts['app']>).iconImage;

new RuleTester().run(uninstallObstruction, {
  valid: [
    {
      name: 'an ordinary app with a name and a launcher entry',
      evidence: ev({ components: [activity('com.example.app.MainActivity', { launcher: true }), service('com.example.app.Sync')] }),
    },
    ...['微信', 'A\u200B', '\u3164x'].map((label) => ({
      name: `a name with visible text: ${JSON.stringify(label)}`,
      evidence: ev({ app: { label, labels: { default: label } } }),
    })),
    { name: 'no launcher and no components', evidence: ev({ app: { launcherActivity: null }, components: [] }) },
    {
      name: 'no launcher with only activities',
      evidence: ev({ app: { launcherActivity: null }, components: [activity('com.example.app.Viewer')] }),
    },
    {
      name: 'one of several launcher entries disabled: an icon switch',
      evidence: ev({ components: [{ ...mainDisabled, enabled: null }, aliasDisabled] }),
    },
    {
      name: 'other sensitive APIs',
      evidence: ev({ sensitiveApis: [apiUse('telephony.getImei', 'Landroid/telephony/TelephonyManager;->getImei', [{ class: 'a.B' }])] }),
    },
    ...[
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
    ].map((iconImage) => ({ name: `icon ${JSON.stringify(iconImage)}`, evidence: ev({ app: { iconImage } }) })),
    { name: 'a report stored before iconImage existed', evidence: evidenceOf(withoutIconImage) },
  ],
  invalid: [
    ...blanks.map((blank) => ({
      name: `a blank or invisible name in one locale: ${JSON.stringify(blank)}`,
      evidence: ev({ app: { label: 'Example', labels: { default: 'Example', 'zh-CN': blank } } }),
      findings: [
        {
          messageId: 'blankLabel',
          data: { locales: { zh: 'zh-CN', en: 'zh-CN' } },
          key: 'blank-label',
          severity: 'high' as const,
          evidence: [application('android:label blank in zh-CN')],
        },
      ],
    })),
    {
      name: 'an invisible default name',
      evidence: ev({ app: { label: '\u200D', labels: {} } }),
      findings: [
        {
          messageId: 'blankLabel',
          data: { locales: { zh: 'default', en: 'default' } },
          key: 'blank-label',
          severity: 'high',
          facts: { locales: ['default'], codePoints: { default: ['U+200D'] } },
        },
      ],
    },
    {
      name: 'no readable name at all is low, for a person to check',
      evidence: ev({ app: { label: null, labels: {} } }),
      findings: [{ messageId: 'noLabel', data: {}, key: 'no-label', severity: 'low' }],
    },
    {
      name: 'background components without a launcher entry are medium',
      evidence: ev({
        app: { launcherActivity: null },
        components: [
          activity('com.example.app.Hidden'),
          receiver('com.example.app.Boot', ['android.intent.action.BOOT_COMPLETED']),
          service('com.example.app.Keep'),
        ],
      }),
      findings: [
        {
          messageId: 'noLauncherBackground',
          data: { background: 2 },
          key: 'no-launcher',
          severity: 'medium',
          evidence: [application('no activity with MAIN/LAUNCHER intent-filter')],
          facts: { background: 2 },
        },
      ],
    },
    ...(
      [
        [
          service('com.example.ime.Ime', ['android.view.InputMethod'], { permission: 'android.permission.BIND_INPUT_METHOD' }),
          { zh: '输入法', en: 'input method' },
        ],
        [service('com.example.wp.Wallpaper', ['android.service.wallpaper.WallpaperService']), { zh: '动态壁纸', en: 'live wallpaper' }],
        [
          service('com.example.a11y.Reader', [], { permission: 'android.permission.BIND_ACCESSIBILITY_SERVICE' }),
          { zh: '无障碍服务', en: 'accessibility service' },
        ],
      ] as const
    ).map(([s, what]) => ({
      name: `${s.name} without a launcher is low`,
      evidence: ev({ app: { launcherActivity: null }, components: [s] }),
      findings: [{ messageId: 'noLauncher', data: { what }, key: 'no-launcher', severity: 'low' as const }],
    })),
    {
      name: 'every launcher entry disabled is high, one finding for one cause',
      evidence: ev({ app: { launcherActivity: null }, components: [mainDisabled, aliasDisabled, service('com.example.app.Keep')] }),
      findings: [
        {
          messageId: 'launcherDisabled',
          data: {
            launchers: {
              zh: 'com.example.app.MainActivity、com.example.app.Festival',
              en: 'com.example.app.MainActivity, com.example.app.Festival',
            },
          },
          key: 'launcher-disabled',
          severity: 'high',
          evidence: [
            {
              kind: 'manifest',
              artifact: 'AndroidManifest.xml',
              element: 'activity',
              name: 'com.example.app.MainActivity',
              detail: 'android:enabled=false',
            },
            {
              kind: 'manifest',
              artifact: 'AndroidManifest.xml',
              element: 'activity-alias',
              name: 'com.example.app.Festival',
              detail: 'android:enabled=false',
            },
          ],
        },
      ],
    },
    {
      name: 'code that can disable components is medium, with up to five callers as evidence',
      evidence: ev({ sensitiveApis: [apiUse('packageManager.setComponentEnabledSetting', SET_ENABLED, hiders)] }),
      findings: [
        {
          messageId: 'setComponentEnabled',
          data: { total: 7, s: 's', owners: { zh: '', en: '' }, librariesOnly: { zh: '', en: '' } },
          key: 'set-component-enabled',
          severity: 'medium',
          evidence: hiders.slice(0, 5).map((h) => ({
            kind: 'code' as const,
            artifact: 'classes.dex',
            class: h.class,
            method: 'run()V',
            api: 'packageManager.setComponentEnabledSetting',
            sdk: null,
          })),
        },
      ],
    },
    {
      name: 'calls only from AndroidX or Google libraries are low',
      evidence: ev({
        sensitiveApis: [
          apiUse('packageManager.setComponentEnabledSetting', SET_ENABLED, [{ class: 'androidx.work.impl.utils.PackageManagerHelper' }]),
        ],
      }),
      findings: [
        {
          messageId: 'setComponentEnabled',
          data: {
            total: 1,
            s: '',
            owners: { zh: '', en: '' },
            librariesOnly: {
              zh: '；调用均来自通常只开关自身组件的 AndroidX/Google 库',
              en: '; every call is in AndroidX/Google libraries that normally toggle only their own components',
            },
          },
          key: 'set-component-enabled',
          severity: 'low',
        },
      ],
    },
    {
      name: 'device admin receivers are medium, one per receiver, with the SDK that owns them',
      evidence: ev({
        components: [activity('com.example.app.MainActivity', { launcher: true }), admin, sdkAdmin],
        sdks: [sdk('mdm', { evidence: { classes: 5, classExamples: [], components: [sdkAdmin.name], nativeLibraries: [], domains: [] } })],
      }),
      findings: [
        {
          messageId: 'deviceAdmin',
          data: { name: 'com.example.app.Admin', owner: { zh: '', en: '' } },
          key: 'device-admin:com.example.app.Admin',
          severity: 'medium',
          evidence: [
            {
              kind: 'manifest',
              artifact: 'AndroidManifest.xml',
              element: 'receiver',
              name: 'com.example.app.Admin',
              detail: 'android:permission=android.permission.BIND_DEVICE_ADMIN',
              sdk: null,
            },
          ],
        },
        {
          messageId: 'deviceAdmin',
          data: { name: 'com.vendor.mdm.AdminReceiver', owner: { zh: '（来自 mdm）', en: ' (from mdm)' } },
          key: 'device-admin:com.vendor.mdm.AdminReceiver',
          severity: 'medium',
          evidence: [
            {
              kind: 'manifest',
              artifact: 'AndroidManifest.xml',
              element: 'receiver',
              name: 'com.vendor.mdm.AdminReceiver',
              detail: 'intent-filter/action=android.app.action.DEVICE_ADMIN_ENABLED',
              sdk: 'mdm',
            },
          ],
        },
      ],
    },
    {
      name: 'a transparent or one-dot PNG launcher icon is high, with the icon file as evidence',
      evidence: ev({ app: { iconImage: png({ transparentRatio: 0.999973, meanAlpha: 0.01 }) } }),
      findings: [
        {
          messageId: 'transparentIcon',
          data: { path: 'res/mipmap-xxxhdpi-v4/ic_launcher.png', percent: '99.9%', alpha: '0.0' },
          key: 'transparent-icon',
          severity: 'high',
          evidence: [{ kind: 'resource', artifact: ICON, detail: 'transparent 99.9% of 192×192 pixels (alpha < 16), mean alpha 0.0' }],
          facts: { transparentRatio: 0.999973, meanAlpha: 0.01, width: 192, height: 192 },
        },
      ],
    },
    {
      name: 'the transparency threshold: 95% transparent',
      evidence: ev({ app: { iconImage: png({ transparentRatio: 0.95, meanAlpha: 40 }) } }),
      findings: [
        {
          messageId: 'transparentIcon',
          data: { path: 'res/mipmap-xxxhdpi-v4/ic_launcher.png', percent: '95.0%', alpha: '40.0' },
          key: 'transparent-icon',
          severity: 'high',
        },
      ],
    },
    {
      name: 'the faintness threshold: mean alpha under 13',
      evidence: ev({ app: { iconImage: png({ transparentRatio: 0.5, meanAlpha: 12.9 }) } }),
      findings: [
        {
          messageId: 'transparentIcon',
          data: { path: 'res/mipmap-xxxhdpi-v4/ic_launcher.png', percent: '50.0%', alpha: '12.9' },
          key: 'transparent-icon',
          severity: 'high',
          evidence: [{ kind: 'resource', artifact: ICON, detail: 'transparent 50.0% of 192×192 pixels (alpha < 16), mean alpha 12.9' }],
        },
      ],
    },
  ],
});

test('uninstall-obstruction: does not apply to a library', () => {
  const aar = makeFacts({ app: { label: '', launcherActivity: null }, components: [service('com.lib.Worker')] });
  aar.file.kind = 'aar';
  assert.notEqual(runRule(uninstallObstruction, evidenceOf(aar)).rules[0]?.status, 'ran');
});
