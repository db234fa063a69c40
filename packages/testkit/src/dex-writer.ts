/**
 * A minimal DEX writer for tests: builds small, valid DEX files (sorted id tables, map list, correct
 * Adler-32 checksum and SHA-1 signature) from a plain description, so every guard of the reader can
 * be exercised by corrupting one known field, and fixtures APKs can carry code we control.
 *
 * Member references use descriptor form: methods `Lcom/x/Foo;->bar(ILjava/lang/String;)V`, fields
 * `Lcom/x/Foo;->baz:I`. Registers are not checked; the output passes `dexdump` verification for the
 * shapes the tests use.
 */
import { createHash } from 'node:crypto';
import { adler32, DEX_OPCODES } from '@apprights/apk';
import { append } from './append.js';

export interface DexSpec {
  /** 35..41 (default 35). */
  version?: number;
  /** 0x70 (default) or 0x78 for a version 041 container header. */
  headerSize?: number;
  classes: ClassSpec[];
  /** Extra strings to put in the pool (e.g. to test MUTF-8). */
  strings?: string[];
}

export interface ClassSpec {
  type: string;
  access?: number;
  /** Default `Ljava/lang/Object;`; null for none. */
  superclass?: string | null;
  interfaces?: string[];
  sourceFile?: string;
  staticFields?: FieldSpec[];
  instanceFields?: FieldSpec[];
  directMethods?: MethodSpec[];
  virtualMethods?: MethodSpec[];
  /** Initial values of the static fields in class_data order (sorted by field_id), as static_values_off. */
  staticValues?: ValueSpec[];
}

/** An encoded_value for static_values; references are resolved against the file's pools. */
export type ValueSpec =
  | { type: 'byte' | 'short' | 'char' | 'int' | 'float' | 'double'; value: number }
  | { type: 'long'; value: bigint }
  | { type: 'string'; value: string }
  | { type: 'type'; value: string }
  /** `Lowner;->name:type` (added to field_ids). */
  | { type: 'field' | 'enum'; value: string }
  /** `Lowner;->name(args)ret` (added to method_ids). */
  | { type: 'method'; value: string }
  | { type: 'array'; values: ValueSpec[] }
  | { type: 'annotation'; annotationType: string; elements: { name: string; value: ValueSpec }[] }
  | { type: 'null' }
  | { type: 'boolean'; value: boolean }
  /** Bytes written as they are (header byte included), to build malformed values. */
  | { type: 'raw'; bytes: number[] };

export interface FieldSpec {
  name: string;
  type: string;
  access?: number;
}

export interface MethodSpec {
  name: string;
  /** Descriptor form, e.g. `(Ljava/lang/String;)V`. */
  proto: string;
  access?: number;
  /** Omit for abstract/native methods. */
  code?: CodeSpec;
}

export interface TrySpec {
  start: number;
  count: number;
  catches: { type: string; address: number }[];
  catchAll?: number;
}

export interface CodeSpec {
  registers?: number;
  ins?: number;
  outs?: number;
  insns: Insn[];
  tries?: TrySpec[];
}

export type Insn =
  | { op: 'nop' | 'return-void' }
  | { op: 'return' | 'return-object' | 'move-result' | 'move-result-object' | 'throw'; reg: number }
  | { op: 'const/4'; reg: number; value: number }
  | { op: 'const-string' | 'const-string/jumbo'; reg: number; string: string }
  | { op: 'const-class' | 'new-instance' | 'check-cast'; reg: number; type: string }
  | { op: `sget${string}` | `sput${string}`; reg: number; field: string }
  | { op: `iget${string}` | `iput${string}`; reg: number; obj: number; field: string }
  | { op: `invoke-${'virtual' | 'super' | 'direct' | 'static' | 'interface'}`; method: string; args: number[] }
  | { op: `invoke-${'virtual' | 'super' | 'direct' | 'static' | 'interface'}/range`; method: string; first: number; count: number }
  | { op: 'packed-switch-payload'; firstKey: number; targets: number[] }
  | { op: 'sparse-switch-payload'; keys: number[]; targets: number[] }
  | { op: 'fill-array-data-payload'; elementWidth: number; data: number[] }
  | { op: 'raw'; units: number[] };

