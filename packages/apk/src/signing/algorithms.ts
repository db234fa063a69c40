import { constants, type KeyObject, verify as cryptoVerify } from 'node:crypto';
import { SDK } from './limits.js';

/** Content digest used over the APK by a signing-block signature algorithm. */
export type ContentDigestKind = 'CHUNKED_SHA256' | 'CHUNKED_SHA512' | 'VERITY_CHUNKED_SHA256';

export interface BlockSignatureAlgorithm {
  id: number;
  name: string;
  digest: ContentDigestKind;
  /** First platform that verifies this algorithm in an APK Signature Scheme block. */
  minSdk: number;
  keyType: 'rsa' | 'ec' | 'dsa';
  hash: 'sha256' | 'sha512';
  pss: boolean;
}

function alg(
  id: number,
  name: string,
  digest: ContentDigestKind,
  minSdk: number,
  keyType: BlockSignatureAlgorithm['keyType'],
  hash: BlockSignatureAlgorithm['hash'],
  pss = false,
): BlockSignatureAlgorithm {
  return { id, name, digest, minSdk, keyType, hash, pss };
}

/** Signature algorithm IDs of APK Signature Scheme v2/v3 (from the published scheme description). */
export const BLOCK_SIGNATURE_ALGORITHMS: ReadonlyMap<number, BlockSignatureAlgorithm> = new Map(
  [
    alg(0x0101, 'RSA_PSS_WITH_SHA256', 'CHUNKED_SHA256', SDK.N, 'rsa', 'sha256', true),
    alg(0x0102, 'RSA_PSS_WITH_SHA512', 'CHUNKED_SHA512', SDK.N, 'rsa', 'sha512', true),
    alg(0x0103, 'RSA_PKCS1_V1_5_WITH_SHA256', 'CHUNKED_SHA256', SDK.N, 'rsa', 'sha256'),
    alg(0x0104, 'RSA_PKCS1_V1_5_WITH_SHA512', 'CHUNKED_SHA512', SDK.N, 'rsa', 'sha512'),
    alg(0x0201, 'ECDSA_WITH_SHA256', 'CHUNKED_SHA256', SDK.N, 'ec', 'sha256'),
    alg(0x0202, 'ECDSA_WITH_SHA512', 'CHUNKED_SHA512', SDK.N, 'ec', 'sha512'),
    alg(0x0301, 'DSA_WITH_SHA256', 'CHUNKED_SHA256', SDK.N, 'dsa', 'sha256'),
    alg(0x0421, 'VERITY_RSA_PKCS1_V1_5_WITH_SHA256', 'VERITY_CHUNKED_SHA256', SDK.P, 'rsa', 'sha256'),
    alg(0x0423, 'VERITY_ECDSA_WITH_SHA256', 'VERITY_CHUNKED_SHA256', SDK.P, 'ec', 'sha256'),
    alg(0x0425, 'VERITY_DSA_WITH_SHA256', 'VERITY_CHUNKED_SHA256', SDK.P, 'dsa', 'sha256'),
  ].map((a) => [a.id, a]),
);

/** Preference between content digests when one platform could use several: SHA-512 > verity > SHA-256. */
const DIGEST_RANK: Record<ContentDigestKind, number> = { CHUNKED_SHA256: 0, VERITY_CHUNKED_SHA256: 1, CHUNKED_SHA512: 2 };

export function compareBlockAlgorithms(a: BlockSignatureAlgorithm, b: BlockSignatureAlgorithm): number {
  return DIGEST_RANK[a.digest] - DIGEST_RANK[b.digest];
}

/**
 * Which of a signer's signatures Android checks somewhere in [minSdk, maxSdk]: on each platform the
 * strongest algorithm it supports wins, so we keep the best one per "supported from" level. Fails
 * (returns a reason) when the oldest platform in the range supports none of them.
 */
export function selectSignatures<T extends { algorithm: BlockSignatureAlgorithm }>(
  signatures: readonly T[],
  minSdk: number,
  maxSdk: number,
): T[] | string {
  const best = new Map<number, T>();
  let lowest = Number.POSITIVE_INFINITY;
  for (const sig of signatures) {
    const from = sig.algorithm.minSdk;
    if (from > maxSdk) continue;
    lowest = Math.min(lowest, from);
    const current = best.get(from);
    if (!current || compareBlockAlgorithms(sig.algorithm, current.algorithm) > 0) best.set(from, sig);
  }
  if (best.size === 0) return 'no supported signatures';
  if (minSdk < lowest) return `no signature supported on API level ${minSdk} (oldest supported from ${lowest})`;
  return [...best.values()].sort((x, y) => x.algorithm.id - y.algorithm.id);
}

