import { createHash, createPrivateKey, generateKeyPairSync, randomBytes, sign as cryptoSign, type KeyObject } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { AsnConvert, OctetString } from '@peculiar/asn1-schema';
import {
  CertificateSet,
  CertificateChoices,
  ContentInfo,
  EncapsulatedContentInfo,
  IssuerAndSerialNumber,
  SignedData,
  SignerIdentifier,
  SignerInfo,
  SignerInfos,
  id_data,
  id_signedData,
  Attribute,
} from '@peculiar/asn1-cms';
import {
  AlgorithmIdentifier,
  AttributeTypeAndValue,
  Certificate,
  Name,
  RelativeDistinguishedName,
  SubjectPublicKeyInfo,
  TBSCertificate,
  Validity,
  Version,
} from '@peculiar/asn1-x509';
import { ZipArchive } from '@apprights/apk';
import { corporaDir } from './fixtures.js';
import { buildZip, type ZipWriterEntry } from './zip-writer.js';

/**
 * A test-only APK signer: JAR signing (v1) and APK Signature Scheme v2/v3 (with an optional
 * proof-of-rotation lineage), written from the published formats so the verifier's tests can build
 * fixtures and break them on purpose. Keys come from the AOSP test keys in ../shared/corpora/apksig
 * when present, or are generated with node:crypto plus a self-signed certificate.
 */

export interface TestKey {
  privateKey: KeyObject;
  /** DER certificate. */
  certificate: Uint8Array;
  type: 'rsa' | 'ec' | 'dsa';
}

// --- keys and certificates ---------------------------------------------------------------------

const SIG_ALG_OID = { rsa: '1.2.840.113549.1.1.11', ec: '1.2.840.10045.4.3.2', dsa: '2.16.840.1.101.3.4.3.2' } as const;

/** Subject attributes besides the common name, by their usual short names. */
export interface SubjectExtra {
  /** O, the organisation. */
  organisation?: string;
}

function name(cn: string, extra: SubjectExtra = {}): Name {
  const rdn = (type: string, value: string) => {
    const atv = new AttributeTypeAndValue({ type });
    atv.value.utf8String = value;
    return new RelativeDistinguishedName([atv]);
  };
  const rdns = [];
  if (extra.organisation !== undefined) rdns.push(rdn('2.5.4.10', extra.organisation));
  rdns.push(rdn('2.5.4.3', cn));
  return new Name(rdns);
}

/** Generates a key pair and a self-signed certificate for it (no ../shared needed). */
export function generateTestKey(type: TestKey['type'] = 'rsa', cn = `AppRights test ${type}`, extra: SubjectExtra = {}): TestKey {
  const pair =
    type === 'rsa'
      ? generateKeyPairSync('rsa', { modulusLength: 2048 })
      : type === 'ec'
        ? generateKeyPairSync('ec', { namedCurve: 'prime256v1' })
        : generateKeyPairSync('dsa', { modulusLength: 2048, divisorLength: 256 });
  const spki = AsnConvert.parse(pair.publicKey.export({ type: 'spki', format: 'der' }), SubjectPublicKeyInfo);
  const algorithm = new AlgorithmIdentifier({ algorithm: SIG_ALG_OID[type] });
  if (type === 'rsa') algorithm.parameters = new Uint8Array([0x05, 0x00]).buffer;
  const serial = randomBytes(8);
  serial[0] = serial[0]! & 0x7f;
  const tbs = new TBSCertificate({
    version: Version.v3,
    serialNumber: serial.buffer.slice(serial.byteOffset, serial.byteOffset + 8),
    signature: algorithm,
    issuer: name(cn, extra),
    validity: new Validity({ notBefore: new Date('2020-01-01T00:00:00Z'), notAfter: new Date('2050-01-01T00:00:00Z') }),
    subject: name(cn, extra),
    subjectPublicKeyInfo: spki,
  });
  const tbsDer = Buffer.from(AsnConvert.serialize(tbs));
  const signature = cryptoSign('sha256', tbsDer, pair.privateKey);
  const cert = new Certificate({
    tbsCertificate: tbs,
    signatureAlgorithm: algorithm,
    signatureValue: signature.buffer.slice(signature.byteOffset, signature.byteOffset + signature.byteLength),
  });
  return { privateKey: pair.privateKey, certificate: new Uint8Array(AsnConvert.serialize(cert)), type };
}

