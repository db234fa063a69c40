/**
 * SDK and sensitive-API detection on real inputs: the SDK binaries shipped in npm packages, and the
 * three real APKs, checked against `dexdump -d` where that tool is installed.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { analyzePackage, buildCodeIndex, parseDex, type PackageAnalysis } from '@apprights/apk';
import { buildDex, realApks, repoRoot, runTool, skipWithoutTool } from '@apprights/testkit';
import {
  SdkPackageMatcher,
  checkPermissionUse,
  detectAll,
  detectSdks,
  findSensitiveApis,
  knowledgeDataDir,
  loadSdkCatalog,
  readSensitiveApiSpecs,
  type SdkEntry,
  type SensitiveApiSpec,
  type SensitiveApiUse,
} from '../src/index.js';

const fixtureData = fileURLToPath(new URL('./fixtures/data', import.meta.url));
const fixtureCatalog = loadSdkCatalog(join(fixtureData, 'sdks'));
const fixtureApis = readSensitiveApiSpecs(fixtureData);
const catalog = loadSdkCatalog();
const apis = readSensitiveApiSpecs();

const jars = {
  jpush: join(repoRoot, 'node_modules/jpush-phonegap-plugin/src/android/libs/jpush-android-4.8.1.jar'),
  wechat: join(repoRoot, 'node_modules/react-native-wechat/android/libs/libammsdk.jar'),
  baidu: join(repoRoot, 'node_modules/cordova-plugin-baidumaplocation/libs/android/BaiduLBS_Android.jar'),
};

const analyses = new Map<string, PackageAnalysis>();
function analysis(path: string): PackageAnalysis {
  let a = analyses.get(path);
  if (!a) analyses.set(path, (a = analyzePackage(path, { verifySignatures: false })));
  return a;
}

function entry(id: string, extra: Partial<SdkEntry> = {}): SdkEntry {
  return {
    id,
    name: { zh: id, en: id },
    vendor: { zh: id, en: id },
    category: 'other',
    region: 'cn',
    tracker: true,
    packages: [],
    personalInformation: [],
    sources: {},
    ...extra,
  };
}

function apiIds(uses: SensitiveApiUse[]): string[] {
  return uses.map((u) => u.api).sort();
}

/** The catalogue entry whose packages own `className`, or a skip reason naming what is missing. */
function catalogueOwner(className: string, what: string): { sdk?: SdkEntry; skip: string | false } {
  const sdk = new SdkPackageMatcher(catalog.entries).matchClass(className);
  return sdk ? { sdk, skip: false } : { skip: `skipped: data/sdks has no entry for ${what} (no package prefix owns ${className}) yet` };
}

test('the package matcher takes the longest prefix over whole segments', () => {
  const outer = entry('outer', { packages: ['com.vendor'] });
  const inner = entry('inner', { packages: ['com.vendor.push'], within: 'outer' });
  const m = new SdkPackageMatcher([outer, inner]);
  assert.equal(m.matchClass('Lcom/vendor/push/a/B;')?.id, 'inner');
  assert.equal(m.matchClass('com.vendor.push.Service')?.id, 'inner');
  assert.equal(m.matchClass('Lcom/vendor/X;')?.id, 'outer');
  assert.equal(m.matchClass('Lcom/vendorx/X;'), undefined);
  assert.equal(m.matchClass('Lcom/pushy/X;'), undefined);
  // A prefix names a package: a class called like the last segment is not inside it.
  assert.equal(m.matchClass('Lcom/vendor;'), undefined);
  const bytes = new TextEncoder().encode('\u0010Lcom/vendor/push/Z;\0');
  assert.equal(m.matchDescriptorBytes(bytes, 1)?.sdk.id, 'inner');
});

