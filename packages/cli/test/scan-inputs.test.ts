/**
 * `scan` on the inputs that are not plain apps: SDK JARs and AARs, APKs hiding code in assets/,
 * archives with dangerous names, and files that are not what they claim to be.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { buildApk, buildDex, fixChecksum, sampleDexSpec, setU32, buildZip, repoRoot, runTool, skipWithoutTool } from '@apprights/testkit';
import { assertNoStack, describeRun, runCliAsync, schemaErrors, tempDir, writeTemp, type CliResult, type ScanJson } from './helpers.js';

const dir = tempDir();
const jpushJar = join(repoRoot, 'node_modules/jpush-phonegap-plugin/src/android/libs/jpush-android-4.8.1.jar');
const wechatJar = join(repoRoot, 'node_modules/react-native-wechat/android/libs/libammsdk.jar');
const baiduSo = join(repoRoot, 'node_modules/cordova-plugin-baidumaplocation/libs/android/arm64-v8a/liblocSDK7b.so');
const skipSdks = [jpushJar, wechatJar, baiduSo].every(existsSync) ? false : 'skipped: the SDK npm devDependencies are not installed';

function json(r: CliResult): ScanJson {
  assert.equal(r.status, 0, describeRun(r));
  const report = JSON.parse(r.stdout) as ScanJson;
  assert.equal(schemaErrors('scan-report', report), undefined);
  return report;
}

/** `.class` entries as unzip lists them: the oracle for class-file counts. */
function classEntries(path: string): number {
  return runTool('unzip', ['-Z1', path])
    .stdout.split('\n')
    .filter((n) => n.endsWith('.class')).length;
}

test(
  'a JAR: kind jar, class files as unzip counts them, no app facts or signatures',
  { skip: skipSdks || skipWithoutTool('unzip') },
  async () => {
    const report = json(await runCliAsync(['scan', jpushJar, '--format', 'json']));
    assert.equal(report.file.kind, 'jar');
    assert.ok(report.jvm);
    assert.equal(report.jvm.classFiles, classEntries(jpushJar));
    assert.equal(report.jvm.aarPackage, null);
    assert.equal(report.dex.files, 0);
    assert.equal(report.signatures, null);
    assert.equal(report.app.package, null);
    assert.deepEqual(report.problems, []);
  },
);

test(
  'an AAR: kind aar, its package, classes.jar counted, JNI libraries with soname',
  { skip: skipSdks || skipWithoutTool('unzip') },
  async () => {
    const manifest =
      '<?xml version="1.0" encoding="utf-8"?>\n' +
      '<manifest xmlns:android="http://schemas.android.com/apk/res/android" package="com.tencent.mm.opensdk.test">\n' +
      '  <uses-sdk android:minSdkVersion="16"/>\n' +
      '</manifest>\n';
    const aar = writeTemp(
      dir,
      'wechat-sdk.aar',
      buildZip([
        { name: 'AndroidManifest.xml', data: manifest },
        { name: 'classes.jar', data: readFileSync(wechatJar) },
        { name: 'jni/arm64-v8a/liblocSDK7b.so', data: readFileSync(baiduSo) },
        { name: 'R.txt', data: '' },
      ]),
    );
    const [jsonRun, textRun] = await Promise.all([runCliAsync(['scan', aar, '--format', 'json']), runCliAsync(['scan', aar, '--verbose'])]);
    const report = json(jsonRun);
    assert.equal(report.file.kind, 'aar');
    assert.ok(report.jvm);
    assert.equal(report.jvm.aarPackage, 'com.tencent.mm.opensdk.test');
    assert.deepEqual(report.jvm.jars, ['classes.jar']);
    assert.equal(report.jvm.classFiles, classEntries(wechatJar));
    assert.deepEqual(
      report.nativeLibraries.map((l) => [l.abi, l.path, l.soname, l.machine, l.problem]),
      [['arm64-v8a', 'jni/arm64-v8a/liblocSDK7b.so', 'liblocSDK7b.so', 'AArch64', null]],
    );
    assert.equal(report.signatures, null, 'AARs are not signed like APKs');
    assert.deepEqual(report.problems, []);
    assert.equal(textRun.status, 0, describeRun(textRun));
    assert.match(textRun.stdout, /^ {2}Kind +AAR$/m);
    assert.match(textRun.stdout, /^ {2}arm64-v8a +jni\/arm64-v8a\/liblocSDK7b\.so +liblocSDK7b\.so +43112$/m);
    assert.match(textRun.stdout, /^ {2}SDK manifest +com\.tencent\.mm\.opensdk\.test$/m);
  },
);

