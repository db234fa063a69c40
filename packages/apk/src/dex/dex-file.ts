/**
 * Our own DEX reader. We wrote it because nothing on npm parses DEX files defensively and fast
 * enough: the available packages either trust the file's sizes and offsets or build one object per
 * instruction, and AppRights must survive hostile APKs with 100k+ classes.
 *
 * Design: `parseDex` checks the header, the map list and every id table eagerly (cheap: a few
 * integer comparisons per entry) so that the accessors below never meet an out-of-range index.
 * Strings are decoded lazily and cached; class data and code items are decoded on request; the
 * per-method reference scan lives in code-scan.ts and works on typed arrays.
 */
import { ApkFormatError } from '../errors.js';
import { adler32, sha1 } from './checksum.js';
import { leb, readSleb128, readUleb128 } from './leb128.js';
import { decodeMutf8 } from '../io/mutf8.js';
import { scanDexCode, type DexCodeScan, type DexScanOptions } from './code-scan.js';
import type { DexCounts, DexIssue, DexIssueKind } from './dex-types.js';

export type { DexCounts, DexIssue, DexIssueKind } from './dex-types.js';

export const DEX_HEADER_SIZE = 0x70;
/** Version 041 headers add container_size and header_offset. */
export const DEX_HEADER_SIZE_V41 = 0x78;
export const ENDIAN_CONSTANT = 0x12345678;
export const REVERSE_ENDIAN_CONSTANT = 0x78563412;
/** "No index" in class_def_item (superclass, source file) and elsewhere. */
export const NO_INDEX = 0xffffffff;
export const MIN_DEX_VERSION = 35;
export const MAX_DEX_VERSION = 41;

/** map_list item types. */
export const DexMapType = {
  HEADER_ITEM: 0x0000,
  STRING_ID_ITEM: 0x0001,
  TYPE_ID_ITEM: 0x0002,
  PROTO_ID_ITEM: 0x0003,
  FIELD_ID_ITEM: 0x0004,
  METHOD_ID_ITEM: 0x0005,
  CLASS_DEF_ITEM: 0x0006,
  CALL_SITE_ID_ITEM: 0x0007,
  METHOD_HANDLE_ITEM: 0x0008,
  MAP_LIST: 0x1000,
  TYPE_LIST: 0x1001,
  ANNOTATION_SET_REF_LIST: 0x1002,
  ANNOTATION_SET_ITEM: 0x1003,
  CLASS_DATA_ITEM: 0x2000,
  CODE_ITEM: 0x2001,
  STRING_DATA_ITEM: 0x2002,
  DEBUG_INFO_ITEM: 0x2003,
  ANNOTATION_ITEM: 0x2004,
  ENCODED_ARRAY_ITEM: 0x2005,
  ANNOTATIONS_DIRECTORY_ITEM: 0x2006,
  HIDDENAPI_CLASS_DATA_ITEM: 0xf000,
} as const;
const KNOWN_MAP_TYPES: ReadonlySet<number> = new Set(Object.values(DexMapType));

export interface DexParseOptions {
  /** Entry name inside the APK (e.g. `classes3.dex`), used in error messages and issues. */
  name?: string;
  /** Compute the Adler-32 checksum and record a mismatch as an issue (default true; ~1 ms per MB). */
  verifyChecksum?: boolean;
  /** The outcome of a checksum check done elsewhere (another thread), kept instead of checking again. */
  checksumValid?: boolean;
  /** Compute the SHA-1 signature and record a mismatch as an issue (default false). */
  verifySignature?: boolean;
  /**
   * @internal The id tables of these very bytes were already checked by parseDex in the analysis
   * worker (the bytes were moved here, not copied or changed), so the per-entry pass is skipped.
   * The header, section bounds and map are still read and checked.
   */
  idsChecked?: boolean;
}

/** At most this many issues are kept per file; `issuesDropped` counts the rest. */
export const MAX_DEX_ISSUES = 200;

export interface DexHeader {
  /** Numeric version from the magic, 35..41. */
  version: number;
  checksum: number;
  signature: Uint8Array;
  fileSize: number;
  headerSize: number;
  endianTag: number;
  linkSize: number;
  linkOff: number;
  mapOff: number;
  stringIdsSize: number;
  stringIdsOff: number;
  typeIdsSize: number;
  typeIdsOff: number;
  protoIdsSize: number;
  protoIdsOff: number;
  fieldIdsSize: number;
  fieldIdsOff: number;
  methodIdsSize: number;
  methodIdsOff: number;
  classDefsSize: number;
  classDefsOff: number;
  dataSize: number;
  dataOff: number;
  /** Version 041 container fields (undefined for older headers). */
  containerSize: number | undefined;
  headerOffset: number | undefined;
}

export interface DexMapItem {
  type: number;
  size: number;
  offset: number;
}

export interface DexProto {
  shorty: string;
  returnType: string;
  parameters: readonly string[];
}

export interface DexMethodRef {
  /** Descriptor of the class the reference names, e.g. `Landroid/telephony/TelephonyManager;`. */
  classType: string;
  name: string;
  /** Descriptor-form prototype, e.g. `(I)Ljava/lang/String;`. */
  proto: string;
}

export interface DexFieldRef {
  classType: string;
  name: string;
  type: string;
}

export interface DexClassDef {
  index: number;
  typeIndex: number;
  /** Class descriptor, e.g. `Lcom/example/Foo;`. */
  type: string;
  accessFlags: number;
  superclass: string | undefined;
  interfaces: readonly string[];
  sourceFile: string | undefined;
  annotationsOff: number;
  classDataOff: number;
  staticValuesOff: number;
}

export interface DexEncodedField {
  fieldIndex: number;
  accessFlags: number;
}

export interface DexEncodedMethod {
  methodIndex: number;
  accessFlags: number;
  /** Offset of the code_item, 0 for abstract and native methods. */
  codeOffset: number;
}

export interface DexClassData {
  staticFields: DexEncodedField[];
  instanceFields: DexEncodedField[];
  directMethods: DexEncodedMethod[];
  virtualMethods: DexEncodedMethod[];
}

/** A method defined by a class_def, as yielded by `DexFile.methods()`. */
export interface DexMethod extends DexEncodedMethod {
  classDefIndex: number;
  direct: boolean;
}

/**
 * A decoded encoded_value (DEX format, "encoded_value encoding"). Numbers stand for byte, short,
 * char, int, float and double values, bigint for long, string for a string_id (resolved), boolean
 * and null for themselves; everything else is a small tagged object.
 */
export type DexValue = number | bigint | string | boolean | null | DexTaggedValue;