test('the fixture catalogue identifies the three SDK jars and their sensitive APIs', () => {
  const expected: [string, string, string[]][] = [
    [jars.jpush, 'jpush', ['location.getLastKnownLocation', 'location.requestLocationUpdates']],
    [jars.wechat, 'wechat-opensdk', ['telephony.getDeviceId', 'wifi.getMacAddress']],
    [jars.baidu, 'baidu-location', ['location.requestLocationUpdates', 'telephony.getDeviceId', 'telephony.getSubscriberId']],
  ];
  for (const [path, id, expectedApis] of expected) {
    const a = analysis(path);
    const sdks = detectSdks(a, fixtureCatalog);
    assert.equal(sdks[0]?.sdk.id, id, path);
    assert.equal(sdks[0]!.confidence, 'high');
    assert.ok(sdks[0]!.evidence.classes > 50);
    const uses = findSensitiveApis(a, fixtureApis, sdks);
    for (const api of expectedApis) assert.ok(apiIds(uses).includes(api), `${id}: ${api} in ${apiIds(uses).join(', ')}`);
    // Callers inside the SDK's packages are attributed to it, and a JAR has no "own" package.
    const callers = uses.flatMap((u) => u.callers);
    assert.ok(callers.some((c) => c.sdk === id));
    assert.ok(callers.every((c) => !c.own));
  }
});

test(
  'JPush (jpush-android-4.8.1.jar) is identified by the shipped catalogue',
  { skip: catalogueOwner('cn.jpush.android.api.JPushInterface', 'JPush').skip },
  () => {
    const sdks = detectSdks(analysis(jars.jpush), catalog);
    assert.equal(sdks[0]?.sdk.id, 'jpush');
    assert.equal(sdks[0]!.confidence, 'high');
    assert.ok(sdks[0]!.sdk.tracker);
  },
);

for (const [name, path, className] of [
  ['the WeChat OpenSDK (libammsdk.jar)', jars.wechat, 'com.tencent.mm.sdk.openapi.WXAPIFactory'],
  ['Baidu location (BaiduLBS_Android.jar)', jars.baidu, 'com.baidu.location.LocationClient'],
] as const) {
  const owner = catalogueOwner(className, name);
  test(`${name} is identified by the shipped catalogue`, { skip: owner.skip }, () => {
    // libammsdk.jar also bundles Tencent's statistics SDK, which may be its own catalogue entry.
    const sdks = detectSdks(analysis(path), catalog);
    const found = sdks.find((s) => s.sdk.id === owner.sdk!.id);
    assert.equal(found?.confidence, 'high', JSON.stringify(sdks.map((s) => [s.sdk.id, s.evidence.classes])));
    assert.ok(found.evidence.classes >= 50);
  });
}

const needApis = (ids: string[]): string | false => {
  const missing = ids.filter((sig) => !apis.some((a) => a.signature.startsWith(sig)));
  return missing.length ? `skipped: data/sensitive-apis.json lacks ${missing.join(', ')} yet` : false;
};

test(
  'the shipped API catalogue finds device-identifier and location reads in the SDK jars',
  { skip: needApis(['Landroid/telephony/TelephonyManager;->getDeviceId', 'Landroid/location/LocationManager;->requestLocationUpdates']) },
  () => {
    const signaturesOf = (path: string) => {
      const a = analysis(path);
      return findSensitiveApis(a, apis, detectSdks(a, catalog)).map((u) => u.signature);
    };
    const has = (list: string[], sig: string) => list.some((s) => s.startsWith(sig));
    const wechat = signaturesOf(jars.wechat);
    assert.ok(has(wechat, 'Landroid/telephony/TelephonyManager;->getDeviceId'), wechat.join('\n'));
    const baidu = signaturesOf(jars.baidu);
    assert.ok(has(baidu, 'Landroid/telephony/TelephonyManager;->getDeviceId'), baidu.join('\n'));
    assert.ok(has(baidu, 'Landroid/location/LocationManager;->requestLocationUpdates'), baidu.join('\n'));
    const jpush = signaturesOf(jars.jpush);
    assert.ok(has(jpush, 'Landroid/location/LocationManager;->requestLocationUpdates'), jpush.join('\n'));
  },
);

const apks = Object.entries(realApks).filter(([name]) => name !== 'uiautomator2Test');

