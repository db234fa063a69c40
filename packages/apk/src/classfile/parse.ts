import { ApkFormatError, guarded } from '../errors.js';
import { scanCode, type BootstrapMethod, type CodeReference } from './bytecode.js';
import { CONSTANT, ConstantPool, classDescriptor, type ClassStrings, type MemberRef } from './constant-pool.js';
import { ClassReader, readU16 } from './reader.js';

export const CLASS_MAGIC = 0xcafebabe;

/**
 * Access flags (JVMS 4.1, 4.5, 4.6); the same bit means different things for classes and members.
 * Named apart from the DEX reader's ACC, which adds DEX-only bits and lacks ACC_MODULE/ACC_SUPER.
 */
export const JVM_ACC = {
  PUBLIC: 0x0001,
  PRIVATE: 0x0002,
  PROTECTED: 0x0004,
  STATIC: 0x0008,
  FINAL: 0x0010,
  SUPER: 0x0020,
  SYNCHRONIZED: 0x0020,
  VOLATILE: 0x0040,
  BRIDGE: 0x0040,
  TRANSIENT: 0x0080,
  VARARGS: 0x0080,
  NATIVE: 0x0100,
  INTERFACE: 0x0200,
  ABSTRACT: 0x0400,
  STRICT: 0x0800,
  SYNTHETIC: 0x1000,
  ANNOTATION: 0x2000,
  ENUM: 0x4000,
  MODULE: 0x8000,
} as const;

export interface FieldInfo {
  name: string;
  descriptor: string;
  accessFlags: number;
  /** `Lowner;->name:type`. */
  signature: string;
  /**
   * A static field's `ConstantValue` attribute (the value of a `static final` constant, which code
   * never loads with ldc): a string for CONSTANT_String, a number for Integer/Float/Double (char,
   * short, byte and boolean fields hold an Integer), a bigint for Long. Absent when there is none,
   * for instance fields (the JVM ignores it there) and when the attribute is malformed (see `issues`).
   */
  constantValue?: string | number | bigint;
}

export interface MethodCode {
  maxStack: number;
  maxLocals: number;
  /** Bytecode length in bytes. */
  length: number;
  /** Present when the bytecode scan was requested. */
  references?: CodeReference[];
  /** Why the bytecode scan stopped early, when it did (the references before that point are kept). */
  error?: string;
}

export interface MethodInfo {
  name: string;
  descriptor: string;
  accessFlags: number;
  /** `Lowner;->name(args)ret`, the form callers are matched against. */
  signature: string;
  /** Absent for abstract and native methods. */
  code?: MethodCode;
}

export interface ClassFile {
  majorVersion: number;
  minorVersion: number;
  accessFlags: number;
  /** This class as a descriptor: `Lcom/foo/Bar;` (`Lmodule-info;` for module descriptors). */
  name: string;
  /** Undefined for java.lang.Object and module-info. */
  superClass: string | undefined;
  interfaces: string[];
  sourceFile: string | undefined;
  fields: FieldInfo[];
  methods: MethodInfo[];
  /** Everything the constant pool names, whether or not any instruction uses it. */
  references: {
    /** Methodref and InterfaceMethodref constants, in pool order. */
    methods: MemberRef[];
    fields: MemberRef[];
    /** Class constants as descriptors (includes this class, its super class and array types). */
    classes: string[];
    /** String constants (the values of `ldc "..."` and constant fields). */
    strings: string[];
  };
  /** Non-fatal oddities, e.g. a method whose bytecode could not be fully scanned. */
  issues: string[];
}

export interface ParseClassOptions {
  /** Scan Code attributes for invoke/field/ldc/new instructions (default true). */
  code?: boolean;
  /** Shares equal strings and member references with the other classes parsed with the same table. */
  strings?: ClassStrings;
}

/**
 * Parses one class file. Structural damage (bad magic, a pool index of the wrong kind, a count or
 * length running past the end) throws ApkFormatError `class-corrupt` naming `entry`; damage confined
 * to one method's bytecode is kept in `issues` instead.
 */
export function parseClassFile(bytes: Uint8Array, entry?: string, options: ParseClassOptions = {}): ClassFile {
  return guarded('class-corrupt', 'class file', () => parse(bytes, entry, options.code ?? true, options.strings), entry);
}

interface PendingCode {
  method: MethodInfo;
  start: number;
  end: number;
}

