import { ApkFormatError } from '../errors.js';
import { bytesEqual, toHex } from '../io/bytes.js';
import type { ZipArchive } from '../zip/archive.js';
import { BLOCK_SIGNATURE_ALGORITHMS, type ContentDigestKind } from './algorithms.js';
import { BLOCK_IDS, findPair, findSigningBlock, pairName, type SigningBlock } from './block.js';
import type { ParsedCertificate } from './certificate.js';
import { computeContentDigests } from './content-digest.js';
import { SDK } from './limits.js';
import { parseSchemeBlock, type BlockSigner, type ParsedLineageNode, type ParsedSchemeBlock } from './scheme-block.js';
import type { ApkSignatureResult, CertificateInfo, SchemeResult, VerifyOptions } from './types.js';
import { verifyV1 } from './v1.js';

/**
 * Verifies an APK's signatures the way `apksigner verify` does for the SDK range [minSdk, maxSdk]:
 * - Android 7.0+ (API 24) looks for the APK Signing Block; 9+ (28) prefers v3, 13+ (33) v3.1;
 *   v2 is checked when minSdk < 28 or no v3 signature exists; v1 when minSdk < 24 or no block
 *   signature exists. A scheme that is present but fails rejects the APK.
 * - The JAR signature's X-Android-APK-Signed attribute and v2's stripping-protection attribute
 *   reject APKs whose newer signatures were removed.
 * - v1 and v2 must name the same signers; v3 must match them or rotate from them via its lineage.
 * The APK Signing Block layout and digest logic are ours (nothing on npm verifies APK Signature
 * Scheme v2/v3); X.509 and CMS are decoded with @peculiar/asn1-* and checked with node:crypto.
 * Only ApkFormatError escapes, and only for input we refuse to read (e.g. a 1 GB signing block).
 */
export function verifyApkSignatures(archive: ZipArchive, options: VerifyOptions): ApkSignatureResult {
  try {
    return verify(archive, options);
  } catch (error) {
    if (error instanceof ApkFormatError) throw error;
    const detail = error instanceof Error ? error.message : String(error);
    throw new ApkFormatError('signature-corrupt', `signature verification failed: ${detail}`);
  }
}

const SCHEME_NAMES = new Map<number, string>([
  [2, 'APK Signature Scheme v2'],
  [3, 'APK Signature Scheme v3'],
]);

function emptyScheme(): SchemeResult {
  return { present: false, verified: false, checked: false, errors: [], warnings: [], signers: [] };
}