/** Verifies a signing-block signature; false for a bad signature, throws for an unusable key. */
export function verifyBlockSignature(algorithm: BlockSignatureAlgorithm, key: KeyObject, data: Uint8Array, signature: Uint8Array): boolean {
  const type = key.asymmetricKeyType;
  const expected = algorithm.keyType === 'rsa' ? ['rsa', 'rsa-pss'] : [algorithm.keyType];
  if (!type || !expected.includes(type))
    throw new Error(`${algorithm.name} needs a ${algorithm.keyType.toUpperCase()} key, not ${type ?? 'unknown'}`);
  if (algorithm.keyType === 'rsa') {
    return cryptoVerify(
      algorithm.hash,
      data,
      algorithm.pss
        ? { key, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: algorithm.hash === 'sha256' ? 32 : 64 }
        : { key, padding: constants.RSA_PKCS1_PADDING },
      signature,
    );
  }
  return cryptoVerify(algorithm.hash, data, key, signature);
}

// ---------------------------------------------------------------------------------------------
// JAR signing (v1): digest and signature algorithm OIDs in PKCS#7 SignerInfo, and the platform
// versions on which each (digestAlgorithm, signatureAlgorithm) pair verifies. These are facts about
// Android's JAR verifier across releases (API levels), as documented by AOSP's apksig.

export const DIGEST_OIDS: Readonly<Record<string, string>> = {
  '1.2.840.113549.2.5': 'MD5',
  '1.3.14.3.2.26': 'SHA-1',
  '2.16.840.1.101.3.4.2.4': 'SHA-224',
  '2.16.840.1.101.3.4.2.1': 'SHA-256',
  '2.16.840.1.101.3.4.2.2': 'SHA-384',
  '2.16.840.1.101.3.4.2.3': 'SHA-512',
};

/** Signature OIDs: `key` is the key family; `hash` is fixed by the OID, or taken from the digest OID. */
export const SIGNATURE_OIDS: Readonly<Record<string, { name: string; key: 'RSA' | 'DSA' | 'EC'; hash?: string }>> = {
  '1.2.840.113549.1.1.1': { name: 'RSA', key: 'RSA' },
  '1.2.840.113549.1.1.4': { name: 'MD5 with RSA', key: 'RSA', hash: 'MD5' },
  '1.2.840.113549.1.1.5': { name: 'SHA-1 with RSA', key: 'RSA', hash: 'SHA-1' },
  '1.2.840.113549.1.1.14': { name: 'SHA-224 with RSA', key: 'RSA', hash: 'SHA-224' },
  '1.2.840.113549.1.1.11': { name: 'SHA-256 with RSA', key: 'RSA', hash: 'SHA-256' },
  '1.2.840.113549.1.1.12': { name: 'SHA-384 with RSA', key: 'RSA', hash: 'SHA-384' },
  '1.2.840.113549.1.1.13': { name: 'SHA-512 with RSA', key: 'RSA', hash: 'SHA-512' },
  '1.2.840.10040.4.1': { name: 'DSA', key: 'DSA' },
  '1.2.840.10040.4.3': { name: 'SHA-1 with DSA', key: 'DSA', hash: 'SHA-1' },
  '2.16.840.1.101.3.4.3.1': { name: 'SHA-224 with DSA', key: 'DSA', hash: 'SHA-224' },
  '2.16.840.1.101.3.4.3.2': { name: 'SHA-256 with DSA', key: 'DSA', hash: 'SHA-256' },
  '2.16.840.1.101.3.4.3.3': { name: 'SHA-384 with DSA', key: 'DSA', hash: 'SHA-384' },
  '2.16.840.1.101.3.4.3.4': { name: 'SHA-512 with DSA', key: 'DSA', hash: 'SHA-512' },
  '1.2.840.10045.2.1': { name: 'ECDSA', key: 'EC' },
  '1.2.840.10045.4.1': { name: 'SHA-1 with ECDSA', key: 'EC', hash: 'SHA-1' },
  '1.2.840.10045.4.3.1': { name: 'SHA-224 with ECDSA', key: 'EC', hash: 'SHA-224' },
  '1.2.840.10045.4.3.2': { name: 'SHA-256 with ECDSA', key: 'EC', hash: 'SHA-256' },
  '1.2.840.10045.4.3.3': { name: 'SHA-384 with ECDSA', key: 'EC', hash: 'SHA-384' },
  '1.2.840.10045.4.3.4': { name: 'SHA-512 with ECDSA', key: 'EC', hash: 'SHA-512' },
};

type Range = readonly [number, number];
const ALL: Range = [0, SDK.MAX];
const from = (n: number): Range => [n, SDK.MAX];
const LOLLIPOP_TO_M: Range = [21, 23];

/**
 * Platform ranges per digest (row) and signature algorithm (column). A pair absent from the table
 * never verifies. Rows: digest name; columns: the SIGNATURE_OIDS hash without its dash, then the key
 * family (`SHA256RSA`; `EC` for a key OID that leaves the hash to the digest).
 */
