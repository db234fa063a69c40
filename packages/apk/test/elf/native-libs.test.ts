import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EM, listNativeLibraries } from '../../src/elf/index.js';
import { ZipArchive } from '../../src/zip/index.js';
import { SDK_FILES, sdkFile } from '../support/sdk-fixtures.js';
import { buildZip, type ZipWriterEntry } from '@apprights/testkit';
import { buildElf } from './elf-builder.js';

const baiduLibs = sdkFile(SDK_FILES.baiduLibs);

test('APK-shaped archive with the Baidu SDK libraries: grouped per ABI, with sonames', { skip: baiduLibs.skip }, () => {
  const abis = ['arm64-v8a', 'armeabi', 'armeabi-v7a', 'x86', 'x86_64'];
  const files: ZipWriterEntry[] = abis.flatMap((abi) =>
    ['libindoor.so', 'liblocSDK7b.so'].map((name) => ({
      name: `lib/${abi}/${name}`,
      data: new Uint8Array(readFileSync(join(baiduLibs.path, abi, name))),
      method: abi === 'arm64-v8a' ? 0 : 8,
    })),
  );
  // An x86 library shipped in the arm64 folder, and a non-ELF file with a .so name.
  files.push({
    name: 'lib/arm64-v8a/libwrong.so',
    data: new Uint8Array(readFileSync(join(baiduLibs.path, 'x86', 'libindoor.so'))),
  });
  files.push({ name: 'lib/arm64-v8a/libfake.so', data: new TextEncoder().encode('#!/bin/sh\necho hidden payload\n') });
  files.push({ name: 'lib/arm64-v8a/nested/libdeep.so', data: new Uint8Array(4) });
  files.push({ name: 'assets/libnot-a-lib.so', data: new Uint8Array(4) });

  const listing = listNativeLibraries(ZipArchive.fromBytes(buildZip(files)));
  assert.deepEqual(
    listing.byAbi.map((g) => [g.root, g.abi, g.libraries.map((l) => l.fileName)]),
    [
      ['lib', 'arm64-v8a', ['libindoor.so', 'liblocSDK7b.so', 'libwrong.so', 'libfake.so']],
      ['lib', 'armeabi', ['libindoor.so', 'liblocSDK7b.so']],
      ['lib', 'armeabi-v7a', ['libindoor.so', 'liblocSDK7b.so']],
      ['lib', 'x86', ['libindoor.so', 'liblocSDK7b.so']],
      ['lib', 'x86_64', ['libindoor.so', 'liblocSDK7b.so']],
    ],
  );
  const byPath = new Map(listing.libraries.map((l) => [l.path, l]));
  const arm64 = byPath.get('lib/arm64-v8a/liblocSDK7b.so')!;
  assert.equal(arm64.soname, 'liblocSDK7b.so');
  assert.equal(arm64.machine, 'AArch64');
  assert.equal(arm64.stored, true);
  assert.equal(arm64.size, 43112);
  assert.ok(arm64.needed.includes('libz.so'));
  assert.equal(arm64.abiMismatch, false);
  assert.equal(byPath.get('lib/armeabi/libindoor.so')!.abiMismatch, false, 'armeabi and armeabi-v7a share EM_ARM');
  const wrong = byPath.get('lib/arm64-v8a/libwrong.so')!;
  assert.equal(wrong.abiMismatch, true);
  assert.equal(wrong.machineAbi, 'x86');
  const fake = byPath.get('lib/arm64-v8a/libfake.so')!;
  assert.equal(fake.notElf, true);
  assert.equal(fake.elf, undefined);
});

test('unknown ABI folders, damaged ELF and the size cap are reported per library', () => {
  const elf = buildElf({ elfClass: 64, little: true, machine: EM.RISCV, soname: 'librv.so' });
  const archive = ZipArchive.fromBytes(
    buildZip([
      { name: 'lib/riscv64/librv.so', data: elf },
      { name: 'lib/loongarch64/librv.so', data: elf },
      { name: 'lib/x86/libcut.so', data: elf.subarray(0, 30) },
      { name: 'lib/x86_64/libbig.so', data: new Uint8Array(5000) },
    ]),
  );
  const listing = listNativeLibraries(archive, { maxLibrarySize: 4096 });
  const [rv, unknown, cut, big] = listing.libraries;
  assert.equal(rv!.machineAbi, 'riscv64');
  assert.equal(rv!.abiMismatch, false);
  assert.equal(unknown!.knownAbi, false);
  assert.equal(unknown!.abiMismatch, false, 'no verdict for folders we do not know');
  assert.equal(cut!.error?.code, 'elf-corrupt');
  assert.equal(cut!.notElf, false);
  assert.equal(big!.error?.code, 'limit');
  assert.equal(big!.notElf, true);
});
