import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { ApkFormatError } from '../../src/errors.js';
import { EM, abiForMachine, abiMatchesFolder, parseElf } from '../../src/elf/index.js';
import { hasTool, runTool } from '@apprights/testkit';
import { SDK_FILES, sdkFile } from '../support/sdk-fixtures.js';
import { buildElf } from './elf-builder.js';

const baiduLibs = sdkFile(SDK_FILES.baiduLibs);

function baiduSharedObjects(): { abi: string; file: string; path: string }[] {
  return readdirSync(baiduLibs.path, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .flatMap((d) =>
      readdirSync(join(baiduLibs.path, d.name))
        .filter((f) => f.endsWith('.so'))
        .map((file) => ({ abi: d.name, file, path: join(baiduLibs.path, d.name, file) })),
    );
}

/** readelf -d: the soname and needed libraries as binutils sees them. */
function readelfDynamic(path: string): { soname: string | undefined; needed: string[] } {
  const out = runTool('readelf', ['-d', '-W', path]).stdout;
  const needed = [...out.matchAll(/\(NEEDED\)\s+Shared library: \[(.*)\]/g)].map((m) => m[1]!);
  const soname = /\(SONAME\)\s+Library soname: \[(.*)\]/.exec(out)?.[1];
  return { soname, needed };
}

test('Baidu location SDK .so files: class, machine, soname and needed agree with readelf', { skip: baiduLibs.skip }, () => {
  const libs = baiduSharedObjects();
  assert.equal(libs.length, 10);
  const expectedMachine: Record<string, string> = {
    'arm64-v8a': 'AArch64',
    'armeabi-v7a': 'ARM',
    armeabi: 'ARM',
    x86: 'x86',
    x86_64: 'x86-64',
  };
  for (const lib of libs) {
    const bytes = new Uint8Array(readFileSync(lib.path));
    const elf = parseElf(bytes, `jni/${lib.abi}/${lib.file}`);
    assert.equal(elf.machineName, expectedMachine[lib.abi], lib.path);
    assert.ok(abiMatchesFolder(elf.abi, lib.abi), lib.path);
    assert.equal(elf.elfClass, lib.abi.includes('64') ? 64 : 32);
    assert.equal(elf.endianness, 'little');
    assert.equal(elf.type, 'shared');
    assert.equal(elf.dynamicFrom, 'program-headers');
    assert.deepEqual(elf.issues, []);
    assert.equal(elf.soname, lib.file);
    assert.ok(elf.needed.includes('libc.so'));
    assert.ok(elf.exports.includes('JNI_OnLoad') || elf.exports.some((s) => s.startsWith('Java_')), `${lib.path}: JNI entry points`);
    if (hasTool('readelf')) {
      assert.deepEqual({ soname: elf.soname, needed: elf.needed }, readelfDynamic(lib.path), lib.path);
      const header = runTool('readelf', ['-h', lib.path]).stdout;
      assert.match(header, new RegExp(`Class:\\s+ELF${elf.elfClass}`));
    }
  }
});

test('synthetic ELFs: both classes and byte orders, program headers or sections only', () => {
  for (const elfClass of [32, 64] as const) {
    for (const little of [true, false]) {
      for (const layout of ['both', 'program-headers', 'section-headers'] as const) {
        const machine = elfClass === 64 ? EM.AARCH64 : EM.MIPS;
        const bytes = buildElf({
          elfClass,
          little,
          machine,
          soname: 'libfoo.so',
          needed: ['liblog.so', 'libc.so'],
          exports: ['Java_com_example_Foo_bar', 'JNI_OnLoad'],
          imports: ['malloc'],
          programHeaders: layout !== 'section-headers',
          sections: layout !== 'program-headers',
        });
        const label = `${elfClass}/${little ? 'LE' : 'BE'}/${layout}`;
        const elf = parseElf(bytes, 'libfoo.so');
        assert.equal(elf.elfClass, elfClass, label);
        assert.equal(elf.endianness, little ? 'little' : 'big', label);
        assert.equal(elf.machine, machine, label);
        assert.equal(elf.abi, elfClass === 64 ? 'arm64-v8a' : 'mips', label);
        assert.equal(elf.soname, 'libfoo.so', label);
        assert.deepEqual(elf.needed, ['liblog.so', 'libc.so'], label);
        assert.equal(elf.dynamicFrom, layout === 'section-headers' ? 'section-headers' : 'program-headers', label);
        assert.deepEqual(elf.exports, layout === 'program-headers' ? [] : ['Java_com_example_Foo_bar', 'JNI_OnLoad'], label);
        assert.deepEqual(elf.imports, layout === 'program-headers' ? [] : ['malloc'], label);
        assert.deepEqual(elf.issues, [], label);
      }
    }
  }
});

test('machine to ABI mapping', () => {
  assert.equal(abiForMachine(EM.ARM, 32), 'armeabi-v7a');
  assert.equal(abiForMachine(EM.AARCH64, 64), 'arm64-v8a');
  assert.equal(abiForMachine(EM.I386, 32), 'x86');
  assert.equal(abiForMachine(EM.X86_64, 64), 'x86_64');
  assert.equal(abiForMachine(EM.MIPS, 64), 'mips64');
  assert.equal(abiForMachine(EM.RISCV, 64), 'riscv64');
  assert.equal(abiForMachine(EM.X86_64, 32), undefined, 'x32 is not an Android ABI');
  assert.equal(abiForMachine(EM.AARCH64, 32), undefined);
  assert.ok(abiMatchesFolder('armeabi-v7a', 'armeabi'));
  assert.ok(!abiMatchesFolder('x86', 'arm64-v8a'));
  assert.ok(!abiMatchesFolder(undefined, 'x86'));
});

function assertElfCorrupt(bytes: Uint8Array, pattern: RegExp): void {
  assert.throws(
    () => parseElf(bytes, 'lib/x86/libbad.so'),
    (e: unknown) => e instanceof ApkFormatError && e.code === 'elf-corrupt' && e.entry === 'lib/x86/libbad.so' && pattern.test(e.message),
  );
}

test('guards: identification and header damage throws elf-corrupt', () => {
  const good = buildElf({ elfClass: 64, little: true, machine: EM.X86_64, soname: 'libx.so' });
  assertElfCorrupt(new Uint8Array(0), /not an ELF/);
  assertElfCorrupt(new TextEncoder().encode('PK\x03\x04 not elf'), /not an ELF/);
  assertElfCorrupt(good.subarray(0, 10), /identification/);
  assertElfCorrupt(good.subarray(0, 40), /truncated ELF header/);
  const badClass = good.slice();
  badClass[4] = 3;
  assertElfCorrupt(badClass, /class 3/);
  const badData = good.slice();
  badData[5] = 0;
  assertElfCorrupt(badData, /data encoding 0/);
});

test('guards: bad table offsets become issues, and strings stay in bounds', () => {
  const spec = { elfClass: 64, little: true, machine: EM.AARCH64, soname: 'libx.so', needed: ['libc.so'] } as const;
  // Program header table beyond the end: sections still give the answer.
  const farPh = buildElf(spec);
  new DataView(farPh.buffer).setBigUint64(32, 1n << 40n, true);
  let elf = parseElf(farPh, 'x');
  assert.match(elf.issues.join(), /program header table/);
  assert.equal(elf.dynamicFrom, 'section-headers');
  assert.equal(elf.soname, 'libx.so');
  // A phoff past 2^53 is rejected rather than rounded.
  new DataView(farPh.buffer).setBigUint64(32, 0xffffffffffffffffn, true);
  assert.match(parseElf(farPh, 'x').issues.join(), /program header table/);

  // DT_STRTAB outside every PT_LOAD: fall back to .dynstr through the .dynamic section link.
  elf = parseElf(buildElf({ ...spec, strtabSkew: 0x1000000 }), 'x');
  assert.match(elf.issues.join(), /DT_STRTAB/);
  assert.equal(elf.soname, 'libx.so');
  // ... and without section headers there is nothing to fall back on.
  elf = parseElf(buildElf({ ...spec, strtabSkew: 0x1000000, sections: false }), 'x');
  assert.equal(elf.soname, undefined);
  assert.deepEqual(elf.needed, []);
  assert.match(elf.issues.join(), /no dynamic string table/);

  // Section header count that would run past the file.
  const manySections = buildElf(spec);
  new DataView(manySections.buffer).setUint16(60, 0xfff0, true);
  elf = parseElf(manySections, 'x');
  assert.match(elf.issues.join(), /section header table/);
  assert.equal(elf.soname, 'libx.so');

  // A DT_NEEDED index past the string table.
  const bytes = buildElf({ ...spec, programHeaders: true });
  const view = new DataView(bytes.buffer);
  // Find the DT_NEEDED entry (tag 1) in the dynamic table and point it far away.
  for (let o = 64; o + 16 <= bytes.length; o += 8) {
    if (view.getBigUint64(o, true) === 1n && view.getBigUint64(o + 16, true) === 14n) {
      view.setBigUint64(o + 8, 1n << 30n, true);
      break;
    }
  }
  elf = parseElf(bytes, 'x');
  assert.deepEqual(elf.needed, []);
  assert.match(elf.issues.join(), /string index/);
});