/** Loads an AOSP test key (`rsa-2048`, `ec-p256`, `dsa-2048`, ...) when the corpora are present. */
export function loadCorpusKey(base: string): TestKey | undefined {
  if (!corporaDir) return undefined;
  const dir = join(corporaDir, 'apksig');
  if (!existsSync(join(dir, `${base}.pk8`))) return undefined;
  const privateKey = createPrivateKey({ key: readFileSync(join(dir, `${base}.pk8`)), format: 'der', type: 'pkcs8' });
  const pem = readFileSync(join(dir, `${base}.x509.pem`), 'utf8');
  const certificate = new Uint8Array(Buffer.from(pem.replace(/-----[^-]+-----/g, '').replace(/\s+/g, ''), 'base64'));
  const type = privateKey.asymmetricKeyType === 'ec' ? 'ec' : privateKey.asymmetricKeyType === 'dsa' ? 'dsa' : 'rsa';
  return { privateKey, certificate, type };
}

// --- ZIP writing -------------------------------------------------------------------------------

/** Entries as the signer reads and writes them: binary data, stored or deflated. */
export type ZipInput = ZipWriterEntry & { data: Uint8Array };

/** A small unsigned "APK": the verifier needs only that AndroidManifest.xml exists. */
export function sampleEntries(): ZipInput[] {
  return [
    { name: 'AndroidManifest.xml', data: Buffer.from('not really binary XML, but present') },
    { name: 'classes.dex', data: randomBytes(5000) },
    { name: 'res/raw/big.bin', data: Buffer.alloc(1.5 * 1024 * 1024, 7), method: 0 },
    { name: 'assets/readme.txt', data: Buffer.from('hello '.repeat(200)) },
  ];
}

// --- v1 (JAR signing) --------------------------------------------------------------------------

function b64(hash: string, data: Uint8Array): string {
  return createHash(hash).update(data).digest('base64');
}

/** One manifest attribute line, wrapped at 72 bytes with continuation lines. */
function line(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length <= 70) return text + '\r\n';
  const parts: string[] = [];
  let rest = bytes;
  let first = true;
  while (rest.length > 0) {
    const take = first ? 70 : 69;
    parts.push((first ? '' : ' ') + rest.subarray(0, take).toString('utf8'));
    rest = rest.subarray(take);
    first = false;
  }
  return parts.join('\r\n') + '\r\n';
}

export interface V1Options {
  /** `SHA-256` (default) or `SHA1`, the digest attribute family. */
  digest?: 'SHA-256' | 'SHA1';
  /** Include PKCS#7 signed attributes (content type + message digest). */
  signedAttributes?: boolean;
  /** Value of X-Android-APK-Signed (default: the block schemes being added). */
  apkSigned?: string | null;
  /** Signature file base name, default CERT. */
  name?: string;
}

function pkcs7(key: TestKey, sf: Uint8Array, signedAttributes: boolean): Uint8Array {
  const cert = AsnConvert.parse(key.certificate, Certificate);
  const sigOid = key.type === 'rsa' ? '1.2.840.113549.1.1.1' : key.type === 'ec' ? '1.2.840.10045.2.1' : '2.16.840.1.101.3.4.3.2';
  const sha256 = new AlgorithmIdentifier({ algorithm: '2.16.840.1.101.3.4.2.1' });
  const info = new SignerInfo({
    version: 1,
    sid: new SignerIdentifier({
      issuerAndSerialNumber: new IssuerAndSerialNumber({
        issuer: cert.tbsCertificate.issuer,
        serialNumber: cert.tbsCertificate.serialNumber,
      }),
    }),
    digestAlgorithm: sha256,
    signatureAlgorithm: new AlgorithmIdentifier({ algorithm: sigOid }),
  });
  let toSign: Uint8Array = sf;
  if (signedAttributes) {
    const contentType = Buffer.from('06092a864886f70d010701', 'hex');
    const digest = createHash('sha256').update(sf).digest();
    const md = Buffer.concat([Buffer.from([0x04, digest.length]), digest]);
    info.signedAttrs = [
      new Attribute({
        attrType: '1.2.840.113549.1.9.3',
        attrValues: [contentType.buffer.slice(contentType.byteOffset, contentType.byteOffset + contentType.length)],
      }),
      new Attribute({ attrType: '1.2.840.113549.1.9.4', attrValues: [md.buffer.slice(md.byteOffset, md.byteOffset + md.length)] }),
    ];
    const set = Buffer.concat(info.signedAttrs.map((a) => Buffer.from(AsnConvert.serialize(a))));
    toSign = Buffer.concat([derHeader(0x31, set.length), set]);
  }
  const signature = cryptoSign('sha256', toSign, key.privateKey);
  info.signature = new OctetString(signature);
  const sd = new SignedData({
    version: 1,
    encapContentInfo: new EncapsulatedContentInfo({ eContentType: id_data }),
    certificates: new CertificateSet([new CertificateChoices({ certificate: cert })]),
    signerInfos: new SignerInfos([info]),
  });
  sd.digestAlgorithms.push(sha256);
  return new Uint8Array(AsnConvert.serialize(new ContentInfo({ contentType: id_signedData, content: AsnConvert.serialize(sd) })));
}