test(
  'the real APKs hold no tracker SDKs (open-source libraries may appear)',
  { skip: catalog.size === 0 && 'skipped: data/sdks is empty' },
  () => {
    for (const [name, path] of apks) {
      const sdks = detectSdks(analysis(path), catalog);
      const trackers = sdks.filter((s) => s.sdk.tracker);
      assert.deepEqual(
        trackers.map((s) => `${s.sdk.id} (${s.confidence}: ${s.evidence.classExamples.join(', ')} ${s.evidence.domains.join(', ')})`),
        [],
        name,
      );
    }
  },
);

test('SDK detection on a 9,500-class APK stays cheap (one trie walk per class)', () => {
  const a = analysis(realApks.uiautomator2);
  detectSdks(a, catalog);
  const times: number[] = [];
  for (let i = 0; i < 5; i++) {
    const start = performance.now();
    detectSdks(a, catalog);
    times.push(performance.now() - start);
  }
  const best = Math.min(...times);
  // ~2 ms here; the bound leaves room for a loaded CI machine.
  assert.ok(best < 50, `detectSdks took ${best.toFixed(1)} ms`);
});

/** `class.method:proto` of every method calling `member` (dexdump's `Lcls;.name:` form) in `dexdump -d` output. */
function dexdumpCallers(disassembly: string[], member: string): Set<string> {
  const out = new Set<string>();
  let current = '';
  for (const line of disassembly) {
    const header = line.indexOf('|[');
    if (header >= 0 && line.charCodeAt(header + 2) !== 0x20) {
      current = line.slice(line.indexOf('] ', header) + 2);
      continue;
    }
    if (line.includes(member) && /\|[0-9a-f]{4}: (invoke-|[si]get)/.test(line)) out.add(current);
  }
  return out;
}

const oracleApis: SensitiveApiSpec[] = fixtureApis.filter((a) =>
  [
    'telephony.getDeviceId',
    'location.getLastKnownLocation',
    'location.requestLocationUpdates',
    'settings.secure.getString',
    'clipboard.getPrimaryClip',
    'build.SERIAL',
    'packages.getInstalledPackages',
  ].includes(a.id),
);

test('sensitive API call sites in the real APKs agree with dexdump -d', { skip: skipWithoutTool('dexdump') }, () => {
  let compared = 0;
  for (const [name, path] of apks) {
    const a = analysis(path);
    const uses = findSensitiveApis(a, oracleApis, [], { maxCallers: 100_000 });
    const lines = runTool('dexdump', ['-d', path]).stdout.split('\n');
    const index = buildCodeIndex(a.dex.map((d) => d.dex));
    for (const api of oracleApis) {
      const dexdumpForm = api.signature.replace('->', '.') + ':';
      const expected = dexdumpCallers(lines, dexdumpForm);
      const use = uses.find((u) => u.api === api.id);
      const ours = new Set((use?.callers ?? []).map((c) => `${c.class}.${c.method.replace('(', ':(')}`));
      assert.deepEqual([...ours].sort(), [...expected].sort(), `${name} ${api.id}`);
      compared += expected.size;
      // The same answer as the library's generic query.
      const generic = api.kind === 'field' ? index.fieldAccessesOf(api.signature) : index.callersOf(api.signature);
      assert.equal(
        use?.callerCount ?? 0,
        new Set(generic.map((s) => `${s.callerClass}${s.callerMethod}`)).size,
        `${name} ${api.id} vs CodeIndex`,
      );
    }
  }
  // The APKs do call some of these (androidx compat wrappers, the settings app's location tracker).
  assert.ok(compared >= 5, `only ${compared} call sites compared`);
});

