import { createHash, verify as cryptoVerify } from 'node:crypto';
import type { SignerInfo } from '@peculiar/asn1-cms';
import { asn1Cms } from './asn1.js';
import { ApkFormatError } from '../errors.js';
import { bytesEqual } from '../io/bytes.js';
import { inflateRawSync } from 'node:zlib';
import { METHOD_DEFLATED, METHOD_STORED, type ZipArchive, type ZipEntry } from '../zip/archive.js';
import { DIGEST_OIDS, SIGNATURE_OIDS, nodeHash, v1UnsupportedLevels } from './algorithms.js';
import { bytesOf, formatName, jarSigningCertificateProblem, nameBytes, parseCertificate, type ParsedCertificate } from './certificate.js';
import { children, readTlv, slice } from './der.js';
import { SDK, SIGNING_LIMITS } from './limits.js';
import { attribute, parseManifest, type ManifestSection, type ParsedManifest } from './manifest.js';
import type { SchemeResult, SignerResult } from './types.js';

/**
 * JAR signing (v1) as Android checks it: META-INF/MANIFEST.MF lists a digest of every entry; each
 * signer's .SF file signs the manifest (whole, main section, per-entry sections); the .RSA/.DSA/.EC
 * PKCS#7 block signs the .SF file. The platform-version rules (which digests and signature
 * algorithms count on which API levels) follow apksigner, so results match `apksigner verify`.
 */

const MANIFEST = 'META-INF/MANIFEST.MF';
const OID_CONTENT_TYPE = '1.2.840.113549.1.9.3';
const OID_MESSAGE_DIGEST = '1.2.840.113549.1.9.4';

export interface V1Context {
  minSdk: number;
  maxSdk: number;
  /** Signing-block schemes the platform in range knows: ID → name (for stripping protection). */
  supportedSchemes: ReadonlyMap<number, string>;
  /** Signing-block schemes found and checked. */
  foundSchemes: ReadonlySet<number>;
}

export interface V1Outcome {
  result: SchemeResult;
  /** Leaf certificates of the signers Android uses, in signer order. */
  signerCerts: ParsedCertificate[];
}

interface Signer {
  name: string;
  blockEntry: ZipEntry;
  sfEntry: ZipEntry;
  result: SignerResult;
  sfBytes?: Uint8Array;
  sfEntryNames?: Set<string>;
  ignored: boolean;
  cert?: ParsedCertificate;
}

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/**
 * Reads an entry like Android's JAR verifier: any method other than STORED is inflated, so an
 * entry marked with an unknown method but holding deflate data still counts.
 */
function readEntry(archive: ZipArchive, entry: ZipEntry, max: number): Uint8Array {
  if (entry.method === METHOD_STORED || entry.method === METHOD_DEFLATED) return archive.read(entry, { maxSize: max, skipCrc: true });
  if (entry.uncompressedSize > max)
    throw new ApkFormatError('zip-limit', `declared size ${entry.uncompressedSize} is over the limit of ${max}`, entry.name);
  const header = archive.source.read(entry.localHeaderOffset, 30);
  const view = new DataView(header.buffer, header.byteOffset, 30);
  if (view.getUint32(0, true) !== 0x04034b50) throw new ApkFormatError('zip-corrupt', 'no local file header', entry.name);
  const start = entry.localHeaderOffset + 30 + view.getUint16(26, true) + view.getUint16(28, true);
  const raw = archive.source.read(start, entry.compressedSize);
  try {
    return inflateRawSync(raw, { maxOutputLength: Math.max(1, max) });
  } catch (error) {
    throw new ApkFormatError('zip-corrupt', `inflate failed: ${message(error)}`, entry.name);
  }
}

