import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseAxml } from '../../src/axml/index.js';
import { expandClassName, parseManifest, type Component } from '../../src/manifest/index.js';
import { ANDROID_NS, android, el, encodeAxml, manifest, plain, type XAttr, type XElement } from '@apprights/testkit';

const launcherFilter = el(
  'intent-filter',
  [],
  [el('action', [android('name', 'android.intent.action.MAIN')]), el('category', [android('name', 'android.intent.category.LAUNCHER')])],
);
const viewFilter = el(
  'intent-filter',
  [android('priority', 100)],
  [
    el('action', [android('name', 'android.intent.action.VIEW')]),
    el('category', [android('name', 'android.intent.category.BROWSABLE')]),
    el('data', [
      android('scheme', 'https'),
      android('host', 'example.com'),
      android('port', '443'),
      android('pathPrefix', '/app'),
      android('mimeType', 'text/*'),
    ]),
  ],
);

function app(targetSdk: number | undefined, appAttrs: XAttr[], children: XElement[], manifestChildren: XElement[] = []): Uint8Array {
  const usesSdk = targetSdk === undefined ? [] : [el('uses-sdk', [android('minSdkVersion', 21), android('targetSdkVersion', targetSdk)])];
  return encodeAxml(
    manifest(
      'com.example.app',
      [
        android('versionCode', 42),
        android('versionName', '4.2'),
        android('compileSdkVersion', 34),
        android('compileSdkVersionCodename', '14'),
        plain('platformBuildVersionCode', 34),
        plain('platformBuildVersionName', '14'),
      ],
      [...usesSdk, ...manifestChildren, el('application', appAttrs, children)],
    ),
  );
}

function byName(components: Component[], name: string): Component {
  const found = components.find((c) => c.name === name);
  assert.ok(found, `no component ${name}`);
  return found;
}

test('manifest header, SDK levels and build stamps', () => {
  const m = parseManifest(app(30, [], []));
  assert.equal(m.package, 'com.example.app');
  assert.equal(m.versionCode, 42);
  assert.deepEqual(m.versionName, { kind: 'string', value: '4.2' });
  assert.equal(m.compileSdkVersion, 34);
  assert.equal(m.compileSdkVersionCodename, '14');
  assert.equal(m.platformBuildVersionCode, 34);
  assert.equal(m.platformBuildVersionName, '14');
  assert.equal(m.minSdkVersion, 21);
  assert.equal(m.targetSdkVersion, 30);
  assert.equal(m.effectiveTargetSdk, 30);
  assert.deepEqual(m.warnings, []);
  // Without uses-sdk Android assumes SDK 1; a codename counts as a development build.
  assert.equal(parseManifest(app(undefined, [], [])).effectiveTargetSdk, 1);
  const codename = encodeAxml(manifest('p.q', [], [el('uses-sdk', [android('minSdkVersion', 'Q'), android('targetSdkVersion', 'Q')])]));
  assert.equal(parseManifest(codename).targetSdkVersion, 'Q');
  assert.equal(parseManifest(codename).effectiveTargetSdk, 10000);
  // A parsed document works as input too.
  assert.equal(parseManifest(parseAxml(app(30, [], []))).package, 'com.example.app');
});

test('permissions, features, queries', () => {
  const m = parseManifest(
    app(
      33,
      [],
      [],
      [
        el('uses-permission', [android('name', 'android.permission.CAMERA')]),
        el('uses-permission', [android('name', 'android.permission.READ_EXTERNAL_STORAGE'), android('maxSdkVersion', 32)]),
        el('uses-permission-sdk-23', [android('name', 'android.permission.READ_CONTACTS')]),
        el('uses-permission'),
        el('permission', [
          android('name', 'com.example.app.PRIVATE'),
          android('protectionLevel', { type: 0x11, data: 0x12 }),
          android('permissionGroup', 'com.example.GROUP'),
          android('label', { ref: 0x7f0a0001 }),
        ]),
        el('permission', [android('name', 'com.example.app.OLD'), android('protectionLevel', 'signature|privileged')]),
        el('permission-group', [android('name', 'com.example.GROUP'), android('label', 'Group')]),
        el('uses-feature', [android('name', 'android.hardware.camera'), android('required', false)]),
        el('uses-feature', [android('glEsVersion', { type: 0x11, data: 0x20000 })]),
        el(
          'queries',
          [],
          [
            el('package', [android('name', 'com.tencent.mm')]),
            el('intent', [], [el('action', [android('name', 'android.intent.action.SEND')]), el('data', [android('mimeType', 'image/*')])]),
            el('provider', [android('authorities', 'a.b; c.d')]),
          ],
        ),
      ],
    ),
  );
  assert.deepEqual(m.usesPermissions, [
    { name: 'android.permission.CAMERA', maxSdkVersion: undefined, sdk23: false },
    { name: 'android.permission.READ_EXTERNAL_STORAGE', maxSdkVersion: 32, sdk23: false },
    { name: 'android.permission.READ_CONTACTS', maxSdkVersion: undefined, sdk23: true },
  ]);
  assert.ok(m.warnings.some((w) => /uses-permission> without a name/.test(w.message)));
  assert.deepEqual(m.permissions[0], {
    name: 'com.example.app.PRIVATE',
    protectionLevel: 0x12,
    protectionLevelNames: ['signature', 'privileged'],
    permissionGroup: 'com.example.GROUP',
    label: { kind: 'reference', id: 0x7f0a0001 },
    description: undefined,
  });
  assert.deepEqual(m.permissions[1]!.protectionLevelNames, ['signature', 'privileged']);
  assert.deepEqual(m.permissionGroups, [{ name: 'com.example.GROUP', label: { kind: 'string', value: 'Group' }, description: undefined }]);
  assert.deepEqual(m.usesFeatures, [
    { name: 'android.hardware.camera', required: false, glEsVersion: undefined },
    { name: undefined, required: true, glEsVersion: 0x20000 },
  ]);
  assert.deepEqual(m.queries.packages, ['com.tencent.mm']);
  assert.deepEqual(m.queries.intents[0]!.actions, ['android.intent.action.SEND']);
  assert.deepEqual(m.queries.intents[0]!.data, [{ mimeType: 'image/*' }]);
  assert.deepEqual(m.queries.providers, ['a.b', 'c.d']);
});