test('nested code: an APK in assets/, a DEX with a misleading name, a bomb over the budget', async () => {
  const plugin = buildApk({ package: 'com.example.plugin', dex: [sampleDexSpec()] });
  const patch = buildDex({ classes: ['A', 'B', 'C'].map((c) => ({ type: `Lcom/example/patch/${c};` })) }).bytes;
  // 65 MiB of zeros deflate to about 64 KiB: over the 64 MiB per-file budget once inflated, so it
  // must be listed (by its name) without being inflated.
  const bomb = new Uint8Array(65 * 1024 * 1024);
  const apk = writeTemp(
    dir,
    'nested.apk',
    buildApk({
      extraEntries: [
        { name: 'assets/plugin.apk', data: plugin },
        { name: 'assets/patch.bin', data: patch },
        { name: 'assets/data/cache.zip', data: bomb },
        { name: 'assets/readme.txt', data: 'just text' },
      ],
    }),
  );
  const [jsonRun, textRun] = await Promise.all([runCliAsync(['scan', apk, '--format', 'json']), runCliAsync(['scan', apk, '--verbose'])]);
  const report = json(jsonRun);
  const byPath = new Map(report.archive.nested.map((n) => [n.path, n]));
  assert.deepEqual(
    [...byPath.keys()].sort(),
    ['assets/data/cache.zip', 'assets/patch.bin', 'assets/plugin.apk', 'assets/plugin.apk!/classes.dex'],
    'readme.txt is not code',
  );
  assert.deepEqual(((n) => [n.kind, n.depth, n.dexFiles, n.classes, n.skipped, n.error])(byPath.get('assets/plugin.apk')!), [
    'apk',
    1,
    1,
    2,
    null,
    null,
  ]);
  assert.deepEqual(((n) => [n.kind, n.depth, n.classes])(byPath.get('assets/plugin.apk!/classes.dex')!), ['dex', 2, 2]);
  assert.deepEqual(
    ((n) => [n.kind, n.depth, n.dexFiles, n.classes, n.error])(byPath.get('assets/patch.bin')!),
    ['dex', 1, 1, 3, null],
    'recognised by its magic, not its name',
  );
  const bombEntry = byPath.get('assets/data/cache.zip')!;
  assert.equal(bombEntry.size, bomb.byteLength);
  assert.match(bombEntry.skipped ?? '', /budget/);
  assert.equal(bombEntry.classes, null);
  assert.deepEqual(report.problems, []);
  assert.equal(textRun.status, 0, describeRun(textRun));
  assert.match(textRun.stdout, /^Nested archives \(4\)$/m);
  assert.match(textRun.stdout, /^ {2}assets\/patch\.bin +dex +\d+ +3\b/m);
});

test('archive issues: duplicate names and an unsafe name are reported, nothing is extracted', async () => {
  const apk = writeTemp(
    dir,
    'issues.apk',
    buildApk({
      extraEntries: [
        { name: 'assets/config.json', data: '{"ok":true}' },
        { name: 'assets/config.json', data: '{"ok":false}' },
        { name: '../apprights-evil.txt', data: 'escaped' },
        { name: 'assets/../../apprights-evil2.txt', data: 'escaped' },
      ],
    }),
  );
  // Run from a fresh folder two levels down, so a stray extraction of "../" or "../../" names
  // would land in folders this test owns and can inspect.
  const cwd = join(dir, 'work', 'sub');
  mkdirSync(cwd, { recursive: true });
  const before = readdirSync(dir).sort();
  const [jsonRun, textRun] = await Promise.all([
    runCliAsync(['scan', apk, '--format', 'json'], { cwd }),
    runCliAsync(['scan', apk], { cwd }),
  ]);
  const report = json(jsonRun);
  const issues = report.archive.issues.map((i) => [i.kind, i.entry]);
  assert.deepEqual(
    issues.filter(([kind]) => kind === 'duplicate-name'),
    [['duplicate-name', 'assets/config.json']],
  );
  assert.deepEqual(
    issues.filter(([kind]) => kind === 'unsafe-name').map(([, entry]) => entry),
    ['../apprights-evil.txt', 'assets/../../apprights-evil2.txt'],
  );
  assert.equal(textRun.status, 0, describeRun(textRun));
  assert.match(textRun.stdout, /^Archive issues \(3\)$/m);
  assert.match(textRun.stdout, /^ {2}- unsafe-name: \.\.\/apprights-evil\.txt /m);
  assert.deepEqual(readdirSync(cwd), []);
  assert.deepEqual(readdirSync(join(dir, 'work')), ['sub']);
  assert.deepEqual(readdirSync(dir).sort(), before);
});

