import { ApkFormatError } from '../errors.js';
import { decodeModifiedUtf8 } from '../io/mutf8.js';
import { ClassReader, readU16, readU32 } from './reader.js';

/** Constant pool tags (JVMS 4.4), up to Java 21+. */
export const CONSTANT = {
  Utf8: 1,
  Integer: 3,
  Float: 4,
  Long: 5,
  Double: 6,
  Class: 7,
  String: 8,
  Fieldref: 9,
  Methodref: 10,
  InterfaceMethodref: 11,
  NameAndType: 12,
  MethodHandle: 15,
  MethodType: 16,
  Dynamic: 17,
  InvokeDynamic: 18,
  Module: 19,
  Package: 20,
} as const;

export type ConstantTag = (typeof CONSTANT)[keyof typeof CONSTANT];

/** A field or method named from the constant pool, in the descriptor form the DEX side uses. */
export interface MemberRef {
  /** `field`, `method` or `interface-method` (the constant's tag). */
  kind: 'field' | 'method' | 'interface-method';
  /** Owner class as a type descriptor: `Landroid/telephony/TelephonyManager;` (or `[I` for array owners). */
  owner: string;
  name: string;
  descriptor: string;
  /**
   * `Lowner;->name(args)ret` for methods, `Lowner;->name:type` for fields: the smali/dexdump
   * spelling, so the same rule can match code from DEX and from class files.
   */
  signature: string;
}

export interface MethodHandleRef {
  /** reference_kind 1..9 (REF_getField .. REF_invokeInterface). */
  referenceKind: number;
  reference: MemberRef;
}

/** Turns an internal class name (`com/foo/Bar`) into a descriptor (`Lcom/foo/Bar;`); array names already are one. */
export function classDescriptor(internalName: string): string {
  return internalName.startsWith('[') ? internalName : `L${internalName};`;
}

/**
 * The strings and member references that the classes of one archive share, each kept once. Every
 * class file has its own constant pool, so without this each class holds its own copy of
 * `Ljava/lang/Object;`, `<init>` and `Ljava/lang/String;->valueOf(I)Ljava/lang/String;`; a 70 MB
 * JAR (31,000 classes, 2 million code references, 370,000 distinct targets) then kept 1 GiB of heap,
 * half of it in strings built by concatenation, and its scan spent most of its time in the garbage
 * collector. Use one table per archive scan (scanJar does); it grows with the archive's distinct
 * strings, which the archive's size budget bounds, and is dropped with the scan.
 */
export class ClassStrings {
  private readonly strings = new Map<string, string>();
  private readonly methods = new Map<string, MemberRef>();
  private readonly interfaceMethods = new Map<string, MemberRef>();
  private readonly fields = new Map<string, MemberRef>();
  /** Internal class name (the table's string, whose hash V8 keeps) → its descriptor. */
  private readonly descriptors = new Map<string, string>();
  // Utf8 constants by their bytes (open addressing, linear probing): an ASCII name seen in an
  // earlier class is found by hashing and comparing its bytes, with no string decoded and none
  // thrown away. Hashing the decoded string into `strings` instead cost a third of a large JAR's scan.
  private hashes = new Int32Array(1024);
  private values: (string | undefined)[] = new Array<string | undefined>(1024);
  private used = 0;
  // A per-table seed, so names crafted to collide under a known hash do not line up here.
  private readonly seed = (Math.random() * 0x100000000) | 0;

  /** The table's copy of `value`, which becomes the copy when it is the first; long strings pass through. */
  intern(value: string): string {
    // Long strings (string constants, mostly) are rarely repeated across classes and cost the most to hash.
    if (value.length > MAX_INTERNED_LENGTH) return value;
    const known = this.strings.get(value);
    if (known !== undefined) return known;
    this.strings.set(value, value);
    return value;
  }

  /**
   * The table's string for the Modified UTF-8 bytes `[start, end)` when they are plain ASCII (no
   * byte 0, none above 0x7f: read as Latin-1 they are the string), decoding them on first sight;
   * undefined for anything else (the caller decodes), and when a probe runs long.
   */
  ascii(bytes: Uint8Array, start: number, end: number): string | undefined {
    if (end - start > MAX_INTERNED_LENGTH) return undefined;
    let hash = this.seed ^ 0x811c9dc5;
    for (let i = start; i < end; i++) {
      const b = bytes[i]!;
      if (b === 0 || b >= 0x80) return undefined;
      hash = Math.imul(hash ^ b, 0x01000193);
    }
    const mask = this.values.length - 1;
    let slot = hash & mask;
    for (let probes = 0; ; probes++, slot = (slot + 1) & mask) {
      const value = this.values[slot];
      if (value === undefined) break;
      if (this.hashes[slot] === hash && sameAscii(value, bytes, start, end)) return value;
      if (probes >= MAX_PROBES) return undefined;
    }
    const value = this.intern(decodeModifiedUtf8(bytes, start, end));
    this.hashes[slot] = hash;
    this.values[slot] = value;
    if (++this.used * 2 > this.values.length) this.grow();
    return value;
  }