test('application flags keep references as references', () => {
  const m = parseManifest(
    app(
      30,
      [
        android('name', '.App'),
        android('label', { ref: 0x7f100001 }),
        android('icon', { ref: 0x7f080001 }),
        android('debuggable', { ref: 0x7f050000 }),
        android('allowBackup', false),
        android('usesCleartextTraffic', true),
        android('networkSecurityConfig', { ref: 0x7f140000 }),
        android('requestLegacyExternalStorage', true),
        android('extractNativeLibs', false),
        android('testOnly', true),
        android('appComponentFactory', 'androidx.core.app.CoreComponentFactory'),
        android('permission', 'com.example.app.PRIVATE'),
        android('process', ':main'),
      ],
      [
        el('meta-data', [android('name', 'CHANNEL'), android('value', 'huawei')]),
        el('meta-data', [android('name', 'cfg'), android('resource', { ref: 0x7f130000 })]),
      ],
    ),
  );
  const a = m.application!;
  assert.equal(a.name, 'com.example.app.App');
  assert.deepEqual(a.label, { kind: 'reference', id: 0x7f100001 });
  assert.deepEqual(a.icon, { kind: 'reference', id: 0x7f080001 });
  assert.deepEqual(a.debuggable, { kind: 'reference', id: 0x7f050000 });
  assert.equal(a.allowBackup, false);
  assert.equal(a.usesCleartextTraffic, true);
  assert.deepEqual(a.networkSecurityConfig, { kind: 'reference', id: 0x7f140000 });
  assert.equal(a.requestLegacyExternalStorage, true);
  assert.equal(a.extractNativeLibs, false);
  assert.equal(a.testOnly, true);
  assert.equal(a.appComponentFactory, 'androidx.core.app.CoreComponentFactory');
  assert.equal(a.process, ':main');
  assert.deepEqual(a.metaData, [
    { name: 'CHANNEL', value: { kind: 'string', value: 'huawei' }, resource: undefined },
    { name: 'cfg', value: undefined, resource: 0x7f130000 },
  ]);
  // Literal strings (old compilers, obfuscators) are accepted where Android's TypedArray accepts them.
  const literal = parseManifest(app(30, [android('debuggable', 'true'), android('label', 'My App')], []));
  assert.equal(literal.application!.debuggable, true);
  assert.deepEqual(literal.application!.label, { kind: 'string', value: 'My App' });
});

const components = [
  el('activity', [android('name', '.Main')], [launcherFilter]),
  el('activity', [android('name', 'Plain')], [viewFilter]),
  el('activity', [android('name', 'com.other.Explicit'), android('exported', false)], [viewFilter]),
  el('activity', [android('name', '.Hidden'), android('enabled', false)], [launcherFilter]),
  el('activity-alias', [android('name', '.Alias'), android('targetActivity', '.Main')], [launcherFilter]),
  el('service', [android('name', '.Sync'), android('process', ':sync'), android('directBootAware', true)]),
  el(
    'receiver',
    [android('name', '.Boot'), android('permission', 'android.permission.RECEIVE_BOOT_COMPLETED')],
    [el('intent-filter', [], [el('action', [android('name', 'android.intent.action.BOOT_COMPLETED')])])],
  ),
  el('provider', [
    android('name', '.Files'),
    android('authorities', 'com.example.files'),
    android('grantUriPermissions', true),
    android('readPermission', 'r.P'),
  ]),
  el('activity', []),
];