export type DexTaggedValue =
  | { kind: 'type'; type: string }
  /** A field reference (`field`) or an enum constant (`enum`), as `Lowner;->name:type`. */
  | { kind: 'field' | 'enum'; field: string }
  | { kind: 'method'; method: string }
  /** A prototype in descriptor form, e.g. `(I)V`. */
  | { kind: 'method-type'; proto: string }
  /** An index into the method_handles section. */
  | { kind: 'method-handle'; index: number }
  | { kind: 'array'; values: DexValue[] }
  | { kind: 'annotation'; type: string; elements: { name: string; value: DexValue }[] };

/** One static field's initial value from a class_def's static_values_off array. */
export interface DexStaticValue {
  /** field_id of the static field (class_data static_fields order). */
  fieldIndex: number;
  value: DexValue;
}

/** encoded_value types (value_type, the low 5 bits of the header byte). */
export const DexValueType = {
  BYTE: 0x00,
  SHORT: 0x02,
  CHAR: 0x03,
  INT: 0x04,
  LONG: 0x06,
  FLOAT: 0x10,
  DOUBLE: 0x11,
  METHOD_TYPE: 0x15,
  METHOD_HANDLE: 0x16,
  STRING: 0x17,
  TYPE: 0x18,
  FIELD: 0x19,
  METHOD: 0x1a,
  ENUM: 0x1b,
  ARRAY: 0x1c,
  ANNOTATION: 0x1d,
  NULL: 0x1e,
  BOOLEAN: 0x1f,
} as const;

/** Arrays and annotations nest at most this deep in one encoded value (real files use 2 or 3). */
export const MAX_VALUE_DEPTH = 16;
/** At most this many values (all nesting levels) are decoded per static_values array. */
export const MAX_STATIC_VALUES = 65536;

/** Largest payload size (value_arg + 1) per value type; types absent here take no payload. */
const VALUE_MAX_SIZE: Readonly<Record<number, number>> = {
  [DexValueType.BYTE]: 1,
  [DexValueType.SHORT]: 2,
  [DexValueType.CHAR]: 2,
  [DexValueType.INT]: 4,
  [DexValueType.LONG]: 8,
  [DexValueType.FLOAT]: 4,
  [DexValueType.DOUBLE]: 8,
  [DexValueType.METHOD_TYPE]: 4,
  [DexValueType.METHOD_HANDLE]: 4,
  [DexValueType.STRING]: 4,
  [DexValueType.TYPE]: 4,
  [DexValueType.FIELD]: 4,
  [DexValueType.METHOD]: 4,
  [DexValueType.ENUM]: 4,
};

export interface DexCode {
  offset: number;
  registersSize: number;
  insSize: number;
  outsSize: number;
  triesSize: number;
  debugInfoOff: number;
  /** Size of the instruction array in 16-bit code units. */
  insnsSize: number;
  /** The instructions (a view into the file, not a copy). */
  insns: Uint16Array;
}

export interface DexCatchHandler {
  catches: { typeIndex: number; type: string; address: number }[];
  catchAllAddress: number | undefined;
}

export interface DexTry {
  startAddress: number;
  insnCount: number;
  handler: DexCatchHandler;
}

const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Parses and checks one DEX file. Throws ApkFormatError('dex-corrupt') for anything that would make
 * the file unreadable; records checksum/signature mismatches and other oddities in `dex.issues`.
 */
export function parseDex(bytes: Uint8Array, options: DexParseOptions = {}): DexFile {
  try {
    return new DexFile(bytes, options);
  } catch (error) {
    if (error instanceof ApkFormatError) throw error;
    // Only a bug can get here; still honour the contract that bad input yields an ApkFormatError.
    const detail = error instanceof Error ? error.message : String(error);
    throw new ApkFormatError('dex-corrupt', `corrupt DEX: ${detail}`, options.name);
  }
}

export class DexFile {
  readonly name: string | undefined;
  readonly header: DexHeader;
  readonly counts: DexCounts;
  readonly map: readonly DexMapItem[];
  readonly issues: DexIssue[] = [];
  issuesDropped = 0;
  /** Undefined when the check was not requested. */
  readonly checksumValid: boolean | undefined;
  readonly signatureValid: boolean | undefined;
  /** The file's bytes (cut to header.fileSize). */
  readonly bytes: Uint8Array;
  readonly view: DataView;

  private readonly callSiteIdsOff: number;
  private readonly stringCache: (string | undefined)[];
  private readonly stringByOffset = new Map<number, string>();
  private readonly protoCache: (string | undefined)[];
  private readonly typeListCache = new Map<number, readonly string[]>();
  private typeIndexByName: Map<string, number> | undefined;
  private typesSorted: boolean | undefined;
  private unitsCache: Uint16Array | undefined;
  private scanCache: DexCodeScan | undefined;

  constructor(input: Uint8Array, options: DexParseOptions = {}) {
    this.name = options.name;
    const h = this.readHeader(input);
    this.header = h;
    this.bytes = input.subarray(0, h.fileSize);
    this.view = new DataView(this.bytes.buffer, this.bytes.byteOffset, this.bytes.byteLength);
    if (input.length > h.fileSize && h.containerSize === undefined) {
      this.issue('trailing-data', `${input.length - h.fileSize} bytes after the ${h.fileSize} bytes the header declares`);
    }

    if (options.checksumValid !== undefined) {
      this.checksumValid = options.checksumValid;
    } else if (options.verifyChecksum !== false) {
      const actual = adler32(this.bytes, 12, h.fileSize);
      this.checksumValid = actual === h.checksum;
      if (!this.checksumValid) {
        this.issue('checksum-mismatch', `Adler-32 checksum is ${hex(actual)}, header says ${hex(h.checksum)}`);
      }
    }
    if (options.verifySignature) {
      const actual = sha1(this.bytes, 32, h.fileSize);
      this.signatureValid = Buffer.from(actual).equals(Buffer.from(h.signature));
      if (!this.signatureValid) this.issue('signature-mismatch', 'SHA-1 signature does not match the file');
    }

    this.checkSection('string_ids', h.stringIdsSize, h.stringIdsOff, 4);
    this.checkSection('type_ids', h.typeIdsSize, h.typeIdsOff, 4);
    this.checkSection('proto_ids', h.protoIdsSize, h.protoIdsOff, 12);
    this.checkSection('field_ids', h.fieldIdsSize, h.fieldIdsOff, 8);
    this.checkSection('method_ids', h.methodIdsSize, h.methodIdsOff, 8);
    this.checkSection('class_defs', h.classDefsSize, h.classDefsOff, 32);
    // Field, method and type references are 16-bit in the id tables, so larger tables are corrupt.
    this.ensure(h.typeIdsSize <= 0x10000, () => `type_ids_size ${h.typeIdsSize} is over 65536`);
    this.ensure(h.protoIdsSize <= 0x10000, () => `proto_ids_size ${h.protoIdsSize} is over 65536`);
    this.ensure(h.dataOff + h.dataSize <= h.fileSize, () => `data section (offset ${h.dataOff}, size ${h.dataSize}) out of bounds`);

    this.map = this.readMap();
    const callSites = this.map.find((m) => m.type === DexMapType.CALL_SITE_ID_ITEM);
    const methodHandles = this.map.find((m) => m.type === DexMapType.METHOD_HANDLE_ITEM);
    if (callSites) this.checkSection('call_site_ids', callSites.size, callSites.offset, 4);
    if (methodHandles) this.checkSection('method_handles', methodHandles.size, methodHandles.offset, 8);
    this.callSiteIdsOff = callSites?.offset ?? 0;
    this.counts = {
      strings: h.stringIdsSize,
      types: h.typeIdsSize,
      protos: h.protoIdsSize,
      fields: h.fieldIdsSize,
      methods: h.methodIdsSize,
      classDefs: h.classDefsSize,
      callSites: callSites?.size ?? 0,
      methodHandles: methodHandles?.size ?? 0,
    };
    this.stringCache = new Array<string | undefined>(h.stringIdsSize);
    this.protoCache = new Array<string | undefined>(h.protoIdsSize);
    if (!options.idsChecked) this.checkIds();
  }