export interface DexLayout {
  stringIdsOff: number;
  typeIdsOff: number;
  protoIdsOff: number;
  fieldIdsOff: number;
  methodIdsOff: number;
  classDefsOff: number;
  dataOff: number;
  mapOff: number;
  /** class_data_off per class, in spec order (0 when the class has no members). */
  classDataOffs: number[];
  /** code_item offset per `Class->method` key in spec order. */
  codeOffs: Map<string, number>;
  /** string_data_item offset per string. */
  stringDataOffs: Map<string, number>;
  /** static_values_off per class, in spec order (0 when the class has none). */
  staticValuesOffs: number[];
}

export interface BuiltDex {
  bytes: Uint8Array;
  layout: DexLayout;
  strings: string[];
  types: string[];
  /** Sorted method references, index = method_id. */
  methods: string[];
  fields: string[];
}

const OPCODE_BY_NAME = new Map(DEX_OPCODES.filter((o) => o.format !== 'unused').map((o) => [o.name, o]));

function parseProto(proto: string): { params: string[]; ret: string } {
  const m = /^\((.*)\)(.+)$/.exec(proto);
  if (!m) throw new Error(`bad proto ${proto}`);
  return { params: splitDescriptors(m[1]!), ret: m[2]! };
}

function splitDescriptors(s: string): string[] {
  const out: string[] = [];
  let i = 0;
  while (i < s.length) {
    let j = i;
    while (s[j] === '[') j++;
    if (s[j] === 'L') j = s.indexOf(';', j);
    if (j < 0) throw new Error(`bad descriptor list ${s}`);
    out.push(s.slice(i, j + 1));
    i = j + 1;
  }
  return out;
}

function shorty(proto: string): string {
  const { params, ret } = parseProto(proto);
  const c = (d: string) => (d.startsWith('L') || d.startsWith('[') ? 'L' : d);
  return c(ret) + params.map(c).join('');
}

function parseMember(ref: string): { cls: string; name: string; rest: string } {
  const arrow = ref.indexOf('->');
  if (arrow < 0) throw new Error(`bad member reference ${ref}`);
  const cls = ref.slice(0, arrow);
  const tail = ref.slice(arrow + 2);
  const cut = tail.search(/[(:]/);
  if (cut < 0) throw new Error(`bad member reference ${ref}`);
  return { cls, name: tail.slice(0, cut), rest: tail[cut] === ':' ? tail.slice(cut + 1) : tail.slice(cut) };
}

/** MUTF-8 bytes of a JavaScript string (U+0000 as C0 80, surrogates encoded one by one). */
export function encodeMutf8(s: string): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c !== 0 && c < 0x80) out.push(c);
    else if (c < 0x800) out.push(0xc0 | (c >> 6), 0x80 | (c & 0x3f));
    else out.push(0xe0 | (c >> 12), 0x80 | ((c >> 6) & 0x3f), 0x80 | (c & 0x3f));
  }
  return out;
}

export function uleb128(value: number): number[] {
  const out: number[] = [];
  let v = value >>> 0;
  do {
    let b = v & 0x7f;
    v >>>= 7;
    if (v !== 0) b |= 0x80;
    out.push(b);
  } while (v !== 0);
  return out;
}

export function sleb128(value: number): number[] {
  const out: number[] = [];
  let v = value | 0;
  while (true) {
    const b = v & 0x7f;
    v >>= 7;
    if ((v === 0 && (b & 0x40) === 0) || (v === -1 && (b & 0x40) !== 0)) {
      out.push(b);
      return out;
    }
    out.push(b | 0x80);
  }
}

class Out {
  bytes: number[] = [];
  get pos(): number {
    return this.bytes.length;
  }
  u8(v: number): void {
    this.bytes.push(v & 0xff);
  }
  u16(v: number): void {
    this.u8(v);
    this.u8(v >>> 8);
  }
  u32(v: number): void {
    this.u16(v & 0xffff);
    this.u16(v >>> 16);
  }
  put(list: number[]): void {
    for (const b of list) this.bytes.push(b);
  }
  align(n: number): void {
    while (this.bytes.length % n !== 0) this.bytes.push(0);
  }
  patch32(at: number, v: number): void {
    this.bytes[at] = v & 0xff;
    this.bytes[at + 1] = (v >>> 8) & 0xff;
    this.bytes[at + 2] = (v >>> 16) & 0xff;
    this.bytes[at + 3] = (v >>> 24) & 0xff;
  }
}