export function verifyV1(archive: ZipArchive, ctx: V1Context): V1Outcome {
  const result: SchemeResult = { present: false, verified: false, checked: true, errors: [], warnings: [], signers: [] };
  const outcome: V1Outcome = { result, signerCerts: [] };
  const entries = archive.entries;

  const seen = new Set<string>();
  const reported = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.name) && !reported.has(e.name)) {
      reported.add(e.name);
      result.errors.push(`Duplicate entry name in ZIP: ${e.name}`);
    }
    seen.add(e.name);
  }
  if (result.errors.length > 0) return outcome;

  let manifestEntry: ZipEntry | undefined;
  const sfEntries = new Map<string, ZipEntry>();
  const blockEntries: ZipEntry[] = [];
  for (const e of entries) {
    if (!e.name.startsWith('META-INF/')) continue;
    if (!manifestEntry && e.name === MANIFEST) manifestEntry = e;
    else if (e.name.endsWith('.SF')) sfEntries.set(e.name, e);
    else if (e.name.endsWith('.RSA') || e.name.endsWith('.DSA') || e.name.endsWith('.EC')) blockEntries.push(e);
  }
  result.present = manifestEntry !== undefined || blockEntries.length > 0;
  if (!manifestEntry) {
    result.errors.push(`Missing ${MANIFEST}`);
    return outcome;
  }

  let manifestBytes: Uint8Array;
  let manifest: ParsedManifest;
  try {
    manifestBytes = readEntry(archive, manifestEntry, SIGNING_LIMITS.maxManifestSize);
    manifest = parseManifest(manifestBytes, SIGNING_LIMITS.maxManifestSections);
  } catch (error) {
    result.errors.push(`Cannot read ${MANIFEST}: ${message(error)}`);
    return outcome;
  }
  const sectionsByName = new Map<string, ManifestSection>();
  manifest.sections.forEach((section, i) => {
    if (section.name === undefined) {
      result.errors.push(`Malformed ${MANIFEST}: individual section #${i + 1} does not have a name`);
      return;
    }
    if (sectionsByName.has(section.name)) {
      result.errors.push(`${MANIFEST} has more than one section for ${section.name}`);
      return;
    }
    sectionsByName.set(section.name, section);
    if (!seen.has(section.name)) result.errors.push(`${section.name} entry referenced by ${MANIFEST} not found in the APK`);
  });
  if (result.errors.length > 0) return outcome;

  let signers: Signer[] = [];
  for (const blockEntry of blockEntries) {
    const sfName = blockEntry.name.slice(0, blockEntry.name.lastIndexOf('.')) + '.SF';
    const sfEntry = sfEntries.get(sfName);
    if (!sfEntry) {
      result.warnings.push(`JAR signature block ${blockEntry.name} has no matching signature file ${sfName}`);
      continue;
    }
    const name = blockEntry.name.slice('META-INF/'.length);
    signers.push({
      name,
      blockEntry,
      sfEntry,
      ignored: false,
      result: { name, verified: false, errors: [], warnings: [], certificates: [], algorithms: [] },
    });
  }
  if (signers.length === 0) {
    result.errors.push('No JAR signatures');
    return outcome;
  }
  if (signers.length > SIGNING_LIMITS.maxJarSignatureFiles) {
    result.errors.push(`APK has ${signers.length} JAR signers, more than the ${SIGNING_LIMITS.maxJarSignatureFiles} allowed`);
    return outcome;
  }

  // Every signer's block must verify its .SF file; any failure rejects the APK, as on Android.
  for (const signer of signers) {
    verifyBlockAgainstSf(archive, signer, ctx);
    if (signer.result.errors.length > 0) result.signers.push(signer.result);
  }
  if (result.signers.length > 0) return outcome;

  const remaining: Signer[] = [];
  for (const signer of signers) {
    verifySfAgainstManifest(signer, manifestBytes, manifest, sectionsByName, ctx);
    if (signer.ignored) {
      for (const e of signer.result.errors) result.warnings.push(`ignored JAR signer ${signer.name}: ${e}`);
    } else if (signer.result.errors.length > 0) {
      result.signers.push(signer.result);
    } else {
      remaining.push(signer);
    }
  }
  if (result.signers.length > 0) return outcome;
  signers = remaining;
  if (signers.length === 0) {
    result.errors.push('No JAR signatures');
    return outcome;
  }

  const apkSigners = verifyEntries(archive, sectionsByName, signers, ctx, result);
  if (result.errors.length > 0) return outcome;

  const protectedNames = new Set([MANIFEST]);
  for (const s of apkSigners) {
    protectedNames.add(s.blockEntry.name);
    protectedNames.add(s.sfEntry.name);
  }
  for (const e of entries) {
    if (e.name.startsWith('META-INF/') && !e.name.endsWith('/') && !protectedNames.has(e.name)) {
      result.warnings.push(
        `${e.name} not protected by signature. Unauthorized modifications to this JAR entry will not be detected. Delete or move the entry outside of META-INF/.`,
      );
    }
  }
  for (const s of signers) {
    if (apkSigners.has(s)) {
      s.result.verified = true;
      result.signers.push(s.result);
      if (s.cert) outcome.signerCerts.push(s.cert);
    } else {
      result.warnings.push(`JAR signer ${s.name} is ignored: it does not sign the same entries as the other signers`);
    }
  }
  result.verified = true;
  return outcome;
}