  /** The DEX version number from the magic (35..41). */
  get version(): number {
    return this.header.version;
  }

  // ---- strings, types, protos, fields, methods -------------------------------------------------

  /** The string with this string_id, decoded from MUTF-8 on first use and cached. */
  string(index: number): string {
    const cached = this.stringCache[index];
    if (cached !== undefined) return cached;
    this.checkIndex(index, this.counts.strings, 'string');
    const dataOff = this.view.getUint32(this.header.stringIdsOff + index * 4, true);
    let value = this.stringByOffset.get(dataOff);
    if (value === undefined) {
      value = this.decodeStringData(index, dataOff);
      this.stringByOffset.set(dataOff, value);
    }
    this.stringCache[index] = value;
    return value;
  }

  /** Type descriptor of a type_id, e.g. `Ljava/lang/String;` or `[I`. */
  typeName(index: number): string {
    this.checkIndex(index, this.counts.types, 'type');
    return this.string(this.view.getUint32(this.header.typeIdsOff + index * 4, true));
  }

  /**
   * The type_id whose descriptor is `descriptor`, or -1. Binary search: type_ids are sorted by
   * string_id and string_ids by content (ART refuses files where they are not). When the type_ids
   * are not in string order we build a lookup table instead of trusting the search.
   */
  findType(descriptor: string): number {
    if (this.typesSorted === undefined) {
      let sorted = true;
      const v = this.view;
      for (let i = 1, at = this.header.typeIdsOff + 4; i < this.counts.types && sorted; i++, at += 4) {
        sorted = v.getUint32(at - 4, true) < v.getUint32(at, true);
      }
      this.typesSorted = sorted;
    }
    if (this.typesSorted) {
      let lo = 0;
      let hi = this.counts.types - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >>> 1;
        const name = this.typeName(mid);
        if (name === descriptor) return mid;
        if (name < descriptor) lo = mid + 1;
        else hi = mid - 1;
      }
      return -1;
    }
    if (!this.typeIndexByName) {
      const map = new Map<string, number>();
      for (let i = 0; i < this.counts.types; i++) {
        const name = this.typeName(i);
        if (!map.has(name)) map.set(name, i);
      }
      this.typeIndexByName = map;
    }
    return this.typeIndexByName.get(descriptor) ?? -1;
  }

  proto(index: number): DexProto {
    this.checkIndex(index, this.counts.protos, 'proto');
    const at = this.header.protoIdsOff + index * 12;
    return {
      shorty: this.string(this.view.getUint32(at, true)),
      returnType: this.typeName(this.view.getUint32(at + 4, true)),
      parameters: this.typeList(this.view.getUint32(at + 8, true)),
    };
  }

  /** Descriptor form of a prototype, e.g. `(Ljava/lang/String;I)V`; cached. */
  protoString(index: number): string {
    const cached = this.protoCache[index];
    if (cached !== undefined) return cached;
    const p = this.proto(index);
    const value = `(${p.parameters.join('')})${p.returnType}`;
    this.protoCache[index] = value;
    return value;
  }

  methodRef(index: number): DexMethodRef {
    this.checkIndex(index, this.counts.methods, 'method');
    const at = this.header.methodIdsOff + index * 8;
    return {
      classType: this.typeName(this.view.getUint16(at, true)),
      proto: this.protoString(this.view.getUint16(at + 2, true)),
      name: this.string(this.view.getUint32(at + 4, true)),
    };
  }

  /** Readable method reference: `Landroid/telephony/TelephonyManager;->getImei()Ljava/lang/String;`. */
  methodString(index: number): string {
    const m = this.methodRef(index);
    return `${m.classType}->${m.name}${m.proto}`;
  }

  /** class_idx of a method_id (no string decoding). */
  methodClassIndex(index: number): number {
    this.checkIndex(index, this.counts.methods, 'method');
    return this.view.getUint16(this.header.methodIdsOff + index * 8, true);
  }

  /** name_idx of a method_id (no string decoding). */
  methodNameIndex(index: number): number {
    this.checkIndex(index, this.counts.methods, 'method');
    return this.view.getUint32(this.header.methodIdsOff + index * 8 + 4, true);
  }

  fieldRef(index: number): DexFieldRef {
    this.checkIndex(index, this.counts.fields, 'field');
    const at = this.header.fieldIdsOff + index * 8;
    return {
      classType: this.typeName(this.view.getUint16(at, true)),
      type: this.typeName(this.view.getUint16(at + 2, true)),
      name: this.string(this.view.getUint32(at + 4, true)),
    };
  }

  /** Readable field reference: `Landroid/os/Build;->SERIAL:Ljava/lang/String;`. */
  fieldString(index: number): string {
    const f = this.fieldRef(index);
    return `${f.classType}->${f.name}:${f.type}`;
  }

  /** class_idx of a field_id. */
  fieldClassIndex(index: number): number {
    this.checkIndex(index, this.counts.fields, 'field');
    return this.view.getUint16(this.header.fieldIdsOff + index * 8, true);
  }

  /** name_idx of a field_id. */
  fieldNameIndex(index: number): number {
    this.checkIndex(index, this.counts.fields, 'field');
    return this.view.getUint32(this.header.fieldIdsOff + index * 8 + 4, true);
  }

  // ---- classes ----------------------------------------------------------------------------------

  classDef(index: number): DexClassDef {
    this.checkIndex(index, this.counts.classDefs, 'class_def');
    const at = this.header.classDefsOff + index * 32;
    const v = this.view;
    const typeIndex = v.getUint32(at, true);
    const superIdx = v.getUint32(at + 8, true);
    const sourceIdx = v.getUint32(at + 16, true);
    return {
      index,
      typeIndex,
      type: this.typeName(typeIndex),
      accessFlags: v.getUint32(at + 4, true),
      superclass: superIdx === NO_INDEX ? undefined : this.typeName(superIdx),
      interfaces: this.typeList(v.getUint32(at + 12, true)),
      sourceFile: sourceIdx === NO_INDEX ? undefined : this.string(sourceIdx),
      annotationsOff: v.getUint32(at + 20, true),
      classDataOff: v.getUint32(at + 24, true),
      staticValuesOff: v.getUint32(at + 28, true),
    };
  }

  *classes(): IterableIterator<DexClassDef> {
    for (let i = 0; i < this.counts.classDefs; i++) yield this.classDef(i);
  }

  /** class_data_off of a class_def without building the whole DexClassDef. */
  classDataOffset(classDefIndex: number): number {
    this.checkIndex(classDefIndex, this.counts.classDefs, 'class_def');
    return this.view.getUint32(this.header.classDefsOff + classDefIndex * 32 + 24, true);
  }

  /** type_idx of a class_def. */
  classTypeIndex(classDefIndex: number): number {
    this.checkIndex(classDefIndex, this.counts.classDefs, 'class_def');
    return this.view.getUint32(this.header.classDefsOff + classDefIndex * 32, true);
  }

  /** Decodes a class's class_data_item; undefined for classes without one (e.g. marker interfaces). */
  classData(classDefIndex: number): DexClassData | undefined {
    const off = this.classDataOffset(classDefIndex);
    if (off === 0) return undefined;
    const out: DexClassData = { staticFields: [], instanceFields: [], directMethods: [], virtualMethods: [] };
    this.decodeClassData(
      off,
      (list, fieldIndex, accessFlags) => (list === 0 ? out.staticFields : out.instanceFields).push({ fieldIndex, accessFlags }),
      (direct, methodIndex, accessFlags, codeOffset) =>
        (direct ? out.directMethods : out.virtualMethods).push({ methodIndex, accessFlags, codeOffset }),
    );
    return out;
  }

  /**
   * The initial values of a class's static fields from its static_values_off encoded_array: the
   * `static final` constants compilers never load in code. One entry per array element, paired
   * with the static field at the same position in class_data; static fields past the end of the
   * array keep their type's default (0, false, null) and are not listed. Decoded on request only;
   * bounded by the bytes present, MAX_VALUE_DEPTH and MAX_STATIC_VALUES.
   */
  staticValues(classDefIndex: number): DexStaticValue[] {
    this.checkIndex(classDefIndex, this.counts.classDefs, 'class_def');
    const off = this.view.getUint32(this.header.classDefsOff + classDefIndex * 32 + 28, true);
    if (off === 0) return [];
    const fieldIndexes: number[] = [];
    const dataOff = this.classDataOffset(classDefIndex);
    if (dataOff !== 0) {
      this.decodeClassData(
        dataOff,
        (list, fieldIndex) => list === 0 && fieldIndexes.push(fieldIndex),
        () => undefined,
      );
    }
    const state = { pos: off, budget: MAX_STATIC_VALUES };
    const values = this.readEncodedArray(state, 0, `static_values of class_defs[${classDefIndex}]`);
    this.ensure(
      values.length <= fieldIndexes.length,
      () => `static_values at offset ${off} holds ${values.length} values for ${fieldIndexes.length} static fields`,
    );
    return values.map((value, i) => ({ fieldIndex: fieldIndexes[i]!, value }));
  }

  private readValueUleb(state: { pos: number }, what: string): number {
    const value = readUleb128(this.bytes, state.pos, this.bytes.length);
    if (value < 0) this.fail(`bad uleb128 (${what}) at offset ${state.pos}`);
    state.pos = leb.pos;
    return value;
  }

  private readEncodedArray(state: { pos: number; budget: number }, depth: number, what: string): DexValue[] {
    const at = state.pos;
    const size = this.readValueUleb(state, `${what} size`);
    // Each value takes at least its header byte.
    this.ensure(size <= this.bytes.length - state.pos, () => `${what}: encoded_array at offset ${at} claims ${size} values`);
    this.ensure(size <= state.budget, () => `${what}: more than ${MAX_STATIC_VALUES} values`);
    const out: DexValue[] = [];
    for (let i = 0; i < size; i++) out.push(this.readEncodedValue(state, depth, what));
    return out;
  }

  private readEncodedValue(state: { pos: number; budget: number }, depth: number, what: string): DexValue {
    const bytes = this.bytes;
    const at = state.pos;
    this.ensure(at < bytes.length, () => `${what}: encoded_value at offset ${at} past the end of the file`);
    this.ensure(--state.budget >= 0, () => `${what}: more than ${MAX_STATIC_VALUES} values`);
    const header = bytes[at]!;
    const type = header & 0x1f;
    const arg = header >>> 5;
    state.pos = at + 1;
    const maxSize = VALUE_MAX_SIZE[type];
    if (maxSize !== undefined) {
      const size = arg + 1;
      this.ensure(size <= maxSize, () => `${what}: encoded_value type ${hex2(type)} at offset ${at} has size ${size}, over ${maxSize}`);
      this.ensure(size <= bytes.length - state.pos, () => `${what}: encoded_value at offset ${at} runs past the end of the file`);
      const start = state.pos;
      state.pos += size;
      // Little-endian payload, as an unsigned integer (at most 8 bytes: bigint only for long/double).
      let unsigned = 0;
      for (let i = size - 1; i >= 0; i--) unsigned = unsigned * 256 + bytes[start + i]!;
      const signed = (bits: number) => (unsigned >= 2 ** (bits - 1) ? unsigned - 2 ** bits : unsigned);
      const index = (limit: number, kind: string) => {
        this.ensure(unsigned < limit, () => `${what}: ${kind} index ${unsigned} at offset ${at} out of range (size ${limit})`);
        return unsigned;
      };
      switch (type) {
        case DexValueType.BYTE:
        case DexValueType.SHORT:
        case DexValueType.INT:
          return signed(size * 8);
        case DexValueType.CHAR:
          return unsigned;
        case DexValueType.LONG:
          return BigInt.asIntN(64, littleEndianBigInt(bytes, start, size));
        case DexValueType.FLOAT: {
          // Zero-extended to the right: the bytes present are the high-order ones.
          const raw = new Uint8Array(4);
          raw.set(bytes.subarray(start, start + size), 4 - size);
          return new DataView(raw.buffer).getFloat32(0, true);
        }
        case DexValueType.DOUBLE: {
          const raw = new Uint8Array(8);
          raw.set(bytes.subarray(start, start + size), 8 - size);
          return new DataView(raw.buffer).getFloat64(0, true);
        }
        case DexValueType.METHOD_TYPE:
          return { kind: 'method-type', proto: this.protoString(index(this.counts.protos, 'proto')) };
        case DexValueType.METHOD_HANDLE:
          return { kind: 'method-handle', index: index(this.counts.methodHandles, 'method_handle') };
        case DexValueType.STRING:
          return this.string(index(this.counts.strings, 'string'));
        case DexValueType.TYPE:
          return { kind: 'type', type: this.typeName(index(this.counts.types, 'type')) };
        case DexValueType.FIELD:
          return { kind: 'field', field: this.fieldString(index(this.counts.fields, 'field')) };
        case DexValueType.ENUM:
          return { kind: 'enum', field: this.fieldString(index(this.counts.fields, 'field')) };
        default:
          return { kind: 'method', method: this.methodString(index(this.counts.methods, 'method')) };
      }
    }
    switch (type) {
      case DexValueType.ARRAY:
      case DexValueType.ANNOTATION: {
        this.ensure(arg === 0, () => `${what}: encoded_value type ${hex2(type)} at offset ${at} has value_arg ${arg}`);
        this.ensure(depth < MAX_VALUE_DEPTH, () => `${what}: values nest deeper than ${MAX_VALUE_DEPTH} at offset ${at}`);
        if (type === DexValueType.ARRAY) return { kind: 'array', values: this.readEncodedArray(state, depth + 1, what) };
        const typeIndex = this.readValueUleb(state, `${what} annotation type`);
        this.ensure(typeIndex < this.counts.types, () => `${what}: annotation type ${typeIndex} at offset ${at} out of range`);
        const count = this.readValueUleb(state, `${what} annotation size`);
        // Each element is a name uleb and a value: at least 2 bytes.
        this.ensure(count <= (bytes.length - state.pos) / 2, () => `${what}: annotation at offset ${at} claims ${count} elements`);
        const elements: { name: string; value: DexValue }[] = [];
        for (let i = 0; i < count; i++) {
          const nameIndex = this.readValueUleb(state, `${what} annotation element name`);
          this.ensure(nameIndex < this.counts.strings, () => `${what}: annotation element name ${nameIndex} out of range`);
          elements.push({ name: this.string(nameIndex), value: this.readEncodedValue(state, depth + 1, what) });
        }
        return { kind: 'annotation', type: this.typeName(typeIndex), elements };
      }
      case DexValueType.NULL:
        this.ensure(arg === 0, () => `${what}: null encoded_value at offset ${at} has value_arg ${arg}`);
        return null;
      case DexValueType.BOOLEAN:
        this.ensure(arg <= 1, () => `${what}: boolean encoded_value at offset ${at} has value_arg ${arg}`);
        return arg === 1;
      default:
        return this.fail(`${what}: unknown encoded_value type ${hex2(type)} at offset ${at}`);
    }
  }

  /** Every method defined in this file, class by class (direct methods first, as stored). */
  *methods(): IterableIterator<DexMethod> {
    for (let c = 0; c < this.counts.classDefs; c++) {
      const data = this.classData(c);
      if (!data) continue;
      for (const m of data.directMethods) yield { ...m, classDefIndex: c, direct: true };
      for (const m of data.virtualMethods) yield { ...m, classDefIndex: c, direct: false };
    }
  }

  /**
   * Walks a class_data_item without allocating, calling back per field (`list` 0 = static,
   * 1 = instance) and per method. Counts are checked against the bytes left before anything is
   * read: each encoded field takes at least 2 bytes and each method 3, so a lying count fails fast.
   * @internal
   */
  decodeClassData(
    off: number,
    onField: ((list: 0 | 1, fieldIndex: number, accessFlags: number) => void) | undefined,
    onMethod: (direct: boolean, methodIndex: number, accessFlags: number, codeOffset: number) => void,
  ): void {
    const bytes = this.bytes;
    const end = bytes.length;
    this.ensure(off < end, () => `class_data_off ${off} out of bounds`);
    const sizes = [0, 0, 0, 0];
    let pos = off;
    for (let i = 0; i < 4; i++) {
      const v = readUleb128(bytes, pos, end);
      if (v < 0) this.fail(`bad uleb128 in class_data header at offset ${pos}`);
      sizes[i] = v;
      pos = leb.pos;
    }
    const [staticCount, instanceCount, directCount, virtualCount] = sizes as [number, number, number, number];
    const minBytes = (staticCount + instanceCount) * 2 + (directCount + virtualCount) * 3;
    this.ensure(
      minBytes <= end - pos,
      () =>
        `class_data at offset ${off} claims ${staticCount}+${instanceCount} fields and ${directCount}+${virtualCount} methods, more than the ${end - pos} bytes left`,
    );
    const fieldLimit = this.counts.fields;
    for (let list = 0; list < 2; list++) {
      const count = list === 0 ? staticCount : instanceCount;
      let index = 0;
      for (let i = 0; i < count; i++) {
        const diff = readUleb128(bytes, pos, end);
        if (diff < 0) this.fail(`bad uleb128 in class_data field at offset ${pos}`);
        const access = readUleb128(bytes, leb.pos, end);
        if (access < 0) this.fail(`bad uleb128 in class_data field at offset ${pos}`);
        pos = leb.pos;
        index += diff;
        if (index >= fieldLimit) this.fail(`class_data at offset ${off} names field ${index}, past field_ids_size ${fieldLimit}`);
        onField?.(list as 0 | 1, index, access);
      }
    }
    const methodLimit = this.counts.methods;
    const fileSize = this.header.fileSize;
    for (let list = 0; list < 2; list++) {
      const count = list === 0 ? directCount : virtualCount;
      let index = 0;
      for (let i = 0; i < count; i++) {
        const diff = readUleb128(bytes, pos, end);
        if (diff < 0) this.fail(`bad uleb128 in class_data method at offset ${pos}`);
        const access = readUleb128(bytes, leb.pos, end);
        if (access < 0) this.fail(`bad uleb128 in class_data method at offset ${pos}`);
        const codeOff = readUleb128(bytes, leb.pos, end);
        if (codeOff < 0) this.fail(`bad uleb128 in class_data method at offset ${pos}`);
        pos = leb.pos;
        index += diff;
        if (index >= methodLimit) this.fail(`class_data at offset ${off} names method ${index}, past method_ids_size ${methodLimit}`);
        if (codeOff !== 0 && (codeOff & 3) !== 0) this.fail(`code_item offset ${codeOff} is not 4-byte aligned`);
        if (codeOff !== 0 && codeOff + 16 > fileSize) this.fail(`code_item offset ${codeOff} out of bounds`);
        onMethod(list === 0, index, access, codeOff);
      }
    }
  }

  // ---- code -------------------------------------------------------------------------------------

  /** The whole file as 16-bit code units (a view when the bytes are aligned, else one copy). */
  get units(): Uint16Array {
    if (!this.unitsCache) {
      const b = this.bytes;
      const n = b.length >>> 1;
      if (LITTLE_ENDIAN_HOST && (b.byteOffset & 1) === 0) {
        this.unitsCache = new Uint16Array(b.buffer, b.byteOffset, n);
      } else {
        const out = new Uint16Array(n);
        for (let i = 0; i < n; i++) out[i] = this.view.getUint16(i * 2, true);
        this.unitsCache = out;
      }
    }
    return this.unitsCache;
  }

  /** Reads a code_item header and checks that its instructions lie inside the file. */
  code(offset: number): DexCode {
    this.checkCodeItem(offset);
    const v = this.view;
    const insnsSize = v.getUint32(offset + 12, true);
    const start = (offset + 16) >>> 1;
    return {
      offset,
      registersSize: v.getUint16(offset, true),
      insSize: v.getUint16(offset + 2, true),
      outsSize: v.getUint16(offset + 4, true),
      triesSize: v.getUint16(offset + 6, true),
      debugInfoOff: v.getUint32(offset + 8, true),
      insnsSize,
      insns: this.units.subarray(start, start + insnsSize),
    };
  }

  /** Checks a code_item's header and instruction array bounds; returns insns_size. @internal */
  checkCodeItem(offset: number): number {
    this.ensure(offset !== 0 && (offset & 3) === 0, () => `code_item offset ${offset} is not 4-byte aligned`);
    this.ensure(offset + 16 <= this.header.fileSize, () => `code_item at offset ${offset} out of bounds`);
    const insnsSize = this.view.getUint32(offset + 12, true);
    this.ensure(
      offset + 16 + insnsSize * 2 <= this.header.fileSize,
      () => `code_item at offset ${offset}: insns_size ${insnsSize} runs past the end of the file`,
    );
    return insnsSize;
  }

  /** Decodes the try_items and their catch handlers of a code item. */
  tries(code: DexCode): DexTry[] {
    if (code.triesSize === 0) return [];
    const v = this.view;
    const bytes = this.bytes;
    const end = bytes.length;
    let triesOff = code.offset + 16 + code.insnsSize * 2;
    if (code.insnsSize & 1) triesOff += 2;
    const handlersOff = triesOff + code.triesSize * 8;
    this.ensure(handlersOff < end, () => `tries of code_item at offset ${code.offset} out of bounds`);
    const listSize = readUleb128(bytes, handlersOff, end);
    if (listSize < 0) this.fail(`bad uleb128 in catch handler list at offset ${handlersOff}`);
    this.ensure(listSize <= end - leb.pos, () => `catch handler list at offset ${handlersOff} claims ${listSize} handlers`);
    const handlerCache = new Map<number, DexCatchHandler>();
    const out: DexTry[] = [];
    for (let i = 0; i < code.triesSize; i++) {
      const at = triesOff + i * 8;
      const handlerRel = v.getUint16(at + 6, true);
      let handler = handlerCache.get(handlerRel);
      if (!handler) {
        handler = this.readCatchHandler(handlersOff + handlerRel);
        handlerCache.set(handlerRel, handler);
      }
      out.push({ startAddress: v.getUint32(at, true), insnCount: v.getUint16(at + 4, true), handler });
    }
    return out;
  }

  private readCatchHandler(at: number): DexCatchHandler {
    const bytes = this.bytes;
    const end = bytes.length;
    const size = readSleb128(bytes, at, end);
    if (size === undefined) this.fail(`bad sleb128 in catch handler at offset ${at}`);
    let pos = leb.pos;
    const count = Math.abs(size);
    this.ensure(count * 2 <= end - pos, () => `catch handler at offset ${at} claims ${count} catches`);
    const catches: DexCatchHandler['catches'] = [];
    for (let i = 0; i < count; i++) {
      const typeIndex = readUleb128(bytes, pos, end);
      if (typeIndex < 0) this.fail(`bad uleb128 in catch handler at offset ${pos}`);
      const address = readUleb128(bytes, leb.pos, end);
      if (address < 0) this.fail(`bad uleb128 in catch handler at offset ${pos}`);
      pos = leb.pos;
      this.ensure(typeIndex < this.counts.types, () => `catch handler names type ${typeIndex}, past type_ids_size`);
      catches.push({ typeIndex, type: this.typeName(typeIndex), address });
    }
    let catchAllAddress: number | undefined;
    if (size <= 0) {
      const address = readUleb128(bytes, pos, end);
      if (address < 0) this.fail(`bad uleb128 in catch-all handler at offset ${pos}`);
      catchAllAddress = address;
    }
    return { catches, catchAllAddress };
  }

  /** Offset of a call_site_item (for resolving invoke-custom), after a bounds check. */
  callSiteOffset(index: number): number {
    this.checkIndex(index, this.counts.callSites, 'call_site');
    return this.view.getUint32(this.callSiteIdsOff + index * 4, true);
  }

  /** Uses a scan made elsewhere (another thread, over the same bytes) as this file's cached scan. */
  adoptScan(scan: DexCodeScan): void {
    if (scan.dex !== this) throw new Error('adoptScan: the scan belongs to another DexFile');
    this.scanCache = scan;
  }

  /**
   * Scans every method's bytecode once and records the methods it invokes, the fields it touches,
   * the strings it loads and the types it names (const-class, new-instance). Cached per options.
   */
  scanCode(options: DexScanOptions = {}): DexCodeScan {
    if (this.scanCache && sameScanOptions(this.scanCache.options, options)) return this.scanCache;
    this.scanCache = scanDexCode(this, options);
    return this.scanCache;
  }

  // ---- problems ---------------------------------------------------------------------------------

  /** Records a non-fatal issue (capped at MAX_DEX_ISSUES). */
  issue(kind: DexIssueKind, message: string): void {
    if (this.issues.length < MAX_DEX_ISSUES) this.issues.push({ kind, message });
    else this.issuesDropped++;
  }

  fail(message: string): never {
    throw new ApkFormatError('dex-corrupt', `corrupt DEX: ${message}`, this.name);
  }

  private ensure(condition: boolean, message: () => string): asserts condition {
    if (!condition) this.fail(message());
  }

  private checkIndex(index: number, size: number, what: string): void {
    if (!(index >= 0 && index < size && Number.isInteger(index))) this.fail(`${what} index ${index} out of range (size ${size})`);
  }

  // ---- parsing ----------------------------------------------------------------------------------

  private readHeader(input: Uint8Array): DexHeader {
    const name = this.name;
    const fail = (message: string): never => {
      throw new ApkFormatError('dex-corrupt', `corrupt DEX: ${message}`, name);
    };
    if (input.length < 8) fail(`truncated header (${input.length} bytes)`);
    const isDigit = (b: number) => b >= 0x30 && b <= 0x39;
    if (
      input[0] !== 0x64 ||
      input[1] !== 0x65 ||
      input[2] !== 0x78 ||
      input[3] !== 0x0a ||
      !isDigit(input[4]!) ||
      !isDigit(input[5]!) ||
      !isDigit(input[6]!) ||
      input[7] !== 0
    ) {
      const shown = Array.from(input.subarray(0, 8), (b) => b.toString(16).padStart(2, '0')).join(' ');
      fail(`bad magic (${shown}); expected "dex\\n0NN\\0"`);
    }
    const version = (input[4]! - 0x30) * 100 + (input[5]! - 0x30) * 10 + (input[6]! - 0x30);
    if (version < MIN_DEX_VERSION || version > MAX_DEX_VERSION) {
      fail(`unsupported DEX version ${String(version).padStart(3, '0')} (we read 035 to 041)`);
    }
    if (input.length < DEX_HEADER_SIZE) fail(`truncated header (${input.length} bytes, need ${DEX_HEADER_SIZE})`);
    const v = new DataView(input.buffer, input.byteOffset, input.byteLength);
    const u32 = (at: number) => v.getUint32(at, true);
    const endianTag = u32(0x28);
    if (endianTag === REVERSE_ENDIAN_CONSTANT) fail('big-endian DEX files are not supported');
    if (endianTag !== ENDIAN_CONSTANT) fail(`bad endian_tag ${hex(endianTag)}`);
    const headerSize = u32(0x24);
    const v41Header = version >= 41 && headerSize === DEX_HEADER_SIZE_V41;
    if (headerSize !== DEX_HEADER_SIZE && !v41Header) fail(`bad header_size ${headerSize} (expected ${DEX_HEADER_SIZE})`);
    if (input.length < headerSize) fail(`truncated header (${input.length} bytes, need ${headerSize})`);
    const fileSize = u32(0x20);
    if (fileSize < headerSize) fail(`file_size ${fileSize} is smaller than the header`);
    if (fileSize > input.length) fail(`file_size ${fileSize} is larger than the ${input.length} bytes present (truncated?)`);
    const header: DexHeader = {
      version,
      checksum: u32(0x08),
      signature: input.slice(0x0c, 0x20),
      fileSize,
      headerSize,
      endianTag,
      linkSize: u32(0x2c),
      linkOff: u32(0x30),
      mapOff: u32(0x34),
      stringIdsSize: u32(0x38),
      stringIdsOff: u32(0x3c),
      typeIdsSize: u32(0x40),
      typeIdsOff: u32(0x44),
      protoIdsSize: u32(0x48),
      protoIdsOff: u32(0x4c),
      fieldIdsSize: u32(0x50),
      fieldIdsOff: u32(0x54),
      methodIdsSize: u32(0x58),
      methodIdsOff: u32(0x5c),
      classDefsSize: u32(0x60),
      classDefsOff: u32(0x64),
      dataSize: u32(0x68),
      dataOff: u32(0x6c),
      containerSize: v41Header ? u32(0x70) : undefined,
      headerOffset: v41Header ? u32(0x74) : undefined,
    };
    if (header.headerOffset !== undefined && header.headerOffset !== 0) {
      fail(`header_offset ${header.headerOffset}: only a DEX container's first file can be read on its own`);
    }
    if (header.containerSize !== undefined && header.containerSize !== fileSize) {
      this.issue('container', `container_size ${header.containerSize} differs from file_size ${fileSize}: only the first DEX is read`);
    }
    return header;
  }

  private checkSection(what: string, size: number, off: number, itemSize: number): void {
    if (size === 0) return;
    const h = this.header;
    this.ensure(
      off >= h.headerSize && (off & 3) === 0 && off + size * itemSize <= h.fileSize,
      () => `${what} table out of bounds (offset ${off}, ${size} items of ${itemSize} bytes, file size ${h.fileSize})`,
    );
  }

  private readMap(): DexMapItem[] {
    const h = this.header;
    const v = this.view;
    const off = h.mapOff;
    this.ensure(off !== 0, () => 'no map_list (map_off is 0)');
    this.ensure((off & 3) === 0 && off + 4 <= h.fileSize, () => `map_list offset ${off} out of bounds`);
    const size = v.getUint32(off, true);
    this.ensure(size <= (h.fileSize - off - 4) / 12, () => `map_list at offset ${off} claims ${size} items, past the end of the file`);
    const items: DexMapItem[] = [];
    const seen = new Set<number>();
    let lastOffset = -1;
    for (let i = 0; i < size; i++) {
      const at = off + 4 + i * 12;
      const item = { type: v.getUint16(at, true), size: v.getUint32(at + 4, true), offset: v.getUint32(at + 8, true) };
      this.ensure(item.offset < h.fileSize, () => `map_list item ${i} (type ${hex(item.type)}) offset ${item.offset} out of bounds`);
      if (!KNOWN_MAP_TYPES.has(item.type)) this.issue('map-unknown-item', `map_list item ${i} has unknown type ${hex(item.type)}`);
      if (seen.has(item.type)) this.issue('map-mismatch', `map_list lists type ${hex(item.type)} more than once`);
      seen.add(item.type);
      if (item.offset <= lastOffset) this.issue('map-order', `map_list item ${i} (type ${hex(item.type)}) is out of offset order`);
      lastOffset = item.offset;
      items.push(item);
    }
    const expect = (type: number, what: string, count: number, offset: number) => {
      const item = items.find((m) => m.type === type);
      const mapCount = item?.size ?? 0;
      if (mapCount !== count || (count > 0 && item!.offset !== offset)) {
        this.issue(
          'map-mismatch',
          `map_list says ${mapCount} ${what} at ${item?.offset ?? '-'}, header says ${count} at ${count > 0 ? offset : '-'}`,
        );
      }
    };
    expect(DexMapType.STRING_ID_ITEM, 'string_ids', h.stringIdsSize, h.stringIdsOff);
    expect(DexMapType.TYPE_ID_ITEM, 'type_ids', h.typeIdsSize, h.typeIdsOff);
    expect(DexMapType.PROTO_ID_ITEM, 'proto_ids', h.protoIdsSize, h.protoIdsOff);
    expect(DexMapType.FIELD_ID_ITEM, 'field_ids', h.fieldIdsSize, h.fieldIdsOff);
    expect(DexMapType.METHOD_ID_ITEM, 'method_ids', h.methodIdsSize, h.methodIdsOff);
    expect(DexMapType.CLASS_DEF_ITEM, 'class_defs', h.classDefsSize, h.classDefsOff);
    const mapSelf = items.find((m) => m.type === DexMapType.MAP_LIST);
    if (!mapSelf || mapSelf.offset !== off) this.issue('map-mismatch', 'map_list does not list itself at map_off');
    return items;
  }

  /** A u32 view of `count` entries at `offset`, or undefined when unaligned or on a big-endian host. */
  private u32Table(offset: number, count: number): Uint32Array | undefined {
    const start = this.bytes.byteOffset + offset;
    if (!LITTLE_ENDIAN_HOST || (start & 3) !== 0) return undefined;
    return new Uint32Array(this.bytes.buffer, start, count);
  }

  /** Checks every id table entry's indices and offsets so accessors can trust them. */
  private checkIds(): void {
    const h = this.header;
    const v = this.view;
    const { strings, types, protos } = this.counts;
    const fileSize = h.fileSize;
    // The two largest tables, read as u32 arrays where the layout allows (4-aligned, little-endian
    // host): a typed-array loop runs several times faster than DataView calls in a one-shot process.
    const stringIds = this.u32Table(h.stringIdsOff, strings);
    for (let i = 0; i < strings; i++) {
      const off = stringIds ? stringIds[i]! : v.getUint32(h.stringIdsOff + i * 4, true);
      if (off >= fileSize || off < h.headerSize) {
        this.fail(`string table out of bounds: string_ids[${i}] points to ${off}, file size ${fileSize}`);
      }
    }
    const typeIds = this.u32Table(h.typeIdsOff, types);
    for (let i = 0; i < types; i++) {
      const s = typeIds ? typeIds[i]! : v.getUint32(h.typeIdsOff + i * 4, true);
      if (s >= strings) this.fail(`type_ids[${i}] names string ${s}, past string_ids_size ${strings}`);
    }
    const checkedLists = new Set<number>();
    for (let i = 0, at = h.protoIdsOff; i < protos; i++, at += 12) {
      const shorty = v.getUint32(at, true);
      const ret = v.getUint32(at + 4, true);
      if (shorty >= strings) this.fail(`proto_ids[${i}] names shorty string ${shorty}, past string_ids_size`);
      if (ret >= types) this.fail(`proto_ids[${i}] names return type ${ret}, past type_ids_size`);
      this.checkTypeList(v.getUint32(at + 8, true), 'proto_ids', i, 'parameters', checkedLists);
    }
    for (let i = 0, at = h.fieldIdsOff; i < this.counts.fields; i++, at += 8) {
      const cls = v.getUint16(at, true);
      const type = v.getUint16(at + 2, true);
      const name = v.getUint32(at + 4, true);
      if (cls >= types || type >= types || name >= strings) this.fail(`field_ids[${i}] has an index out of range`);
    }
    for (let i = 0, at = h.methodIdsOff; i < this.counts.methods; i++, at += 8) {
      const cls = v.getUint16(at, true);
      const proto = v.getUint16(at + 2, true);
      const name = v.getUint32(at + 4, true);
      if (cls >= types || proto >= protos || name >= strings) this.fail(`method_ids[${i}] has an index out of range`);
    }
    for (let i = 0, at = h.classDefsOff; i < this.counts.classDefs; i++, at += 32) {
      const cls = v.getUint32(at, true);
      const sup = v.getUint32(at + 8, true);
      const source = v.getUint32(at + 16, true);
      if (cls >= types) this.fail(`class_defs[${i}] names type ${cls}, past type_ids_size`);
      if (sup !== NO_INDEX && sup >= types) this.fail(`class_defs[${i}] names superclass ${sup}, past type_ids_size`);
      if (source !== NO_INDEX && source >= strings) this.fail(`class_defs[${i}] names source file ${source}, past string_ids_size`);
      this.checkTypeList(v.getUint32(at + 12, true), 'class_defs', i, 'interfaces', checkedLists);
      // Unrolled, and messages built only on failure: this loop runs once per class of every DEX.
      if (v.getUint32(at + 20, true) >= fileSize) this.fail(`class_defs[${i}] annotations_off ${v.getUint32(at + 20, true)} out of bounds`);
      if (v.getUint32(at + 24, true) >= fileSize) this.fail(`class_defs[${i}] class_data_off ${v.getUint32(at + 24, true)} out of bounds`);
      if (v.getUint32(at + 28, true) >= fileSize)
        this.fail(`class_defs[${i}] static_values_off ${v.getUint32(at + 28, true)} out of bounds`);
    }
  }

  /**
   * A type_list: u32 size then u16 type indices. Each offset is checked once (lists are shared). The
   * owner (`class_defs`, 3, `interfaces`) names the list in a failure only; no string per call.
   */
  private checkTypeList(off: number, table: string, index: number, field: string, checked: Set<number>): void {
    if (off === 0 || checked.has(off)) return;
    const v = this.view;
    const fileSize = this.header.fileSize;
    if ((off & 3) !== 0 || off + 4 > fileSize) this.fail(`${table}[${index}] ${field}: type_list offset ${off} out of bounds`);
    const size = v.getUint32(off, true);
    if (size > (fileSize - off - 4) / 2)
      this.fail(`${table}[${index}] ${field}: type_list at ${off} claims ${size} entries, past the end of the file`);
    const types = this.counts.types;
    for (let i = 0; i < size; i++) {
      if (v.getUint16(off + 4 + i * 2, true) >= types)
        this.fail(`${table}[${index}] ${field}: type_list at ${off} names a type past type_ids_size`);
    }
    checked.add(off);
  }

  private typeList(off: number): readonly string[] {
    if (off === 0) return EMPTY;
    let list = this.typeListCache.get(off);
    if (!list) {
      const size = this.view.getUint32(off, true);
      const out: string[] = [];
      for (let i = 0; i < size; i++) out.push(this.typeName(this.view.getUint16(off + 4 + i * 2, true)));
      list = Object.freeze(out);
      this.typeListCache.set(off, list);
    }
    return list;
  }

  private decodeStringData(index: number, off: number): string {
    const bytes = this.bytes;
    const utf16Size = readUleb128(bytes, off, bytes.length);
    if (utf16Size < 0) this.fail(`bad uleb128 length of string ${index} at offset ${off}`);
    const start = leb.pos;
    const end = bytes.indexOf(0, start);
    if (end < 0) this.fail(`string ${index} at offset ${off} has no terminating NUL`);
    const { value, wellFormed } = decodeMutf8(bytes, start, end);
    if (!wellFormed) this.issue('bad-string', `string ${index} at offset ${off} is not valid MUTF-8`);
    else if (value.length !== utf16Size) {
      this.issue('bad-string', `string ${index} at offset ${off} has ${value.length} UTF-16 units, header says ${utf16Size}`);
    }
    return value;
  }
}

const EMPTY: readonly string[] = Object.freeze([]);

function hex(n: number): string {
  return `0x${n.toString(16).padStart(8, '0')}`;
}

function hex2(n: number): string {
  return `0x${n.toString(16).padStart(2, '0')}`;
}

function littleEndianBigInt(bytes: Uint8Array, start: number, size: number): bigint {
  let value = 0n;
  for (let i = size - 1; i >= 0; i--) value = (value << 8n) | BigInt(bytes[start + i]!);
  // Sign-extend from the highest byte present.
  const bits = BigInt(size * 8);
  return value >= 1n << (bits - 1n) ? value - (1n << bits) : value;
}

function sameScanOptions(a: DexScanOptions, b: DexScanOptions): boolean {
  return (a.fieldWrites ?? false) === (b.fieldWrites ?? false);
}
