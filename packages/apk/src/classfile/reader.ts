import { ByteReader } from '../io/bytes.js';

/** The reader for class files: big-endian, and every failed read is `class-corrupt`. */
export class ClassReader extends ByteReader {
  constructor(bytes: Uint8Array, entry?: string, offset = 0) {
    super(bytes, 'class-corrupt', entry, offset, false);
  }
}

/** Unchecked big-endian reads for callers that have already checked bounds. */
export function readU16(bytes: Uint8Array, offset: number): number {
  return (bytes[offset]! << 8) | bytes[offset + 1]!;
}

export function readU32(bytes: Uint8Array, offset: number): number {
  return ((bytes[offset]! << 24) | (bytes[offset + 1]! << 16) | (bytes[offset + 2]! << 8) | bytes[offset + 3]!) >>> 0;
}

export function readI32(bytes: Uint8Array, offset: number): number {
  return readU32(bytes, offset) | 0;
}
