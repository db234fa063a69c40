import { createPublicKey, type KeyObject } from 'node:crypto';
import { ApkFormatError } from '../errors.js';
import { ByteReader, bytesEqual, toHex } from '../io/bytes.js';
import {
  BLOCK_SIGNATURE_ALGORITHMS,
  selectSignatures,
  verifyBlockSignature,
  type BlockSignatureAlgorithm,
  type ContentDigestKind,
} from './algorithms.js';
import { parseCertificate, type ParsedCertificate } from './certificate.js';
import { SIGNING_LIMITS } from './limits.js';
import type { SignerResult } from './types.js';

/**
 * Parsing and signature checks of one APK Signature Scheme v2, v3 or v3.1 block. The content
 * digests are compared later (see verify.ts) so that one pass over the file serves every scheme.
 */

export type BlockScheme = 'v2' | 'v3' | 'v31';

export const ATTR = {
  /** v2: the APK was also signed with the scheme whose ID is the value (stripping protection). */
  STRIPPING_PROTECTION: 0xbeeff00d,
  PROOF_OF_ROTATION: 0x3ba06f8c,
  ROTATION_MIN_SDK_VERSION: 0x559f8b02,
  SIGNER_TARGETS_DEV_RELEASE: 0xc2a6b3ba,
} as const;

const SCHEME_LABEL: Record<BlockScheme, string> = {
  v2: 'APK Signature Scheme v2',
  v3: 'APK Signature Scheme v3',
  v31: 'APK Signature Scheme v3.1',
};

export interface ParsedLineageNode {
  cert: ParsedCertificate;
  flags: number;
  parentAlgorithm?: BlockSignatureAlgorithm;
}

export interface BlockSigner {
  result: SignerResult;
  certs: ParsedCertificate[];
  /** Content digest kinds whose signatures verified (what this signer asks us to check). */
  verifiedKinds: Set<ContentDigestKind>;
  /** Digest records of signed-data, keyed by signature algorithm ID. */
  digests: { algorithmId: number; digest: Uint8Array }[];
  /** v2: scheme IDs named by the stripping-protection attribute. */
  strippingIds: number[];
  /** v3: proof-of-rotation lineage, oldest first. */
  lineage?: ParsedLineageNode[];
  /** v3: value of the rotation-min-SDK attribute. */
  rotationMinSdk?: number;
}

export interface ParsedSchemeBlock {
  scheme: BlockScheme;
  errors: string[];
  warnings: string[];
  signers: BlockSigner[];
}

class Reader extends ByteReader {
  constructor(bytes: Uint8Array) {
    super(bytes, 'signature-corrupt');
  }
  /** A u32 length followed by that many bytes. */
  prefixed(what: string): Uint8Array {
    if (this.remaining < 4) this.fail(`${what}: no room for the length`);
    const length = this.u32(what);
    if (length > this.remaining) this.fail(`${what}: length ${length} is longer than the remaining ${this.remaining} bytes`);
    return this.slice(length, what);
  }
}