test('APIs are attributed to the app, a detected SDK, or nobody', () => {
  const a = analysis(realApks.settings);
  const appSdk = entry('fake-androidx', { packages: ['androidx.core'] });
  const uses = findSensitiveApis(a, fixtureApis, [
    {
      sdk: appSdk,
      confidence: 'high',
      evidence: { classes: 1, classExamples: [], components: [], nativeLibraries: [], domains: [] },
      version: null,
      versionSource: null,
      bundledBy: [],
    },
  ]);
  const callers = uses.flatMap((u) => u.callers);
  assert.ok(
    callers.some((c) => c.own && c.class.startsWith('io.appium.settings.')),
    'own callers',
  );
  assert.ok(
    callers.some((c) => c.sdk === 'fake-androidx' && c.class.startsWith('androidx.core.')),
    'SDK callers',
  );
  assert.ok(callers.every((c) => !(c.own && c.sdk)));
  const limited = findSensitiveApis(a, fixtureApis, [], { maxCallers: 1 });
  for (const u of limited) assert.ok(u.callers.length <= 1 && u.callerCount >= u.callers.length);
});

test('permission use: requested but unused, used but not requested', () => {
  const a = analysis(realApks.apiDemos);
  const uses = findSensitiveApis(a, fixtureApis, []);
  const result = checkPermissionUse(a, uses, {
    catalogue: fixtureApis,
    requested: ['android.permission.READ_SMS', 'android.permission.ACCESS_FINE_LOCATION', 'android.permission.INTERNET'],
    isDangerous: (p) => p !== 'android.permission.INTERNET',
  });
  // ApiDemos reads the location but has no content://sms string; READ_PHONE_STATE guards getDeviceId.
  assert.deepEqual(result.declaredUnused, ['android.permission.READ_SMS']);
  assert.ok(result.usedUndeclared.includes('android.permission.READ_PHONE_STATE'), result.usedUndeclared.join());
  assert.ok(!result.usedUndeclared.includes('android.permission.ACCESS_FINE_LOCATION'));
  // A plain JAR has no manifest: nothing to compare.
  assert.deepEqual(checkPermissionUse(analysis(jars.baidu), findSensitiveApis(analysis(jars.baidu), fixtureApis, [])), {
    declaredUnused: [],
    usedUndeclared: [],
  });
});

test('detectAll runs every step from one data folder', () => {
  const findings = detectAll(analysis(jars.jpush), { dataDir: fixtureData });
  assert.equal(findings.sdks[0]?.sdk.id, 'jpush');
  assert.ok(findings.sensitiveApis.length > 0);
  assert.ok(existsSync(knowledgeDataDir()));
});

test('SDK versions come from static final String constants (ConstantValue, static_values)', () => {
  const versionOf = (path: string, id: string) => detectSdks(analysis(path), catalog).find((s) => s.sdk.id === id)?.version;
  // Build.SDK_VERSION_NAME, JPushConstants and LocationClient hold their versions as constants no code loads.
  assert.equal(versionOf(jars.wechat, 'wechat-opensdk'), '2.1.3');
  assert.equal(versionOf(jars.jpush, 'jpush'), '4.8.1');
  assert.equal(versionOf(jars.baidu, 'baidu-location'), '7.5.1');

  // The DEX side: a class whose only copy of the version is its static_values array.
  const bytes = buildDex({
    classes: [
      {
        type: 'Lcom/acme/sdk/Build;',
        staticFields: [
          { name: 'SDK_INT', type: 'I', access: 0x19 },
          { name: 'SDK_VERSION_NAME', type: 'Ljava/lang/String;', access: 0x19 },
        ],
        staticValues: [
          { type: 'int', value: 3 },
          { type: 'string', value: 'acme 3.2.1' },
        ],
      },
    ],
  }).bytes;
  const dexAnalysis = { dex: [{ dex: parseDex(bytes, { name: 'classes.dex' }) }] } as unknown as PackageAnalysis;
  const acme = entry('acme', {
    packages: ['com.acme.sdk'],
    versionHints: [{ kind: 'string-pattern', class: 'com.acme.sdk.Build', pattern: '^acme (\\d+\\.\\d+\\.\\d+)$' }],
  });
  assert.equal(detectSdks(dexAnalysis, [acme])[0]?.version, '3.2.1');
});
