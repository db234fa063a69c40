import { createHash, createPublicKey, type KeyObject } from 'node:crypto';
import type { Certificate, Name } from '@peculiar/asn1-x509';
import { asn1 } from './asn1.js';
import { toHex } from '../io/bytes.js';
import type { CertificateInfo } from './types.js';

/** A parsed X.509 certificate with what verification needs next to the public description. */
export interface ParsedCertificate {
  /** The bytes exactly as stored in the APK (fingerprints and equality use these). */
  raw: Uint8Array;
  info: CertificateInfo;
  asn: Certificate;
  /** SubjectPublicKeyInfo re-encoded as DER (what Java's getEncoded() returns). */
  spki: Uint8Array;
  /** Undefined when Node cannot load the key (unknown algorithm, broken encoding). */
  key: KeyObject | undefined;
  keyError?: string;
}

const NAME_KEYS: Readonly<Record<string, string>> = {
  '2.5.4.3': 'CN',
  '2.5.4.6': 'C',
  '2.5.4.7': 'L',
  '2.5.4.8': 'ST',
  '2.5.4.10': 'O',
  '2.5.4.11': 'OU',
  '2.5.4.9': 'STREET',
  '0.9.2342.19200300.100.1.25': 'DC',
  '0.9.2342.19200300.100.1.1': 'UID',
  '1.2.840.113549.1.9.1': 'EMAILADDRESS',
};

const SIG_NAMES: Readonly<Record<string, string>> = {
  '1.2.840.113549.1.1.4': 'md5WithRSAEncryption',
  '1.2.840.113549.1.1.5': 'sha1WithRSAEncryption',
  '1.2.840.113549.1.1.14': 'sha224WithRSAEncryption',
  '1.2.840.113549.1.1.11': 'sha256WithRSAEncryption',
  '1.2.840.113549.1.1.12': 'sha384WithRSAEncryption',
  '1.2.840.113549.1.1.13': 'sha512WithRSAEncryption',
  '1.2.840.113549.1.1.10': 'rsassaPss',
  '1.2.840.10040.4.3': 'dsaWithSHA1',
  '2.16.840.1.101.3.4.3.1': 'dsaWithSHA224',
  '2.16.840.1.101.3.4.3.2': 'dsaWithSHA256',
  '1.2.840.10045.4.1': 'ecdsaWithSHA1',
  '1.2.840.10045.4.3.1': 'ecdsaWithSHA224',
  '1.2.840.10045.4.3.2': 'ecdsaWithSHA256',
  '1.2.840.10045.4.3.3': 'ecdsaWithSHA384',
  '1.2.840.10045.4.3.4': 'ecdsaWithSHA512',
  '1.3.101.112': 'Ed25519',
};