function verify(archive: ZipArchive, options: VerifyOptions): ApkSignatureResult {
  const maxSdk = Math.min(options.maxSdk ?? SDK.MAX, SDK.MAX);
  const minSdk = Math.max(0, Math.floor(options.minSdk));
  const result: ApkSignatureResult = {
    verified: false,
    schemes: { v1: emptyScheme(), v2: emptyScheme(), v3: emptyScheme(), v31: emptyScheme() },
    certificates: [],
    errors: [],
    warnings: [],
  };
  if (minSdk > maxSdk) {
    result.errors.push(`minSdkVersion (${minSdk}) > maxSdkVersion (${maxSdk})`);
    return result;
  }

  const lookup = findSigningBlock(archive);
  const block: SigningBlock | undefined = lookup.block;
  if (block) {
    result.signingBlock = {
      offset: block.offset,
      size: block.size,
      pairs: block.pairs.map((p) => ({ id: p.id, name: pairName(p.id), size: p.value.length })),
    };
    if (block.pairProblem) result.warnings.push(`APK Signing Block: ${block.pairProblem}`);
  } else if (!lookup.block && 'reason' in lookup && !lookup.reason.startsWith('no ')) {
    result.warnings.push(`APK Signing Block ignored: ${lookup.reason}`);
  }
  const v2Value = findPair(block, BLOCK_IDS.V2);
  const v3Value = findPair(block, BLOCK_IDS.V3);
  const v31Value = findPair(block, BLOCK_IDS.V31);
  result.schemes.v2.present = v2Value !== undefined;
  result.schemes.v3.present = v3Value !== undefined;
  result.schemes.v31.present = v31Value !== undefined;

  // Which block schemes Android consults in this range (apksigner's order: v3.1, v3, v2).
  const found = new Set<number>();
  const parsed: { scheme: 'v2' | 'v3' | 'v31'; block: ParsedSchemeBlock }[] = [];
  let v31: ParsedSchemeBlock | undefined;
  let v3: ParsedSchemeBlock | undefined;
  let v2: ParsedSchemeBlock | undefined;
  if (maxSdk >= SDK.N) {
    if (maxSdk >= SDK.T && v31Value) {
      v31 = parseSchemeBlock(v31Value, 'v31', Math.max(minSdk, SDK.T), maxSdk);
      parsed.push({ scheme: 'v31', block: v31 });
      found.add(31);
    }
    if (maxSdk >= SDK.P && v3Value) {
      v3 = parseSchemeBlock(v3Value, 'v3', Math.max(minSdk, SDK.P), maxSdk);
      parsed.push({ scheme: 'v3', block: v3 });
      found.add(3);
    }
    if (v2Value && (minSdk < SDK.P || found.size === 0)) {
      v2 = parseSchemeBlock(v2Value, 'v2', Math.max(minSdk, SDK.N), maxSdk);
      parsed.push({ scheme: 'v2', block: v2 });
      found.add(2);
    }
  }

  // One pass over the file for every content digest any checked signer needs.
  const kinds = new Set<ContentDigestKind>();
  for (const { block: b } of parsed) for (const s of b.signers) for (const k of s.verifiedKinds) kinds.add(k);
  const actual = block && kinds.size > 0 ? computeContentDigests(archive, block.offset, kinds) : new Map<ContentDigestKind, Uint8Array>();

  for (const { scheme, block: b } of parsed) {
    const target = result.schemes[scheme];
    target.checked = true;
    checkIntegrity(b, actual);
    for (const e of b.errors) target.errors.push(e);
    for (const w of b.warnings) target.warnings.push(w);
    target.signers = b.signers.map((s) => s.result);
  }
  const v31Lineage = v31 ? finishV3(v31, result.schemes.v31, Math.max(minSdk, SDK.T), maxSdk, undefined) : undefined;
  const rotationMinSdk = v31 ? v31.signers.reduce((min, s) => Math.min(min, s.result.minSdk ?? SDK.MAX), Infinity) : undefined;
  let lineage: ParsedLineageNode[] | undefined;
  if (v3) {
    lineage = finishV3(v3, result.schemes.v3, Math.max(minSdk, SDK.P), maxSdk, rotationMinSdk);
    if (maxSdk >= SDK.T) {
      for (const s of v3.signers) {
        if (s.rotationMinSdk === undefined) {
          if (rotationMinSdk !== undefined)
            s.result.warnings.push(`v3 signer does not name the v3.1 rotation minimum SDK version ${rotationMinSdk}`);
        } else if (rotationMinSdk === undefined) {
          s.result.errors.push(
            `v3 signer targets rotation from SDK ${s.rotationMinSdk} but the APK Signature Scheme v3.1 block is missing. Signature stripped?`,
          );
        } else if (s.rotationMinSdk !== rotationMinSdk) {
          s.result.errors.push(
            `v3 signer's rotation minimum SDK version ${s.rotationMinSdk} does not match the v3.1 signers' ${rotationMinSdk}`,
          );
        }
      }
    }
  } else if (v31 && maxSdk >= SDK.P) {
    result.schemes.v31.errors.push('APK Signature Scheme v3.1 signature found without the v3 signature it must accompany');
  }
  lineage = v31Lineage ?? lineage;
  if (v2) {
    const supported = supportedSchemes(maxSdk);
    for (const s of v2.signers) {
      for (const id of s.strippingIds) {
        if (!supported.has(id)) s.result.warnings.push(`Unknown APK signature scheme ID in stripping protection: ${id}`);
        else if (!found.has(id)) {
          s.result.errors.push(
            `APK Signature Scheme v2 signature indicates the APK is signed using ${supported.get(id)} but no such signature was found. Signature stripped?`,
          );
        }
      }
    }
  }
  for (const { scheme, block: b } of parsed) {
    const target = result.schemes[scheme];
    for (const s of b.signers) s.result.verified = s.result.errors.length === 0;
    target.verified = target.errors.length === 0 && b.signers.length > 0 && b.signers.every((s) => s.result.errors.length === 0);
  }
  const blockFailed = parsed.some(({ scheme }) => !result.schemes[scheme].verified);

  // Without a manifest there is no APK; apksigner needs it from Android 8.0 on (targetSandboxVersion).
  if (maxSdk >= SDK.O && !archive.has('AndroidManifest.xml')) result.errors.push('Missing AndroidManifest.xml');
  if (maxSdk >= SDK.O && (options.targetSandboxVersion ?? 1) > 1 && found.size === 0) {
    result.errors.push(`Missing APK Signature Scheme v2 signature required for target sandbox version ${options.targetSandboxVersion}`);
  }

  let v1Certs: ParsedCertificate[] = [];
  if (!blockFailed && (minSdk < SDK.N || found.size === 0)) {
    const v1 = verifyV1(archive, { minSdk, maxSdk, supportedSchemes: supportedSchemes(maxSdk), foundSchemes: found });
    result.schemes.v1 = v1.result;
    v1Certs = v1.signerCerts;
  } else {
    const hasManifest = archive.has('META-INF/MANIFEST.MF');
    result.schemes.v1.present = hasManifest;
    if (hasManifest) {
      result.schemes.v1.skipped = blockFailed
        ? 'not checked: a signing-block signature already failed'
        : 'not checked: Android 7.0+ uses the APK Signing Block and minSdkVersion is 24 or higher';
    }
  }
  if (v2Value && !v2) {
    result.schemes.v2.skipped =
      maxSdk < SDK.N ? 'not checked: maxSdkVersion is below 24' : 'not checked: Android 9+ uses v3 and minSdkVersion is 28 or higher';
  }
  if (v3Value && !v3) result.schemes.v3.skipped = 'not checked: maxSdkVersion is below 28';
  if (v31Value && !v31) result.schemes.v31.skipped = 'not checked: maxSdkVersion is below 33';

  const v1ok = result.schemes.v1.verified;
  const v2ok = result.schemes.v2.verified;
  const v3ok = result.schemes.v3.verified;
  const v2Certs = (v2?.signers ?? []).map((s) => s.certs[0]).filter((c): c is ParsedCertificate => c !== undefined);
  const v3Signers = v3?.signers ?? [];

  if (v1ok && v2ok) {
    const missingInV2 = v1Certs.find((c) => !v2Certs.some((d) => bytesEqual(c.raw, d.raw)));
    if (missingInV2)
      result.errors.push(`JAR signer with certificate ${missingInV2.info.sha256} has no matching APK Signature Scheme v2 signer`);
    const missingInV1 = v2Certs.find((c) => !v1Certs.some((d) => bytesEqual(c.raw, d.raw)));
    if (missingInV1)
      result.errors.push(`APK Signature Scheme v2 signer with certificate ${missingInV1.info.sha256} has no matching JAR signer`);
  }
  if (v3ok && (v1ok || v2ok)) {
    const older = v1ok ? v1Certs : v2Certs;
    if (older.length !== 1) result.errors.push('APK Signature Scheme v3 supports one signer only, but older schemes have several');
    const old = older[0];
    if (old) {
      if (!lineage) {
        if (v3Signers.length !== 1) result.errors.push('Multiple APK Signature Scheme v3 signers without a proof-of-rotation lineage');
        const cert = v3Signers[0]?.certs[0];
        if (!cert || !bytesEqual(cert.raw, old.raw))
          result.errors.push('APK Signature Scheme v3 signer certificate does not match the v1/v2 signer');
      } else if (!bytesEqual(lineage[0]!.cert.raw, old.raw)) {
        result.errors.push('The v1/v2 signer is not the first certificate of the APK Signature Scheme v3 lineage');
      }
    }
  }

  const target = options.targetSdk;
  if (target !== undefined && target >= SDK.R && maxSdk >= target && archive.has('AndroidManifest.xml')) {
    if (!v2ok && !v3ok && !result.schemes.v31.verified) {
      result.errors.push(
        `Target SDK version ${target} requires a minimum of signature scheme v2; the APK is not signed with this or a later signature scheme`,
      );
    }
  }

  if (lineage) {
    result.lineage = lineage.map((n) => {
      const node: NonNullable<ApkSignatureResult['lineage']>[number] = { certificate: n.cert.info, flags: n.flags };
      if (n.parentAlgorithm) node.parentSignatureAlgorithm = n.parentAlgorithm.name;
      return node;
    });
  }

  const schemeFailed = (['v31', 'v3', 'v2', 'v1'] as const).some((k) => result.schemes[k].checked && !result.schemes[k].verified);
  const anyVerified = (['v31', 'v3', 'v2', 'v1'] as const).some((k) => result.schemes[k].verified);
  for (const k of ['v1', 'v2', 'v3', 'v31'] as const) {
    const s = result.schemes[k];
    const label = k === 'v31' ? 'v3.1' : k;
    for (const e of s.errors) result.errors.push(`${label}: ${e}`);
    for (const signer of s.signers) for (const e of signer.errors) result.errors.push(`${label} ${signer.name}: ${e}`);
    for (const w of s.warnings) result.warnings.push(`${label}: ${w}`);
    for (const signer of s.signers) for (const w of signer.warnings) result.warnings.push(`${label} ${signer.name}: ${w}`);
    if (s.skipped) result.warnings.push(`${label}: ${s.skipped}`);
  }
  result.verified = !schemeFailed && anyVerified && result.errors.length === 0;

  // Signer certificates as apksigner reports them: the newest scheme that verified wins.
  let certs: CertificateInfo[] = [];
  if (result.schemes.v31.verified && v31) certs = lastCert(v31.signers);
  else if (v3ok && v3) certs = lastCert(v3.signers);
  else if (v2ok) certs = v2Certs.map((c) => c.info);
  else if (v1ok) certs = v1Certs.map((c) => c.info);
  else {
    for (const k of ['v31', 'v3', 'v2', 'v1'] as const)
      for (const s of result.schemes[k].signers) if (s.certificates[0]) certs.push(s.certificates[0]);
  }
  const seen = new Set<string>();
  result.certificates = certs.filter((c) => !seen.has(c.sha256) && seen.add(c.sha256));
  return result;
}

