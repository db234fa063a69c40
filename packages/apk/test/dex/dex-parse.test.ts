import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApkFormatError } from '../../src/errors.js';
import { parseDex, buildCodeIndex, dexTypeToJavaName, dexAccessFlagNames, type DexFile } from '../../src/dex/index.js';
import { buildDex, fixChecksum, getU32, sampleDexSpec, setU32, uleb128, type DexSpec, type CodeSpec } from '@apprights/testkit';

function dexError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ApkFormatError, `expected ApkFormatError, got ${String(error)}`);
    assert.equal(error.code, 'dex-corrupt');
    assert.match(error.message, pattern);
    return true;
  });
}

/** Parses and runs every accessor and the scan, as a consumer would. */
function exercise(dex: DexFile): void {
  for (let i = 0; i < dex.counts.strings; i++) dex.string(i);
  for (let i = 0; i < dex.counts.methods; i++) dex.methodString(i);
  for (let i = 0; i < dex.counts.fields; i++) dex.fieldString(i);
  for (const m of dex.methods()) if (m.codeOffset) dex.tries(dex.code(m.codeOffset));
  dex.scanCode();
}

test('sample DEX: header, counts and id tables', () => {
  const built = buildDex(sampleDexSpec());
  const dex = parseDex(built.bytes, { name: 'classes.dex', verifySignature: true });
  assert.equal(dex.version, 35);
  assert.equal(dex.checksumValid, true);
  assert.equal(dex.signatureValid, true);
  assert.deepEqual(dex.issues, []);
  assert.equal(dex.counts.strings, built.strings.length);
  assert.equal(dex.counts.types, built.types.length);
  assert.equal(dex.counts.methods, built.methods.length);
  assert.equal(dex.counts.fields, built.fields.length);
  assert.equal(dex.counts.classDefs, 2);
  built.strings.forEach((s, i) => assert.equal(dex.string(i), s));
  built.types.forEach((t, i) => assert.equal(dex.typeName(i), t));
  built.methods.forEach((m, i) => assert.equal(dex.methodString(i), m));
  built.fields.forEach((f, i) => assert.equal(dex.fieldString(i), f));
  const getImei = built.methods.indexOf('Landroid/telephony/TelephonyManager;->getImei()Ljava/lang/String;');
  assert.deepEqual(dex.methodRef(getImei), {
    classType: 'Landroid/telephony/TelephonyManager;',
    name: 'getImei',
    proto: '()Ljava/lang/String;',
  });
  assert.equal(dex.findType('Lcom/example/Spy;'), built.types.indexOf('Lcom/example/Spy;'));
  assert.equal(dex.findType('Lnope;'), -1);
  assert.deepEqual(dex.map[0], { type: 0, size: 1, offset: 0 });
});

test('sample DEX: class defs, class data and code items', () => {
  const built = buildDex(sampleDexSpec());
  const dex = parseDex(built.bytes, { name: 'classes.dex' });
  const spy = dex.classDef(0);
  assert.equal(spy.type, 'Lcom/example/Spy;');
  assert.equal(spy.superclass, 'Ljava/lang/Object;');
  assert.deepEqual(spy.interfaces, ['Ljava/lang/Runnable;']);
  assert.equal(spy.sourceFile, 'Spy.java');
  const marker = dex.classDef(1);
  assert.deepEqual(dexAccessFlagNames(marker.accessFlags, 'class'), ['public', 'interface', 'abstract']);
  assert.equal(dex.classData(1), undefined);
  const data = dex.classData(0)!;
  assert.deepEqual(
    data.staticFields.map((f) => dex.fieldString(f.fieldIndex)),
    ['Lcom/example/Spy;->TAG:Ljava/lang/String;'],
  );
  assert.deepEqual(
    data.directMethods.map((m) => dex.methodRef(m.methodIndex).name),
    ['<init>', 'imei'],
  );
  assert.deepEqual(
    data.virtualMethods.map((m) => [dex.methodRef(m.methodIndex).name, m.codeOffset === 0]),
    [
      ['abstractish', true],
      ['run', false],
    ],
  );
  const methods = [...dex.methods()];
  assert.equal(methods.length, 4);
  const imei = data.directMethods[1]!;
  const code = dex.code(imei.codeOffset);
  assert.equal(code.insSize, 1);
  assert.equal(code.insnsSize, 9);
  assert.equal(code.insns[0]! & 0xff, 0x1a);
  assert.equal(dexTypeToJavaName(spy.type), 'com.example.Spy');
  assert.equal(dexTypeToJavaName('[[I'), 'int[][]');
});