// --- PKCS#7 signature block against the .SF file ---------------------------------------------

function verifyBlockAgainstSf(archive: ZipArchive, signer: Signer, ctx: V1Context): void {
  const res = signer.result;
  let block: Uint8Array;
  try {
    block = readEntry(archive, signer.blockEntry, SIGNING_LIMITS.maxSignatureBlockSize);
    signer.sfBytes = readEntry(archive, signer.sfEntry, SIGNING_LIMITS.maxManifestSize);
  } catch (error) {
    res.errors.push(`Cannot read JAR signature: ${message(error)}`);
    return;
  }
  let parsed: ReturnType<typeof parsePkcs7>;
  try {
    parsed = parsePkcs7(block);
  } catch (error) {
    res.errors.push(`Failed to parse JAR signature ${signer.blockEntry.name}: ${message(error)}`);
    return;
  }
  if (parsed.signerInfos.length === 0) {
    res.errors.push(`JAR signature ${signer.blockEntry.name} contains no signers`);
    return;
  }
  // Before Android 7.0 only the first SignerInfo is tried; from 7.0 the first that verifies wins.
  const candidates = ctx.minSdk < SDK.N ? parsed.signerInfos.slice(0, 1) : parsed.signerInfos;
  let certs: ParsedCertificate[];
  try {
    certs = parsed.certificates.map((raw) => parseCertificate(raw));
  } catch (error) {
    res.errors.push(`Failed to parse certificates in ${signer.blockEntry.name}: ${message(error)}`);
    return;
  }
  let verifiedCert: ParsedCertificate | undefined;
  for (const info of candidates) {
    const outcome = verifySignerInfo(info, parsed.eContentType, certs, signer.sfBytes, ctx, signer);
    if (res.errors.length > 0) return;
    if (outcome && !verifiedCert) verifiedCert = outcome;
  }
  if (!verifiedCert) {
    res.errors.push(`JAR signature ${signer.blockEntry.name} did not verify against ${signer.sfEntry.name}`);
    return;
  }
  signer.cert = verifiedCert;
  res.certificates.push(verifiedCert.info);
  // Complete the chain from the bag of certificates by issuer name, as apksigner reports it.
  let leaf = verifiedCert;
  const unused = certs.filter((c) => c !== verifiedCert);
  while (leaf.info.subject !== leaf.info.issuer && res.certificates.length < SIGNING_LIMITS.maxPkcs7Certificates) {
    const i = unused.findIndex((c) => c.info.subject === leaf.info.issuer);
    if (i < 0) break;
    leaf = unused.splice(i, 1)[0]!;
    res.certificates.push(leaf.info);
  }
}

interface ParsedSignerInfo {
  asn: SignerInfo;
  /** The signed attributes exactly as encoded ([0] IMPLICIT), when present. */
  signedAttrsRaw: Uint8Array | undefined;
}

