import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ApkFormatError } from '../../src/errors.js';
import {
  JVM_ACC,
  ClassStrings,
  ConstantPool,
  decodeModifiedUtf8,
  findCodeUses,
  javaNameToDescriptor,
  parseClassFile,
  scanCode,
  scanJar,
  signatureMatches,
  type CodeReference,
} from '../../src/classfile/index.js';
import { ClassReader } from '../../src/classfile/reader.js';
import { ZipArchive } from '../../src/zip/index.js';
import { buildZip } from '@apprights/testkit';
import { compileJava, skipWithoutJavac, TRACKER_SOURCES } from './java-fixtures.js';
import { assertMatchesJavap, javap } from './javap-oracle.js';

const TM = 'Landroid/telephony/TelephonyManager;';
const GET_DEVICE_ID = `${TM}->getDeviceId()Ljava/lang/String;`;
const GET_IMEI = `${TM}->getImei(I)Ljava/lang/String;`;

for (const release of [8, 17]) {
  test(`javac --release ${release}: classes, members and references match javap`, { skip: skipWithoutJavac }, () => {
    const { out, read } = compileJava(TRACKER_SOURCES, release);
    const names = ['com/example/Tracker', 'com/example/Source', 'android/telephony/TelephonyManager', 'android/os/Build'];
    const oracle = javap(
      out,
      names.map((n) => n.replaceAll('/', '.')),
    );
    const classes = names.map((n) => parseClassFile(read(n), `${n}.class`));
    classes.forEach((cls, i) => assertMatchesJavap(cls, oracle[i]!));

    const tracker = classes[0]!;
    assert.equal(tracker.majorVersion, release + 44);
    assert.equal(tracker.name, 'Lcom/example/Tracker;');
    assert.equal(tracker.superClass, 'Ljava/lang/Object;');
    assert.deepEqual(tracker.interfaces, ['Ljava/lang/Runnable;', 'Ljava/io/Serializable;']);
    assert.equal(tracker.sourceFile, 'Tracker.java');
    assert.ok(tracker.accessFlags & JVM_ACC.PUBLIC);
    assert.deepEqual(
      tracker.fields.map((f) => `${f.name}:${f.descriptor}`),
      ['BIG:J', 'TAU:D', 'ENDPOINT:Ljava/lang/String;', `tm:${TM}`, 'counter:I'],
    );
    const native = tracker.methods.find((m) => m.name === 'nativeInit')!;
    assert.ok(native.accessFlags & JVM_ACC.NATIVE);
    assert.equal(native.code, undefined);
    assert.ok(tracker.references.strings.includes('https://track.example.com/v1'));
    // Modified UTF-8: NUL as C0 80 and the emoji as two three-byte surrogates.
    assert.ok(tracker.references.strings.some((s) => s.startsWith('caf\u00e9 \u0000 \u{1F600} ')));
    assert.ok(tracker.references.classes.includes(TM));
    assert.ok(tracker.references.methods.some((m) => m.signature === GET_DEVICE_ID && m.kind === 'method'));
    assert.ok(tracker.references.fields.some((f) => f.signature === 'Landroid/os/Build;->SERIAL:Ljava/lang/String;'));
    assert.ok(tracker.references.methods.some((m) => m.signature === '[Ljava/lang/Object;->clone()Ljava/lang/Object;'));

    // Which methods call TelephonyManager.getDeviceId? Including the `tm::getDeviceId` method reference.
    const callers = findCodeUses(classes, GET_DEVICE_ID).map((u) => `${u.method.split('->')[1]} ${u.kind}`);
    assert.ok(callers.includes('deviceId()Ljava/lang/String; invokevirtual'));
    assert.ok(callers.includes('dense(I)I invokevirtual'), 'call after a tableswitch');
    assert.ok(callers.includes('wide()I invokevirtual'), 'call after wide instructions');
    assert.equal(callers.includes('lazyId()Ljava/util/function/Supplier; invokedynamic'), release >= 8);
    const imei = findCodeUses(classes, `${TM}->getImei`).map((u) => u.method.split('->')[1]!);
    assert.ok(imei.includes('sparse(I)I'), 'call after a lookupswitch');
    assert.ok(
      imei.some((m) => m.startsWith('lambda$lambdaImei$')),
      'call inside the lambda body',
    );
    assert.deepEqual(
      findCodeUses(classes, 'Landroid/os/Build;->SERIAL').map((u) => `${u.method} ${u.kind}`),
      ['Lcom/example/Tracker;->serial()Ljava/lang/String; getstatic', 'Landroid/os/Build;-><clinit>()V putstatic'],
    );
    const type = tracker.methods.find((m) => m.name === 'type')!;
    assert.deepEqual(
      type.code!.references!.map((r) => [r.kind, r.target]),
      [['ldc-class', TM]],
    );
    const source = classes[1]!;
    assert.ok(source.accessFlags & JVM_ACC.INTERFACE);
    assert.ok(source.methods.find((m) => m.name === 'read')!.accessFlags & JVM_ACC.ABSTRACT);
  });
}