test('code scan: invokes, field reads, strings and types per method', () => {
  const dex = parseDex(buildDex(sampleDexSpec()).bytes, { name: 'classes.dex' });
  const scan = dex.scanCode();
  assert.equal(scan.slotCount, 3);
  assert.equal(scan.definedMethodCount, 4);
  const describe = (slot: number) => {
    const out: string[] = [];
    for (let r = scan.refStart[slot]!; r < scan.refEnd[slot]!; r++) {
      const op = scan.refOpcode[r]!;
      const i = scan.refIndex[r]!;
      const target =
        op >= 0x6e && op <= 0x78
          ? dex.methodString(i)
          : op >= 0x52 && op <= 0x6d
            ? dex.fieldString(i)
            : op === 0x1a || op === 0x1b
              ? dex.string(i)
              : dex.typeName(i);
      out.push(`${scan.refPc[r]}:${op.toString(16)}:${target}`);
    }
    return out;
  };
  const bySlotName = new Map(Array.from({ length: scan.slotCount }, (_, s) => [dex.methodRef(scan.methodIndex[s]!).name, describe(s)]));
  assert.deepEqual(bySlotName.get('imei'), [
    '0:1a:collecting IMEI',
    '2:62:Landroid/os/Build;->SERIAL:Ljava/lang/String;',
    '4:6e:Landroid/telephony/TelephonyManager;->getImei()Ljava/lang/String;',
  ]);
  // iget is recorded, sput (a write) only with fieldWrites.
  assert.deepEqual(bySlotName.get('run'), [
    '0:54:Lcom/example/Spy;->tm:Landroid/telephony/TelephonyManager;',
    '2:71:Lcom/example/Spy;->imei(Landroid/telephony/TelephonyManager;)Ljava/lang/String;',
    '5:1b:jumbo string',
    '8:1c:Landroid/location/LocationManager;',
    '10:74:Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;',
  ]);
  const withWrites = dex.scanCode({ fieldWrites: true });
  assert.equal(withWrites.refCount, scan.refCount + 1);
});

test('code index: callers, field reads, string loads, type uses', () => {
  const dex = parseDex(buildDex(sampleDexSpec()).bytes, { name: 'classes.dex' });
  const index = buildCodeIndex([dex]);
  assert.deepEqual(index.classesCalling('Landroid/telephony/TelephonyManager;->getImei()Ljava/lang/String;'), ['Lcom/example/Spy;']);
  assert.deepEqual(index.classesCalling('Landroid/telephony/TelephonyManager;->getImei'), ['Lcom/example/Spy;']);
  assert.equal(index.callersOf('Landroid/telephony/TelephonyManager;').length, 2);
  assert.deepEqual(index.callersOf('Landroid/telephony/TelephonyManager;->getImei()I'), []);
  assert.deepEqual(index.callersOf('Lcom/absent/Class;->x'), []);
  const [site] = index.callersOf({ classType: 'Landroid/telephony/TelephonyManager;', name: 'getDeviceId' });
  assert.equal(dex.methodRef(site!.callerMethod).name, 'run');
  assert.equal(site!.opcode, 0x74);
  assert.equal(site!.pc, 10);
  assert.match(
    index.describe(site!),
    /run\(\)V -> Landroid\/telephony\/TelephonyManager;->getDeviceId\(\)Ljava\/lang\/String; \(classes\.dex \+0xa\)/,
  );
  assert.equal(index.fieldAccessesOf('Landroid/os/Build;->SERIAL').length, 1);
  assert.equal(index.stringLoads('collecting IMEI').length, 1);
  assert.equal(index.stringLoads((s) => s.includes('string')).length, 1);
  assert.equal(index.typeUses('Landroid/location/LocationManager;').length, 1);
  assert.deepEqual(index.stats, { methodsWithCode: 3, definedMethods: 4, instructions: 14, references: 9 });
  assert.throws(() => index.callersOf('android.telephony.TelephonyManager'), ApkFormatError);
});

