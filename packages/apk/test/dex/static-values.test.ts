/**
 * Static field initial values (class_def static_values_off): every encoded_value type through the
 * test writer, the guards on malformed arrays, and agreement with baksmali on real DEX files.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ApkFormatError } from '../../src/errors.js';
import { ZipArchive } from '../../src/zip/index.js';
import { parseDex, MAX_VALUE_DEPTH, type DexFile, type DexStaticValue, type DexValue } from '../../src/dex/index.js';
import {
  buildDex,
  fixChecksum,
  getU32,
  setU32,
  type ClassSpec,
  type FieldSpec,
  type ValueSpec,
  realApks,
  runTool,
  skipWithoutTool,
} from '@apprights/testkit';

const OWNER = 'Lcom/x/Consts;';

function dexError(fn: () => unknown, pattern: RegExp): void {
  assert.throws(fn, (error: unknown) => {
    assert.ok(error instanceof ApkFormatError, `expected ApkFormatError, got ${String(error)}`);
    assert.equal(error.code, 'dex-corrupt');
    assert.equal(error.entry, 'classes.dex');
    assert.match(error.message, pattern);
    return true;
  });
}

/** A class whose static fields f00, f01, ... (sorted by name, hence by field_id) get `values`. */
function constsClass(values: ValueSpec[], fieldCount = values.length, type = 'I'): ClassSpec {
  const staticFields: FieldSpec[] = Array.from({ length: fieldCount }, (_, i) => ({
    name: `f${String(i).padStart(2, '0')}`,
    type,
    access: 0x19,
  }));
  return { type: OWNER, staticFields, staticValues: values };
}

function load(classes: ClassSpec[]): DexFile {
  return parseDex(buildDex({ classes }).bytes, { name: 'classes.dex' });
}

function valuesOf(dex: DexFile, classDef = 0): { field: string; value: DexValue }[] {
  return dex.staticValues(classDef).map((v) => ({ field: dex.fieldString(v.fieldIndex), value: v.value }));
}

test('static values: every encoded_value type decodes', () => {
  const specs: ValueSpec[] = [
    { type: 'byte', value: -5 },
    { type: 'short', value: -300 },
    { type: 'char', value: 0xffff },
    { type: 'int', value: -0x80000000 },
    { type: 'int', value: 0x7fffffff },
    { type: 'int', value: 0 },
    { type: 'long', value: -(2n ** 63n) },
    { type: 'long', value: 1234567890123n },
    { type: 'float', value: 1.5 },
    { type: 'double', value: Math.PI },
    { type: 'double', value: 0 },
    { type: 'string', value: 'android 2.1.3' },
    { type: 'type', value: 'Lcom/x/Other;' },
    { type: 'field', value: 'Lcom/x/Other;->x:I' },
    { type: 'enum', value: 'Lcom/x/Kind;->A:Lcom/x/Kind;' },
    { type: 'method', value: 'Lcom/x/Other;->run()V' },
    {
      type: 'array',
      values: [
        { type: 'int', value: 1 },
        { type: 'array', values: [{ type: 'string', value: 'nested' }] },
      ],
    },
    {
      type: 'annotation',
      annotationType: 'Lcom/x/Note;',
      elements: [
        { name: 'value', value: { type: 'string', value: 'v' } },
        { name: 'count', value: { type: 'int', value: 3 } },
      ],
    },
    { type: 'null' },
    { type: 'boolean', value: true },
    { type: 'boolean', value: false },
    // method_type #0: the only proto in the file, ()V from the method above.
    { type: 'raw', bytes: [0x15, 0x00] },
  ];
  const dex = load([constsClass(specs)]);
  const got = dex.staticValues(0).map((v) => v.value);
  const expected: DexValue[] = [
    -5,
    -300,
    0xffff,
    -0x80000000,
    0x7fffffff,
    0,
    -(2n ** 63n),
    1234567890123n,
    1.5,
    Math.PI,
    0,
    'android 2.1.3',
    { kind: 'type', type: 'Lcom/x/Other;' },
    { kind: 'field', field: 'Lcom/x/Other;->x:I' },
    { kind: 'enum', field: 'Lcom/x/Kind;->A:Lcom/x/Kind;' },
    { kind: 'method', method: 'Lcom/x/Other;->run()V' },
    { kind: 'array', values: [1, { kind: 'array', values: ['nested'] }] },
    // Elements come in name order (string_id order), as the format requires.
    {
      kind: 'annotation',
      type: 'Lcom/x/Note;',
      elements: [
        { name: 'count', value: 3 },
        { name: 'value', value: 'v' },
      ],
    },
    null,
    true,
    false,
    { kind: 'method-type', proto: '()V' },
  ];
  assert.deepEqual(got, expected);
  // Paired with the static fields in class_data order.
  assert.deepEqual(
    dex.staticValues(0).map((v) => dex.fieldString(v.fieldIndex)),
    specs.map((_, i) => `${OWNER}->f${String(i).padStart(2, '0')}:I`),
  );
});