function compareNumberLists(a: number[], b: number[]): number {
  for (let i = 0; i < Math.min(a.length, b.length); i++) if (a[i] !== b[i]) return a[i]! - b[i]!;
  return a.length - b.length;
}

function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Builds a DEX file from a description. */
export function buildDex(spec: DexSpec): BuiltDex {
  const version = spec.version ?? 35;
  const headerSize = spec.headerSize ?? 0x70;
  // ---- collect every string, type, proto, field and method the file needs
  const strings = new Set<string>(spec.strings ?? []);
  const types = new Set<string>();
  const protos = new Set<string>();
  const fields = new Set<string>();
  const methods = new Set<string>();
  const addType = (t: string) => {
    types.add(t);
    strings.add(t);
  };
  const addProto = (p: string) => {
    protos.add(p);
    strings.add(shorty(p));
    const { params, ret } = parseProto(p);
    addType(ret);
    params.forEach(addType);
  };
  const addField = (ref: string) => {
    const { cls, name, rest } = parseMember(ref);
    fields.add(ref);
    addType(cls);
    addType(rest);
    strings.add(name);
  };
  const addMethod = (ref: string) => {
    const { cls, name, rest } = parseMember(ref);
    methods.add(ref);
    addType(cls);
    strings.add(name);
    addProto(rest);
  };
  for (const c of spec.classes) {
    addType(c.type);
    if (c.superclass !== null) addType(c.superclass ?? 'Ljava/lang/Object;');
    c.interfaces?.forEach(addType);
    if (c.sourceFile !== undefined) strings.add(c.sourceFile);
    for (const f of [...(c.staticFields ?? []), ...(c.instanceFields ?? [])]) addField(`${c.type}->${f.name}:${f.type}`);
    for (const m of [...(c.directMethods ?? []), ...(c.virtualMethods ?? [])]) {
      addMethod(`${c.type}->${m.name}${m.proto}`);
      for (const insn of m.code?.insns ?? []) {
        if ('string' in insn) strings.add(insn.string);
        if ('type' in insn) addType(insn.type);
        if ('field' in insn) addField(insn.field);
        if ('method' in insn) addMethod(insn.method);
      }
      for (const t of m.code?.tries ?? []) t.catches.forEach((k) => addType(k.type));
    }
  }
  const addValue = (v: ValueSpec): void => {
    if (v.type === 'string') strings.add(v.value);
    else if (v.type === 'type') addType(v.value);
    else if (v.type === 'field' || v.type === 'enum') addField(v.value);
    else if (v.type === 'method') addMethod(v.value);
    else if (v.type === 'array') v.values.forEach(addValue);
    else if (v.type === 'annotation') {
      addType(v.annotationType);
      for (const e of v.elements) {
        strings.add(e.name);
        addValue(e.value);
      }
    }
  };
  for (const c of spec.classes) c.staticValues?.forEach(addValue);
  for (const p of protos) addProto(p);

  const stringList = [...strings].sort(compareStrings);
  const stringIdx = new Map(stringList.map((s, i) => [s, i]));
  const typeList = [...types].sort((a, b) => stringIdx.get(a)! - stringIdx.get(b)!);
  const typeIdx = new Map(typeList.map((t, i) => [t, i]));
  const protoKey = (p: string) => {
    const { params, ret } = parseProto(p);
    return [typeIdx.get(ret)!, ...params.map((x) => typeIdx.get(x)!)];
  };
  const protoList = [...protos].sort((a, b) => {
    const ka = protoKey(a);
    const kb = protoKey(b);
    return ka[0]! - kb[0]! || compareNumberLists(ka.slice(1), kb.slice(1));
  });
  const protoIdx = new Map(protoList.map((p, i) => [p, i]));
  const memberKey = (ref: string, kind: 'field' | 'method') => {
    const { cls, name, rest } = parseMember(ref);
    return [typeIdx.get(cls)!, stringIdx.get(name)!, kind === 'field' ? typeIdx.get(rest)! : protoIdx.get(rest)!];
  };
  const fieldList = [...fields].sort((a, b) => compareNumberLists(memberKey(a, 'field'), memberKey(b, 'field')));
  const fieldIdx = new Map(fieldList.map((f, i) => [f, i]));
  const methodList = [...methods].sort((a, b) => compareNumberLists(memberKey(a, 'method'), memberKey(b, 'method')));
  const methodIdx = new Map(methodList.map((m, i) => [m, i]));

  // ---- fixed-size sections
  const out = new Out();
  out.put(new Array(headerSize).fill(0));
  const stringIdsOff = out.pos;
  out.put(new Array(stringList.length * 4).fill(0));
  const typeIdsOff = out.pos;
  for (const t of typeList) out.u32(stringIdx.get(t)!);
  const protoIdsOff = out.pos;
  out.put(new Array(protoList.length * 12).fill(0));
  const fieldIdsOff = out.pos;
  for (const f of fieldList) {
    const { cls, name, rest } = parseMember(f);
    out.u16(typeIdx.get(cls)!);
    out.u16(typeIdx.get(rest)!);
    out.u32(stringIdx.get(name)!);
  }
  const methodIdsOff = out.pos;
  for (const m of methodList) {
    const { cls, name, rest } = parseMember(m);
    out.u16(typeIdx.get(cls)!);
    out.u16(protoIdx.get(rest)!);
    out.u32(stringIdx.get(name)!);
  }
  const classDefsOff = out.pos;
  out.put(new Array(spec.classes.length * 32).fill(0));
  const dataOff = out.pos;

  // ---- code items
  const codeOffs = new Map<string, number>();
  const codeStart = out.pos;
  let codeCount = 0;
  // The same CodeSpec object on two methods yields one shared code_item, as dexlayout produces.
  const written = new Map<CodeSpec, number>();
  for (const c of spec.classes) {
    for (const m of [...(c.directMethods ?? []), ...(c.virtualMethods ?? [])]) {
      if (!m.code) continue;
      const shared = written.get(m.code);
      if (shared !== undefined) {
        codeOffs.set(`${c.type}->${m.name}${m.proto}`, shared);
        continue;
      }
      out.align(4);
      written.set(m.code, out.pos);
      codeOffs.set(`${c.type}->${m.name}${m.proto}`, out.pos);
      writeCode(out, m, { stringIdx, typeIdx, fieldIdx, methodIdx });
      codeCount++;
    }
  }
  // ---- type lists (proto parameters, interfaces)
  out.align(4);
  const typeListStart = out.pos;
  const typeListOffs = new Map<string, number>();
  const addTypeList = (list: string[]) => {
    const key = list.join(',');
    if (list.length === 0 || typeListOffs.has(key)) return;
    out.align(4);
    typeListOffs.set(key, out.pos);
    out.u32(list.length);
    for (const t of list) out.u16(typeIdx.get(t)!);
  };
  for (const p of protoList) addTypeList(parseProto(p).params);
  for (const c of spec.classes) addTypeList(c.interfaces ?? []);
  // ---- string data
  const stringDataStart = out.pos;
  const stringDataOffs = new Map<string, number>();
  stringList.forEach((s, i) => {
    stringDataOffs.set(s, out.pos);
    const at = stringIdsOff + i * 4;
    out.patch32(at, out.pos);
    out.put(uleb128(s.length));
    out.put(encodeMutf8(s));
    out.u8(0);
  });
  // ---- class data
  const classDataStart = out.pos;
  const classDataOffs: number[] = [];
  for (const c of spec.classes) {
    const lists = [c.staticFields ?? [], c.instanceFields ?? [], c.directMethods ?? [], c.virtualMethods ?? []] as const;
    if (lists.every((l) => l.length === 0)) {
      classDataOffs.push(0);
      continue;
    }
    classDataOffs.push(out.pos);
    for (const l of lists) out.put(uleb128(l.length));
    for (const l of [lists[0], lists[1]]) {
      const sorted = l
        .map((f) => ({ idx: fieldIdx.get(`${c.type}->${f.name}:${f.type}`)!, access: f.access ?? 0 }))
        .sort((a, b) => a.idx - b.idx);
      let last = 0;
      for (const f of sorted) {
        out.put(uleb128(f.idx - last));
        out.put(uleb128(f.access));
        last = f.idx;
      }
    }
    for (const l of [lists[2], lists[3]]) {
      const sorted = l
        .map((m) => {
          const key = `${c.type}->${m.name}${m.proto}`;
          return { idx: methodIdx.get(key)!, access: m.access ?? 0, code: codeOffs.get(key) ?? 0 };
        })
        .sort((a, b) => a.idx - b.idx);
      let last = 0;
      for (const m of sorted) {
        out.put(uleb128(m.idx - last));
        out.put(uleb128(m.access));
        out.put(uleb128(m.code));
        last = m.idx;
      }
    }
  }
  const classDataCount = classDataOffs.filter((o) => o !== 0).length;
  // ---- static values (encoded_array_item)
  const encodedArrayStart = out.pos;
  const staticValuesOffs = spec.classes.map((c) => {
    if (!c.staticValues) return 0;
    const at = out.pos;
    out.put(encodeArray(c.staticValues, { stringIdx, typeIdx, fieldIdx, methodIdx }));
    return at;
  });
  const encodedArrayCount = staticValuesOffs.filter((o) => o !== 0).length;

  // ---- patch proto_ids and class_defs now that list offsets are known
  protoList.forEach((p, i) => {
    const { params, ret } = parseProto(p);
    const at = protoIdsOff + i * 12;
    out.patch32(at, stringIdx.get(shorty(p))!);
    out.patch32(at + 4, typeIdx.get(ret)!);
    out.patch32(at + 8, params.length ? typeListOffs.get(params.join(','))! : 0);
  });
  spec.classes.forEach((c, i) => {
    const at = classDefsOff + i * 32;
    const sup = c.superclass === null ? 0xffffffff : typeIdx.get(c.superclass ?? 'Ljava/lang/Object;')!;
    out.patch32(at, typeIdx.get(c.type)!);
    out.patch32(at + 4, c.access ?? 1);
    out.patch32(at + 8, sup);
    out.patch32(at + 12, c.interfaces?.length ? typeListOffs.get(c.interfaces.join(','))! : 0);
    out.patch32(at + 16, c.sourceFile !== undefined ? stringIdx.get(c.sourceFile)! : 0xffffffff);
    out.patch32(at + 20, 0);
    out.patch32(at + 24, classDataOffs[i]!);
    out.patch32(at + 28, staticValuesOffs[i]!);
  });

  // ---- map list
  out.align(4);
  const mapOff = out.pos;
  const mapItems: [number, number, number][] = [[0x0000, 1, 0]];
  const section = (type: number, size: number, off: number) => size > 0 && mapItems.push([type, size, off]);
  section(0x0001, stringList.length, stringIdsOff);
  section(0x0002, typeList.length, typeIdsOff);
  section(0x0003, protoList.length, protoIdsOff);
  section(0x0004, fieldList.length, fieldIdsOff);
  section(0x0005, methodList.length, methodIdsOff);
  section(0x0006, spec.classes.length, classDefsOff);
  section(0x2001, codeCount, codeStart);
  section(0x1001, typeListOffs.size, typeListStart);
  section(0x2002, stringList.length, stringDataStart);
  section(0x2000, classDataCount, classDataStart);
  section(0x2005, encodedArrayCount, encodedArrayStart);
  mapItems.push([0x1000, 1, mapOff]);
  out.u32(mapItems.length);
  for (const [type, size, off] of mapItems) {
    out.u16(type);
    out.u16(0);
    out.u32(size);
    out.u32(off);
  }
  const fileSize = out.pos;

  // ---- header
  const magic = [
    0x64,
    0x65,
    0x78,
    0x0a,
    ...String(version)
      .padStart(3, '0')
      .split('')
      .map((ch) => ch.charCodeAt(0)),
    0,
  ];
  magic.forEach((b, i) => (out.bytes[i] = b));
  const h = (at: number, v: number) => out.patch32(at, v);
  h(0x20, fileSize);
  h(0x24, headerSize);
  h(0x28, 0x12345678);
  h(0x34, mapOff);
  const ids = (at: number, size: number, off: number) => {
    h(at, size);
    h(at + 4, size > 0 ? off : 0);
  };
  ids(0x38, stringList.length, stringIdsOff);
  ids(0x40, typeList.length, typeIdsOff);
  ids(0x48, protoList.length, protoIdsOff);
  ids(0x50, fieldList.length, fieldIdsOff);
  ids(0x58, methodList.length, methodIdsOff);
  ids(0x60, spec.classes.length, classDefsOff);
  h(0x68, fileSize - dataOff);
  h(0x6c, dataOff);
  if (headerSize >= 0x78) {
    h(0x70, fileSize);
    h(0x74, 0);
  }
  const bytes = Uint8Array.from(out.bytes);
  fixChecksum(bytes);
  return {
    bytes,
    layout: {
      stringIdsOff,
      typeIdsOff,
      protoIdsOff,
      fieldIdsOff,
      methodIdsOff,
      classDefsOff,
      dataOff,
      mapOff,
      classDataOffs,
      codeOffs,
      stringDataOffs,
      staticValuesOffs,
    },
    strings: stringList,
    types: typeList,
    methods: methodList,
    fields: fieldList,
  };
}