function lastCert(signers: BlockSigner[]): CertificateInfo[] {
  const c = signers[signers.length - 1]?.certs[0];
  return c ? [c.info] : [];
}

function supportedSchemes(maxSdk: number): Map<number, string> {
  if (maxSdk >= SDK.P) return SCHEME_NAMES;
  if (maxSdk >= SDK.N) return new Map([[2, SCHEME_NAMES.get(2)!]]);
  return new Map();
}

/** Compares each signer's content digest records with the computed ones. */
function checkIntegrity(b: ParsedSchemeBlock, actual: Map<ContentDigestKind, Uint8Array>): void {
  if (b.errors.length > 0 || b.signers.some((s) => s.result.errors.length > 0)) return;
  const requested = new Set<ContentDigestKind>();
  for (const s of b.signers) for (const k of s.verifiedKinds) requested.add(k);
  for (const s of b.signers) {
    let checked = 0;
    let verityOnly = false;
    for (const record of s.digests) {
      const algorithm = BLOCK_SIGNATURE_ALGORITHMS.get(record.algorithmId);
      if (!algorithm || !requested.has(algorithm.digest)) continue;
      if (algorithm.digest === 'VERITY_CHUNKED_SHA256') {
        verityOnly = true;
        continue;
      }
      const value = actual.get(algorithm.digest);
      if (!value) continue;
      checked++;
      if (!bytesEqual(value, record.digest)) {
        s.result.errors.push(
          `APK integrity check failed. ${algorithm.digest} digest mismatch. Expected: <${toHex(record.digest)}>, actual: <${toHex(value)}>`,
        );
      }
    }
    if (checked === 0 && verityOnly) {
      s.result.errors.push('only a VERITY_CHUNKED_SHA256 content digest is signed, which AppRights does not recompute');
    } else if (verityOnly) {
      s.result.warnings.push('VERITY_CHUNKED_SHA256 content digest not recomputed; the stronger or equivalent chunked digest was checked');
    }
  }
}

