/**
 * Bounds for hostile signatures. Real APKs stay far below each one (a signing block is a few KB plus
 * 4 KB padding, one to three signers, a handful of certificates); anything above is reported as an
 * error instead of being parsed.
 */
export const SIGNING_LIMITS = {
  /** APK Signing Block, read into memory whole. */
  maxSigningBlockSize: 64 * 1024 * 1024,
  maxPairs: 1024,
  /** Same cap as apksigner: more signers than this is rejected. */
  maxSigners: 10,
  maxSignaturesPerSigner: 64,
  maxCertificatesPerSigner: 64,
  maxAttributesPerSigner: 256,
  maxDigestsPerSigner: 64,
  maxLineageNodes: 64,
  /** MANIFEST.MF and .SF files. */
  maxManifestSize: 64 * 1024 * 1024,
  maxManifestSections: 500_000,
  /** .RSA/.DSA/.EC PKCS#7 blocks. */
  maxSignatureBlockSize: 4 * 1024 * 1024,
  maxSignerInfos: 16,
  maxPkcs7Certificates: 64,
  maxJarSignatureFiles: 10,
  /** Chunk size of the streamed content digest (also the chunk size of the v2/v3 digest). */
  chunkSize: 1024 * 1024,
} as const;

/** Android API levels the rules refer to. */
export const SDK = {
  GINGERBREAD: 9,
  JELLY_BEAN_MR2: 18,
  KITKAT: 19,
  N: 24,
  O: 26,
  P: 28,
  R: 30,
  T: 33,
  /** apksigner's "every future platform". */
  MAX: 0x7fffffff,
} as const;