interface Pools {
  stringIdx: Map<string, number>;
  typeIdx: Map<string, number>;
  fieldIdx: Map<string, number>;
  methodIdx: Map<string, number>;
}

/** Little-endian bytes of `value`, trimmed of redundant high bytes (sign bytes when `signed`). */
function trimmedBytes(value: bigint, signed: boolean): number[] {
  const out: number[] = [];
  let v = value;
  for (let i = 0; i < 8; i++) {
    out.push(Number(BigInt.asUintN(8, v)));
    v >>= 8n;
  }
  while (out.length > 1) {
    const top = out[out.length - 1]!;
    const next = out[out.length - 2]!;
    if (signed ? (top === 0 && next < 0x80) || (top === 0xff && next >= 0x80) : top === 0) out.pop();
    else break;
  }
  return out;
}

function valueHeader(type: number, payload: number[]): number[] {
  return [type | ((payload.length - 1) << 5), ...payload];
}

/** Encodes an encoded_value (value types from the DEX format). */
export function encodeValue(v: ValueSpec, pools: Pools): number[] {
  const unsignedIndex = (type: number, index: number) => valueHeader(type, trimmedBytes(BigInt(index), false));
  switch (v.type) {
    case 'byte':
      return [0x00, v.value & 0xff];
    case 'short':
      return valueHeader(0x02, trimmedBytes(BigInt(v.value), true));
    case 'char':
      return valueHeader(0x03, trimmedBytes(BigInt(v.value), false));
    case 'int':
      return valueHeader(0x04, trimmedBytes(BigInt(v.value), true));
    case 'long':
      return valueHeader(0x06, trimmedBytes(v.value, true));
    case 'float':
    case 'double': {
      const size = v.type === 'float' ? 4 : 8;
      const raw = new DataView(new ArrayBuffer(size));
      if (size === 4) raw.setFloat32(0, v.value, true);
      else raw.setFloat64(0, v.value, true);
      // Zero-extended to the right: drop low-order zero bytes.
      const bytes = Array.from(new Uint8Array(raw.buffer));
      while (bytes.length > 1 && bytes[0] === 0) bytes.shift();
      return valueHeader(size === 4 ? 0x10 : 0x11, bytes);
    }
    case 'string':
      return unsignedIndex(0x17, pools.stringIdx.get(v.value)!);
    case 'type':
      return unsignedIndex(0x18, pools.typeIdx.get(v.value)!);
    case 'field':
      return unsignedIndex(0x19, pools.fieldIdx.get(v.value)!);
    case 'method':
      return unsignedIndex(0x1a, pools.methodIdx.get(v.value)!);
    case 'enum':
      return unsignedIndex(0x1b, pools.fieldIdx.get(v.value)!);
    case 'array':
      return [0x1c, ...encodeArray(v.values, pools)];
    case 'annotation': {
      const out = [0x1d, ...uleb128(pools.typeIdx.get(v.annotationType)!), ...uleb128(v.elements.length)];
      const sorted = [...v.elements].sort((a, b) => pools.stringIdx.get(a.name)! - pools.stringIdx.get(b.name)!);
      for (const e of sorted) append(out, uleb128(pools.stringIdx.get(e.name)!), encodeValue(e.value, pools));
      return out;
    }
    case 'null':
      return [0x1e];
    case 'boolean':
      return [0x1f | (v.value ? 0x20 : 0)];
    case 'raw':
      return v.bytes;
  }
}

