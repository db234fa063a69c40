/** ConstantValue attributes: static final constants in class files, from javac and hand-built. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseClassFile } from '../../src/classfile/index.js';
import { compileJava, skipWithoutJavac } from './java-fixtures.js';

test('javac: static final constants of every kind carry their ConstantValue', { skip: skipWithoutJavac }, () => {
  const { read } = compileJava(
    {
      'com/x/Build.java': `package com.x;
public class Build {
  public static final String SDK_VERSION_NAME = "android 2.1.3";
  public static final int SDK_INT = -570425345;
  public static final long BIG = -9223372036854775807L;
  public static final float F = 1.5f;
  public static final double D = 6.283185307179586;
  public static final char C = 'x';
  public static final boolean Z = true;
  public static final byte B = -3;
  public static final short S = 300;
  public static final String COMPUTED = String.valueOf(3);
  public static String notFinal = "x";
  public final String instance = "ignored";
}`,
    },
    8,
  );
  const cls = parseClassFile(read('com/x/Build'), 'com/x/Build.class');
  const values = Object.fromEntries(cls.fields.map((f) => [f.name, f.constantValue]));
  assert.deepEqual(values, {
    SDK_VERSION_NAME: 'android 2.1.3',
    SDK_INT: -570425345,
    BIG: -9223372036854775807n,
    F: 1.5,
    D: 6.283185307179586,
    C: 0x78,
    Z: 1,
    B: -3,
    S: 300,
    COMPUTED: undefined,
    notFinal: undefined,
    // javac writes ConstantValue on final instance fields too; the JVM ignores it there, and so do we.
    instance: undefined,
  });
  assert.deepEqual(cls.issues, []);
});

// ---- hand-built: malformed attributes are issues, never exceptions ----

function u16(n: number): number[] {
  return [(n >> 8) & 0xff, n & 0xff];
}
function u32(n: number): number[] {
  return [(n >>> 24) & 0xff, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff];
}
function utf8(s: string): number[] {
  const b = [...Buffer.from(s, 'utf8')];
  return [1, ...u16(b.length), ...b];
}

/** Pool: #1 A, #2 Class A, #3 Object, #4 Class Object, #5 ConstantValue, #6 V, #7 String desc, #8 I, #9 "hi", #10 String #9, #11 Integer 42, #12-13 Long 7, #14 J, #15 Other (an unknown attribute name). */
const POOL = [
  ...utf8('A'),
  7,
  ...u16(1),
  ...utf8('java/lang/Object'),
  7,
  ...u16(3),
  ...utf8('ConstantValue'),
  ...utf8('V'),
  ...utf8('Ljava/lang/String;'),
  ...utf8('I'),
  ...utf8('hi'),
  8,
  ...u16(9),
  3,
  ...u32(42),
  5,
  ...u32(0),
  ...u32(7),
  ...utf8('J'),
  ...utf8('Other'),
];
const POOL_COUNT = 16;

/** A static final field `V` of type `descriptor` (pool index) with the given attributes. */
function field(descriptor: number, attributes: number[][], flags = 0x19): number[] {
  return [...u16(flags), ...u16(6), ...u16(descriptor), ...u16(attributes.length), ...attributes.flat()];
}
function attribute(name: number, body: number[]): number[] {
  return [...u16(name), ...u32(body.length), ...body];
}
function classWith(fields: number[][]): Uint8Array {
  return new Uint8Array([
    ...u32(0xcafebabe),
    ...u16(0),
    ...u16(52),
    ...u16(POOL_COUNT),
    ...POOL,
    ...u16(0x21),
    ...u16(2),
    ...u16(4),
    ...u16(0),
    ...u16(fields.length),
    ...fields.flat(),
    ...u16(0),
    ...u16(0),
  ]);
}

test('hand-built ConstantValue attributes: good ones decode, bad ones become issues', () => {
  const good = parseClassFile(
    classWith([
      field(7, [attribute(5, u16(10))]),
      field(8, [attribute(5, u16(11))]),
      field(14, [attribute(5, u16(12))]),
      // Only the first ConstantValue counts; other attributes are skipped.
      field(8, [attribute(15, [1, 2, 3]), attribute(5, u16(11)), attribute(5, u16(99))]),
      // A non-static field's ConstantValue is ignored, even a broken one.
      field(8, [attribute(5, u16(99))], 0x10),
      // An attribute whose name index is not a Utf8 is skipped, as before.
      field(8, [attribute(999, [0])]),
    ]),
    'A.class',
  );
  assert.deepEqual(
    good.fields.map((f) => f.constantValue),
    ['hi', 42, 7n, 42, undefined, undefined],
  );
  assert.deepEqual(good.issues, []);

  const bad = parseClassFile(
    classWith([
      field(7, [attribute(5, u16(99))]),
      field(7, [attribute(5, u16(13))]),
      field(7, [attribute(5, u16(11))]),
      field(8, [attribute(5, u16(10))]),
      field(6, [attribute(5, u16(11))]),
      field(7, [attribute(5, [0, 10, 0])]),
    ]),
    'A.class',
  );
  assert.ok(bad.fields.every((f) => f.constantValue === undefined));
  assert.equal(bad.issues.length, 6, bad.issues.join('\n'));
  assert.match(bad.issues[0]!, /^LA;->V:Ljava\/lang\/String;: ConstantValue index 99 is not a usable/);
  assert.match(bad.issues[1]!, /index 13 is not a usable/);
  assert.match(bad.issues[2]!, /#11 has tag 3, a Ljava\/lang\/String; field needs tag 8/);
  assert.match(bad.issues[3]!, /#10 has tag 8, a I field needs tag 3/);
  assert.match(bad.issues[4]!, /on a field of type V/);
  assert.match(bad.issues[5]!, /3 bytes long, expected 2/);
});