  private grow(): void {
    const { hashes, values } = this;
    this.hashes = new Int32Array(hashes.length * 2);
    this.values = new Array<string | undefined>(values.length * 2);
    const mask = this.values.length - 1;
    for (let i = 0; i < values.length; i++) {
      const value = values[i];
      if (value === undefined) continue;
      let slot = hashes[i]! & mask;
      while (this.values[slot] !== undefined) slot = (slot + 1) & mask;
      this.hashes[slot] = hashes[i]!;
      this.values[slot] = value;
    }
  }

  /** The descriptor of an internal class name (`com/foo/Bar` → `Lcom/foo/Bar;`), built once per name. */
  descriptor(internalName: string): string {
    let descriptor = this.descriptors.get(internalName);
    if (descriptor === undefined) this.descriptors.set(internalName, (descriptor = this.intern(classDescriptor(internalName))));
    return descriptor;
  }

  /** One MemberRef object per kind and signature (they are read, never changed); one lookup when it is known. */
  member(kind: MemberRef['kind'], owner: string, name: string, descriptor: string): MemberRef {
    const signature = kind === 'field' ? `${owner}->${name}:${descriptor}` : `${owner}->${name}${descriptor}`;
    // Kept apart by kind: a method and an interface method may share a signature in damaged input.
    const table = kind === 'field' ? this.fields : kind === 'method' ? this.methods : this.interfaceMethods;
    let ref = table.get(signature);
    if (!ref) table.set(signature, (ref = { kind, owner, name, descriptor, signature }));
    return ref;
  }
}

function sameAscii(value: string, bytes: Uint8Array, start: number, end: number): boolean {
  if (value.length !== end - start) return false;
  for (let i = 0; i < value.length; i++) if (value.charCodeAt(i) !== bytes[start + i]) return false;
  return true;
}

/** Probes before ascii() gives up on a slot (the caller then decodes): a bound for hostile input. */
const MAX_PROBES = 32;
const MAX_INTERNED_LENGTH = 256;

/** Payload sizes after the tag byte, for every tag except Utf8 (whose length is inside). */
const FIXED_SIZE: Readonly<Record<number, number>> = {
  [CONSTANT.Integer]: 4,
  [CONSTANT.Float]: 4,
  [CONSTANT.Long]: 8,
  [CONSTANT.Double]: 8,
  [CONSTANT.Class]: 2,
  [CONSTANT.String]: 2,
  [CONSTANT.Fieldref]: 4,
  [CONSTANT.Methodref]: 4,
  [CONSTANT.InterfaceMethodref]: 4,
  [CONSTANT.NameAndType]: 4,
  [CONSTANT.MethodHandle]: 3,
  [CONSTANT.MethodType]: 2,
  [CONSTANT.Dynamic]: 4,
  [CONSTANT.InvokeDynamic]: 4,
  [CONSTANT.Module]: 2,
  [CONSTANT.Package]: 2,
};

/**
 * The constant pool, indexed in place: one pass records each entry's tag and payload offset, and
 * every cross-reference is checked right away, so later lookups cannot fail on a well-formed index.
 * Utf8 constants are decoded on first use and cached, as are resolved member signatures, so a class
 * that calls the same method a thousand times builds its signature string once.
 */
export class ConstantPool {
  /** `constant_pool_count`: valid indexes are 1..count-1. */
  readonly count: number;
  private readonly bytes: Uint8Array;
  private readonly entry: string | undefined;
  private readonly tags: Uint8Array;
  private readonly offsets: Uint32Array;
  private readonly utf8Cache: (string | undefined)[];
  private readonly memberCache: (MemberRef | undefined)[];
  private readonly shared: ClassStrings | undefined;

