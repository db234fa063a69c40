import { ApkFormatError, type ApkErrorCode } from '../errors.js';

/**
 * A bounds-checked cursor over a byte array. Most formats we read (ZIP, AXML, ARSC, DEX, the APK
 * Signing Block) are little-endian; Java class files are big-endian, hence the byte-order flag. Every
 * read checks bounds and throws an ApkFormatError naming the structure.
 */
export class ByteReader {
  readonly bytes: Uint8Array;
  readonly view: DataView;
  offset: number;
  readonly littleEndian: boolean;
  /** The archive entry errors name. */
  readonly entry: string | undefined;
  private readonly code: ApkErrorCode;

  constructor(bytes: Uint8Array, code: ApkErrorCode, entry?: string, offset = 0, littleEndian = true) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.offset = offset;
    this.littleEndian = littleEndian;
    this.code = code;
    this.entry = entry;
  }

  get length(): number {
    return this.bytes.byteLength;
  }

  get remaining(): number {
    return this.bytes.byteLength - this.offset;
  }

  fail(message: string): never {
    throw new ApkFormatError(this.code, message, this.entry);
  }

  /** Checks that `length` bytes at `offset` lie inside the buffer. */
  need(offset: number, length: number, what: string): void {
    if (
      !Number.isSafeInteger(offset) ||
      !Number.isSafeInteger(length) ||
      offset < 0 ||
      length < 0 ||
      offset + length > this.bytes.byteLength
    ) {
      this.fail(`${what} out of bounds (offset ${offset}, length ${length}, size ${this.bytes.byteLength})`);
    }
  }

  u8(what = 'byte'): number {
    this.need(this.offset, 1, what);
    return this.bytes[this.offset++]!;
  }

  u16(what = 'u16'): number {
    this.need(this.offset, 2, what);
    const value = this.view.getUint16(this.offset, this.littleEndian);
    this.offset += 2;
    return value;
  }

  u32(what = 'u32'): number {
    this.need(this.offset, 4, what);
    const value = this.view.getUint32(this.offset, this.littleEndian);
    this.offset += 4;
    return value;
  }

  i32(what = 'i32'): number {
    this.need(this.offset, 4, what);
    const value = this.view.getInt32(this.offset, this.littleEndian);
    this.offset += 4;
    return value;
  }

  /** Reads a u64 and fails when it does not fit in a JavaScript safe integer. */
  u64(what = 'u64'): number {
    this.need(this.offset, 8, what);
    const value = this.view.getBigUint64(this.offset, this.littleEndian);
    this.offset += 8;
    if (value > BigInt(Number.MAX_SAFE_INTEGER)) this.fail(`${what} too large (${value})`);
    return Number(value);
  }

  skip(length: number, what = 'bytes'): void {
    this.need(this.offset, length, what);
    this.offset += length;
  }

  slice(length: number, what = 'bytes'): Uint8Array {
    this.need(this.offset, length, what);
    const out = this.bytes.subarray(this.offset, this.offset + length);
    this.offset += length;
    return out;
  }

  u16At(offset: number, what = 'u16'): number {
    this.need(offset, 2, what);
    return this.view.getUint16(offset, this.littleEndian);
  }

  u32At(offset: number, what = 'u32'): number {
    this.need(offset, 4, what);
    return this.view.getUint32(offset, this.littleEndian);
  }

  subarrayAt(offset: number, length: number, what = 'bytes'): Uint8Array {
    this.need(offset, length, what);
    return this.bytes.subarray(offset, offset + length);
  }
}

/** Hex string of a byte array (lowercase, no separators). */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Compares two byte arrays for equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.byteLength !== b.byteLength) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.byteLength).equals(Buffer.from(b.buffer, b.byteOffset, b.byteLength));
}
