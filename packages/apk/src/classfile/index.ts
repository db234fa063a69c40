export { parseClassFile, javaNameToDescriptor, JVM_ACC, CLASS_MAGIC } from './parse.js';
export type { ClassFile, FieldInfo, MethodInfo, MethodCode, ParseClassOptions } from './parse.js';
export {
  ConstantPool,
  ClassStrings,
  CONSTANT,
  classDescriptor,
  type ConstantTag,
  type MemberRef,
  type MethodHandleRef,
} from './constant-pool.js';
export { scanCode, type CodeReference, type CodeReferenceKind, type BootstrapMethod } from './bytecode.js';
export { findCodeUses, signatureMatches, type CodeUse } from './callers.js';
export { decodeModifiedUtf8 } from '../io/mutf8.js';
export { scanJar, manifestPackage, type JarScan, type JarScanOptions, type JarClass, type JarIssue, type AarManifest } from './jar.js';