function parsePkcs7(block: Uint8Array): { eContentType: string; certificates: Uint8Array[]; signerInfos: ParsedSignerInfo[] } {
  const { schema, cms } = asn1Cms();
  const contentInfo = schema.AsnConvert.parse(block, cms.ContentInfo);
  if (contentInfo.contentType !== cms.id_signedData) throw new Error(`Unsupported ContentInfo.contentType: ${contentInfo.contentType}`);
  const signedData = schema.AsnConvert.parse(contentInfo.content, cms.SignedData);
  // Raw element boundaries: ContentInfo → [0] → SignedData fields.
  const outer = readTlv(block, 0, block.length, 'ContentInfo');
  const ciParts = children(block, outer, 2, 'ContentInfo');
  const explicit = ciParts[1];
  if (!explicit) throw new Error('ContentInfo has no content');
  const sd = readTlv(block, explicit.contentStart, explicit.end, 'SignedData');
  const fields = children(block, sd, 8, 'SignedData');
  const certificates: Uint8Array[] = [];
  const signerInfosTlv = fields[fields.length - 1];
  for (const f of fields.slice(3)) {
    if (f.tag === 0xa0) {
      for (const c of children(block, f, SIGNING_LIMITS.maxPkcs7Certificates, 'certificates'))
        if (c.tag === 0x30) certificates.push(slice(block, c));
    }
  }
  if (!signerInfosTlv || signerInfosTlv.tag !== 0x31) throw new Error('SignedData has no signerInfos');
  const signerInfos: ParsedSignerInfo[] = [];
  for (const si of children(block, signerInfosTlv, SIGNING_LIMITS.maxSignerInfos, 'signerInfos')) {
    const raw = slice(block, si);
    const asn = schema.AsnConvert.parse(new Uint8Array(raw), cms.SignerInfo);
    const parts = children(block, si, 8, 'SignerInfo');
    const attrs = parts.find((p, i) => i >= 3 && p.tag === 0xa0);
    signerInfos.push({ asn, signedAttrsRaw: attrs ? slice(block, attrs) : undefined });
  }
  return { eContentType: signedData.encapContentInfo.eContentType, certificates, signerInfos };
}

function findCertificate(certs: ParsedCertificate[], info: SignerInfo): ParsedCertificate | undefined {
  const ias = info.sid.issuerAndSerialNumber;
  if (!ias) return undefined;
  const serial = BigInt('0x' + (Buffer.from(bytesOf(ias.serialNumber)).toString('hex') || '0'));
  const issuerDer = nameBytes(ias.issuer);
  const issuerText = formatName(ias.issuer).toLowerCase();
  return certs.find((c) => {
    const tbs = c.asn.tbsCertificate;
    if (BigInt('0x' + (Buffer.from(bytesOf(tbs.serialNumber)).toString('hex') || '0')) !== serial) return false;
    return bytesEqual(nameBytes(tbs.issuer), issuerDer) || formatName(tbs.issuer).toLowerCase() === issuerText;
  });
}

