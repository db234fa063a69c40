/**
 * Public API of the DEX reader: parseDex for one file, readDexFiles for an APK's multidex set,
 * DexFile.scanCode / buildCodeIndex for "who calls what" questions. See dex-file.ts for why we
 * wrote our own.
 */
export {
  parseDex,
  DexFile,
  DexMapType,
  NO_INDEX,
  MIN_DEX_VERSION,
  MAX_DEX_VERSION,
  MAX_DEX_ISSUES,
  DexValueType,
  MAX_VALUE_DEPTH,
  MAX_STATIC_VALUES,
  type DexParseOptions,
  type DexIssue,
  type DexIssueKind,
  type DexHeader,
  type DexMapItem,
  type DexCounts,
  type DexProto,
  type DexMethodRef,
  type DexFieldRef,
  type DexClassDef,
  type DexClassData,
  type DexEncodedField,
  type DexEncodedMethod,
  type DexMethod,
  type DexCode,
  type DexTry,
  type DexCatchHandler,
  type DexValue,
  type DexTaggedValue,
  type DexStaticValue,
} from './dex-file.js';
export {
  DexCodeScan,
  refPoolOf,
  type DexScanOptions,
  type DexRefPool,
  type DexInvertedRefs,
  type DexCodeScanTransfer,
} from './code-scan.js';
export { CodeIndex, buildCodeIndex, parseMemberQuery, type MemberQuery, type CodeSite, type DexMemberHandle } from './code-index.js';
export { readDexFiles, dexEntryNames, PRIMARY_DEX, type MultiDex, type DexEntryNames } from './multidex.js';
export {
  DEX_OPCODES,
  isInvokeOpcode,
  isInvokeCustomOpcode,
  isStaticFieldRead,
  isStaticFieldWrite,
  isInstanceFieldRead,
  isInstanceFieldWrite,
  isFieldOpcode,
  isStringOpcode,
  type DexOpcodeInfo,
  type DexIndexKind,
} from './opcodes.js';
export { DEX_ACC, dexAccessFlagNames, dexTypeToJavaName } from './names.js';
export { adler32 } from './checksum.js';