function escapeDnValue(value: string): string {
  return value
    .replace(/([,+"\\<>;])/g, '\\$1')
    .replace(/^([ #])/, '\\$1')
    .replace(/ $/, '\\ ');
}

/** RFC 4514 string: RDNs in reverse encoding order, which is how apksigner prints DNs. */
export function formatName(name: Name): string {
  return [...name]
    .reverse()
    .map((rdn) =>
      [...rdn]
        .map((atv) => {
          const key = NAME_KEYS[atv.type] ?? atv.type;
          let value: string;
          try {
            value = atv.value.toString();
          } catch {
            value = '#' + (atv.value.anyValue ? toHex(new Uint8Array(atv.value.anyValue)) : '');
          }
          return `${key}=${escapeDnValue(value)}`;
        })
        .join('+'),
    )
    .join(',');
}

function serialHex(serial: ArrayBuffer): string {
  const hex = toHex(new Uint8Array(serial)).replace(/^(00)+(?=.)/, '');
  return hex === '' ? '0' : hex;
}

function keyDescription(key: KeyObject | undefined, spkiOid: string): CertificateInfo['publicKey'] {
  if (!key) return { algorithm: spkiOid };
  const type = key.asymmetricKeyType ?? 'unknown';
  const details = key.asymmetricKeyDetails ?? {};
  const algorithm = type === 'rsa' || type === 'rsa-pss' ? 'RSA' : type === 'ec' ? 'EC' : type === 'dsa' ? 'DSA' : type;
  const out: CertificateInfo['publicKey'] = { algorithm };
  if (details.modulusLength !== undefined) out.bits = details.modulusLength;
  if (details.namedCurve !== undefined) out.curve = details.namedCurve;
  return out;
}

/** Parses a DER (or BER-ish) certificate; throws on bytes that are not a certificate. */
export function parseCertificate(raw: Uint8Array): ParsedCertificate {
  const copy = new Uint8Array(raw);
  const { schema, x509 } = asn1();
  const asn = schema.AsnConvert.parse(copy, x509.Certificate);
  const tbs = asn.tbsCertificate;
  const spki = new Uint8Array(schema.AsnConvert.serialize(tbs.subjectPublicKeyInfo));
  let key: KeyObject | undefined;
  let keyError: string | undefined;
  try {
    key = createPublicKey({ key: Buffer.from(spki), format: 'der', type: 'spki' });
  } catch (error) {
    keyError = error instanceof Error ? error.message : String(error);
  }
  const info: CertificateInfo = {
    subject: formatName(tbs.subject),
    issuer: formatName(tbs.issuer),
    serialNumber: serialHex(tbs.serialNumber),
    notBefore: safeIso(() => tbs.validity.notBefore.getTime()),
    notAfter: safeIso(() => tbs.validity.notAfter.getTime()),
    sha256: createHash('sha256').update(raw).digest('hex'),
    sha1: createHash('sha1').update(raw).digest('hex'),
    publicKey: keyDescription(key, tbs.subjectPublicKeyInfo.algorithm.algorithm),
    signatureAlgorithm: SIG_NAMES[asn.signatureAlgorithm.algorithm] ?? asn.signatureAlgorithm.algorithm,
  };
  const out: ParsedCertificate = { raw, info, asn, spki, key };
  if (keyError !== undefined) out.keyError = keyError;
  return out;
}

function safeIso(get: () => Date): string {
  try {
    const d = get();
    return Number.isNaN(d.getTime()) ? '' : d.toISOString();
  } catch {
    return '';
  }
}

/** Critical extensions the platform's certificate code understands. */
const KNOWN_CRITICAL = new Set([
  '2.5.29.15', // keyUsage
  '2.5.29.19', // basicConstraints
  '2.5.29.37', // extKeyUsage
  '2.5.29.17', // subjectAltName
  '2.5.29.18', // issuerAltName
  '2.5.29.30', // nameConstraints
  '2.5.29.32', // certificatePolicies
  '2.5.29.33', // policyMappings
  '2.5.29.36', // policyConstraints
  '2.5.29.54', // inhibitAnyPolicy
  '2.5.29.14', // subjectKeyIdentifier
  '2.5.29.35', // authorityKeyIdentifier
]);

/** Why this certificate may not sign JAR signatures (Android checks these itself), or undefined. */
export function jarSigningCertificateProblem(cert: ParsedCertificate): string | undefined {
  const extensions = cert.asn.tbsCertificate.extensions ?? [];
  for (const ext of extensions) {
    if (ext.critical && !KNOWN_CRITICAL.has(ext.extnID)) return `Signing certificate has unsupported critical extension ${ext.extnID}`;
  }
  const { schema, x509 } = asn1();
  const ku = extensions.find((e) => e.extnID === x509.id_ce_keyUsage);
  if (ku) {
    try {
      const usage = schema.AsnConvert.parse(ku.extnValue, x509.KeyUsage);
      // Bit 0 digitalSignature, bit 1 nonRepudiation (asn1-x509 numbers them as flags 1 and 2).
      if ((usage.toNumber() & 0b11) === 0) {
        return 'Signing certificate not authorized for use in digital signatures: keyUsage extension missing digitalSignature and nonRepudiation';
      }
    } catch {
      return 'Signing certificate has a malformed keyUsage extension';
    }
  }
  return undefined;
}

export function bytesOf(buffer: ArrayBuffer | ArrayBufferView): Uint8Array {
  return buffer instanceof ArrayBuffer ? new Uint8Array(buffer) : new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

export function nameBytes(name: Name): Uint8Array {
  return new Uint8Array(asn1().schema.AsnConvert.serialize(name));
}