  /**
   * Reads the pool at the reader's position (just after `constant_pool_count`) and advances past it.
   * With `shared`, the strings and member references it gives are the table's copies.
   */
  constructor(reader: ClassReader, count: number, shared?: ClassStrings) {
    this.count = count;
    this.shared = shared;
    this.bytes = reader.bytes;
    this.entry = reader.entry;
    this.tags = new Uint8Array(count);
    this.offsets = new Uint32Array(count);
    this.utf8Cache = new Array<string | undefined>(count);
    this.memberCache = new Array<MemberRef | undefined>(count);
    for (let i = 1; i < count; i++) {
      const tag = reader.u8(`constant pool tag #${i}`);
      const payload = reader.offset;
      if (tag === CONSTANT.Utf8) {
        const length = reader.u16(`Utf8 length #${i}`);
        reader.skip(length, `Utf8 bytes #${i}`);
      } else {
        const size = FIXED_SIZE[tag];
        if (size === undefined) reader.fail(`unknown constant pool tag ${tag} at index ${i}`);
        reader.skip(size, `constant #${i}`);
      }
      this.tags[i] = tag;
      this.offsets[i] = payload;
      // Long and Double occupy two slots; the second is unusable (tag 0).
      if (tag === CONSTANT.Long || tag === CONSTANT.Double) {
        i++;
        if (i >= count) reader.fail(`8-byte constant #${i - 1} is the last pool slot`);
      }
    }
    this.validate();
  }

  private fail(message: string): never {
    throw new ApkFormatError('class-corrupt', message, this.entry);
  }

  private u16(i: number, at: number): number {
    return readU16(this.bytes, this.offsets[i]! + at);
  }

  private expect(index: number, tags: readonly number[], from: number, what: string): void {
    if (index <= 0 || index >= this.count || !tags.includes(this.tags[index]!)) {
      this.fail(`constant #${from} refers to ${what} #${index}, which is ${this.describe(index)}`);
    }
  }

  private describe(index: number): string {
    if (index <= 0 || index >= this.count) return 'outside the pool';
    const tag = this.tags[index]!;
    return tag === 0 ? 'an unusable slot' : `a constant with tag ${tag}`;
  }

  private validate(): void {
    const utf8 = [CONSTANT.Utf8];
    for (let i = 1; i < this.count; i++) {
      switch (this.tags[i]) {
        case CONSTANT.Class:
        case CONSTANT.String:
        case CONSTANT.MethodType:
        case CONSTANT.Module:
        case CONSTANT.Package:
          this.expect(this.u16(i, 0), utf8, i, 'Utf8');
          break;
        case CONSTANT.Fieldref:
        case CONSTANT.Methodref:
        case CONSTANT.InterfaceMethodref:
          this.expect(this.u16(i, 0), [CONSTANT.Class], i, 'Class');
          this.expect(this.u16(i, 2), [CONSTANT.NameAndType], i, 'NameAndType');
          break;
        case CONSTANT.NameAndType:
          this.expect(this.u16(i, 0), utf8, i, 'Utf8');
          this.expect(this.u16(i, 2), utf8, i, 'Utf8');
          break;
        case CONSTANT.MethodHandle: {
          const kind = this.bytes[this.offsets[i]!]!;
          const target = readU16(this.bytes, this.offsets[i]! + 1);
          if (kind < 1 || kind > 9) this.fail(`MethodHandle #${i} has reference kind ${kind}`);
          const tags =
            kind <= 4
              ? [CONSTANT.Fieldref]
              : kind === 9
                ? [CONSTANT.InterfaceMethodref]
                : [CONSTANT.Methodref, CONSTANT.InterfaceMethodref];
          this.expect(target, tags, i, 'member');
          break;
        }
        case CONSTANT.Dynamic:
        case CONSTANT.InvokeDynamic:
          // The bootstrap index points into the BootstrapMethods attribute, checked where it is used.
          this.expect(this.u16(i, 2), [CONSTANT.NameAndType], i, 'NameAndType');
          break;
      }
    }
  }

  /** The tag at `index`, or 0 for an unusable slot or an index outside the pool. */
  tag(index: number): number {
    return index > 0 && index < this.count ? this.tags[index]! : 0;
  }

  private require(index: number, tag: number, what: string): number {
    if (this.tag(index) !== tag) this.fail(`expected ${what} at constant #${index}, found ${this.describe(index)}`);
    return this.offsets[index]!;
  }