test('static values: short arrays, classes without values, several classes', () => {
  const dex = load([
    constsClass([{ type: 'string', value: 'first' }], 3, 'Ljava/lang/String;'),
    { type: 'Lcom/x/Plain;', staticFields: [{ name: 'N', type: 'I', access: 0x9 }] },
    { type: 'Lcom/x/Empty;' },
    {
      type: 'Lcom/x/Version;',
      staticFields: [{ name: 'NAME', type: 'Ljava/lang/String;', access: 0x19 }],
      staticValues: [{ type: 'string', value: '4.8.1' }],
    },
  ]);
  // Fields past the end of the array keep their default and are not listed.
  assert.deepEqual(valuesOf(dex, 0), [{ field: `${OWNER}->f00:Ljava/lang/String;`, value: 'first' }]);
  assert.deepEqual(dex.staticValues(1), []);
  assert.deepEqual(dex.staticValues(2), []);
  assert.deepEqual(valuesOf(dex, 3), [{ field: 'Lcom/x/Version;->NAME:Ljava/lang/String;', value: '4.8.1' }]);
  dexError(() => dex.staticValues(4), /class_def index 4 out of range/);
});

test('static values: malformed arrays fail as dex-corrupt, never otherwise', () => {
  const raw = (...bytes: number[]): ValueSpec => ({ type: 'raw', bytes });
  const deep: ValueSpec = Array.from({ length: MAX_VALUE_DEPTH + 1 }).reduce<ValueSpec>((inner) => ({ type: 'array', values: [inner] }), {
    type: 'null',
  });
  const cases: [ValueSpec[], RegExp, number?][] = [
    [[raw(0xe4, 1, 2, 3, 4, 5, 6, 7, 8)], /type 0x04 .* size 8, over 4/],
    [[raw(0x20, 1, 2)], /type 0x00 .* size 2, over 1/],
    [[raw(0x05)], /unknown encoded_value type 0x05/],
    [[raw(0x17 | 0x60, 0xff, 0xff, 0xff, 0x0f)], /string index .* out of range/],
    [[raw(0x18, 0xfe)], /type index 254 .* out of range/],
    [[raw(0x19, 0xfe)], /field index 254 .* out of range/],
    [[raw(0x1a, 0xfe)], /method index 254 .* out of range/],
    [[raw(0x15, 0xfe)], /proto index 254 .* out of range/],
    [[raw(0x16, 0x00)], /method_handle index 0 .* out of range \(size 0\)/],
    [[raw(0x3e)], /null encoded_value .* value_arg 1/],
    [[raw(0x5f)], /boolean encoded_value .* value_arg 2/],
    [[raw(0x3c, 0)], /type 0x1c .* value_arg 1/],
    // An array claiming more values than there are bytes left in the file.
    [[raw(0x1c, 0xff, 0xff, 0xff, 0x7f)], /claims \d+ values/],
    // A uleb128 longer than 5 bytes.
    [[raw(0x1c, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01)], /bad uleb128/],
    [[raw(0x1d, 0x7f, 0)], /annotation type 127 .* out of range/],
    [[raw(0x1d, 0, 0xff, 0xff, 0xff, 0x7f)], /annotation .* claims \d+ elements/],
    [[raw(0x1d, 0, 1, 0x7f, 0x1e)], /annotation element name 127 out of range/],
    [[deep], /nest deeper than 16/],
    // More values than static fields.
    [
      [
        { type: 'int', value: 1 },
        { type: 'int', value: 2 },
      ],
      /holds 2 values for 1 static fields/,
      1,
    ],
  ];
  for (const [values, pattern, fields] of cases) {
    const dex = load([constsClass(values, fields ?? values.length)]);
    dexError(() => dex.staticValues(0), pattern);
  }
});

/** The built file with `tail` appended (file_size and data_size grown) and class 0's static_values_off at it. */
function withTail(built: ReturnType<typeof buildDex>, tail: ArrayLike<number>): DexFile {
  const bytes = new Uint8Array(built.bytes.length + tail.length);
  bytes.set(built.bytes);
  bytes.set(tail, built.bytes.length);
  setU32(bytes, 0x20, bytes.length);
  setU32(bytes, 0x68, getU32(bytes, 0x68) + tail.length);
  setU32(bytes, built.layout.classDefsOff + 28, built.bytes.length);
  return parseDex(fixChecksum(bytes), { name: 'classes.dex' });
}