/** Returns the signing certificate when this SignerInfo verifies, undefined when it does not. */
function verifySignerInfo(
  parsed: ParsedSignerInfo,
  eContentType: string,
  certs: ParsedCertificate[],
  sf: Uint8Array,
  ctx: V1Context,
  signer: Signer,
): ParsedCertificate | undefined {
  const res = signer.result;
  const info = parsed.asn;
  const digestOid = info.digestAlgorithm.algorithm;
  const sigOid = info.signatureAlgorithm.algorithm;
  const unsupported = v1UnsupportedLevels(digestOid, sigOid, ctx.minSdk, ctx.maxSdk);
  if (unsupported !== undefined) {
    const digestName = DIGEST_OIDS[digestOid] ?? digestOid;
    const sigName = SIGNATURE_OIDS[sigOid]?.name ?? sigOid;
    res.errors.push(
      `JAR signature ${signer.blockEntry.name} uses digest algorithm ${digestName} and signature algorithm ${sigName} which is not supported on API Level(s) ${unsupported} for which this APK is being verified`,
    );
    return undefined;
  }
  const cert = findCertificate(certs, info);
  if (!cert) {
    res.errors.push(`Signing certificate referenced in SignerInfo not found in ${signer.blockEntry.name}`);
    return undefined;
  }
  const problem = jarSigningCertificateProblem(cert);
  if (problem) {
    res.errors.push(problem);
    return undefined;
  }
  const sig = SIGNATURE_OIDS[sigOid]!;
  const hash = sig.hash ?? DIGEST_OIDS[digestOid]!;
  let data: Uint8Array = sf;
  if (parsed.signedAttrsRaw) {
    if (ctx.minSdk < SDK.KITKAT) {
      res.errors.push(`APKs with Signed Attributes broken on platforms with API Level < ${SDK.KITKAT}`);
      return undefined;
    }
    const attrs = new Map<string, ArrayBuffer[]>();
    for (const a of info.signedAttrs ?? []) {
      if (attrs.has(a.attrType)) {
        res.errors.push(`Failed to parse JAR signature ${signer.blockEntry.name}: duplicate signed attribute ${a.attrType}`);
        return undefined;
      }
      attrs.set(a.attrType, a.attrValues);
    }
    /**
     * The content of the one value of a required attribute, or undefined after recording why there is
     * none; `name` and `missing` are how apksig's messages call the attribute.
     */
    const required = (oid: string, tag: number, name: string, missing: string): Uint8Array | undefined => {
      const values = attrs.get(oid);
      if (!values || values.length === 0) {
        res.errors.push(
          `Failed to verify JAR signature ${signer.blockEntry.name} against ${signer.sfEntry.name}: No ${missing} in signed attributes`,
        );
        return undefined;
      }
      if (values.length === 1) {
        const v = new Uint8Array(values[0]!);
        try {
          const t = readTlv(v, 0, v.length, 'attribute value');
          if (t.tag === tag) return v.subarray(t.contentStart, t.end);
        } catch {
          // Reported below like any other malformed value.
        }
      }
      res.errors.push(`Failed to parse the ${name} signed attribute in ${signer.blockEntry.name}`);
      return undefined;
    };
    if (ctx.maxSdk >= SDK.N) {
      const contentType = required(OID_CONTENT_TYPE, 0x06, 'content-type', 'Content Type');
      if (!contentType || decodeOid(contentType) !== eContentType) return undefined;
    }
    const expected = required(OID_MESSAGE_DIGEST, 0x04, 'message-digest', 'content digest');
    if (!expected) return undefined;
    const actual = createHash(nodeHash(DIGEST_OIDS[digestOid]!)).update(sf).digest();
    if (!bytesEqual(actual, expected)) return undefined;
    // Android verifies over the attributes as encoded, with only the [0] tag turned into SET OF.
    const copy = new Uint8Array(parsed.signedAttrsRaw);
    copy[0] = 0x31;
    data = copy;
  }
  const key = cert.key;
  const keyType = key?.asymmetricKeyType;
  const wanted = sig.key === 'RSA' ? ['rsa'] : sig.key === 'DSA' ? ['dsa'] : ['ec'];
  if (!key || !keyType || !wanted.includes(keyType)) {
    res.errors.push(`Failed to verify JAR signature ${signer.blockEntry.name}: ${sig.name} cannot use a ${keyType ?? 'unreadable'} key`);
    return undefined;
  }
  let ok: boolean;
  try {
    ok = cryptoVerify(nodeHash(hash), data, key, bytesOf(info.signature.buffer));
  } catch (error) {
    res.errors.push(`Failed to verify JAR signature ${signer.blockEntry.name} against ${signer.sfEntry.name}: ${message(error)}`);
    return undefined;
  }
  if (!ok) return undefined;
  res.algorithms.push(`${hash.replace('-', '')}with${sig.key === 'EC' ? 'ECDSA' : sig.key}`);
  return cert;
}

function decodeOid(bytes: Uint8Array): string {
  if (bytes.length === 0) return '';
  const parts: number[] = [];
  let value = 0;
  for (let i = 0; i < bytes.length; i++) {
    const b = bytes[i]!;
    value = value * 128 + (b & 0x7f);
    if ((b & 0x80) === 0) {
      if (parts.length === 0) {
        const first = value < 80 ? Math.floor(value / 40) : 2;
        parts.push(first, value - first * 40);
      } else {
        parts.push(value);
      }
      value = 0;
    }
  }
  return parts.join('.');
}

// --- .SF against the manifest ------------------------------------------------------------------

interface NamedDigest {
  algorithm: string;
  digest: Buffer;
}

const LEGACY_CANONICAL: Readonly<Record<string, string>> = {
  MD5: 'MD5',
  SHA: 'SHA-1',
  SHA1: 'SHA-1',
  'SHA-1': 'SHA-1',
  'SHA-256': 'SHA-256',
  'SHA-384': 'SHA-384',
  'SHA-512': 'SHA-512',
};
const LEGACY_MIN_SDK: Readonly<Record<string, number>> = {
  MD5: 0,
  'SHA-1': 0,
  'SHA-256': 0,
  'SHA-384': SDK.GINGERBREAD,
  'SHA-512': SDK.GINGERBREAD,
};
const MODERN_DIGESTS = ['SHA-512', 'SHA-384', 'SHA-256', 'SHA-1'] as const;