function loadKey(spki: Uint8Array): KeyObject {
  return createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function parseSchemeBlock(value: Uint8Array, scheme: BlockScheme, minSdk: number, maxSdk: number): ParsedSchemeBlock {
  const out: ParsedSchemeBlock = { scheme, errors: [], warnings: [], signers: [] };
  const label = SCHEME_LABEL[scheme];
  let signers: Reader;
  try {
    signers = new Reader(new Reader(value).prefixed('signers'));
  } catch {
    out.errors.push(`Malformed list of ${label} signers`);
    return out;
  }
  if (signers.remaining === 0) {
    out.errors.push(`No signers in ${label} block`);
    return out;
  }
  while (signers.remaining > 0) {
    if (out.signers.length >= SIGNING_LIMITS.maxSigners) {
      out.errors.push(`${label}: more than ${SIGNING_LIMITS.maxSigners} signers`);
      return out;
    }
    const index = out.signers.length;
    const signer: BlockSigner = {
      result: { name: `signer #${index + 1}`, verified: false, errors: [], warnings: [], certificates: [], algorithms: [] },
      certs: [],
      verifiedKinds: new Set(),
      digests: [],
      strippingIds: [],
    };
    out.signers.push(signer);
    try {
      parseSigner(signers.prefixed('signer'), signer, scheme, minSdk, maxSdk);
    } catch (error) {
      if (!(error instanceof ApkFormatError)) throw error;
      signer.result.errors.push(`Malformed ${label} signer: ${error.message}`);
      return out;
    }
  }
  return out;
}

function parseSigner(bytes: Uint8Array, signer: BlockSigner, scheme: BlockScheme, minSdk: number, maxSdk: number): void {
  const r = new Reader(bytes);
  const res = signer.result;
  const signedData = r.prefixed('signed data');
  let signerMin = minSdk;
  let signerMax = maxSdk;
  if (scheme !== 'v2') {
    signerMin = r.i32('minSdkVersion');
    signerMax = r.i32('maxSdkVersion');
    res.minSdk = signerMin;
    res.maxSdk = signerMax;
    if (signerMin < 0 || signerMin > signerMax) res.errors.push(`Invalid SDK version range: ${signerMin} to ${signerMax}`);
  }
  const signaturesBytes = new Reader(r.prefixed('signatures'));
  const publicKeyBytes = r.prefixed('public key');

  const all: { id: number; signature: Uint8Array }[] = [];
  const supported: { algorithm: BlockSignatureAlgorithm; signature: Uint8Array }[] = [];
  while (signaturesBytes.remaining > 0) {
    if (all.length >= SIGNING_LIMITS.maxSignaturesPerSigner) {
      res.errors.push(`More than ${SIGNING_LIMITS.maxSignaturesPerSigner} signatures`);
      return;
    }
    try {
      const s = new Reader(signaturesBytes.prefixed('signature'));
      const id = s.u32('signature algorithm');
      const signature = s.prefixed('signature bytes');
      all.push({ id, signature });
      const algorithm = BLOCK_SIGNATURE_ALGORITHMS.get(id);
      if (!algorithm) res.warnings.push(`Unknown signature algorithm: 0x${id.toString(16)}`);
      else supported.push({ algorithm, signature });
    } catch (error) {
      if (!(error instanceof ApkFormatError)) throw error;
      res.errors.push(`Malformed signature #${all.length + 1}: ${error.message}`);
      return;
    }
  }
  if (all.length === 0) {
    res.errors.push('No signatures');
    return;
  }
  // v2 is checked on Android 7.0+ only; v3 signers say which platforms they are for.
  const selected = selectSignatures(supported, scheme === 'v2' ? minSdk : signerMin, scheme === 'v2' ? maxSdk : signerMax);
  if (typeof selected === 'string') {
    res.errors.push(`No supported signatures: ${selected}`);
    return;
  }
  let key: KeyObject;
  try {
    key = loadKey(publicKeyBytes);
  } catch (error) {
    res.errors.push(`Malformed public key: ${message(error)}`);
    return;
  }
  for (const { algorithm, signature } of selected) {
    let ok: boolean;
    try {
      ok = verifyBlockSignature(algorithm, key, signedData, signature);
    } catch (error) {
      res.errors.push(`Failed to verify ${algorithm.name} signature: ${message(error)}`);
      return;
    }
    if (!ok) {
      res.errors.push(`${algorithm.name} signature over signed-data did not verify`);
      return;
    }
    res.algorithms.push(algorithm.name);
    signer.verifiedKinds.add(algorithm.digest);
  }

  // A signature over signed-data verified, so its contents are the signer's own words from here on.
  const sd = new Reader(signedData);
  const digestsBytes = new Reader(sd.prefixed('digests'));
  const certsBytes = new Reader(sd.prefixed('certificates'));
  if (scheme !== 'v2') {
    const signedMin = sd.i32('signed minSdkVersion');
    const signedMax = sd.i32('signed maxSdkVersion');
    if (signedMin !== signerMin)
      res.errors.push(`minSdkVersion mismatch between signed data (${signedMin}) and signer record (${signerMin})`);
    if (signedMax !== signerMax)
      res.errors.push(`maxSdkVersion mismatch between signed data (${signedMax}) and signer record (${signerMax})`);
  }
  const attrsBytes = new Reader(sd.prefixed('additional attributes'));

  while (certsBytes.remaining > 0) {
    if (signer.certs.length >= SIGNING_LIMITS.maxCertificatesPerSigner) {
      res.errors.push(`More than ${SIGNING_LIMITS.maxCertificatesPerSigner} certificates`);
      return;
    }
    const raw = certsBytes.prefixed('certificate');
    try {
      const cert = parseCertificate(raw);
      signer.certs.push(cert);
      res.certificates.push(cert.info);
    } catch (error) {
      res.errors.push(`Malformed certificate #${signer.certs.length + 1}: ${message(error)}`);
      return;
    }
  }
  const main = signer.certs[0];
  if (!main) {
    res.errors.push('No certificates');
    return;
  }
  if (!bytesEqual(main.spki, publicKeyBytes)) {
    res.errors.push(`Public key mismatch between certificate and signature record: <${toHex(main.spki)}> vs <${toHex(publicKeyBytes)}>`);
    return;
  }

  while (digestsBytes.remaining > 0) {
    if (signer.digests.length >= SIGNING_LIMITS.maxDigestsPerSigner) {
      res.errors.push(`More than ${SIGNING_LIMITS.maxDigestsPerSigner} digests`);
      return;
    }
    try {
      const d = new Reader(digestsBytes.prefixed('digest'));
      const algorithmId = d.u32('digest algorithm');
      signer.digests.push({ algorithmId, digest: d.prefixed('digest bytes') });
    } catch (error) {
      if (!(error instanceof ApkFormatError)) throw error;
      res.errors.push(`Malformed digest #${signer.digests.length + 1}`);
      return;
    }
  }
  const fromSignatures = all.map((s) => s.id);
  const fromDigests = signer.digests.map((d) => d.algorithmId);
  if (fromSignatures.length !== fromDigests.length || fromSignatures.some((id, i) => id !== fromDigests[i])) {
    res.errors.push(
      `Signature algorithms mismatch between signatures and digests records: [${fromSignatures.join(', ')}] vs [${fromDigests.join(', ')}]`,
    );
    return;
  }

  let attributes = 0;
  while (attrsBytes.remaining > 0) {
    if (++attributes > SIGNING_LIMITS.maxAttributesPerSigner) {
      res.errors.push(`More than ${SIGNING_LIMITS.maxAttributesPerSigner} additional attributes`);
      return;
    }
    let id: number;
    let attrValue: Uint8Array;
    try {
      const a = new Reader(attrsBytes.prefixed('additional attribute'));
      id = a.u32('attribute ID');
      attrValue = a.slice(a.remaining);
    } catch (error) {
      if (!(error instanceof ApkFormatError)) throw error;
      res.errors.push(`Malformed additional attribute #${attributes}`);
      return;
    }
    if (scheme === 'v2' && id === ATTR.STRIPPING_PROTECTION) {
      if (attrValue.length < 4) {
        res.errors.push(`Malformed additional attribute #${attributes}`);
        return;
      }
      signer.strippingIds.push(new Reader(attrValue).u32());
    } else if (scheme !== 'v2' && id === ATTR.PROOF_OF_ROTATION) {
      const lineage = parseLineage(attrValue, res);
      if (!lineage) continue;
      signer.lineage = lineage;
      const last = lineage[lineage.length - 1];
      if (!last || !bytesEqual(last.cert.raw, main.raw))
        res.errors.push('Signing certificate is not the last certificate of its proof-of-rotation lineage');
    } else if (scheme !== 'v2' && id === ATTR.ROTATION_MIN_SDK_VERSION) {
      if (attrValue.length >= 4) signer.rotationMinSdk = new Reader(attrValue).i32();
    } else if (scheme !== 'v2' && id === ATTR.SIGNER_TARGETS_DEV_RELEASE) {
      if (scheme === 'v3') res.warnings.push('The "targets development release" attribute is meant for v3.1 signers only');
    } else {
      res.warnings.push(`Unknown additional attribute: ID 0x${id.toString(16)}`);
    }
  }
}

/**
 * Proof-of-rotation: u32 version 1, then nodes (signed data = certificate + the parent's algorithm
 * ID; flags; this node's algorithm for signing the next node; the parent's signature over the
 * signed data). Each node after the first must be signed by the previous node's key.
 */
function parseLineage(value: Uint8Array, res: SignerResult): ParsedLineageNode[] | undefined {
  const nodes: ParsedLineageNode[] = [];
  try {
    const r = new Reader(value);
    const version = r.u32('lineage version');
    if (version !== 1) {
      res.errors.push(`Malformed proof-of-rotation lineage: unknown version ${version}`);
      return undefined;
    }
    let previous: { cert: ParsedCertificate; algorithmId: number } | undefined;
    while (r.remaining > 0) {
      if (nodes.length >= SIGNING_LIMITS.maxLineageNodes) {
        res.errors.push(`Proof-of-rotation lineage has more than ${SIGNING_LIMITS.maxLineageNodes} certificates`);
        return undefined;
      }
      const node = new Reader(r.prefixed('lineage node'));
      const signedData = node.prefixed('lineage signed data');
      const flags = node.u32('lineage flags');
      const algorithmId = node.u32('lineage signature algorithm');
      const signature = node.prefixed('lineage signature');
      const sd = new Reader(signedData);
      const certBytes = sd.prefixed('lineage certificate');
      const parentAlgorithmId = sd.u32('lineage parent algorithm');
      let parentAlgorithm: BlockSignatureAlgorithm | undefined;
      if (previous) {
        parentAlgorithm = BLOCK_SIGNATURE_ALGORITHMS.get(previous.algorithmId);
        if (!parentAlgorithm || parentAlgorithmId !== previous.algorithmId) {
          res.errors.push(`Proof-of-rotation lineage did not verify: signing algorithm mismatch for certificate #${nodes.length + 1}`);
          return undefined;
        }
        const key = previous.cert.key;
        let ok = false;
        try {
          ok = key !== undefined && verifyBlockSignature(parentAlgorithm, key, signedData, signature);
        } catch {
          ok = false;
        }
        if (!ok) {
          res.errors.push(`Proof-of-rotation lineage did not verify: certificate #${nodes.length + 1} is not signed by its parent`);
          return undefined;
        }
      }
      let cert: ParsedCertificate;
      try {
        cert = parseCertificate(certBytes);
      } catch (error) {
        res.errors.push(`Proof-of-rotation lineage: malformed certificate #${nodes.length + 1}: ${message(error)}`);
        return undefined;
      }
      const entry: ParsedLineageNode = { cert, flags };
      if (parentAlgorithm) entry.parentAlgorithm = parentAlgorithm;
      nodes.push(entry);
      previous = { cert, algorithmId };
    }
  } catch (error) {
    if (!(error instanceof ApkFormatError)) throw error;
    res.errors.push(`Malformed proof-of-rotation lineage: ${error.message}`);
    return undefined;
  }
  if (nodes.length === 0) {
    res.errors.push('Malformed proof-of-rotation lineage: no certificates');
    return undefined;
  }
  return nodes;
}
