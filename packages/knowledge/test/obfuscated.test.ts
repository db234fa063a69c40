/**
 * SDKs whose packages were renamed: the real SDK JARs of the npm devDependencies are rewritten at
 * test time with every package renamed (support/rename-packages.ts), then detected by what
 * survives: strings naming the SDK's packages and its API hosts, with confidence and evidence.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ZipArchive, analyzeArchive } from '@apprights/apk';
import { buildApk, buildDex, repoRoot } from '@apprights/testkit';
import { detectSdks, loadSdkCatalog, type SdkDetection } from '../src/index.js';
import { renamePackages } from './support/rename-packages.js';

const catalog = loadSdkCatalog();
const jars = {
  jpush: join(repoRoot, 'node_modules/jpush-phonegap-plugin/src/android/libs/jpush-android-4.8.1.jar'),
  wechat: join(repoRoot, 'node_modules/react-native-wechat/android/libs/libammsdk.jar'),
  baidu: join(repoRoot, 'node_modules/cordova-plugin-baidumaplocation/libs/android/BaiduLBS_Android.jar'),
};
const missing = Object.values(jars).filter((p) => !existsSync(p));

function detectRenamed(path: string, options: Parameters<typeof detectSdks>[2] = {}): Map<string, SdkDetection> {
  const renamed = renamePackages(path);
  assert.ok(renamed.packages.size > 5, 'packages were renamed');
  const analysis = analyzeArchive(ZipArchive.fromBytes(renamed.bytes), path, { verifySignatures: false });
  try {
    assert.ok(
      (analysis.jar?.classes ?? []).every((c) => /^p\d+\//.test(c.name.slice(1)) || !c.name.includes('/')),
      'no class keeps its package',
    );
    return new Map(detectSdks(analysis, catalog, options).map((d) => [d.sdk.id, d]));
  } finally {
    analysis.close();
  }
}

test(
  'renamed packages: each headline SDK is found again by the strings and hosts that survive',
  { skip: missing.length > 0 && `missing ${missing.join(', ')}` },
  () => {
    const jpush = detectRenamed(jars.jpush);
    const wechat = detectRenamed(jars.wechat);
    const baidu = detectRenamed(jars.baidu);
    for (const [found, id] of [
      [jpush, 'jpush'],
      [jpush, 'jiguang-ads'],
      [wechat, 'wechat-opensdk'],
      [baidu, 'baidu-location'],
    ] as const) {
      const d = found.get(id);
      assert.ok(d, `${id} among ${[...found.keys()].join(', ')}`);
      assert.equal(d.confidence, 'medium', id);
      assert.equal(d.evidence.classes, 0, id);
      assert.ok((d.evidence.strings?.length ?? 0) + d.evidence.domains.length >= 2, `${id}: evidence listed`);
    }
    assert.ok(jpush.get('jpush')?.evidence.strings?.some((s) => s.startsWith('cn.jpush.android.')));
    assert.ok((baidu.get('baidu-location')?.evidence.domains ?? []).some((h) => h.endsWith('map.baidu.com')));
    // JPush's code probes for other SDKs by name: such names alone stay low.
    for (const [id, d] of jpush) if (id !== 'jpush' && id !== 'jiguang-ads') assert.equal(d.confidence, 'low', id);
    assert.deepEqual(jpush.get('jiguang-ads')?.bundledBy, ['jpush']);
    // Without the search nothing is found: the classes no longer name any SDK.
    assert.equal(detectRenamed(jars.jpush, { domains: 'never' }).size, 0);
  },
);

test('an APK whose SDK classes were repackaged: strings in DEX code name the SDK; the app own code does not trigger the search', () => {
  const loads = (type: string, strings: string[]) => ({
    type,
    directMethods: [
      {
        name: 'init',
        proto: '()V',
        access: 0x9,
        code: {
          registers: 1,
          ins: 0,
          outs: 0,
          insns: [...strings.map((s) => ({ op: 'const-string' as const, reg: 0, string: s })), { op: 'return-void' as const }],
        },
      },
    ],
  });
  const renamed = [
    loads('Lp0/a;', ['cn.jpush.android.intent.REGISTRATION', 'cn.jpush.android.intent.NOTIFICATION_OPENED']),
    loads('Lp0/b;', ['cn.jpush.android.intent.MESSAGE_RECEIVED', 'https://api.example.org/v1']),
    ...['c', 'd', 'e', 'f'].map((n) => loads(`Lp1/${n};`, [])),
  ];
  const found = (classes: typeof renamed) => {
    const apk = buildApk({ package: 'com.example.app', dex: [buildDex({ classes }).bytes] });
    const analysis = analyzeArchive(ZipArchive.fromBytes(apk), '/fixtures/renamed.apk', { verifySignatures: false });
    try {
      return new Map(detectSdks(analysis, catalog).map((d) => [d.sdk.id, d]));
    } finally {
      analysis.close();
    }
  };
  const jpush = found(renamed).get('jpush');
  assert.equal(jpush?.confidence, 'medium');
  assert.deepEqual(jpush?.evidence.strings, [
    'cn.jpush.android.intent.MESSAGE_RECEIVED',
    'cn.jpush.android.intent.NOTIFICATION_OPENED',
    'cn.jpush.android.intent.REGISTRATION',
  ]);
  // The same strings in the app's own package, the rest of the code being the app's: no search.
  const own = renamed.map((c) => ({ ...c, type: c.type.replace(/^Lp\d+\//, 'Lcom/example/app/') }));
  assert.equal(found(own).has('jpush'), false);
});