test('shared code items are scanned once and attributed to every method', () => {
  const shared: CodeSpec = {
    insns: [{ op: 'invoke-static', method: 'Lx/Y;->z()V', args: [] }, { op: 'return-void' }],
  };
  const spec: DexSpec = {
    classes: [
      {
        type: 'La/A;',
        directMethods: [
          { name: 'one', proto: '()V', access: 0x9, code: shared },
          { name: 'two', proto: '()V', access: 0x9, code: shared },
        ],
      },
    ],
  };
  const dex = parseDex(buildDex(spec).bytes);
  const scan = dex.scanCode();
  assert.equal(scan.slotCount, 2);
  assert.equal(scan.codeOffset[0], scan.codeOffset[1]);
  assert.equal(scan.refCount, 1);
  const callers = buildCodeIndex([dex]).callersOf('Lx/Y;->z()V');
  assert.deepEqual(callers.map((s) => dex.methodRef(s.callerMethod).name).sort(), ['one', 'two']);
});

/** One class `La/A;` with one static method `m()V` holding `code`. */
function oneMethodSpec(code: CodeSpec): DexSpec {
  return { classes: [{ type: 'La/A;', directMethods: [{ name: 'm', proto: '()V', access: 0x9, code }] }] };
}

test('payload pseudo-instructions are skipped by their size', () => {
  // Each payload carries units that would decode as const-string/invoke if walked as code.
  const spec = oneMethodSpec({
    insns: [
      { op: 'nop' },
      { op: 'packed-switch-payload', firstKey: 0x1a, targets: [0x001a, 0x006e0000] },
      { op: 'sparse-switch-payload', keys: [0x1a, 0x6e], targets: [0x001a, 0x0071] },
      { op: 'fill-array-data-payload', elementWidth: 1, data: [0x1a, 0x00, 0x6e] },
      { op: 'fill-array-data-payload', elementWidth: 4, data: [0x006e001a] },
      { op: 'const-string', reg: 0, string: 'after payloads' },
      { op: 'return-void' },
    ],
  });
  const dex = parseDex(buildDex(spec).bytes);
  const scan = dex.scanCode();
  assert.deepEqual(dex.issues, []);
  assert.equal(scan.refCount, 1);
  assert.equal(dex.string(scan.refIndex[0]!), 'after payloads');
  // nop + 8 + 10 + 6 + 6 units of payloads
  assert.equal(scan.refPc[0], 1 + 8 + 10 + 6 + 6);
  assert.equal(scan.instructionCount, 7);
});

function rawMethodDex(units: number[]): Uint8Array {
  return buildDex({ ...oneMethodSpec({ insns: [{ op: 'raw', units }] }), strings: ['s'] }).bytes;
}

test('unused opcodes are noted and stepped over, never looped on', () => {
  const dex = parseDex(rawMethodDex([0x003e, 0x0073, 0x00e3, 0x0e00 | 0x0e]));
  const scan = dex.scanCode();
  assert.equal(scan.instructionCount, 4);
  assert.deepEqual(
    dex.issues.map((i) => i.message),
    ['method 0: 3 unused opcode(s), first 0x3e at code unit 0'],
  );
});

test('an instruction or payload running past insns_size stops that method with an issue', () => {
  for (const units of [
    [0x0e00, 0x006e], // invoke-virtual needs 3 units
    [0x0300, 1, 0xffff, 0xffff], // fill-array-data payload claiming 4G elements
    [0x0100, 0xffff], // packed-switch payload larger than the method
    [0x0200], // sparse-switch payload header cut off
  ]) {
    const dex = parseDex(rawMethodDex(units));
    dex.scanCode();
    assert.ok(
      dex.issues.some((i) => i.kind === 'truncated-instruction'),
      `units ${units.join(',')}`,
    );
  }
});

test('a code_item with more ins than registers is an issue', () => {
  const built = buildDex(sampleDexSpec());
  const codeOff = built.layout.codeOffs.get('Lcom/example/Spy;-><init>()V')!;
  const b = built.bytes.slice();
  b[codeOff + 2] = 9; // ins_size 9 > registers_size 5
  const dex = parseDex(b);
  dex.scanCode();
  assert.ok(dex.issues.some((i) => i.kind === 'bad-code' && /ins_size 9 exceeds registers_size 5/.test(i.message)));
});

test('out-of-range instruction indices are issues, not references', () => {
  const dex = parseDex(rawMethodDex([0x001a, 0xfff0, 0x1070, 0xfff0, 0x0000, 0x00fc, 0x0000, 0x0000, 0x000e]));
  const scan = dex.scanCode();
  assert.equal(scan.refCount, 0);
  assert.deepEqual(
    dex.issues.map((i) => [i.kind, i.message]),
    [['bad-reference', 'method 0: 3 index(es) out of range, first for 0x1a at code unit 0']],
  );
});