/** Encodes an encoded_array: uleb128 size, then the values. */
export function encodeArray(values: ValueSpec[], pools: Pools): number[] {
  return [...uleb128(values.length), ...values.flatMap((v) => encodeValue(v, pools))];
}

function paramWords(proto: string): number {
  return parseProto(proto).params.reduce((n, p) => n + (p === 'J' || p === 'D' ? 2 : 1), 0);
}

/** Encodes one instruction to code units. */
export function encodeInsn(insn: Insn, pools: Pools): number[] {
  if (insn.op === 'raw') return insn.units;
  if (insn.op === 'packed-switch-payload') {
    const units = [0x0100, insn.targets.length, insn.firstKey & 0xffff, (insn.firstKey >>> 16) & 0xffff];
    for (const t of insn.targets) units.push(t & 0xffff, (t >>> 16) & 0xffff);
    return units;
  }
  if (insn.op === 'sparse-switch-payload') {
    const units = [0x0200, insn.keys.length];
    for (const k of insn.keys) units.push(k & 0xffff, (k >>> 16) & 0xffff);
    for (const t of insn.targets) units.push(t & 0xffff, (t >>> 16) & 0xffff);
    return units;
  }
  if (insn.op === 'fill-array-data-payload') {
    const units = [0x0300, insn.elementWidth, insn.data.length & 0xffff, insn.data.length >>> 16];
    const bytes: number[] = [];
    for (const v of insn.data) for (let b = 0; b < insn.elementWidth; b++) bytes.push((v >>> (8 * b)) & 0xff);
    if (bytes.length % 2) bytes.push(0);
    for (let i = 0; i < bytes.length; i += 2) units.push(bytes[i]! | (bytes[i + 1]! << 8));
    return units;
  }
  const info = OPCODE_BY_NAME.get(insn.op);
  if (!info) throw new Error(`unknown opcode ${insn.op}`);
  const op = info.opcode;
  const idx = (): number => {
    if ('string' in insn) return pools.stringIdx.get(insn.string)!;
    if ('type' in insn) return pools.typeIdx.get(insn.type)!;
    if ('field' in insn) return pools.fieldIdx.get(insn.field)!;
    if ('method' in insn) return pools.methodIdx.get(insn.method)!;
    throw new Error(`${insn.op} needs an index`);
  };
  const a = 'reg' in insn ? insn.reg : 0;
  switch (info.format) {
    case '10x':
      return [op];
    case '11x':
      return [op | (a << 8)];
    case '11n':
      return [op | (a << 8) | ((('value' in insn ? insn.value : 0) & 0xf) << 12)];
    case '21c':
      return [op | (a << 8), idx()];
    case '31c': {
      const i = idx();
      return [op | (a << 8), i & 0xffff, i >>> 16];
    }
    case '22c':
      return [op | (a << 8) | (('obj' in insn ? insn.obj : 0) << 12), idx()];
    case '35c': {
      const args = 'args' in insn ? insn.args : [];
      const [c = 0, d = 0, e = 0, f = 0, g = 0] = args;
      return [op | (args.length << 12) | (g << 8), idx(), c | (d << 4) | (e << 8) | (f << 12)];
    }
    case '3rc': {
      const first = 'first' in insn ? insn.first : 0;
      const count = 'count' in insn ? insn.count : 0;
      return [op | (count << 8), idx(), first];
    }
    default:
      throw new Error(`the writer cannot encode format ${info.format} (${insn.op}); use raw`);
  }
}