function parse(bytes: Uint8Array, entry: string | undefined, scan: boolean, strings: ClassStrings | undefined): ClassFile {
  const r = new ClassReader(bytes, entry);
  if (bytes.byteLength < 10 || r.u32('magic') !== CLASS_MAGIC) {
    throw new ApkFormatError('class-corrupt', 'not a class file (no CAFEBABE magic)', entry);
  }
  const minorVersion = r.u16('minor_version');
  const majorVersion = r.u16('major_version');
  if (majorVersion < 45) r.fail(`major version ${majorVersion} predates Java 1.0`);
  const poolCount = r.u16('constant_pool_count');
  if (poolCount === 0) r.fail('constant_pool_count is 0');
  const pool = new ConstantPool(r, poolCount, strings);

  const accessFlags = r.u16('access_flags');
  const thisIndex = r.u16('this_class');
  const name = pool.classDescriptor(thisIndex);
  const superIndex = r.u16('super_class');
  const superClass = superIndex === 0 ? undefined : pool.classDescriptor(superIndex);
  const interfaceCount = r.u16('interfaces_count');
  r.need(r.offset, interfaceCount * 2, 'interfaces');
  const interfaces: string[] = [];
  for (let i = 0; i < interfaceCount; i++) interfaces.push(pool.classDescriptor(r.u16('interface')));

  const fieldCount = r.u16('fields_count');
  // Each member is at least 8 bytes; checking up front stops a lying count before any work.
  r.need(r.offset, fieldCount * 8, 'fields');
  const fields: FieldInfo[] = [];
  const issues: string[] = [];
  for (let i = 0; i < fieldCount; i++) {
    const flags = r.u16('field access_flags');
    const fieldName = pool.utf8(r.u16('field name_index'));
    const descriptor = pool.utf8(r.u16('field descriptor_index'));
    const field: FieldInfo = { name: fieldName, descriptor, accessFlags: flags, signature: `${name}->${fieldName}:${descriptor}` };
    const attributeCount = r.u16('field attributes_count');
    let seenConstant = false;
    for (let a = 0; a < attributeCount; a++) {
      const nameIndex = r.u16('field attribute_name_index');
      const length = r.u32('field attribute_length');
      r.need(r.offset, length, 'field attribute');
      const start = r.offset;
      r.offset = start + length;
      // Field attributes were only ever skipped: an unreadable name is not worth failing the class for.
      if (seenConstant || pool.tag(nameIndex) !== CONSTANT.Utf8 || pool.utf8(nameIndex) !== 'ConstantValue') continue;
      seenConstant = true;
      if ((flags & JVM_ACC.STATIC) === 0) continue;
      const value = constantValue(bytes, start, length, pool, descriptor);
      if (typeof value === 'object') issues.push(`${field.signature}: ${value.issue}`);
      else field.constantValue = value;
    }
    fields.push(field);
  }

  const methodCount = r.u16('methods_count');
  r.need(r.offset, methodCount * 8, 'methods');
  const methods: MethodInfo[] = [];
  const pending: PendingCode[] = [];
  for (let i = 0; i < methodCount; i++) {
    const flags = r.u16('method access_flags');
    const methodName = pool.utf8(r.u16('method name_index'));
    const descriptor = pool.utf8(r.u16('method descriptor_index'));
    const method: MethodInfo = { name: methodName, descriptor, accessFlags: flags, signature: `${name}->${methodName}${descriptor}` };
    const attributeCount = r.u16('method attributes_count');
    for (let a = 0; a < attributeCount; a++) {
      const { attributeName, start, end } = readAttributeHeader(r, pool, 'method');
      if (attributeName === 'Code' && !method.code) {
        const code = new ClassReader(bytes.subarray(0, end), entry, start);
        const maxStack = code.u16('max_stack');
        const maxLocals = code.u16('max_locals');
        const length = code.u32('code_length');
        if (code.offset + length > end) code.fail(`code_length ${length} runs past the Code attribute of ${method.signature}`);
        method.code = { maxStack, maxLocals, length };
        pending.push({ method, start: code.offset, end: code.offset + length });
      }
      r.offset = end;
    }
    methods.push(method);
  }

  let sourceFile: string | undefined;
  let bootstrapMethods: BootstrapMethod[] | undefined;
  const classAttributes = r.u16('class attributes_count');
  for (let a = 0; a < classAttributes; a++) {
    const { attributeName, start, end } = readAttributeHeader(r, pool, 'class');
    if (attributeName === 'SourceFile' && end - start >= 2) {
      const index = new ClassReader(bytes, entry, start).u16('sourcefile_index');
      if (pool.tag(index) === CONSTANT.Utf8) sourceFile = pool.utf8(index);
    } else if (attributeName === 'BootstrapMethods' && !bootstrapMethods) {
      bootstrapMethods = readBootstrapMethods(new ClassReader(bytes.subarray(0, end), entry, start));
    }
    r.offset = end;
  }

  if (scan) {
    for (const { method, start, end } of pending) {
      const result = scanCode(bytes.subarray(start, end), pool, bootstrapMethods);
      method.code!.references = result.references;
      if (result.error) {
        method.code!.error = result.error;
        issues.push(`${method.signature}: ${result.error}`);
      }
    }
  }

  return {
    majorVersion,
    minorVersion,
    accessFlags,
    name,
    superClass,
    interfaces,
    sourceFile,
    fields,
    methods,
    references: poolReferences(pool),
    issues,
  };
}

