export { ApkFormatError, type ApkErrorCode } from './errors.js';
export { ByteReader, toHex, bytesEqual } from './io/bytes.js';
export { BufferSource, FileSource, type RandomAccessSource } from './io/source.js';
export * from './zip/index.js';
export * from './resources/res-value.js';
export * from './axml/index.js';
export * from './manifest/index.js';
export * from './classfile/index.js';
export * from './elf/index.js';
export * from './arsc/index.js';
export {
  verifyApkSignatures,
  findSigningBlock,
  pairName,
  BLOCK_IDS,
  computeContentDigests,
  parseManifest as parseJarManifest,
  BLOCK_SIGNATURE_ALGORITHMS,
  SIGNING_LIMITS,
} from './signing/index.js';
export type {
  SigningBlock,
  SigningBlockPair,
  ManifestSection as JarManifestSection,
  ParsedManifest as ParsedJarManifest,
  BlockSignatureAlgorithm,
  ContentDigestKind,
  ApkSignatureResult,
  CertificateInfo,
  LineageNode,
  PublicKeyInfo,
  SchemeResult,
  SignerResult,
  VerifyOptions,
} from './signing/index.js';
export * from './dex/index.js';
export * from './package/index.js';