test('MUTF-8 strings: NUL, two- and three-byte forms, surrogate pairs', () => {
  const special = ['a\u0000b', 'café', '个人信息', 'emoji 😀', ''];
  const built = buildDex({ classes: [{ type: 'La/A;' }], strings: special });
  const dex = parseDex(built.bytes);
  for (const s of special) assert.equal(dex.string(built.strings.indexOf(s)), s);
  assert.deepEqual(dex.issues, []);
});

test('malformed MUTF-8 is replaced and reported, not thrown', () => {
  const built = buildDex({ classes: [{ type: 'La/A;' }], strings: ['xyz'] });
  const at = built.layout.stringDataOffs.get('xyz')! + 1;
  built.bytes[at] = 0xe0; // a lead byte whose continuation bytes are missing
  const dex = parseDex(fixChecksum(built.bytes));
  assert.equal(dex.string(built.strings.indexOf('xyz')), '\ufffdyz');
  assert.ok(dex.issues.some((i) => i.kind === 'bad-string'));
});

test('tries and catch handlers are decoded', () => {
  const built = buildDex(
    oneMethodSpec({
      insns: [{ op: 'invoke-static', method: 'La/A;->m()V', args: [] }, { op: 'return-void' }],
      tries: [{ start: 0, count: 3, catches: [{ type: 'Ljava/io/IOException;', address: 3 }], catchAll: 3 }],
    }),
  );
  const dex = parseDex(built.bytes);
  const [m] = [...dex.methods()];
  const tries = dex.tries(dex.code(m!.codeOffset));
  assert.deepEqual(tries, [
    {
      startAddress: 0,
      insnCount: 3,
      handler: {
        catches: [{ typeIndex: dex.findType('Ljava/io/IOException;'), type: 'Ljava/io/IOException;', address: 3 }],
        catchAllAddress: 3,
      },
    },
  ]);
});

test('versions 035 to 041 are read, including the 041 container header', () => {
  for (const version of [35, 37, 38, 39, 40, 41]) {
    const dex = parseDex(buildDex({ ...sampleDexSpec(), version }).bytes);
    assert.equal(dex.version, version);
    exercise(dex);
  }
  const v41 = parseDex(buildDex({ ...sampleDexSpec(), version: 41, headerSize: 0x78 }).bytes);
  assert.equal(v41.header.headerSize, 0x78);
  assert.equal(v41.header.containerSize, v41.header.fileSize);
  assert.deepEqual(v41.issues, []);
  dexError(() => parseDex(buildDex({ ...sampleDexSpec(), version: 40, headerSize: 0x78 }).bytes), /bad header_size 120/);
});

// ---- guards ----------------------------------------------------------------------------------

test('guard: bad magic and unknown versions', () => {
  const bytes = buildDex(sampleDexSpec()).bytes;
  const badMagic = bytes.slice();
  badMagic[0] = 0x50; // 'P', as in a ZIP handed over by mistake
  dexError(() => parseDex(badMagic, { name: 'classes3.dex' }), /^corrupt DEX: bad magic \(50 65 78 0a 30 33 35 00\).*\(classes3\.dex\)$/);
  for (const version of ['034', '042', '099']) {
    const b = bytes.slice();
    b.set(Buffer.from(version), 4);
    dexError(() => parseDex(b), new RegExp(`unsupported DEX version ${version}`));
  }
  dexError(() => parseDex(new Uint8Array(0)), /truncated header/);
});

test('guard: truncated header and truncated file', () => {
  const bytes = buildDex(sampleDexSpec()).bytes;
  dexError(() => parseDex(bytes.subarray(0, 0x50), { name: 'classes.dex' }), /truncated header \(80 bytes, need 112\).*classes\.dex/);
  dexError(() => parseDex(bytes.subarray(0, bytes.length - 1)), /file_size \d+ is larger than the \d+ bytes present/);
});