test('static values: every truncation at the end of the file fails cleanly', () => {
  const values: ValueSpec[] = [
    { type: 'long', value: -(2n ** 62n) },
    { type: 'array', values: [{ type: 'string', value: 's' }] },
    { type: 'annotation', annotationType: 'Lcom/x/Note;', elements: [{ name: 'value', value: { type: 'int', value: 0x123456 } }] },
  ];
  const built = buildDex({ classes: [constsClass(values)] });
  const at = built.layout.staticValuesOffs[0]!;
  const dex = parseDex(built.bytes, { name: 'classes.dex' });
  const whole = dex.staticValues(0);
  assert.equal(whole.length, 3);
  // Find the array's length by decoding it in place, then cut it short at every byte.
  let length = 1;
  while (!sameValues(withTail(built, built.bytes.subarray(at, at + length)), whole)) length++;
  for (let cut = 1; cut < length; cut++) {
    const d = withTail(built, built.bytes.subarray(at, at + cut));
    dexError(() => d.staticValues(0), /past the end of the file|claims|bad uleb128/);
  }
});

function sameValues(dex: DexFile, expected: DexStaticValue[]): boolean {
  try {
    assert.deepEqual(dex.staticValues(0), expected);
    return true;
  } catch {
    return false;
  }
}

// ---- oracle: baksmali prints `.field ... static final NAME:T = value` for each initial value ----

/** Our value in baksmali's spelling, for the types compared (undefined for the others). */
function smaliValue(type: string, value: DexValue): string | undefined {
  if (type === 'Z' && typeof value === 'boolean') return String(value);
  if ((type === 'I' || type === 'J') && (typeof value === 'number' || typeof value === 'bigint')) {
    const n = BigInt(value);
    return `${n < 0n ? '-' : ''}0x${(n < 0n ? -n : n).toString(16)}${type === 'J' ? 'L' : ''}`;
  }
  if (type === 'Ljava/lang/String;' && typeof value === 'string') {
    // Only plain printable ASCII is compared; baksmali escapes the rest its own way.
    return /^[\x20-\x7e]*$/.test(value) && !/["\\]/.test(value) ? `"${value}"` : undefined;
  }
  return undefined;
}

function smaliFiles(dir: string, out: string[] = []): string[] {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) smaliFiles(path, out);
    else if (name.endsWith('.smali')) out.push(path);
  }
  return out;
}

test('static values agree with baksmali on real DEX files', { skip: skipWithoutTool('baksmali') }, () => {
  const zip = ZipArchive.open(realApks.uiautomator2);
  const dir = mkdtempSync(join(tmpdir(), 'apprights-smali-'));
  try {
    let compared = 0;
    for (const name of ['classes10.dex', 'classes6.dex']) {
      const bytes = zip.read(name);
      const dex = parseDex(bytes, { name });
      const ours = new Map<string, DexValue>();
      for (let i = 0; i < dex.counts.classDefs; i++) {
        for (const v of dex.staticValues(i)) ours.set(dex.fieldString(v.fieldIndex), v.value);
      }
      const file = join(dir, name);
      writeFileSync(file, bytes);
      const out = join(dir, `${name}.smali`);
      runTool('baksmali', ['d', file, '-o', out]);
      const theirs = new Map<string, string>();
      for (const smali of smaliFiles(out)) {
        const text = readFileSync(smali, 'utf8');
        const owner = /^\.class [^\n]*?(L[^\s;]+;)$/m.exec(text)?.[1];
        assert.ok(owner, `no .class line in ${smali}`);
        for (const m of text.matchAll(/^\.field [^\n]*?(\S+):(\S+) = (.*)$/gm)) theirs.set(`${owner}->${m[1]}:${m[2]}`, m[3]!);
      }
      // baksmali leaves out a default initial value (false, 0, null) when <clinit> assigns the field.
      for (const field of theirs.keys()) assert.ok(ours.has(field), `${name}: we miss the initial value of ${field}`);
      for (const [field, value] of ours) {
        if (!theirs.has(field))
          assert.ok(value === false || value === 0 || value === 0n || value === null, `${name}: ${field} = ${String(value)}`);
      }
      for (const [field, value] of ours) {
        const expected = smaliValue(field.slice(field.lastIndexOf(':') + 1), value);
        if (expected === undefined || !theirs.has(field)) continue;
        assert.equal(expected, theirs.get(field), `${name} ${field}`);
        compared++;
      }
    }
    assert.ok(compared > 50, `only ${compared} values compared`);
  } finally {
    zip.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