/**
 * v3/v3.1: signers must cover the SDK range without gaps or overlaps (sorted by maxSdk), their
 * lineages must extend one another, and each lineage's last certificate is its signer's. Returns
 * the longest lineage.
 */
function finishV3(
  b: ParsedSchemeBlock,
  target: SchemeResult,
  minSdk: number,
  maxSdk: number,
  rotationMinSdk: number | undefined,
): ParsedLineageNode[] | undefined {
  if (target.errors.length > 0 || b.signers.length === 0 || b.signers.some((s) => s.result.errors.length > 0)) return undefined;
  const sorted = [...b.signers].sort((x, y) => (x.result.maxSdk ?? 0) - (y.result.maxSdk ?? 0));
  let firstMin: number | undefined;
  let lastMax = 0;
  let lastLineage = 0;
  const lineages: ParsedLineageNode[][] = [];
  for (const s of sorted) {
    const lo = s.result.minSdk ?? 0;
    const hi = s.result.maxSdk ?? 0;
    if (firstMin === undefined) firstMin = lo;
    else if (lo !== lastMax + 1) {
      target.errors.push('Inconsistent SDK version ranges between signers');
      break;
    }
    lastMax = hi;
    if (s.lineage) {
      if (s.lineage.length < lastLineage) {
        target.errors.push('Inconsistent proof-of-rotation lineages between signers');
        break;
      }
      lastLineage = s.lineage.length;
      lineages.push(s.lineage);
    }
  }
  const needMax = rotationMinSdk !== undefined ? rotationMinSdk - 1 : maxSdk;
  if ((firstMin ?? 0) > minSdk || lastMax < needMax) {
    target.errors.push(`Signers cover API levels ${firstMin}-${lastMax}, not the required ${minSdk}-${needMax}`);
  }
  if (lineages.length === 0) return undefined;
  const longest = lineages.reduce((a, l) => (l.length > a.length ? l : a));
  for (const l of lineages) {
    if (l.some((node, i) => !bytesEqual(node.cert.raw, longest[i]!.cert.raw))) {
      target.errors.push('Inconsistent proof-of-rotation lineages between signers');
      return undefined;
    }
  }
  return longest;
}