const V1_SUPPORT: Readonly<Record<string, Readonly<Record<string, readonly Range[]>>>> = (() => {
  const m = LOLLIPOP_TO_M;
  const rsa = (
    plain: readonly Range[],
    md5: readonly Range[],
    sha1: readonly Range[],
    sha224: readonly Range[],
    sha256: readonly Range[],
    sha384: readonly Range[],
    sha512: readonly Range[],
  ) => ({
    RSA: plain,
    MD5RSA: md5,
    SHA1RSA: sha1,
    SHA224RSA: sha224,
    SHA256RSA: sha256,
    SHA384RSA: sha384,
    SHA512RSA: sha512,
  });
  const table: Record<string, Record<string, readonly Range[]>> = {
    MD5: {
      ...rsa([ALL], [[0, 8], from(21)], [m], [m], [m], [m], [m]),
      SHA1DSA: [m],
      SHA224DSA: [m],
      SHA256DSA: [m],
      SHA1EC: [m],
      SHA224EC: [m],
      SHA256EC: [m],
      SHA384EC: [m],
      SHA512EC: [m],
    },
    'SHA-1': {
      ...rsa([ALL], [m], [ALL], [m], [m], [m], [m]),
      DSA: [ALL],
      SHA1DSA: [from(9)],
      SHA224DSA: [m],
      SHA256DSA: [m],
      EC: [from(18)],
      SHA1EC: [from(18)],
      SHA224EC: [m],
      SHA256EC: [m],
      SHA384EC: [m],
      SHA512EC: [m],
    },
    'SHA-224': {
      ...rsa([[0, 8], from(21)], [m], [m], [[0, 8], from(21)], [[21, 21]], [m], [m]),
      DSA: [from(22)],
      SHA1DSA: [m],
      SHA224DSA: [from(21)],
      SHA256DSA: [m],
      EC: [from(21)],
      SHA1EC: [m],
      SHA224EC: [from(21)],
      SHA256EC: [m],
      SHA384EC: [m],
      SHA512EC: [m],
    },
    'SHA-256': {
      ...rsa([[0, 8], from(18)], [m], [[21, 21]], [m], [[0, 8], from(18)], [m], [m]),
      DSA: [from(22)],
      SHA1DSA: [m],
      SHA224DSA: [m],
      SHA256DSA: [from(21)],
      EC: [from(18)],
      SHA1EC: [m],
      SHA224EC: [m],
      SHA256EC: [from(21)],
      SHA384EC: [m],
      SHA512EC: [m],
    },
    'SHA-384': {
      ...rsa([from(18)], [m], [m], [m], [m], [from(21)], [m]),
      SHA1DSA: [m],
      SHA224DSA: [m],
      SHA256DSA: [m],
      EC: [from(18)],
      SHA1EC: [m],
      SHA224EC: [m],
      SHA256EC: [m],
      SHA384EC: [from(21)],
      SHA512EC: [m],
    },
    'SHA-512': {
      ...rsa([from(18)], [m], [m], [m], [m], [[21, 21]], [from(21)]),
      SHA1DSA: [m],
      SHA224DSA: [m],
      SHA256DSA: [m],
      EC: [from(18)],
      SHA1EC: [m],
      SHA224EC: [m],
      SHA256EC: [m],
      SHA384EC: [m],
      SHA512EC: [from(21)],
    },
  };
  return table;
})();

/** The API levels in [minSdk, maxSdk] on which a v1 (digest, signature) OID pair does not verify, as text. */
export function v1UnsupportedLevels(digestOid: string, signatureOid: string, minSdk: number, maxSdk: number): string | undefined {
  const digest = DIGEST_OIDS[digestOid];
  const signature = SIGNATURE_OIDS[signatureOid];
  const column = signature && (signature.hash ?? '').replace('-', '') + signature.key;
  const ranges = (digest && column && V1_SUPPORT[digest]?.[column]) || [];
  const holes: Range[] = [];
  let next = minSdk;
  for (const [lo, hi] of [...ranges].sort((a, b) => a[0] - b[0])) {
    if (hi < next) continue;
    if (lo > maxSdk) break;
    if (lo > next) holes.push([next, lo - 1]);
    next = Math.max(next, hi + 1);
    if (next > maxSdk) break;
  }
  if (next <= maxSdk) holes.push([next, maxSdk]);
  if (holes.length === 0) return undefined;
  return holes.map(([lo, hi]) => (lo === hi ? `${lo}` : hi === SDK.MAX ? `${lo}+` : `${lo}-${hi}`)).join(', ');
}

/** Node hash name for a JAR/PKCS#7 digest name (`SHA-256` → `sha256`). */
export function nodeHash(name: string): string {
  return name.replace('-', '').toLowerCase();
}