test(
  'ClassStrings: classes parsed with one table share member references and strings; the answers are the same',
  { skip: skipWithoutJavac },
  () => {
    const { read } = compileJava(TRACKER_SOURCES, 17);
    const names = ['com/example/Tracker', 'com/example/Source', 'android/telephony/TelephonyManager', 'android/os/Build'];
    const strings = new ClassStrings();
    const shared = names.map((n) => parseClassFile(read(n), `${n}.class`, { strings }));
    const alone = names.map((n) => parseClassFile(read(n), `${n}.class`));
    // Interning changes which copy of a string or reference a class holds, never what it says.
    assert.deepEqual(shared, alone);
    const [tracker, source] = [shared[0]!, shared[1]!];
    // Tracker and Source both name Object's constructor (Source's default method calls read() twice).
    const init = (c: typeof tracker) => c.references.methods.find((m) => m.signature === 'Ljava/lang/Object;-><init>()V');
    assert.ok(init(tracker) && init(shared[2]!), 'both classes call Object.<init>');
    assert.equal(init(tracker), init(shared[2]!), 'one MemberRef object for both classes');
    assert.notEqual(init(alone[0]!), init(alone[2]!), 'without a table each class has its own');
    // Code references point at the same shared objects' signatures.
    const call = tracker.methods.find((m) => m.name === 'deviceId')!.code!.references!.find((r) => r.kind === 'invokevirtual')!;
    assert.equal(call.target, GET_DEVICE_ID);
    assert.ok(source.references.classes.includes('Ljava/lang/Object;'));

    // scanJar gives the classes of one archive one table.
    const jar = scanJar(ZipArchive.fromBytes(buildZip(names.map((n) => ({ name: `${n}.class`, data: read(n) })))));
    const byName = (n: string) => jar.classes.find((c) => c.name === `L${n};`)!;
    assert.equal(init(byName(names[0]!)), init(byName(names[2]!)));
  },
);

test('ClassStrings: one table keeps a method and an interface method of one signature apart', () => {
  const strings = new ClassStrings();
  const method = strings.member('method', 'La/B;', 'run', '()V');
  const viaInterface = strings.member('interface-method', 'La/B;', 'run', '()V');
  assert.equal(method.signature, viaInterface.signature);
  assert.equal(method.kind, 'method');
  assert.equal(viaInterface.kind, 'interface-method');
  assert.equal(strings.member('method', 'La/B;', 'run', '()V'), method);
  assert.equal(strings.member('field', 'La/B;', 'run', 'I').signature, 'La/B;->run:I');
  // Utf8 constants by their bytes: every answer is what decoding gives, across the table's growth.
  let seed = 7;
  const random = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) / 2 ** 32;
  const samples = Array.from({ length: 6000 }, () => {
    const length = Math.floor(random() * 12);
    // Mostly ASCII names from a small alphabet (so many repeat), some with a NUL or a high byte.
    return Uint8Array.from({ length }, () => (random() < 0.02 ? (random() < 0.5 ? 0 : 0xc3) : 0x61 + Math.floor(random() * 4)));
  });
  for (const bytes of [...samples, ...samples]) {
    const padded = new Uint8Array(bytes.length + 4);
    padded.set(bytes, 2);
    const found = strings.ascii(padded, 2, 2 + bytes.length);
    const ascii = bytes.every((b) => b > 0 && b < 0x80);
    assert.equal(found === undefined, !ascii);
    if (found !== undefined) assert.equal(found, decodeModifiedUtf8(bytes, 0, bytes.length));
  }
  assert.equal(
    strings.ascii(
      Uint8Array.from('x'.repeat(300), (c) => c.charCodeAt(0)),
      0,
      300,
    ),
    undefined,
    'too long to keep',
  );
  const long = 'x'.repeat(1000);
  assert.equal(strings.intern(long), long, 'long strings pass through');
  assert.equal(strings.intern('Ljava/lang/Object;'), 'Ljava/lang/Object;');
});