function derHeader(tag: number, length: number): Buffer {
  if (length < 0x80) return Buffer.from([tag, length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([tag, 0x80 | bytes.length, ...bytes]);
}

function v1Files(entries: ZipInput[], keys: TestKey[], options: V1Options, apkSigned: string | null): ZipInput[] {
  const alg = options.digest ?? 'SHA-256';
  const hash = alg === 'SHA1' ? 'sha1' : 'sha256';
  const mainMf = 'Manifest-Version: 1.0\r\nCreated-By: 1.0 (AppRights test signer)\r\n\r\n';
  const sections = entries
    .filter((e) => !e.name.startsWith('META-INF/') && !e.name.endsWith('/'))
    .map((e) => line(`Name: ${e.name}`) + line(`${alg}-Digest: ${b64(hash, e.data)}`) + '\r\n');
  const manifest = Buffer.from(mainMf + sections.join(''), 'utf8');
  let sf = 'Signature-Version: 1.0\r\nCreated-By: 1.0 (AppRights test signer)\r\n';
  sf += line(`${alg}-Digest-Manifest: ${b64(hash, manifest)}`);
  sf += line(`${alg}-Digest-Manifest-Main-Attributes: ${b64(hash, Buffer.from(mainMf))}`);
  if (apkSigned !== null) sf += line(`X-Android-APK-Signed: ${apkSigned}`);
  sf += '\r\n';
  for (const s of sections) {
    const nameLine = s.slice(0, s.indexOf('\r\n' + alg) + 2);
    sf += nameLine + line(`${alg}-Digest: ${b64(hash, Buffer.from(s, 'utf8'))}`) + '\r\n';
  }
  const sfBytes = Buffer.from(sf, 'utf8');
  const out: ZipInput[] = [{ name: 'META-INF/MANIFEST.MF', data: manifest }];
  keys.forEach((key, i) => {
    const base = `META-INF/${options.name ?? 'CERT'}${keys.length > 1 ? i + 1 : ''}`;
    const ext = key.type === 'rsa' ? 'RSA' : key.type === 'ec' ? 'EC' : 'DSA';
    out.push(
      { name: `${base}.SF`, data: sfBytes },
      { name: `${base}.${ext}`, data: pkcs7(key, sfBytes, options.signedAttributes ?? false) },
    );
  });
  return out;
}

// --- v2 / v3 -----------------------------------------------------------------------------------

const ALGORITHM_FOR = { rsa: 0x0103, ec: 0x0201, dsa: 0x0301 } as const;

function u32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n >>> 0, 0);
  return b;
}
function lp(...parts: Uint8Array[]): Buffer {
  const body = Buffer.concat(parts);
  return Buffer.concat([u32(body.length), body]);
}
function seq(items: Uint8Array[]): Buffer {
  const body = Buffer.concat(items.map((i) => lp(i)));
  return Buffer.concat([u32(body.length), body]);
}

function signWith(algorithm: number, key: KeyObject, data: Uint8Array): Buffer {
  const hash = algorithm === 0x0102 || algorithm === 0x0104 || algorithm === 0x0202 ? 'sha512' : 'sha256';
  if (algorithm === 0x0101 || algorithm === 0x0102)
    return cryptoSign(hash, data, { key, padding: 6, saltLength: hash === 'sha256' ? 32 : 64 });
  return cryptoSign(hash, data, key);
}

