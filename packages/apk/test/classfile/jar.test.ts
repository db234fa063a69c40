import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manifestPackage, scanJar } from '../../src/classfile/index.js';
import { ZipArchive } from '../../src/zip/index.js';
import { AAR_MANIFEST, buildAar, tinyClass } from '../support/jar-fixtures.js';
import { buildZip } from '@apprights/testkit';

test('AAR: classes.jar and libs/*.jar classes, manifest, R.txt, proguard.txt, jni libraries', () => {
  const result = scanJar(ZipArchive.fromBytes(buildAar()));
  assert.equal(result.kind, 'aar');
  assert.equal(result.truncated, false);
  assert.deepEqual(result.archives, ['classes.jar', 'libs/dep.jar']);
  assert.deepEqual(
    result.classes.map((c) => [c.path, c.name, c.release]),
    [
      ['classes.jar!/com/example/sdk/A.class', 'Lcom/example/sdk/A;', undefined],
      ['classes.jar!/com/example/sdk/B.class', 'Lcom/example/sdk/B;', undefined],
      ['classes.jar!/META-INF/versions/9/module-info.class', 'Lmodule-info;', 9],
      ['libs/dep.jar!/com/dep/C.class', 'Lcom/dep/C;', undefined],
    ],
  );
  // The versioned A (base exists) and module-info for release 11 (9 is kept) are dropped.
  assert.equal(result.skippedVersionedClasses, 2);
  assert.deepEqual(
    result.issues.map((i) => [i.path, i.code]),
    [
      ['classes.jar!/com/example/sdk/Broken.class', 'class-corrupt'],
      ['libs/garbage.jar', 'not-zip'],
    ],
  );
  assert.equal(result.manifest?.package, 'com.example.sdk');
  assert.match(result.manifest!.text, /READ_PHONE_STATE/);
  assert.equal(result.rTxt, 'int string app_name 0x7f010001\n');
  assert.equal(result.proguard, '-keep class com.example.sdk.** { *; }\n');
  assert.deepEqual(
    result.nativeLibraries.map((l) => [l.path, l.root, l.abi, l.soname, l.needed, l.notElf, l.abiMismatch]),
    [
      ['jni/arm64-v8a/libsdk.so', 'jni', 'arm64-v8a', 'libsdk.so', ['liblog.so'], false, false],
      ['jni/x86/libsdk.so', 'jni', 'x86', undefined, [], true, false],
    ],
  );
});

test('AAR budgets: class count, total size and nesting depth', () => {
  const aar = buildAar();
  let result = scanJar(ZipArchive.fromBytes(aar), { maxClasses: 2 });
  assert.equal(result.truncated, true);
  assert.equal(result.classes.length, 2);
  assert.ok(result.issues.some((i) => i.code === 'limit' && /class limit/.test(i.message)));

  result = scanJar(ZipArchive.fromBytes(aar), { maxTotalSize: 1000 });
  assert.equal(result.truncated, true);
  assert.ok(result.issues.some((i) => i.code === 'limit' && /total inflated/.test(i.message)));

  result = scanJar(ZipArchive.fromBytes(aar), { maxDepth: 0 });
  assert.deepEqual(result.classes, []);
  assert.deepEqual(result.archives, []);
  assert.equal(result.issues.filter((i) => /nested archive is deeper/.test(i.message)).length, 3);
  assert.equal(result.manifest?.package, 'com.example.sdk', 'the top level is still read');

  result = scanJar(ZipArchive.fromBytes(aar), { maxClassSize: 10 });
  assert.deepEqual(result.classes, []);
  assert.ok(result.issues.every((i) => i.code !== 'limit' || /per-entry limit/.test(i.message)));

  result = scanJar(ZipArchive.fromBytes(aar), { code: false, nativeLibraries: false });
  assert.deepEqual(result.nativeLibraries, []);
});

test('plain JAR: not an AAR, classes at the root, directories ignored', () => {
  const jar = buildZip([
    { name: 'META-INF/', data: '' },
    { name: 'a/X.class', data: tinyClass('a/X') },
    { name: 'classes.txt', data: 'x' },
  ]);
  const result = scanJar(ZipArchive.fromBytes(jar));
  assert.equal(result.kind, 'jar');
  assert.deepEqual(
    result.classes.map((c) => c.path),
    ['a/X.class'],
  );
  assert.equal(result.manifest, undefined);
  assert.equal('rTxt' in result, false);
});

test('AAR with a binary manifest reports it instead of returning binary as text', () => {
  const aar = buildZip([
    { name: 'AndroidManifest.xml', data: new Uint8Array([3, 0, 8, 0, 0, 0, 0, 0]) },
    { name: 'classes.jar', data: buildZip([]) },
  ]);
  const result = scanJar(ZipArchive.fromBytes(aar));
  assert.equal(result.kind, 'aar');
  assert.equal(result.manifest, undefined);
  assert.deepEqual(
    result.issues.map((i) => i.path),
    ['AndroidManifest.xml'],
  );
});

test('manifestPackage: a small, linear scan of the root start tag', () => {
  assert.equal(manifestPackage(AAR_MANIFEST), 'com.example.sdk');
  assert.equal(manifestPackage(`<manifest package='single.quoted'/>`), 'single.quoted');
  assert.equal(manifestPackage('<manifest xmlns:android="x"><application/></manifest>'), undefined);
  assert.equal(manifestPackage('<manifestation package="no"/>'), undefined);
  assert.equal(manifestPackage('<!-- unterminated <manifest package="no">'), undefined);
  assert.equal(manifestPackage('<manifest android:package="no" package="yes">'), 'yes');
  assert.equal(manifestPackage(''), undefined);
  // Pathological input stays linear.
  const started = performance.now();
  manifestPackage('<!--'.repeat(200_000));
  manifestPackage('<manifest ' + '"'.repeat(400_001));
  assert.ok(performance.now() - started < 2000);
});
