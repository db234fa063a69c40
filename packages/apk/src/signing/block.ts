import { ApkFormatError } from '../errors.js';
import { ByteReader } from '../io/bytes.js';
import type { ZipArchive } from '../zip/archive.js';
import { SIGNING_LIMITS } from './limits.js';

/**
 * The APK Signing Block sits right before the ZIP central directory:
 *   u64 size (counting everything after this field), ID-value pairs (u64 length, u32 ID, value),
 *   u64 size again, 16-byte magic "APK Sig Block 42".
 * We read the layout ourselves: nothing on npm verifies APK Signature Scheme v2/v3.
 */

export const BLOCK_IDS = {
  V2: 0x7109871a,
  V3: 0xf05368c0,
  V31: 0x1b93ad61,
  VERITY_PADDING: 0x42726577,
  SOURCE_STAMP_V1: 0x2b09189e,
  SOURCE_STAMP_V2: 0x6dff800d,
} as const;

const PAIR_NAMES: Readonly<Record<number, string>> = {
  [BLOCK_IDS.V2]: 'APK Signature Scheme v2',
  [BLOCK_IDS.V3]: 'APK Signature Scheme v3',
  [BLOCK_IDS.V31]: 'APK Signature Scheme v3.1',
  [BLOCK_IDS.VERITY_PADDING]: 'verity padding',
  [BLOCK_IDS.SOURCE_STAMP_V1]: 'source stamp v1',
  [BLOCK_IDS.SOURCE_STAMP_V2]: 'source stamp v2',
  0x504b4453: 'dependency info (Android Gradle Plugin)',
  0x2146444e: 'Google Play metadata',
  0x71777777: 'Walle channel info',
};

export function pairName(id: number): string {
  return PAIR_NAMES[id] ?? `unknown 0x${id.toString(16).padStart(8, '0')}`;
}

const MAGIC = Buffer.from('APK Sig Block 42', 'latin1');

export interface SigningBlockPair {
  id: number;
  value: Uint8Array;
}

export interface SigningBlock {
  /** File offset of the block's first size field. */
  offset: number;
  /** Total size including both size fields and the magic. */
  size: number;
  /** Pairs up to the first malformed one (Android stops there too). */
  pairs: SigningBlockPair[];
  /** Why pair parsing stopped early, when it did. */
  pairProblem?: string;
}

export type SigningBlockLookup = { block: SigningBlock } | { block?: undefined; reason: string };

/**
 * Finds the block. Like Android, a block whose footer or header does not check out is treated as
 * absent (the APK is then judged on its JAR signature), and the reason is returned for the report.
 */
export function findSigningBlock(archive: ZipArchive): SigningBlockLookup {
  const cdOffset = archive.layout.centralDirectoryOffset;
  if (cdOffset < 32) return { reason: 'no room for an APK Signing Block before the central directory' };
  const footer = archive.source.read(cdOffset - 24, 24);
  if (!Buffer.from(footer.buffer, footer.byteOffset + 8, 16).equals(MAGIC)) {
    return { reason: 'no APK Signing Block before the central directory' };
  }
  const footerSize = new DataView(footer.buffer, footer.byteOffset, 8).getBigUint64(0, true);
  if (footerSize < 24n || footerSize > BigInt(0x7fffffff - 8)) {
    return { reason: `APK Signing Block size out of range: ${footerSize}` };
  }
  const total = Number(footerSize) + 8;
  const offset = cdOffset - total;
  if (offset < 0) return { reason: `APK Signing Block offset out of range: ${offset}` };
  if (total > SIGNING_LIMITS.maxSigningBlockSize) {
    throw new ApkFormatError(
      'signature-corrupt',
      `APK Signing Block is ${total} bytes, over the limit of ${SIGNING_LIMITS.maxSigningBlockSize}`,
    );
  }
  const bytes = archive.source.read(offset, total);
  const headerSize = new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
  if (headerSize !== footerSize) {
    return { reason: `APK Signing Block sizes in header and footer do not match: ${headerSize} vs ${footerSize}` };
  }
  const block: SigningBlock = { offset, size: total, pairs: [] };
  const r = new ByteReader(bytes.subarray(8, total - 24), 'signature-corrupt');
  while (r.remaining > 0) {
    const n = block.pairs.length + 1;
    if (block.pairs.length >= SIGNING_LIMITS.maxPairs) {
      block.pairProblem = `more than ${SIGNING_LIMITS.maxPairs} ID-value pairs`;
      break;
    }
    if (r.remaining < 8) {
      block.pairProblem = `insufficient data to read the size of pair #${n}`;
      break;
    }
    const length = r.view.getBigUint64(r.offset, true);
    r.offset += 8;
    if (length < 4n || length > BigInt(r.remaining)) {
      block.pairProblem = `pair #${n} size out of range: ${length}, available: ${r.remaining}`;
      break;
    }
    const id = r.u32();
    block.pairs.push({ id, value: r.slice(Number(length) - 4) });
  }
  return { block };
}

/** The first pair with this ID (Android takes the first). */
export function findPair(block: SigningBlock | undefined, id: number): Uint8Array | undefined {
  return block?.pairs.find((p) => p.id === id)?.value;
}