test('guard: wrong file_size, header_size and endian tag', () => {
  const built = buildDex(sampleDexSpec());
  const big = built.bytes.slice();
  setU32(big, 0x20, big.length + 4);
  dexError(() => parseDex(big), /file_size/);
  const small = built.bytes.slice();
  setU32(small, 0x20, 0x40);
  dexError(() => parseDex(small), /file_size 64 is smaller than the header/);
  // A smaller but plausible file_size cuts off the map list: the sections no longer fit.
  const cut = built.bytes.slice();
  setU32(cut, 0x20, built.layout.mapOff);
  dexError(() => parseDex(cut), /out of bounds/);
  const header = built.bytes.slice();
  setU32(header, 0x24, 0x80);
  dexError(() => parseDex(header), /bad header_size 128/);
  const endian = built.bytes.slice();
  setU32(endian, 0x28, 0x78563412);
  dexError(() => parseDex(endian), /big-endian/);
  setU32(endian, 0x28, 0);
  dexError(() => parseDex(endian), /bad endian_tag/);
  const trailing = new Uint8Array(built.bytes.length + 8);
  trailing.set(built.bytes);
  const dex = parseDex(trailing);
  assert.ok(dex.issues.some((i) => i.kind === 'trailing-data'));
});

test('guard: string table out of bounds', () => {
  const built = buildDex(sampleDexSpec());
  const size = built.bytes.slice();
  setU32(size, 0x38, 0x10000000);
  dexError(() => parseDex(size, { name: 'classes3.dex' }), /^corrupt DEX: string_ids table out of bounds .*\(classes3\.dex\)$/);
  const intoHeader = built.bytes.slice();
  setU32(intoHeader, built.layout.stringIdsOff, 0x10);
  dexError(() => parseDex(intoHeader), /string table out of bounds: string_ids\[0\] points to 16/);
  const entry = built.bytes.slice();
  setU32(entry, built.layout.stringIdsOff + 4, built.bytes.length + 100);
  dexError(
    () => parseDex(entry, { name: 'classes3.dex' }),
    /^corrupt DEX: string table out of bounds: string_ids\[1\].*\(classes3\.dex\)$/,
  );
  // A string whose data runs to the end of the file without a NUL.
  const unterminated = new Uint8Array(built.bytes.length + 3);
  unterminated.set(built.bytes);
  unterminated.set([0x02, 0x41, 0x41], built.bytes.length);
  setU32(unterminated, 0x20, unterminated.length);
  const last = built.strings.length - 1;
  setU32(unterminated, built.layout.stringIdsOff + last * 4, built.bytes.length);
  const dex = parseDex(unterminated);
  dexError(() => dex.string(last), /no terminating NUL/);
});

test('guard: other id tables out of range', () => {
  const built = buildDex(sampleDexSpec());
  const cases: [number, number, RegExp][] = [
    [built.layout.typeIdsOff, 0xffff, /type_ids\[0\] names string/],
    [built.layout.methodIdsOff, 0xffffffff, /method_ids\[0\] has an index out of range/],
    [built.layout.fieldIdsOff + 4, 0xffffff, /field_ids\[0\] has an index out of range/],
    [built.layout.protoIdsOff + 8, 3, /type_list offset 3 out of bounds/],
    [built.layout.classDefsOff + 8, 0x1234, /superclass/],
    [built.layout.classDefsOff + 24, 0x7fffffff, /class_data_off/],
    [0x34, 0x7ffffff0, /map_list offset/],
    [0x40, 0x20000, /type_ids table out of bounds|over 65536/],
  ];
  for (const [at, value, pattern] of cases) {
    const b = built.bytes.slice();
    setU32(b, at, value);
    dexError(() => parseDex(b), pattern);
  }
  const noMap = built.bytes.slice();
  setU32(noMap, 0x34, 0);
  dexError(() => parseDex(noMap), /no map_list/);
  const mapSize = built.bytes.slice();
  setU32(mapSize, built.layout.mapOff, 0x40000000);
  dexError(() => parseDex(mapSize), /map_list at offset \d+ claims 1073741824 items/);
});

test('guard: map list that disagrees with the header is an issue', () => {
  const built = buildDex(sampleDexSpec());
  const b = built.bytes.slice();
  // The first map entry after the header item is string_ids: change its count.
  setU32(b, built.layout.mapOff + 4 + 12 + 4, 1);
  const dex = parseDex(b);
  assert.ok(dex.issues.some((i) => i.kind === 'map-mismatch' && /string_ids/.test(i.message)));
});

test('guard: bad uleb128 in class_data', () => {
  const built = buildDex(sampleDexSpec());
  const b = built.bytes.slice();
  b.set([0xff, 0xff, 0xff, 0xff, 0xff], built.layout.classDataOffs[0]!);
  const dex = parseDex(b, { name: 'classes2.dex' });
  dexError(() => dex.classData(0), /bad uleb128 in class_data header.*classes2\.dex/);
  dexError(() => dex.scanCode(), /bad uleb128/);
});