/** The digests of a section that some platform in range would check (apksigner's rules). */
export function digestsToVerify(section: ManifestSection, suffix: string, minSdk: number, maxSdk: number): NamedDigest[] {
  const out: NamedDigest[] = [];
  if (minSdk < SDK.JELLY_BEAN_MR2) {
    // Before 4.3 the platform walks Digest-Algorithms (default "SHA SHA1") and takes the first hit.
    const list = attribute(section, 'Digest-Algorithms') ?? 'SHA SHA1';
    for (const token of list.split(/\s+/).filter(Boolean)) {
      const value = attribute(section, token + suffix);
      if (value === undefined) continue;
      const canonical = LEGACY_CANONICAL[token.toUpperCase()];
      if (!canonical || (LEGACY_MIN_SDK[canonical] ?? SDK.MAX) > minSdk) continue;
      out.push({ algorithm: canonical, digest: Buffer.from(value, 'base64') });
      break;
    }
    if (out.length === 0) return out;
  }
  if (maxSdk >= SDK.JELLY_BEAN_MR2) {
    // From 4.3 the platform takes the strongest digest present.
    for (const algorithm of MODERN_DIGESTS) {
      const value = attribute(section, (algorithm === 'SHA-1' ? 'SHA1' : algorithm) + suffix);
      if (value === undefined) continue;
      const digest = Buffer.from(value, 'base64');
      const same = out.find((d) => d.algorithm === algorithm);
      if (!same || !same.digest.equals(digest)) out.push({ algorithm, digest });
      break;
    }
  }
  return out;
}

function digestOf(algorithm: string, data: Uint8Array): Buffer {
  return createHash(nodeHash(algorithm)).update(data).digest();
}

function verifySfAgainstManifest(
  signer: Signer,
  manifestBytes: Uint8Array,
  manifest: ParsedManifest,
  sectionsByName: Map<string, ManifestSection>,
  ctx: V1Context,
): void {
  const res = signer.result;
  const sfName = signer.sfEntry.name;
  let sf: ParsedManifest;
  try {
    sf = parseManifest(signer.sfBytes!, SIGNING_LIMITS.maxManifestSections);
  } catch (error) {
    res.errors.push(`Malformed ${sfName}: ${message(error)}`);
    signer.ignored = true;
    return;
  }
  const main = sf.main;
  if (!main || attribute(main, 'Signature-Version') === undefined) {
    res.errors.push(`${sfName} is missing the Signature-Version attribute`);
    signer.ignored = true;
    return;
  }
  if (ctx.maxSdk >= SDK.N) {
    checkStripping(main, signer, ctx);
    if (res.errors.length > 0) return;
  }
  const signtool = (attribute(main, 'Created-By') ?? '').includes('signtool');
  let manifestVerified = false;
  const whole = digestsToVerify(main, signtool ? '-Digest' : '-Digest-Manifest', ctx.minSdk, ctx.maxSdk);
  if (whole.length === 0) {
    res.warnings.push(`${sfName} does not specify a digest of ${MANIFEST}`);
  } else {
    manifestVerified = true;
    for (const d of whole) {
      if (!digestOf(d.algorithm, manifestBytes).equals(d.digest)) {
        res.warnings.push(`${d.algorithm} digest of ${MANIFEST} does not match the digest specified in ${sfName}`);
        manifestVerified = false;
      }
    }
  }
  if (!signtool && manifest.main) {
    const mainBytes = manifestBytes.subarray(manifest.main.start, manifest.main.start + manifest.main.size);
    for (const d of digestsToVerify(main, '-Digest-Manifest-Main-Attributes', ctx.minSdk, ctx.maxSdk)) {
      if (!digestOf(d.algorithm, mainBytes).equals(d.digest)) {
        res.errors.push(`${d.algorithm} digest of ${MANIFEST} main section does not match the digest specified in ${sfName}`);
      }
    }
  }
  if (res.errors.length > 0) return;

  const names = new Set<string>();
  let number = 0;
  for (const section of sf.sections) {
    number++;
    if (section.name === undefined) {
      res.errors.push(`Malformed ${sfName}: invidual section #${number} does not have a name`);
      signer.ignored = true;
      return;
    }
    if (names.has(section.name)) {
      res.errors.push(`${sfName} has more than one section for ${section.name}`);
      signer.ignored = true;
      return;
    }
    names.add(section.name);
    if (manifestVerified) continue;
    const mfSection = sectionsByName.get(section.name);
    if (!mfSection) {
      res.errors.push(`${sfName} names ${section.name}, which has no section in ${MANIFEST}`);
      signer.ignored = true;
      continue;
    }
    const expected = digestsToVerify(section, '-Digest', ctx.minSdk, ctx.maxSdk);
    if (expected.length === 0) {
      res.errors.push(`No digest for ${section.name} in ${sfName}`);
      continue;
    }
    let size = mfSection.size;
    // signtool digested sections without their final empty line.
    const endAt = mfSection.start + size;
    if (signtool && size >= 2 && manifestBytes[endAt - 1] === 0x0a && manifestBytes[endAt - 2] === 0x0a) size--;
    const sectionBytes = manifestBytes.subarray(mfSection.start, mfSection.start + size);
    for (const d of expected) {
      if (!digestOf(d.algorithm, sectionBytes).equals(d.digest)) {
        res.errors.push(
          `${d.algorithm} digest of ${MANIFEST} section for ${section.name} does not match the digest specified in ${sfName}`,
        );
      }
    }
  }
  signer.sfEntryNames = names;
}