function readAttributeHeader(r: ClassReader, pool: ConstantPool, owner: string): { attributeName: string; start: number; end: number } {
  const nameIndex = r.u16(`${owner} attribute_name_index`);
  const length = r.u32(`${owner} attribute_length`);
  r.need(r.offset, length, `${owner} attribute`);
  const attributeName = pool.utf8(nameIndex);
  return { attributeName, start: r.offset, end: r.offset + length };
}

/** The pool tag a ConstantValue must have for a field descriptor (JVMS 4.7.2), undefined for other types. */
const CONSTANT_FOR_DESCRIPTOR: Readonly<Record<string, number>> = {
  I: CONSTANT.Integer,
  S: CONSTANT.Integer,
  C: CONSTANT.Integer,
  B: CONSTANT.Integer,
  Z: CONSTANT.Integer,
  F: CONSTANT.Float,
  J: CONSTANT.Long,
  D: CONSTANT.Double,
  'Ljava/lang/String;': CONSTANT.String,
};

/**
 * Decodes a ConstantValue attribute body. Every check is done before any pool accessor runs, so a
 * bad attribute becomes `{ issue }` for the class's issues rather than a thrown error.
 */
function constantValue(
  bytes: Uint8Array,
  start: number,
  length: number,
  pool: ConstantPool,
  descriptor: string,
): string | number | bigint | { issue: string } {
  if (length !== 2) return { issue: `ConstantValue attribute is ${length} bytes long, expected 2` };
  const index = readU16(bytes, start);
  const tag = pool.tag(index);
  const expected = CONSTANT_FOR_DESCRIPTOR[descriptor];
  if (tag === 0) return { issue: `ConstantValue index ${index} is not a usable constant pool entry` };
  if (expected === undefined) return { issue: `ConstantValue on a field of type ${descriptor}` };
  if (tag !== expected) return { issue: `ConstantValue #${index} has tag ${tag}, a ${descriptor} field needs tag ${expected}` };
  switch (tag) {
    case CONSTANT.Integer:
      return pool.integer(index);
    case CONSTANT.Float:
      return pool.float(index);
    case CONSTANT.Long:
      return pool.long(index);
    case CONSTANT.Double:
      return pool.double(index);
    default:
      return pool.string(index);
  }
}

function readBootstrapMethods(r: ClassReader): BootstrapMethod[] {
  const count = r.u16('num_bootstrap_methods');
  r.need(r.offset, count * 4, 'bootstrap_methods');
  const out: BootstrapMethod[] = [];
  for (let i = 0; i < count; i++) {
    const methodHandle = r.u16('bootstrap_method_ref');
    const argumentCount = r.u16('num_bootstrap_arguments');
    r.need(r.offset, argumentCount * 2, 'bootstrap_arguments');
    const args: number[] = [];
    for (let k = 0; k < argumentCount; k++) args.push(r.u16('bootstrap_argument'));
    out.push({ methodHandle, arguments: args });
  }
  return out;
}

function poolReferences(pool: ConstantPool): ClassFile['references'] {
  const methods: MemberRef[] = [];
  const fields: MemberRef[] = [];
  const classes: string[] = [];
  const strings: string[] = [];
  for (let i = 1; i < pool.count; i++) {
    switch (pool.tag(i)) {
      case CONSTANT.Methodref:
      case CONSTANT.InterfaceMethodref:
        methods.push(pool.memberRef(i));
        break;
      case CONSTANT.Fieldref:
        fields.push(pool.memberRef(i));
        break;
      case CONSTANT.Class:
        classes.push(pool.classDescriptor(i));
        break;
      case CONSTANT.String:
        strings.push(pool.string(i));
        break;
    }
  }
  return { methods, fields, classes, strings };
}

/** `com.foo.Bar` or `com/foo/Bar` → `Lcom/foo/Bar;`. */
export function javaNameToDescriptor(name: string): string {
  return classDescriptor(name.replaceAll('.', '/'));
}
