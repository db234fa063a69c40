/**
 * A small AAR (classes.jar, libs/*.jar, manifest, R.txt, jni libraries, some broken members) shared by
 * the JAR scanner's tests and the fuzz test, which mutates it.
 */
import { EM } from '../../src/elf/index.js';
import { buildElf } from '../elf/elf-builder.js';
import { buildZip } from '@apprights/testkit';

/** The smallest valid class: `name extends java/lang/Object`, no members. */
export function tinyClass(name: string, major = 52): Uint8Array {
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

export const AAR_MANIFEST = `<?xml version="1.0" encoding="utf-8"?>
<!-- <manifest package="not.this.one"> -->
<manifest xmlns:android="http://schemas.android.com/apk/res/android"
    android:label="a > b"
    package="com.example.sdk">
  <uses-permission android:name="android.permission.READ_PHONE_STATE" />
</manifest>
`;

export function buildAar(): Uint8Array {
  const classesJar = buildZip([
    { name: 'com/example/sdk/A.class', data: tinyClass('com/example/sdk/A') },
    { name: 'com/example/sdk/B.class', data: tinyClass('com/example/sdk/B') },
    { name: 'META-INF/versions/9/com/example/sdk/A.class', data: tinyClass('com/example/sdk/A', 53) },
    { name: 'META-INF/versions/11/module-info.class', data: tinyClass('module-info', 55) },
    { name: 'META-INF/versions/9/module-info.class', data: tinyClass('module-info', 53) },
    { name: 'com/example/sdk/Broken.class', data: 'not a class' },
    { name: 'META-INF/MANIFEST.MF', data: 'Manifest-Version: 1.0\n' },
  ]);
  return buildZip([
    { name: 'AndroidManifest.xml', data: AAR_MANIFEST },
    { name: 'classes.jar', data: classesJar, method: 0 },
    { name: 'libs/dep.jar', data: buildZip([{ name: 'com/dep/C.class', data: tinyClass('com/dep/C') }]) },
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