test('components: names, exported rules by target SDK, launcher', () => {
  const m = parseManifest(app(30, [android('permission', 'app.P')], components));
  const c = m.application!.components;
  assert.equal(c.length, 8);
  assert.ok(m.warnings.some((w) => /<activity> without a name/.test(w.message)));
  const main = byName(c, 'com.example.app.Main');
  assert.equal(main.rawName, '.Main');
  assert.equal(main.exported, true);
  assert.equal(main.exportedSource, 'implied-by-intent-filter');
  assert.equal(main.effectivePermission, 'app.P');
  const plainActivity = byName(c, 'com.example.app.Plain');
  assert.equal(plainActivity.exportedSource, 'implied-by-intent-filter');
  assert.deepEqual(plainActivity.intentFilters[0], {
    actions: ['android.intent.action.VIEW'],
    categories: ['android.intent.category.BROWSABLE'],
    data: [{ scheme: 'https', host: 'example.com', port: '443', pathPrefix: '/app', mimeType: 'text/*' }],
    priority: 100,
    autoVerify: undefined,
  });
  const explicit = byName(c, 'com.other.Explicit');
  assert.deepEqual([explicit.exported, explicit.exportedSource], [false, 'explicit']);
  assert.equal(byName(c, 'com.example.app.Hidden').enabled, false);
  assert.equal(byName(c, 'com.example.app.Alias').targetActivity, 'com.example.app.Main');
  const sync = byName(c, 'com.example.app.Sync');
  assert.deepEqual([sync.exported, sync.exportedSource, sync.process, sync.directBootAware], [false, 'default', ':sync', true]);
  const boot = byName(c, 'com.example.app.Boot');
  assert.deepEqual([boot.type, boot.exported, boot.permission], ['receiver', true, 'android.permission.RECEIVE_BOOT_COMPLETED']);
  const files = byName(c, 'com.example.app.Files');
  assert.deepEqual(
    [files.exported, files.exportedSource, files.authorities, files.grantUriPermissions, files.readPermission, files.writePermission],
    [false, 'default', ['com.example.files'], true, 'r.P', undefined],
  );
  // The disabled activity does not launch; the alias to Main does.
  assert.deepEqual(m.launcherActivities, [
    { name: 'com.example.app.Main', targetActivity: undefined },
    { name: 'com.example.app.Alias', targetActivity: 'com.example.app.Main' },
  ]);
  assert.equal(m.launcherActivity, 'com.example.app.Main');
});

test('exported defaults: targetSdk 31+ and old providers', () => {
  const modern = parseManifest(app(31, [], components));
  const plainActivity = byName(modern.application!.components, 'com.example.app.Plain');
  assert.deepEqual([plainActivity.exported, plainActivity.exportedSource], [false, 'default']);
  assert.ok(modern.warnings.some((w) => /Android 12\+ refuses/.test(w.message)));
  const old = parseManifest(app(16, [], components));
  const files = byName(old.application!.components, 'com.example.app.Files');
  assert.deepEqual([files.exported, files.exportedSource], [true, 'default']);
  // Reference-valued exported stays a reference.
  const ref = parseManifest(app(30, [], [el('service', [android('name', '.S'), android('exported', { ref: 0x7f050001 })])]));
  assert.deepEqual(ref.application!.components[0]!.exported, { kind: 'reference', id: 0x7f050001 });
  // A disabled application disables its components.
  const off = parseManifest(app(30, [android('enabled', false)], components));
  assert.equal(byName(off.application!.components, 'com.example.app.Main').enabled, false);
  assert.deepEqual(off.launcherActivities, []);
});

test('attributes are matched by framework id, with android: names as fallback', () => {
  const m = parseManifest(
    encodeAxml(
      manifest(
        'p.q',
        [
          { ns: '', name: '', id: 0x0101021b, value: 9 },
          { ns: ANDROID_NS, name: 'versionName', value: 'by-name' },
        ],
        [
          // A scrambled string name with the id of `name`.
          el('uses-permission', [{ ns: ANDROID_NS, name: 'x1', id: 0x01010003, value: 'android.permission.INTERNET' }]),
          // The right name in another namespace and no id: Android ignores it, so do we.
          el('uses-permission', [{ ns: 'urn:other', name: 'name', value: 'android.permission.FAKE' }]),
        ],
      ),
    ),
  );
  assert.equal(m.versionCode, 9);
  assert.deepEqual(m.versionName, { kind: 'string', value: 'by-name' });
  assert.deepEqual(
    m.usesPermissions.map((p) => p.name),
    ['android.permission.INTERNET'],
  );
});

test('class name expansion follows Android', () => {
  assert.equal(expandClassName('a.b', '.C'), 'a.b.C');
  assert.equal(expandClassName('a.b', 'C'), 'a.b.C');
  assert.equal(expandClassName('a.b', 'x.y.C'), 'x.y.C');
  assert.equal(expandClassName(undefined, '.C'), '.C');
});

test('a manifest without package or application still reads', () => {
  const m = parseManifest(encodeAxml(el('manifest')));
  assert.equal(m.package, undefined);
  assert.equal(m.application, undefined);
  assert.ok(m.warnings.some((w) => /no package/.test(w.message)));
  const other = parseManifest(encodeAxml(el('LinearLayout')));
  assert.ok(other.warnings.some((w) => /root element is <LinearLayout>/.test(w.message)));
});
