import { ApkFormatError } from '../errors.js';
import type { ByteReader } from '../io/bytes.js';

/** Chunk type numbers from the platform's ResourceTypes.h format description. */
export const ChunkType = {
  NULL: 0x0000,
  STRING_POOL: 0x0001,
  TABLE: 0x0002,
  XML: 0x0003,
  TABLE_PACKAGE: 0x0200,
  TABLE_TYPE: 0x0201,
  TABLE_TYPE_SPEC: 0x0202,
  TABLE_LIBRARY: 0x0203,
  TABLE_OVERLAYABLE: 0x0204,
  TABLE_OVERLAYABLE_POLICY: 0x0205,
  TABLE_STAGED_ALIAS: 0x0206,
} as const;

const CHUNK_NAMES: Record<number, string> = {
  [ChunkType.NULL]: 'NULL',
  [ChunkType.STRING_POOL]: 'STRING_POOL',
  [ChunkType.TABLE]: 'TABLE',
  [ChunkType.XML]: 'XML',
  [ChunkType.TABLE_PACKAGE]: 'TABLE_PACKAGE',
  [ChunkType.TABLE_TYPE]: 'TABLE_TYPE',
  [ChunkType.TABLE_TYPE_SPEC]: 'TABLE_TYPE_SPEC',
  [ChunkType.TABLE_LIBRARY]: 'TABLE_LIBRARY',
  [ChunkType.TABLE_OVERLAYABLE]: 'TABLE_OVERLAYABLE',
  [ChunkType.TABLE_OVERLAYABLE_POLICY]: 'TABLE_OVERLAYABLE_POLICY',
  [ChunkType.TABLE_STAGED_ALIAS]: 'TABLE_STAGED_ALIAS',
};

export function chunkName(type: number): string {
  return CHUNK_NAMES[type] ?? `unknown chunk 0x${type.toString(16).padStart(4, '0')}`;
}

/** A chunk's common header, with absolute offsets into the table. */
export interface ChunkHeader {
  type: number;
  headerSize: number;
  size: number;
  /** Absolute offset of the chunk's first byte. */
  start: number;
  /** Absolute offset one past the chunk's last byte. */
  end: number;
}

export const CHUNK_HEADER_SIZE = 8;

/**
 * Reads the chunk header at `offset` and checks it against the region [offset, limit) of its parent.
 * A size that overruns the parent or a header larger than the chunk is a lie we refuse, naming the
 * chunk, rather than clamp: clamping would make us read data the author did not put there.
 */
export function readChunkHeader(r: ByteReader, offset: number, limit: number, parent: string, entry?: string): ChunkHeader {
  if (limit - offset < CHUNK_HEADER_SIZE) {
    throw new ApkFormatError(
      'arsc-corrupt',
      `${limit - offset} stray bytes at 0x${offset.toString(16)} inside ${parent}, too few for a chunk header`,
      entry,
    );
  }
  const type = r.u16At(offset, 'chunk type');
  const headerSize = r.u16At(offset + 2, 'chunk header size');
  const size = r.u32At(offset + 4, 'chunk size');
  const name = chunkName(type);
  if (headerSize < CHUNK_HEADER_SIZE || headerSize > size) {
    throw new ApkFormatError(
      'arsc-corrupt',
      `${name} chunk at 0x${offset.toString(16)} has header size ${headerSize} for chunk size ${size}`,
      entry,
    );
  }
  if (size > limit - offset) {
    throw new ApkFormatError(
      'arsc-corrupt',
      `${name} chunk at 0x${offset.toString(16)} claims ${size} bytes but only ${limit - offset} remain in ${parent}`,
      entry,
    );
  }
  return { type, headerSize, size, start: offset, end: offset + size };
}
