import { ApkFormatError } from '../errors.js';

/**
 * A bounds-checked big-endian cursor for class files (the shared ByteReader is little-endian, which
 * fits every other format we read). Every failed read becomes a `class-corrupt` error naming the
 * structure, so a lying count or length can never surface as a RangeError.
 */
export class ClassReader {
  readonly bytes: Uint8Array;
  offset: number;
  readonly entry: string | undefined;

  constructor(bytes: Uint8Array, entry?: string, offset = 0) {
    this.bytes = bytes;
    this.entry = entry;
    this.offset = offset;
  }

  get remaining(): number {
    return this.bytes.byteLength - this.offset;
  }

  fail(message: string): never {
    throw new ApkFormatError('class-corrupt', message, this.entry);
  }

  need(length: number, what: string): void {
    if (length < 0 || this.offset + length > this.bytes.byteLength) {
      this.fail(`${what} out of bounds (offset ${this.offset}, length ${length}, size ${this.bytes.byteLength})`);
    }
  }

  u8(what: string): number {
    this.need(1, what);
    return this.bytes[this.offset++]!;
  }

  u16(what: string): number {
    this.need(2, what);
    const b = this.bytes;
    const value = (b[this.offset]! << 8) | b[this.offset + 1]!;
    this.offset += 2;
    return value;
  }

  u32(what: string): number {
    this.need(4, what);
    const value = readU32(this.bytes, this.offset);
    this.offset += 4;
    return value;
  }

  skip(length: number, what: string): void {
    this.need(length, what);
    this.offset += length;
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
