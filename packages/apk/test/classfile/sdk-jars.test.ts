import { test } from 'node:test';
import assert from 'node:assert/strict';
import { findCodeUses, scanJar, type JarScan } from '../../src/classfile/index.js';
import { ZipArchive } from '../../src/zip/index.js';
import { hasTool, runTool } from '@apprights/testkit';
import { skipWithoutJavac } from './java-fixtures.js';
import { assertMatchesJavap, javap } from './javap-oracle.js';
import { SDK_FILES, sdkFile } from '../support/sdk-fixtures.js';

const TM = 'Landroid/telephony/TelephonyManager;';

const jars = [
  { label: 'JPush SDK 4.8.1', file: SDK_FILES.jpushJar, known: 'Lcn/jpush/android/api/JPushInterface;' },
  { label: 'WeChat OpenSDK (libammsdk)', file: SDK_FILES.wechatJar, known: 'Lcom/tencent/mm/sdk/openapi/WXAPIFactory;' },
  { label: 'Baidu location SDK', file: SDK_FILES.baiduJar, known: 'Lcom/baidu/location/LocationClient;' },
] as const;

function scan(path: string): JarScan {
  const archive = ZipArchive.open(path);
  try {
    return scanJar(archive);
  } finally {
    archive.close();
  }
}

for (const jar of jars) {
  const fixture = sdkFile(jar.file);

  test(`${jar.label}: every class parses, counts agree with unzip`, { skip: fixture.skip }, () => {
    const result = scan(fixture.path);
    assert.equal(result.kind, 'jar');
    assert.deepEqual(result.issues, []);
    assert.equal(result.truncated, false);
    assert.ok(result.classes.length > 100, `only ${result.classes.length} classes`);
    for (const cls of result.classes) assert.deepEqual(cls.issues, [], cls.path);
    assert.ok(
      result.classes.some((c) => c.name === jar.known),
      `${jar.known} is missing`,
    );
    if (hasTool('unzip')) {
      const listed = runTool('unzip', ['-Z1', fixture.path])
        .stdout.split('\n')
        .filter((n) => n.endsWith('.class'));
      assert.equal(result.classes.length, listed.length);
      assert.deepEqual(result.classes.map((c) => c.path).sort(), listed.sort());
    }
    // The class name inside agrees with the entry name (no relocated classes in these SDKs).
    for (const cls of result.classes) assert.equal(cls.name, `L${cls.path.slice(0, -'.class'.length)};`);
  });

  test(`${jar.label}: a sample of classes matches javap instruction by instruction`, { skip: fixture.skip || skipWithoutJavac }, () => {
    const result = scan(fixture.path);
    // Every 5th class plus the well-known one: wide coverage at a bounded javap cost.
    const sample = result.classes.filter((c, i) => i % 5 === 0 || c.name === jar.known);
    const oracle = javap(
      fixture.path,
      sample.map((c) => c.name.slice(1, -1).replaceAll('/', '.')),
    );
    assert.equal(oracle.length, sample.length);
    sample.forEach((cls, i) => assertMatchesJavap(cls, oracle[i]!));
  });
}

test(
  'WeChat and Baidu SDKs read device identifiers through TelephonyManager',
  { skip: sdkFile(SDK_FILES.baiduJar).skip || sdkFile(SDK_FILES.wechatJar).skip },
  () => {
    const baidu = scan(sdkFile(SDK_FILES.baiduJar).path);
    const baiduUses = findCodeUses(baidu.classes, `${TM}->getDeviceId`);
    assert.ok(baiduUses.length > 0);
    assert.ok(baiduUses.every((u) => u.caller.startsWith('Lcom/baidu/') && u.kind === 'invokevirtual'));
    assert.ok(findCodeUses(baidu.classes, `${TM}->getSubscriberId`).length > 0, 'IMSI');

    const wechat = scan(sdkFile(SDK_FILES.wechatJar).path);
    const wechatUses = findCodeUses(wechat.classes, `${TM}->getDeviceId()Ljava/lang/String;`);
    assert.ok(wechatUses.length > 0);
    assert.ok(wechatUses.every((u) => u.method.startsWith(u.caller + '->')));
  },
);