/** A valid DEX whose first string_id points far past the end of the file. */
function corruptStringTable(): Uint8Array {
  const built = buildDex({ classes: [{ type: 'Lcom/example/Second;' }] });
  const bytes = built.bytes.slice();
  setU32(bytes, built.layout.stringIdsOff, 0x7ffffff0);
  // Keep the checksum right so the string table, not the checksum, is what the reader trips on.
  return fixChecksum(bytes);
}

test('bad input: exit 3, a message naming the problem, never a stack trace', async () => {
  const text = writeTemp(dir, 'notes.txt', 'These are not the bytes you are looking for.\n');
  const noManifest = writeTemp(dir, 'photos.zip', buildZip([{ name: 'IMG_0001.jpg', data: 'not really a jpeg' }]));
  const dexOnly = writeTemp(dir, 'dex-only.apk', buildApk({ manifestBytes: null }));
  const corrupt = writeTemp(dir, 'corrupt.apk', buildApk({ dex: [sampleDexSpec(), corruptStringTable()], sign: ['v2'] }));
  const missing = join(dir, 'does-not-exist.apk');
  // A malware sample as it is passed around: an APK inside a password-protected ZIP.
  const encrypted = writeTemp(dir, 'sample.zip', buildZip([{ name: 'sample', data: 'ciphertext', flags: 0x01 }]));
  const runs = await Promise.all([
    runCliAsync(['scan', text]),
    runCliAsync(['scan', noManifest]),
    runCliAsync(['scan', dexOnly]),
    runCliAsync(['scan', corrupt]),
    runCliAsync(['scan', missing]),
    runCliAsync(['scan', corrupt, '--format', 'json']),
    runCliAsync(['scan', encrypted]),
  ]);
  const expected: [RegExp, string][] = [
    [/not a ZIP archive/, 'a text file'],
    [/not an APK, JAR or AAR/, 'a ZIP without manifest or code'],
    [/not an APK: no AndroidManifest\.xml/, 'DEX without a manifest'],
    [/corrupt DEX: string table out of bounds.*\(classes2\.dex\)/, 'corrupt classes2.dex'],
    [/does-not-exist\.apk/, 'a missing file'],
    [/corrupt DEX.*classes2\.dex/, 'corrupt classes2.dex, JSON asked for'],
    [/1 of 1 entries are encrypted \(a password-protected ZIP/, 'a password-protected ZIP'],
  ];
  runs.forEach((r, i) => {
    const [message, what] = expected[i]!;
    assert.equal(r.status, 3, `${what}: ${describeRun(r)}`);
    assert.match(r.stderr, /^apprights: error: /, what);
    assert.match(r.stderr, message, what);
    assert.equal(r.stderr.trim().split('\n').length, 1, `${what}: one line`);
    assertNoStack(r.stderr);
    assert.equal(r.stdout, '', `${what}: no partial report on stdout`);
  });
});

test('bad input: the message names the file', async () => {
  const text = writeTemp(dir, 'named.txt', 'hello\n');
  const r = await runCliAsync(['scan', text]);
  assert.equal(r.status, 3);
  assert.ok(r.stderr.includes(text), r.stderr);
});

test('a folder given as the file: exit 3, not an internal error', async () => {
  const r = await runCliAsync(['scan', dir]);
  assert.equal(r.status, 3, describeRun(r));
  assertNoStack(r.stderr);
});

test('--keep-going: a corrupt classes2.dex becomes a problem and the rest is reported', async () => {
  const corrupt = writeTemp(
    dir,
    'corrupt-keep-going.apk',
    buildApk({ package: 'com.example.broken', minSdk: 24, dex: [sampleDexSpec(), corruptStringTable()], sign: ['v2'] }),
  );
  const [jsonRun, textRun] = await Promise.all([
    runCliAsync(['scan', corrupt, '--keep-going', '--format', 'json']),
    runCliAsync(['scan', corrupt, '--keep-going']),
  ]);
  const report = json(jsonRun);
  assert.equal(report.app.package, 'com.example.broken');
  assert.deepEqual(
    report.dex.perFile.map((f) => f.name),
    ['classes.dex'],
  );
  assert.equal(report.problems.length, 1);
  const [problem] = report.problems;
  assert.equal(problem!.code, 'dex-corrupt');
  assert.equal(problem!.entry, 'classes2.dex');
  assert.match(problem!.message, /corrupt DEX: string table out of bounds/);
  // The signature covers the bytes, not their meaning: it still verifies.
  assert.equal(report.signatures?.verified, true);
  assert.equal(textRun.status, 0, describeRun(textRun));
  assert.match(textRun.stdout, /^Problems \(1\)$/m);
  assert.match(textRun.stdout, /^ {2}- dex-corrupt: corrupt DEX: .*classes2\.dex/m);
});
