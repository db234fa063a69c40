/**
 * APK signature verification: JAR signing (v1) and APK Signature Scheme v2, v3 and v3.1, with the
 * SDK-range rules of `apksigner verify`.
 */
export { verifyApkSignatures } from './verify.js';
export { findSigningBlock, pairName, BLOCK_IDS, type SigningBlock, type SigningBlockPair } from './block.js';
export { computeContentDigests } from './content-digest.js';
// Named for JAR manifests (META-INF/MANIFEST.MF), apart from the AndroidManifest.xml reader.
export {
  parseManifest as parseJarManifest,
  type ManifestSection as JarManifestSection,
  type ParsedManifest as ParsedJarManifest,
} from './manifest.js';
export { BLOCK_SIGNATURE_ALGORITHMS, type BlockSignatureAlgorithm, type ContentDigestKind } from './algorithms.js';
export { SIGNING_LIMITS } from './limits.js';
export type {
  ApkSignatureResult,
  CertificateInfo,
  LineageNode,
  PublicKeyInfo,
  SchemeResult,
  SignerResult,
  VerifyOptions,
} from './types.js';