/** CHUNKED_SHA256/512 content digest of an unsigned ZIP whose signing block will sit at its CD offset. */
export function chunkedDigest(zip: Uint8Array, hash: 'sha256' | 'sha512'): Buffer {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = zip.length - 22;
  while (eocd >= 0 && view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  const cdOffset = view.getUint32(eocd + 16, true);
  const sections = [zip.subarray(0, cdOffset), zip.subarray(cdOffset, eocd), zip.subarray(eocd)];
  const chunks: Buffer[] = [];
  for (const s of sections) {
    for (let i = 0; i < s.length; i += 1 << 20) {
      const c = s.subarray(i, Math.min(s.length, i + (1 << 20)));
      chunks.push(
        createHash(hash)
          .update(Buffer.from([0xa5]))
          .update(u32(c.length))
          .update(c)
          .digest(),
      );
    }
  }
  return createHash(hash)
    .update(Buffer.from([0x5a]))
    .update(u32(chunks.length))
    .update(Buffer.concat(chunks))
    .digest();
}

export interface BlockSignerOptions {
  /** Signature algorithm IDs to include (default: one matching the key). */
  algorithms?: number[];
  /** v3: platform range (default 28 to 0x7fffffff). */
  minSdk?: number;
  maxSdk?: number;
  /** Extra additional attributes (ID, value). */
  attributes?: [number, Uint8Array][];
  /** v3: older keys first, ending with this signer's key; adds a proof-of-rotation attribute. */
  lineage?: TestKey[];
}

function lineageAttribute(keys: TestKey[]): Buffer {
  const nodes: Buffer[] = [];
  keys.forEach((k, i) => {
    const parentAlg = i === 0 ? 0 : ALGORITHM_FOR[keys[i - 1]!.type];
    const signedData = Buffer.concat([lp(k.certificate), u32(parentAlg)]);
    const signature = i === 0 ? Buffer.alloc(0) : signWith(parentAlg, keys[i - 1]!.privateKey, signedData);
    const ownAlg = i === keys.length - 1 ? 0 : ALGORITHM_FOR[k.type];
    nodes.push(lp(lp(signedData), u32(0x1f), u32(ownAlg), lp(signature)));
  });
  return Buffer.concat([u32(1), ...nodes]);
}

function blockSigner(scheme: 'v2' | 'v3', key: TestKey, digests: Map<number, Buffer>, options: BlockSignerOptions): Buffer {
  const algorithms = options.algorithms ?? [ALGORITHM_FOR[key.type]];
  const digestRecords = algorithms.map((a) => Buffer.concat([u32(a), lp(digests.get(a) ?? Buffer.alloc(32))]));
  const attrs = (options.attributes ?? []).map(([id, value]) => Buffer.concat([u32(id), value]));
  if (scheme === 'v3' && options.lineage) attrs.push(Buffer.concat([u32(0x3ba06f8c), lineageAttribute(options.lineage)]));
  const minSdk = options.minSdk ?? 28;
  const maxSdk = options.maxSdk ?? 0x7fffffff;
  const signedData = Buffer.concat([
    seq(digestRecords),
    seq([key.certificate]),
    ...(scheme === 'v3' ? [u32(minSdk), u32(maxSdk)] : []),
    seq(attrs),
  ]);
  const signatures = algorithms.map((a) => Buffer.concat([u32(a), lp(signWith(a, key.privateKey, signedData))]));
  const publicKey = AsnConvert.serialize(AsnConvert.parse(key.certificate, Certificate).tbsCertificate.subjectPublicKeyInfo);
  return Buffer.concat([
    lp(signedData),
    ...(scheme === 'v3' ? [u32(minSdk), u32(maxSdk)] : []),
    seq(signatures),
    lp(new Uint8Array(publicKey)),
  ]);
}

export interface SignOptions {
  v1?: boolean | V1Options;
  v2?: boolean | BlockSignerOptions;
  v3?: boolean | BlockSignerOptions;
  /** Extra ID-value pairs appended to the APK Signing Block. */
  extraPairs?: [number, Uint8Array][];
  /** Block IDs to leave out after signing (to simulate stripped signatures). */
  omitPairs?: number[];
  /** v2/v1 key (default: the first key; with a v3 lineage, its oldest key). */
  keys: TestKey[];
}

function digestsFor(zip: Uint8Array, algorithms: number[]): Map<number, Buffer> {
  const out = new Map<number, Buffer>();
  for (const a of algorithms) out.set(a, chunkedDigest(zip, a === 0x0102 || a === 0x0104 || a === 0x0202 ? 'sha512' : 'sha256'));
  return out;
}

/**
 * Signs a ZIP: drops any old signature files, adds the v1 files when asked, then inserts an APK
 * Signing Block with v2 and/or v3 blocks before the central directory.
 */
export function signApk(zipBytes: Uint8Array, options: SignOptions): Uint8Array {
  const archive = ZipArchive.fromBytes(zipBytes);
  let entries: ZipInput[] = archive.entries
    .filter((e) => !/^META-INF\/(MANIFEST\.MF|[^/]+\.(SF|RSA|DSA|EC))$/.test(e.name))
    .map((e) => ({ name: e.name, data: archive.read(e), method: e.method }));
  const [first] = options.keys;
  if (!first) throw new Error('signApk needs at least one key');
  const v3opts = typeof options.v3 === 'object' ? options.v3 : {};
  const v2opts = typeof options.v2 === 'object' ? options.v2 : {};
  if (options.v1) {
    const v1opts = typeof options.v1 === 'object' ? options.v1 : {};
    const schemes = [options.v2 ? '2' : '', options.v3 ? '3' : ''].filter(Boolean).join(', ');
    const apkSigned = v1opts.apkSigned !== undefined ? v1opts.apkSigned : schemes === '' ? null : schemes;
    entries = entries.concat(v1Files(entries, v3opts.lineage ? [first] : options.keys, v1opts, apkSigned));
  }
  const zip = buildZip(entries);
  if (!options.v2 && !options.v3) return zip;

  const pairs: [number, Buffer][] = [];
  if (options.v2) {
    const keys = v3opts.lineage ? [first] : options.keys;
    const signers = keys.map((k) => {
      const algs = v2opts.algorithms ?? [ALGORITHM_FOR[k.type]];
      return blockSigner('v2', k, digestsFor(zip, algs), {
        ...v2opts,
        attributes: [...(v2opts.attributes ?? []), ...(options.v3 ? [[0xbeeff00d, u32(3)] as [number, Uint8Array]] : [])],
      });
    });
    pairs.push([0x7109871a, seq(signers)]);
  }
  if (options.v3) {
    const key = v3opts.lineage ? v3opts.lineage[v3opts.lineage.length - 1]! : first;
    const algs = v3opts.algorithms ?? [ALGORITHM_FOR[key.type]];
    pairs.push([0xf05368c0, seq([blockSigner('v3', key, digestsFor(zip, algs), v3opts)])]);
  }
  for (const [id, value] of options.extraPairs ?? []) pairs.push([id, Buffer.from(value)]);
  return insertSigningBlock(
    zip,
    pairs.filter(([id]) => !(options.omitPairs ?? []).includes(id)),
  );
}

/** Builds an APK Signing Block from pairs and inserts it before the central directory. */
export function insertSigningBlock(zip: Uint8Array, pairs: [number, Uint8Array][]): Uint8Array {
  const body = Buffer.concat(
    pairs.map(([id, value]) => {
      const size = Buffer.alloc(8);
      size.writeBigUInt64LE(BigInt(value.length + 4));
      return Buffer.concat([size, u32(id), value]);
    }),
  );
  const sizeField = Buffer.alloc(8);
  sizeField.writeBigUInt64LE(BigInt(body.length + 8 + 16));
  const block = Buffer.concat([sizeField, body, sizeField, Buffer.from('APK Sig Block 42', 'latin1')]);
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  let eocd = zip.length - 22;
  while (eocd >= 0 && view.getUint32(eocd, true) !== 0x06054b50) eocd--;
  const cdOffset = view.getUint32(eocd + 16, true);
  const out = Buffer.concat([zip.subarray(0, cdOffset), block, zip.subarray(cdOffset)]);
  out.writeUInt32LE(cdOffset + block.length, eocd + block.length + 16);
  return out;
}