test('descriptor helpers and signature matching', () => {
  assert.equal(javaNameToDescriptor('com.foo.Bar'), 'Lcom/foo/Bar;');
  assert.equal(javaNameToDescriptor('[I'), '[I');
  assert.ok(signatureMatches(GET_IMEI, `${TM}->getImei`));
  assert.ok(signatureMatches(GET_IMEI, GET_IMEI));
  assert.ok(!signatureMatches(`${TM}->getImeiX()V`, `${TM}->getImei`));
  assert.ok(signatureMatches(`${TM}->f:I`, `${TM}->f`));
});

test('modified UTF-8 decoding', () => {
  const bytes = new Uint8Array([0x41, 0xc0, 0x80, 0xc3, 0xa9, 0xed, 0xa0, 0xbd, 0xed, 0xb8, 0x80, 0xe4, 0xb8, 0xad]);
  assert.equal(decodeModifiedUtf8(bytes, 0, bytes.length), 'A\u0000\u00e9\u{1F600}\u4e2d');
  // A stray continuation byte, a truncated sequence and a real NUL become U+FFFD, never an exception.
  assert.equal(decodeModifiedUtf8(new Uint8Array([0x80, 0x41, 0xe4, 0xb8]), 0, 4), '\ufffdA\ufffd\ufffd');
  assert.equal(decodeModifiedUtf8(new Uint8Array([0x00]), 0, 1), '\ufffd');
  const long = new Uint8Array(20000).fill(0xc3).map((b, i) => (i % 2 ? 0xa9 : b));
  assert.equal(decodeModifiedUtf8(long, 0, long.length), '\u00e9'.repeat(10000));
});

// ---- Hand-built class files for the guards ----

type PoolEntry = [tag: number, ...payload: number[]] | [1, string];

function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}
function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}

function poolBytes(entries: PoolEntry[]): number[] {
  const out: number[] = [];
  for (const [tag, ...rest] of entries) {
    out.push(tag);
    if (tag === 1 && typeof rest[0] === 'string') {
      const b = [...Buffer.from(rest[0], 'utf8')];
      out.push(...u16(b.length), ...b);
    } else {
      out.push(...(rest as number[]));
    }
  }
  return out;
}

/** A minimal valid class `A extends java/lang/Object` with the given tail (after super_class). */
function minimalClass(options: { pool?: PoolEntry[]; poolCount?: number; thisClass?: number; tail?: number[] } = {}): Uint8Array {
  const pool: PoolEntry[] = options.pool ?? [
    [1, 'A'],
    [7, ...u16(1)],
    [1, 'java/lang/Object'],
    [7, ...u16(3)],
    [1, 'Code'],
    [1, 'm'],
    [1, '()V'],
  ];
  const count = options.poolCount ?? pool.length + 1;
  const tail = options.tail ?? [...u16(0), ...u16(0), ...u16(0), ...u16(0)];
  return new Uint8Array([
    ...u32(0xcafebabe),
    ...u16(0),
    ...u16(52),
    ...u16(count),
    ...poolBytes(pool),
    ...u16(0x21),
    ...u16(options.thisClass ?? 2),
    ...u16(4),
    ...tail,
  ]);
}