function checkStripping(main: ManifestSection, signer: Signer, ctx: V1Context): void {
  const value = attribute(main, 'X-Android-APK-Signed');
  const res = signer.result;
  if (value === undefined) {
    if (ctx.foundSchemes.size > 0) res.warnings.push(`${signer.sfEntry.name} does not protect against APK Signature Scheme v2+ stripping`);
    return;
  }
  if (ctx.supportedSchemes.size === 0) return;
  const expected = new Set<number>();
  for (const token of value.split(',')) {
    const text = token.trim();
    if (!/^[+-]?\d+$/.test(text)) continue;
    const id = Number(text);
    if (ctx.supportedSchemes.has(id)) expected.add(id);
    else res.warnings.push(`${signer.sfEntry.name} references unknown APK signature scheme ID: ${id}`);
  }
  for (const id of expected) {
    if (!ctx.foundSchemes.has(id)) {
      res.errors.push(
        `JAR signature ${signer.sfEntry.name} indicates the APK is signed using ${ctx.supportedSchemes.get(id)} but no such signature was found. Signature stripped?`,
      );
    }
  }
}

// --- entries against the manifest --------------------------------------------------------------

function verifyEntries(
  archive: ZipArchive,
  sectionsByName: Map<string, ManifestSection>,
  signers: Signer[],
  ctx: V1Context,
  result: SchemeResult,
): Set<Signer> {
  const sorted = [...archive.entries].sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  let first: { name: string; signers: Signer[] } | undefined;
  for (const entry of sorted) {
    const name = entry.name;
    if (name.startsWith('META-INF/') || name.endsWith('/')) continue;
    const section = sectionsByName.get(name);
    if (!section) {
      result.errors.push(`No JAR signature digest for ${name} in ${MANIFEST}`);
      continue;
    }
    const entrySigners = signers.filter((s) => s.sfEntryNames?.has(name));
    if (entrySigners.length === 0) {
      result.errors.push(`${name} is not signed by any JAR signer`);
      continue;
    }
    if (!first) {
      first = { name, signers: entrySigners };
    } else if (entrySigners.length !== first.signers.length || entrySigners.some((s, i) => s !== first!.signers[i])) {
      result.errors.push(`${name} is signed by a different set of JAR signers than ${first.name}`);
      continue;
    }
    const expected = digestsToVerify(section, '-Digest', ctx.minSdk, ctx.maxSdk);
    if (expected.length === 0) {
      result.errors.push(`No JAR signature digest for ${name} in ${MANIFEST}`);
      continue;
    }
    let data: Uint8Array;
    try {
      data = readEntry(archive, entry, archive.limits.maxEntrySize);
    } catch (error) {
      if (!(error instanceof ApkFormatError)) throw error;
      result.errors.push(`Cannot read ${name}: ${error.message}`);
      continue;
    }
    for (const d of expected) {
      const actual = digestOf(d.algorithm, data);
      if (!actual.equals(d.digest)) {
        result.errors.push(
          `${d.algorithm} digest of ${name} does not match the digest specified in ${MANIFEST}. Expected: <${d.digest.toString('base64')}>, actual: <${actual.toString('base64')}>`,
        );
      }
    }
  }
  if (!first) {
    result.errors.push('No JAR entries covered by JAR signatures');
    return new Set();
  }
  return new Set(first.signers);
}