function writeCode(out: Out, m: MethodSpec, pools: Pools): void {
  const code = m.code!;
  const units = code.insns.flatMap((i) => encodeInsn(i, pools));
  const isStatic = ((m.access ?? 0) & 0x8) !== 0;
  const ins = code.ins ?? paramWords(m.proto) + (isStatic ? 0 : 1);
  const outs =
    code.outs ??
    code.insns.reduce((max, i) => Math.max(max, 'args' in i ? i.args.length : 'count' in i && i.op.startsWith('invoke') ? i.count : 0), 0);
  out.u16(code.registers ?? ins + 4);
  out.u16(ins);
  out.u16(outs);
  out.u16(code.tries?.length ?? 0);
  out.u32(0);
  out.u32(units.length);
  for (const u of units) out.u16(u);
  if (!code.tries?.length) return;
  if (units.length % 2) out.u16(0);
  const handlerBytes: number[] = [...uleb128(code.tries.length)];
  const handlerOffs: number[] = [];
  for (const t of code.tries) {
    handlerOffs.push(handlerBytes.length);
    append(handlerBytes, sleb128(t.catchAll === undefined ? t.catches.length : -t.catches.length));
    for (const k of t.catches) append(handlerBytes, uleb128(pools.typeIdx.get(k.type)!), uleb128(k.address));
    if (t.catchAll !== undefined) append(handlerBytes, uleb128(t.catchAll));
  }
  code.tries.forEach((t, i) => {
    out.u32(t.start);
    out.u16(t.count);
    out.u16(handlerOffs[i]!);
  });
  out.put(handlerBytes);
}

