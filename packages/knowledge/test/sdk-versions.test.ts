/**
 * SDK versions and where they come from, and SDKs bundled inside other SDKs: on the real SDK
 * binaries shipped in npm packages and the real APKs, and on JARs/AARs the tests write themselves
 * with the layouts vendors ship (nested libs/*.jar, META-INF files, BuildConfig constants).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ZipArchive, analyzeArchive, analyzePackage, type PackageAnalysis } from '@apprights/apk';
import { buildApk, buildDex, buildZip, type ClassSpec, type Insn } from '@apprights/testkit';
import { realApks, repoRoot } from '@apprights/testkit';
import { detectSdks, loadSdkCatalog, versionFromFileName, versionFromLibrary, type SdkDetection } from '../src/index.js';
import { classWithConstants, jarOf, oneClickLoginAar } from './support/sdk-binaries.js';

const catalog = loadSdkCatalog();
const jars = {
  jpush: join(repoRoot, 'node_modules/jpush-phonegap-plugin/src/android/libs/jpush-android-4.8.1.jar'),
  wechat: join(repoRoot, 'node_modules/react-native-wechat/android/libs/libammsdk.jar'),
  baidu: join(repoRoot, 'node_modules/cordova-plugin-baidumaplocation/libs/android/BaiduLBS_Android.jar'),
};

function detectBytes(bytes: Uint8Array, name: string): Map<string, SdkDetection> {
  const analysis = analyzeArchive(ZipArchive.fromBytes(bytes), `/fixtures/${name}`, { verifySignatures: false });
  try {
    return new Map(detectSdks(analysis, catalog).map((d) => [d.sdk.id, d]));
  } finally {
    analysis.close();
  }
}

function detectFile(path: string): Map<string, SdkDetection> {
  const analysis: PackageAnalysis = analyzePackage(path, { verifySignatures: false });
  try {
    return new Map(detectSdks(analysis, catalog).map((d) => [d.sdk.id, d]));
  } finally {
    analysis.close();
  }
}

test('versions in file names: dotted, v-prefixed, underscored; none when the name has none', () => {
  const cases: [string, string | undefined][] = [
    ['jpush-android-4.8.1.jar', '4.8.1'],
    ['libs/quick_login_android_5.9.6.jar', '5.9.6'],
    ['libs/CTAccountSdk_v3.8.4_all_release.jar', '3.8.4'],
    ['GDTSDK.unionNormal.4.530.1400.aar', '4.530.1400'],
    ['open_sdk_3.5.14.3_r75af33f5_lite.jar', '3.5.14.3'],
    ['sdk_5_9_6.jar', '5.9.6'],
    ['BaiduLBS_Android.jar', undefined],
    ['libammsdk.jar', undefined],
    ['android-support-v4.jar', undefined],
  ];
  for (const [name, expected] of cases) assert.equal(versionFromFileName(name), expected, name);
  assert.equal(versionFromLibrary('libBaiduMapSDK_map_v7_5_4.so'), '7.5.4');
  assert.equal(versionFromLibrary('libjcore481.so'), undefined);
});

test('a one-click login AAR: every carrier SDK inside it, each with its version, its source and the aggregator that bundles it', () => {
  const found = detectBytes(oneClickLoginAar(), 'oneclick-login-2.13.4.aar');
  const aggregator = found.get('aliyun-number-auth');
  assert.ok(aggregator, `found: ${[...found.keys()].join(', ')}`);
  assert.equal(aggregator.version, '2.13.4');
  assert.deepEqual(aggregator.versionSource, { kind: 'file-name', where: 'oneclick-login-2.13.4.aar' });
  assert.deepEqual(aggregator.bundledBy, []);

  const expected: [string, string, { kind: string; where: string }][] = [
    ['cmic-sso', '5.9.6', { kind: 'file-name', where: 'libs/quick_login_android_5.9.6.jar' }],
    // The current package name (com.unicom.online.account); the version from its BuildConfig.
    ['chinaunicom-account', '5.2.0', { kind: 'constant', where: 'com.unicom.online.account.kernel.BuildConfig.VERSION_NAME' }],
    ['chinatelecom-account', '3.8.4', { kind: 'file-name', where: 'libs/CTAccountSdk_v3.8.4_all_release.jar' }],
  ];
  for (const [id, version, source] of expected) {
    const d = found.get(id);
    assert.ok(d, `${id} is detected`);
    assert.equal(d.version, version, id);
    assert.deepEqual(d.versionSource, source, id);
    assert.deepEqual(d.bundledBy, ['aliyun-number-auth'], id);
  }
});

test('META-INF files and the AAR manifest give versions; a BuildConfig constant outranks the file name', () => {
  // MANIFEST.MF of a JAR whose name has no version: the SDK dominating its classes gets it.
  const okhttp = detectBytes(
    jarOf({ 'okhttp3/OkHttpClient': {}, 'okhttp3/Call': {}, 'okhttp3/Request': {} }, [
      { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\r\nImplementation-Version: 3.12.13\r\n' },
    ]),
    'network.jar',
  ).get('okhttp');
  assert.equal(okhttp?.version, '3.12.13');
  assert.deepEqual(okhttp?.versionSource, { kind: 'meta-inf', where: 'META-INF/MANIFEST.MF' });

  // pom.properties is matched by its groupId, read as a package name.
  const pom = 'META-INF/maven/com.tencent.mm.opensdk/wechat-sdk-android/pom.properties';
  const wechat = detectBytes(
    jarOf(
      {
        'com/tencent/mm/opensdk/openapi/WXAPIFactory': {},
        'com/tencent/mm/opensdk/openapi/IWXAPI': {},
        'com/tencent/mm/opensdk/modelbase/BaseReq': {},
      },
      [{ name: pom, data: '#Generated by Maven\ngroupId=com.tencent.mm.opensdk\nartifactId=wechat-sdk-android\nversion=6.8.0\n' }],
    ),
    'wechat.jar',
  ).get('wechat-opensdk');
  assert.equal(wechat?.version, '6.8.0');
  assert.deepEqual(wechat?.versionSource, { kind: 'meta-inf', where: pom });

  // Beside pom.properties, a MANIFEST.MF restating the version in OSGi form (Guava's jars) does not
  // make two versions: the build tool's record decides, not the file name.
  const guavaPom = 'META-INF/maven/com.google.guava/guava/pom.properties';
  const guava = detectBytes(
    jarOf({ 'com/google/common/collect/ImmutableList': {}, 'com/google/common/base/Strings': {}, 'com/google/common/io/Files': {} }, [
      { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\r\nBundle-Version: 33.4.6.jre\r\n' },
      { name: guavaPom, data: 'artifactId=guava\ngroupId=com.google.guava\nversion=33.4.6-jre\n' },
    ]),
    'guava-33.4.6-jre.jar',
  ).get('guava');
  assert.equal(guava?.version, '33.4.6-jre');
  assert.deepEqual(guava?.versionSource, { kind: 'meta-inf', where: guavaPom });

  // The AAR manifest's versionName, for the SDK owning the manifest package.
  const aar = buildZip([
    {
      name: 'AndroidManifest.xml',
      data: '<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.igexin.sdk" android:versionName="3.2.9.0"/>',
    },
    { name: 'classes.jar', data: jarOf({ 'com/igexin/sdk/PushManager': {}, 'com/igexin/sdk/PushService': {}, 'com/igexin/push/a': {} }) },
  ]);
  const getui = detectBytes(aar, 'getui.aar').get('getui');
  assert.equal(getui?.version, '3.2.9.0');
  assert.deepEqual(getui?.versionSource, { kind: 'aar-manifest', where: 'AndroidManifest.xml' });

  // The binary's own constant beats a name an integrator may have changed.
  const renamed = detectBytes(
    jarOf({
      'com/igexin/sdk/PushManager': {},
      'com/igexin/sdk/PushService': {},
      'com/igexin/sdk/BuildConfig': { VERSION_NAME: '3.3.0.0', BUILD_TYPE: 'release' },
    }),
    'getui-1.0.0.jar',
  ).get('getui');
  assert.equal(renamed?.version, '3.3.0.0');
  assert.equal(renamed?.versionSource?.kind, 'constant');
});

test('versions the SDK reports: a version method of a version holder, in a JAR and in DEX; not a getter of two strings', () => {
  const jar = buildZip([
    { name: 'junit/framework/TestCase.class', data: classWithConstants('junit/framework/TestCase') },
    { name: 'junit/framework/Assert.class', data: classWithConstants('junit/framework/Assert') },
    { name: 'junit/runner/Version.class', data: classWithConstants('junit/runner/Version', {}, { returns: { id: '4.13.2' } }) },
  ]);
  const fromJar = detectBytes(jar, 'junit.jar').get('junit');
  assert.deepEqual([fromJar?.version, fromJar?.versionSource], ['4.13.2', { kind: 'reported', where: 'junit.runner.Version.id()' }]);

  const method = (name: string, values: string[]) => ({
    name,
    proto: '()Ljava/lang/String;',
    access: 0x9,
    code: {
      registers: 1,
      ins: 0,
      outs: 0,
      insns: [...values.map((v) => ({ op: 'const-string' as const, reg: 0, string: v })), { op: 'return-object' as const, reg: 0 }],
    },
  });
  const dex = buildDex({
    classes: [
      { type: 'Lcom/igexin/sdk/PushManager;' },
      { type: 'Lcom/igexin/sdk/PushService;' },
      // Two strings: which one is returned is not known from the loads alone.
      { type: 'Lcom/igexin/sdk/SdkConfig;', directMethods: [method('getVersion', ['1.0.0', '2.0.0'])] },
      { type: 'Lcom/igexin/sdk/PushConsts;', directMethods: [method('getSdkVersion', ['3.3.1.0']), method('getChannel', ['9.9.9'])] },
    ],
  }).bytes;
  const fromDex = detectBytes(buildApk({ package: 'com.example.app', dex: [dex] }), 'getui.apk').get('getui');
  assert.deepEqual(
    [fromDex?.version, fromDex?.versionSource],
    ['3.3.1.0', { kind: 'reported', where: 'com.igexin.sdk.PushConsts.getSdkVersion()' }],
  );
});

test('hostile constants are not versions: prose, over-long values, non-version fields', () => {
  const found = detectBytes(
    jarOf({
      'com/igexin/sdk/PushManager': {},
      'com/igexin/sdk/PushService': {},
      'com/igexin/sdk/BuildConfig': { VERSION_NAME: 'see release notes', APPLICATION_ID: '1.2.3' },
      'com/igexin/sdk/SdkConfig': { VERSION: `1.${'9'.repeat(80)}` },
    }),
    'getui.jar',
  ).get('getui');
  assert.ok(found);
  assert.equal(found.version, null);
  assert.equal(found.versionSource, null);
  // A class file with a constant decodes as written (the writer is what the tests rely on).
  assert.ok(classWithConstants('a/B', { X: 'y' }).length > 40);
});

test('real SDK binaries: versions say where they came from; bundled SDKs name what bundles them', () => {
  const jpush = detectFile(jars.jpush);
  assert.equal(jpush.get('jpush')?.version, '4.8.1');
  assert.deepEqual(jpush.get('jpush')?.versionSource, { kind: 'version-hint', where: 'cn.jpush.android.local.JPushConstants' });
  // The Jiguang ad classes ship inside the JPush jar.
  assert.deepEqual(jpush.get('jiguang-ads')?.bundledBy, ['jpush']);

  const wechat = detectFile(jars.wechat);
  assert.equal(wechat.get('wechat-opensdk')?.version, '2.1.3');
  assert.deepEqual(wechat.get('tencent-mta-wxop')?.bundledBy, ['wechat-opensdk']);

  const baidu = detectFile(jars.baidu);
  assert.equal(baidu.get('baidu-location')?.version, '7.5.1');
  assert.equal(baidu.get('baidu-location')?.versionSource?.kind, 'version-hint');
});

test(
  'real APKs: *.version files give a library its version only when its files agree',
  { skip: !existsSync(realApks.uiautomator2) },
  () => {
    const path = realApks.uiautomator2;
    const found = detectFile(path);
    const coroutines = found.get('kotlinx-coroutines');
    const archive = ZipArchive.open(path);
    try {
      const expected = new TextDecoder().decode(archive.read('META-INF/kotlinx_coroutines_core.version')).trim();
      assert.equal(coroutines?.version, expected);
      assert.deepEqual(coroutines?.versionSource, { kind: 'meta-inf', where: 'META-INF/kotlinx_coroutines_core.version' });
    } finally {
      archive.close();
    }
    // Gson states its version in GsonBuildConfig.VERSION.
    assert.equal(found.get('gson')?.versionSource?.where, 'com.google.gson.internal.GsonBuildConfig.VERSION');
    // The app's own BuildConfig (io.appium.settings) is the app's version, never an SDK's.
    const settings = detectFile(realApks.settings);
    assert.equal(settings.get('appium')?.version ?? null, null);
  },
);

test(
  'Google Play services: the top-level <artifact>.properties names its client and version',
  { skip: !existsSync(realApks.settings) && 'settings APK missing' },
  () => {
    const found = detectFile(realApks.settings);
    const base = found.get('google-play-services-base');
    assert.deepEqual([base?.version, base?.versionSource], ['18.9.0', { kind: 'properties', where: 'play-services-base.properties' }]);
    assert.equal(found.get('google-play-services-location')?.versionSource?.where, 'play-services-location.properties');
  },
);

test('a version class that builds its own version from integers in its static initialiser (Kotlin), once; two builds say nothing', () => {
  const KV = 'Lkotlin/KotlinVersion;';
  const code = (registers: number, insns: Insn[]) => ({ registers, ins: 0, outs: 4, insns });
  const build = (values: number[]): Insn[] => [
    { op: 'new-instance', reg: 0, type: KV },
    ...values.map((v, i) => ({ op: 'const/4' as const, reg: i + 1, value: v })),
    { op: 'invoke-direct', method: `${KV}-><init>(${'I'.repeat(values.length)})V`, args: [0, ...values.map((_, i) => i + 1)] },
  ];
  const dexWith = (clinit: Insn[], extra: ClassSpec[] = []) =>
    buildDex({
      classes: [
        {
          type: KV,
          staticFields: [{ name: 'CURRENT', type: KV, access: 0x19 }],
          directMethods: [
            { name: '<clinit>', proto: '()V', access: 0x10008, code: code(5, [...clinit, { op: 'return-void' }]) },
            { name: '<init>', proto: '(III)V', access: 0x10001, code: { registers: 4, ins: 4, outs: 0, insns: [{ op: 'return-void' }] } },
          ],
        },
        { type: 'Lkotlin/Unit;' },
        { type: 'Lkotlin/Pair;' },
        ...extra,
      ],
    }).bytes;
  const detect = (dex: Uint8Array) => detectBytes(buildApk({ package: 'com.example.app', dex: [dex] }), 'kotlin.apk').get('kotlin-stdlib');
  // Built in a static method the initialiser calls, as Kotlin 1.9+ does (KotlinVersionCurrentValue.get()).
  const viaGetter = dexWith(
    [
      { op: 'invoke-static', method: `Lkotlin/KotlinVersionCurrentValue;->get()${KV}`, args: [] },
      { op: 'move-result-object', reg: 0 },
      { op: 'sput-object', reg: 0, field: `${KV}->CURRENT:${KV}` },
    ],
    [
      {
        type: 'Lkotlin/KotlinVersionCurrentValue;',
        directMethods: [
          { name: 'get', proto: `()${KV}`, access: 0x9, code: code(4, [...build([1, 7, 0]), { op: 'return-object', reg: 0 }]) },
        ],
      },
    ],
  );
  const found = detect(viaGetter);
  assert.deepEqual([found?.version, found?.versionSource], ['1.7.0', { kind: 'reported', where: 'kotlin.KotlinVersion.<clinit>()' }]);
  // Inline, as older Kotlin does.
  assert.equal(detect(dexWith([...build([1, 6, 2]), { op: 'sput-object', reg: 0, field: `${KV}->CURRENT:${KV}` }]))?.version, '1.6.2');
  // Two versions built (ICU's VersionInfo builds UNICODE_1_0 and more): none is the library's.
  assert.equal(detect(dexWith([...build([1, 0, 0]), ...build([7, 2, 1])]))?.version, null);
});
