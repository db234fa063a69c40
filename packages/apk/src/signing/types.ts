/** Public result model of APK signature verification (the CLI's JSON mirrors it). */

export interface PublicKeyInfo {
  /** `RSA`, `EC`, `DSA`, or the key type Node reports for anything else. */
  algorithm: string;
  /** Modulus (RSA) or prime (DSA) length in bits. */
  bits?: number;
  /** Named curve of an EC key, e.g. `prime256v1`. */
  curve?: string;
}

export interface CertificateInfo {
  /** Distinguished name, most specific RDN first (RFC 4514 order, as apksigner prints it). */
  subject: string;
  issuer: string;
  /** Serial number as lowercase hex without leading zeros. */
  serialNumber: string;
  /** ISO 8601 instants. */
  notBefore: string;
  notAfter: string;
  /** Fingerprints of the certificate bytes exactly as stored in the APK, lowercase hex. */
  sha256: string;
  sha1: string;
  publicKey: PublicKeyInfo;
  /** Signature algorithm of the certificate itself (OID name), e.g. `sha256WithRSAEncryption`. */
  signatureAlgorithm: string;
}

export interface SignerResult {
  /** `CERT.RSA` for v1; `signer #1` for the signing-block schemes. */
  name: string;
  verified: boolean;
  errors: string[];
  warnings: string[];
  /** The signer's certificate chain, leaf first. */
  certificates: CertificateInfo[];
  /** Algorithms whose signatures were checked (v2/v3 names, or `SHA256withRSA` style for v1). */
  algorithms: string[];
  /** v3 and v3.1 only: the platform range this signer targets. */
  minSdk?: number;
  maxSdk?: number;
}

export interface SchemeResult {
  /** A signature for this scheme exists in the APK. */
  present: boolean;
  /**
   * Verified under the rules apksigner applies for the requested SDK range. A scheme that Android
   * would not consult for that range (v1 when minSdk ≥ 24 and a v2/v3 signature exists, v2 when
   * minSdk ≥ 28 and v3 verified) is not checked and stays false, as in `apksigner verify`.
   */
  verified: boolean;
  /** Whether the scheme was actually checked; see `skipped` for the reason when it was not. */
  checked: boolean;
  skipped?: string;
  errors: string[];
  warnings: string[];
  signers: SignerResult[];
}

export interface LineageNode {
  certificate: CertificateInfo;
  /** Capability flags of the node (installed data, shared uid, permission, rollback, auth). */
  flags: number;
  /** Algorithm the parent used to sign this node (absent for the root). */
  parentSignatureAlgorithm?: string;
}

export interface ApkSignatureResult {
  verified: boolean;
  schemes: { v1: SchemeResult; v2: SchemeResult; v3: SchemeResult; v31: SchemeResult };
  /** The APK's signer certificates as apksigner reports them (deduplicated). */
  certificates: CertificateInfo[];
  /** v3 proof-of-rotation lineage, oldest certificate first. */
  lineage?: LineageNode[];
  /** IDs of every ID-value pair in the APK Signing Block, with names where known. */
  signingBlock?: { offset: number; size: number; pairs: { id: number; name: string; size: number }[] };
  errors: string[];
  warnings: string[];
}

export interface VerifyOptions {
  /** minSdkVersion from the manifest (apksigner's default); 1 when the manifest declares none. */
  minSdk: number;
  /** Highest platform to verify for; defaults to every future platform. */
  maxSdk?: number;
  /** targetSdkVersion: from 30 Android requires v2 or newer (checked when known). */
  targetSdk?: number;
  /** targetSandboxVersion: 2 and higher require v2 or newer (checked when known). */
  targetSandboxVersion?: number;
}