/** Recomputes the SHA-1 signature and Adler-32 checksum after a test patched the bytes. */
export function fixChecksum(bytes: Uint8Array): Uint8Array {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const end = Math.min(bytes.length, view.getUint32(0x20, true));
  if (end >= 0x20) {
    bytes.set(
      createHash('sha1')
        .update(bytes.subarray(0x20, Math.max(0x20, end)))
        .digest(),
      0x0c,
    );
    view.setUint32(0x08, adler32(bytes, 12, end), true);
  }
  return bytes;
}

export function setU32(bytes: Uint8Array, at: number, value: number): void {
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(at, value >>> 0, true);
}

export function getU32(bytes: Uint8Array, at: number): number {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(at, true);
}

/** A small app-like DEX: one class calling TelephonyManager.getImei, reading Build.SERIAL, loading strings. */
export function sampleDexSpec(): DexSpec {
  return {
    classes: [
      {
        type: 'Lcom/example/Spy;',
        sourceFile: 'Spy.java',
        interfaces: ['Ljava/lang/Runnable;'],
        staticFields: [{ name: 'TAG', type: 'Ljava/lang/String;', access: 0x19 }],
        instanceFields: [{ name: 'tm', type: 'Landroid/telephony/TelephonyManager;', access: 0x2 }],
        directMethods: [
          {
            name: '<init>',
            proto: '()V',
            access: 0x10001,
            code: { insns: [{ op: 'invoke-direct', method: 'Ljava/lang/Object;-><init>()V', args: [0] }, { op: 'return-void' }] },
          },
          {
            name: 'imei',
            proto: '(Landroid/telephony/TelephonyManager;)Ljava/lang/String;',
            access: 0x9,
            code: {
              insns: [
                { op: 'const-string', reg: 0, string: 'collecting IMEI' },
                { op: 'sget-object', reg: 1, field: 'Landroid/os/Build;->SERIAL:Ljava/lang/String;' },
                { op: 'invoke-virtual', method: 'Landroid/telephony/TelephonyManager;->getImei()Ljava/lang/String;', args: [2] },
                { op: 'move-result-object', reg: 0 },
                { op: 'return-object', reg: 0 },
              ],
            },
          },
        ],
        virtualMethods: [
          {
            name: 'run',
            proto: '()V',
            access: 0x1,
            code: {
              insns: [
                { op: 'iget-object', reg: 0, obj: 4, field: 'Lcom/example/Spy;->tm:Landroid/telephony/TelephonyManager;' },
                {
                  op: 'invoke-static',
                  method: 'Lcom/example/Spy;->imei(Landroid/telephony/TelephonyManager;)Ljava/lang/String;',
                  args: [0],
                },
                { op: 'const-string/jumbo', reg: 1, string: 'jumbo string' },
                { op: 'const-class', reg: 2, type: 'Landroid/location/LocationManager;' },
                {
                  op: 'invoke-virtual/range',
                  method: 'Landroid/telephony/TelephonyManager;->getDeviceId()Ljava/lang/String;',
                  first: 0,
                  count: 1,
                },
                { op: 'sput-object', reg: 1, field: 'Lcom/example/Spy;->TAG:Ljava/lang/String;' },
                { op: 'return-void' },
              ],
            },
          },
          { name: 'abstractish', proto: '(IJ)V', access: 0x101 },
        ],
      },
      { type: 'Lcom/example/Marker;', access: 0x601, interfaces: [] },
    ],
  };
}