  utf8(index: number): string {
    const offset = this.require(index, CONSTANT.Utf8, 'Utf8');
    let value = this.utf8Cache[index];
    if (value === undefined) {
      const length = readU16(this.bytes, offset);
      const start = offset + 2;
      value = this.shared
        ? (this.shared.ascii(this.bytes, start, start + length) ??
          this.shared.intern(decodeModifiedUtf8(this.bytes, start, start + length)))
        : decodeModifiedUtf8(this.bytes, start, start + length);
      this.utf8Cache[index] = value;
    }
    return value;
  }

  /** A Class constant's internal name (`com/foo/Bar`, or `[I` for arrays). */
  className(index: number): string {
    return this.utf8(readU16(this.bytes, this.require(index, CONSTANT.Class, 'Class')));
  }

  /** A Class constant as a type descriptor (`Lcom/foo/Bar;`). */
  classDescriptor(index: number): string {
    return this.shared ? this.shared.descriptor(this.className(index)) : classDescriptor(this.className(index));
  }

  string(index: number): string {
    return this.utf8(readU16(this.bytes, this.require(index, CONSTANT.String, 'String')));
  }

  integer(index: number): number {
    return readU32(this.bytes, this.require(index, CONSTANT.Integer, 'Integer')) | 0;
  }

  float(index: number): number {
    const o = this.require(index, CONSTANT.Float, 'Float');
    return new DataView(this.bytes.buffer, this.bytes.byteOffset + o, 4).getFloat32(0, false);
  }

  long(index: number): bigint {
    const o = this.require(index, CONSTANT.Long, 'Long');
    return new DataView(this.bytes.buffer, this.bytes.byteOffset + o, 8).getBigInt64(0, false);
  }

  double(index: number): number {
    const o = this.require(index, CONSTANT.Double, 'Double');
    return new DataView(this.bytes.buffer, this.bytes.byteOffset + o, 8).getFloat64(0, false);
  }

  nameAndType(index: number): { name: string; descriptor: string } {
    const o = this.require(index, CONSTANT.NameAndType, 'NameAndType');
    return { name: this.utf8(readU16(this.bytes, o)), descriptor: this.utf8(readU16(this.bytes, o + 2)) };
  }

  /** A Fieldref, Methodref or InterfaceMethodref, resolved once and cached. */
  memberRef(index: number): MemberRef {
    const cached = this.memberCache[index];
    if (cached) return cached;
    const tag = this.tag(index);
    if (tag !== CONSTANT.Fieldref && tag !== CONSTANT.Methodref && tag !== CONSTANT.InterfaceMethodref) {
      this.fail(`expected a field or method reference at constant #${index}, found ${this.describe(index)}`);
    }
    const o = this.offsets[index]!;
    const owner = this.classDescriptor(readU16(this.bytes, o));
    const { name, descriptor } = this.nameAndType(readU16(this.bytes, o + 2));
    const kind = tag === CONSTANT.Fieldref ? 'field' : tag === CONSTANT.Methodref ? 'method' : 'interface-method';
    let ref: MemberRef;
    if (this.shared) ref = this.shared.member(kind, owner, name, descriptor);
    else {
      const signature = kind === 'field' ? `${owner}->${name}:${descriptor}` : `${owner}->${name}${descriptor}`;
      ref = { kind, owner, name, descriptor, signature };
    }
    this.memberCache[index] = ref;
    return ref;
  }

  methodHandle(index: number): MethodHandleRef {
    const o = this.require(index, CONSTANT.MethodHandle, 'MethodHandle');
    return { referenceKind: this.bytes[o]!, reference: this.memberRef(readU16(this.bytes, o + 1)) };
  }

  methodType(index: number): string {
    return this.utf8(readU16(this.bytes, this.require(index, CONSTANT.MethodType, 'MethodType')));
  }

  /** A Dynamic or InvokeDynamic constant: its BootstrapMethods index and name-and-type. */
  dynamic(index: number): { bootstrapIndex: number; name: string; descriptor: string } {
    const tag = this.tag(index);
    if (tag !== CONSTANT.Dynamic && tag !== CONSTANT.InvokeDynamic) {
      this.fail(`expected a Dynamic or InvokeDynamic constant at #${index}, found ${this.describe(index)}`);
    }
    const o = this.offsets[index]!;
    return { bootstrapIndex: readU16(this.bytes, o), ...this.nameAndType(readU16(this.bytes, o + 2)) };
  }

  moduleName(index: number): string {
    return this.utf8(readU16(this.bytes, this.require(index, CONSTANT.Module, 'Module')));
  }

  packageName(index: number): string {
    return this.utf8(readU16(this.bytes, this.require(index, CONSTANT.Package, 'Package')));
  }
}