test('guard: class_data counts that lie fail fast', () => {
  const built = buildDex(sampleDexSpec());
  const b = built.bytes.slice();
  // static_fields_size = 2^32 - 1
  b.set(uleb128(0xffffffff), built.layout.classDataOffs[0]!);
  const dex = parseDex(b);
  const started = performance.now();
  dexError(() => dex.scanCode(), /claims 4294967295\+\d+ fields/);
  dexError(() => [...dex.methods()], /claims/);
  assert.ok(performance.now() - started < 1000, 'a lying count must not be iterated');
});

test('guard: class_data method index past method_ids', () => {
  const built = buildDex(sampleDexSpec());
  const b = built.bytes.slice();
  const off = built.layout.classDataOffs[0]!;
  // Counts are 1,1,2,2 (one byte each); then 2 fields of 2 bytes; the first method's idx diff follows.
  b[off + 4 + 4] = 0x7f;
  dexError(() => parseDex(b).scanCode(), /names method 127, past method_ids_size/);
});

test('guard: code_item insns past the end of the file', () => {
  const built = buildDex(sampleDexSpec());
  const codeOff = built.layout.codeOffs.get('Lcom/example/Spy;->imei(Landroid/telephony/TelephonyManager;)Ljava/lang/String;')!;
  const b = built.bytes.slice();
  setU32(b, codeOff + 12, 0x7fffffff);
  const dex = parseDex(b, { name: 'classes9.dex' });
  dexError(() => dex.scanCode(), /code_item at offset \d+: insns_size 2147483647 runs past the end of the file.*classes9\.dex/);
  dexError(() => dex.code(codeOff), /runs past the end/);
});

test('guard: checksum mismatch is a finding, not fatal; signature only when asked', () => {
  const built = buildDex(sampleDexSpec());
  const b = built.bytes.slice();
  b[built.layout.stringDataOffs.get('Spy.java')! + 1] = 0x54; // 'Tpy.java'
  const dex = parseDex(b, { name: 'classes.dex' });
  assert.equal(dex.checksumValid, false);
  assert.equal(dex.signatureValid, undefined);
  assert.deepEqual(
    dex.issues.map((i) => i.kind),
    ['checksum-mismatch'],
  );
  assert.equal(dex.classDef(0).sourceFile, 'Tpy.java');
  const signed = parseDex(b, { verifySignature: true, verifyChecksum: false });
  assert.equal(signed.checksumValid, undefined);
  assert.equal(signed.signatureValid, false);
  assert.deepEqual(
    signed.issues.map((i) => i.kind),
    ['signature-mismatch'],
  );
  assert.equal(getU32(fixChecksum(b), 8), parseDex(b).header.checksum);
});

test('guard: shared class_data is scanned once', () => {
  const built = buildDex(sampleDexSpec());
  const b = built.bytes.slice();
  setU32(b, built.layout.classDefsOff + 32 + 24, built.layout.classDataOffs[0]!);
  const dex = parseDex(b);
  const scan = dex.scanCode();
  assert.equal(scan.slotCount, 3);
  assert.ok(dex.issues.some((i) => i.kind === 'shared-class-data'));
});

test('accessors reject indices outside the tables with ApkFormatError', () => {
  const dex = parseDex(buildDex(sampleDexSpec()).bytes);
  dexError(() => dex.string(-1), /string index -1 out of range/);
  dexError(() => dex.typeName(dex.counts.types), /type index/);
  dexError(() => dex.methodRef(1.5), /method index/);
  dexError(() => dex.classDef(99), /class_def index/);
  dexError(() => dex.code(3), /not 4-byte aligned/);
});

test('findType falls back to a lookup table when type_ids are not in string order', () => {
  const built = buildDex(sampleDexSpec());
  const b = built.bytes.slice();
  const first = getU32(b, built.layout.typeIdsOff);
  setU32(b, built.layout.typeIdsOff, getU32(b, built.layout.typeIdsOff + 4));
  setU32(b, built.layout.typeIdsOff + 4, first);
  const dex = parseDex(b);
  for (const t of built.types) assert.equal(dex.typeName(dex.findType(t)), t);
  assert.equal(dex.findType('Lnope;'), -1);
});
