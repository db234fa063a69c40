import { test } from 'node:test';
import assert from 'node:assert/strict';
import { manifestPackage, scanJar } from '../../src/classfile/index.js';
import { EM } from '../../src/elf/index.js';
import { ZipArchive } from '../../src/zip/index.js';
import { buildElf } from '../elf/elf-builder.js';
import { ApkFormatError } from '../../src/errors.js';
import { makeZip, prng } from './zip-writer.js';

/** The smallest valid class: `name extends java/lang/Object`, no members. */
function tinyClass(name: string, major = 52): Uint8Array {
  const utf8 = (s: string) => [1, ...u16(Buffer.byteLength(s)), ...Buffer.from(s)];
  return new Uint8Array([
    0xca,
    0xfe,
    0xba,
    0xbe,
    0,
    0,
    ...u16(major),
    ...u16(5),
    ...utf8(name),
    7,
    ...u16(1),
    ...utf8('java/lang/Object'),
    7,
    ...u16(3),
    ...u16(0x21),
    ...u16(2),
    ...u16(4),
    ...u16(0),
    ...u16(0),
    ...u16(0),
    ...u16(0),
  ]);
}

function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}

const MANIFEST = `<?xml version="1.0" encoding="utf-8"?>
<!-- <manifest package="not.this.one"> -->
<manifest xmlns:android="http://schemas.android.com/apk/res/android"
    android:label="a > b"
    package="com.example.sdk">
  <uses-permission android:name="android.permission.READ_PHONE_STATE" />
</manifest>
`;

function buildAar(): Uint8Array {
  const classesJar = makeZip([
    { name: 'com/example/sdk/A.class', data: tinyClass('com/example/sdk/A') },
    { name: 'com/example/sdk/B.class', data: tinyClass('com/example/sdk/B') },
    { name: 'META-INF/versions/9/com/example/sdk/A.class', data: tinyClass('com/example/sdk/A', 53) },
    { name: 'META-INF/versions/11/module-info.class', data: tinyClass('module-info', 55) },
    { name: 'META-INF/versions/9/module-info.class', data: tinyClass('module-info', 53) },
    { name: 'com/example/sdk/Broken.class', data: 'not a class' },
    { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\n' },
  ]);
  return makeZip([
    { name: 'AndroidManifest.xml', data: MANIFEST },
    { name: 'classes.jar', data: classesJar, stored: true },
    { name: 'libs/dep.jar', data: makeZip([{ name: 'com/dep/C.class', data: tinyClass('com/dep/C') }]) },
    { name: 'libs/garbage.jar', data: 'not a zip at all, but long enough to look for an end record' },
    { name: 'R.txt', data: 'int string app_name 0x7f010001\n' },
    { name: 'proguard.txt', data: '-keep class com.example.sdk.** { *; }\n' },
    {
      name: 'jni/arm64-v8a/libsdk.so',
      data: buildElf({ elfClass: 64, little: true, machine: EM.AARCH64, soname: 'libsdk.so', needed: ['liblog.so'] }),
    },
    { name: 'jni/x86/libsdk.so', data: 'this is not ELF' },
    { name: 'res/values/values.xml', data: '<resources/>' },
  ]);
}

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
  const jar = makeZip([
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
  const aar = makeZip([
    { name: 'AndroidManifest.xml', data: new Uint8Array([3, 0, 8, 0, 0, 0, 0, 0]) },
    { name: 'classes.jar', data: makeZip([]) },
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
  assert.equal(manifestPackage(MANIFEST), 'com.example.sdk');
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

test('fuzz: mutated AARs are scanned or rejected with ApkFormatError', () => {
  const original = buildAar();
  const random = prng(0xaa5);
  for (let round = 0; round < 600; round++) {
    const bytes = original.slice();
    for (let k = 1 + Math.floor(random() * 16); k > 0; k--) bytes[Math.floor(random() * bytes.length)]! ^= 1 << Math.floor(random() * 8);
    try {
      // CRC checks would catch most flips before our parsers see them; skip them to reach deeper.
      const archive = ZipArchive.fromBytes(bytes);
      const read = archive.read.bind(archive);
      archive.read = (entry, options) => read(entry, { ...options, skipCrc: true });
      scanJar(archive);
    } catch (error) {
      if (!(error instanceof ApkFormatError)) throw new Error(`round ${round}: ${String(error)}`, { cause: error });
    }
  }
});