function assertCorrupt(bytes: Uint8Array, pattern?: RegExp): void {
  assert.throws(
    () => parseClassFile(bytes, 'A.class'),
    (error: unknown) =>
      error instanceof ApkFormatError &&
      error.code === 'class-corrupt' &&
      error.entry === 'A.class' &&
      (!pattern || pattern.test(error.message)),
  );
}

/** `minimalClass` with one method `m()V` whose Code attribute holds `body` (max_stack onwards). */
function classWithCode(body: number[]): Uint8Array {
  const method = [...u16(1), ...u16(6), ...u16(7), ...u16(1), ...u16(5), ...u32(body.length), ...body];
  return minimalClass({ tail: [...u16(0), ...u16(0), ...u16(1), ...method, ...u16(0)] });
}

test('a minimal hand-built class parses', () => {
  const cls = parseClassFile(minimalClass(), 'A.class');
  assert.equal(cls.name, 'LA;');
  assert.equal(cls.superClass, 'Ljava/lang/Object;');
  assert.deepEqual(cls.methods, []);
});

test('guards: magic, versions, truncation, lying counts and wrong constant kinds', () => {
  const good = minimalClass();
  const badMagic = good.slice();
  badMagic[0] = 0xca;
  badMagic[3] = 0xbf;
  assertCorrupt(badMagic, /magic/);
  assertCorrupt(new Uint8Array(0), /magic/);
  const oldVersion = good.slice();
  oldVersion[7] = 44;
  assertCorrupt(oldVersion, /major version/);
  // Every strict prefix of a valid class must fail cleanly.
  for (let length = 0; length < good.length; length++) assertCorrupt(good.subarray(0, length));

  assertCorrupt(minimalClass({ poolCount: 0xffff }), /out of bounds|tag/);
  assertCorrupt(minimalClass({ poolCount: 0 }), /constant_pool_count/);
  assertCorrupt(minimalClass({ tail: [...u16(0), ...u16(0xffff)] }), /fields/);
  assertCorrupt(minimalClass({ tail: [...u16(0xffff)] }), /interfaces/);
  assertCorrupt(minimalClass({ tail: [...u16(0), ...u16(0), ...u16(0xffff)] }), /methods/);
  assertCorrupt(minimalClass({ tail: [...u16(0), ...u16(0), ...u16(0), ...u16(1), ...u16(5), ...u32(0xffffffff)] }), /attribute/);
  assertCorrupt(minimalClass({ thisClass: 1 }), /expected Class/);
  assertCorrupt(minimalClass({ thisClass: 99 }), /expected Class/);
  // Damaged pools after `A` (#1) and its Class (#2), most with a second class `B` (#3, #4).
  const head: PoolEntry[] = [
    [1, 'A'],
    [7, ...u16(1)],
  ];
  const withB: PoolEntry[] = [...head, [1, 'B'], [7, ...u16(3)]];
  const badPools: [pool: PoolEntry[], pattern: RegExp, poolCount?: number][] = [
    [[...head, [2, 0, 0], [7, ...u16(1)]], /unknown constant pool tag 2/],
    // A Methodref whose class index names a Utf8.
    [[...withB, [10, ...u16(1), ...u16(1)]], /refers to Class #1/],
    // A Long in the last slot would take a slot past the end of the pool.
    [[...withB, [5, 0, 0, 0, 0, 0, 0, 0, 1]], /last pool slot/],
    // A reference to the unusable slot after a Long.
    [[...withB, [5, 0, 0, 0, 0, 0, 0, 0, 1], [8, ...u16(6)]], /unusable slot/, 8],
    [[...withB, [15, 0, ...u16(1)]], /reference kind 0/],
  ];
  for (const [pool, pattern, poolCount] of badPools) assertCorrupt(minimalClass({ pool, poolCount }), pattern);
});

/** A pool with `T.m()V` as Methodref #6 and `"s"` as String #8, for bytecode tests. */
function testPool(): ConstantPool {
  const pool: PoolEntry[] = [
    [1, 'T'],
    [7, ...u16(1)],
    [1, 'm'],
    [1, '()V'],
    [12, ...u16(3), ...u16(4)],
    [10, ...u16(2), ...u16(5)],
    [1, 's'],
    [8, ...u16(7)],
  ];
  const bytes = new Uint8Array(poolBytes(pool));
  return new ConstantPool(new ClassReader(bytes, 'T.class'), pool.length + 1);
}

function scan(code: number[]): { references: CodeReference[]; error?: string } {
  return scanCode(new Uint8Array(code), testPool(), undefined);
}

test('bytecode: switch padding, wide forms and invokes keep the instruction stream in step', () => {
  const code = [
    0x03, // 0 iconst_0
    0xaa,
    0,
    0, // 1 tableswitch, padded to 4
    ...u32(0),
    ...u32(0),
    ...u32(1),
    ...u32(0),
    ...u32(0), // default, low 0, high 1, two offsets → next pc 24
    0xab,
    0,
    0,
    0, // 24 lookupswitch, padded to 28
    ...u32(0),
    ...u32(1),
    ...u32(5),
    ...u32(0), // default, one pair → next pc 44
    0xc4,
    0x84,
    ...u16(300),
    ...u16(1000), // 44 wide iinc
    0xc4,
    0x15,
    ...u16(300), // 50 wide iload
    0xb8,
    ...u16(6), // 54 invokestatic T.m()V
    0x12,
    8, // 57 ldc "s"
    0x13,
    ...u16(8), // 59 ldc_w "s"
    0xb1, // 62 return
  ];
  const result = scan(code);
  assert.equal(result.error, undefined);
  assert.deepEqual(result.references, [
    { kind: 'invokestatic', pc: 54, target: 'LT;->m()V' },
    { kind: 'ldc-string', pc: 57, target: 's' },
    { kind: 'ldc-string', pc: 59, target: 's' },
  ]);
});

test('bytecode: malformed code stops the scan with a reason, never an exception', () => {
  const cases: [number[], RegExp][] = [
    [[0xb8, ...u16(6), 0xcb], /invalid opcode 0xcb at pc 3/],
    [[0xaa, 0, 0, 0, 0], /truncated switch/],
    [[0xaa, 0, 0, 0, ...u32(0), ...u32(5), ...u32(1)], /high 1 < low 5/],
    [[0xaa, 0, 0, 0, ...u32(0), ...u32(0x80000000), ...u32(0x7fffffff)], /past the end/],
    [[0xab, 0, 0, 0, ...u32(0), ...u32(0xffffffff)], /lookupswitch with -1 pairs/],
    [[0xab, 0, 0, 0, ...u32(0), ...u32(0x7fffffff)], /past the end/],
    [[0xc4, 0x10, 0, 0], /wide applied to opcode 0x10/],
    [[0xc4], /truncated wide/],
    [[0xb8, 0], /past the end/],
    [[0xb8, ...u16(8)], /invokestatic names constant #8/],
    [[0xb2, ...u16(6)], /getstatic names constant #6/],
    [[0xba, ...u16(6), 0, 0], /invokedynamic names constant #6/],
    [[0xbb, ...u16(99)], /new names constant #99/],
  ];
  for (const [code, pattern] of cases) {
    const result = scan(code);
    assert.match(result.error ?? '', pattern, JSON.stringify(code));
  }
  // A damaged method is an issue on the class, not a failed class.
  const cls = parseClassFile(classWithCode([...u16(1), ...u16(1), ...u32(1), 0xcb, ...u16(0), ...u16(0)]), 'A.class');
  assert.equal(cls.methods[0]!.code!.error, 'invalid opcode 0xcb at pc 0');
  assert.deepEqual(cls.issues, ['LA;->m()V: invalid opcode 0xcb at pc 0']);
  // code_length longer than the Code attribute is structural damage.
  assertCorrupt(classWithCode([...u16(1), ...u16(1), ...u32(100), 0xb1, ...u16(0), ...u16(0)]), /code_length/);
});
