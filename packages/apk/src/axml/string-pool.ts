import { ByteReader } from '../io/bytes.js';
import { ApkFormatError } from '../errors.js';

/** A problem the parser tolerated (Android or aapt tolerate it too); kept so reports can mention it. */
export interface AxmlWarning {
  /** Byte offset in the file the problem was found at. */
  offset: number;
  message: string;
}

/** String pool flag: strings are UTF-8 (otherwise UTF-16LE). */
export const UTF8_FLAG = 0x100;
/** The fixed part of a ResStringPool_header: chunk header + 5 u32 fields. */
export const STRING_POOL_HEADER_SIZE = 28;

const utf8Decoder = new TextDecoder('utf-8');
const utf16Decoder = new TextDecoder('utf-16le');

export interface StringPoolLimits {
  maxStrings: number;
  maxStringLength: number;
}

/**
 * A string pool chunk. Strings are decoded on first use and cached, so a pool of 100k strings of which
 * the manifest uses 300 costs 300 decodes. A string that cannot be read (offset outside the pool, length
 * running past it) yields `undefined` plus a warning: Android's own ResStringPool also fails per string
 * rather than per document, so one poisoned string must not hide the rest of the manifest from us.
 */
export class StringPool {
  readonly count: number;
  readonly utf8: boolean;
  private readonly reader: ByteReader;
  /** Absolute offset of the first string byte and the end of the string data. */
  private readonly dataStart: number;
  private readonly dataEnd: number;
  private readonly offsetsStart: number;
  private readonly cache = new Map<number, string | undefined>();
  private readonly limits: StringPoolLimits;
  private readonly warn: (offset: number, message: string) => void;

  private constructor(
    reader: ByteReader,
    count: number,
    utf8: boolean,
    offsetsStart: number,
    dataStart: number,
    dataEnd: number,
    limits: StringPoolLimits,
    warn: (offset: number, message: string) => void,
  ) {
    this.reader = reader;
    this.count = count;
    this.utf8 = utf8;
    this.offsetsStart = offsetsStart;
    this.dataStart = dataStart;
    this.dataEnd = dataEnd;
    this.limits = limits;
    this.warn = warn;
  }

  /** An empty pool, for documents that have none (every string index then reads as missing). */
  static empty(reader: ByteReader, limits: StringPoolLimits, warn: (offset: number, message: string) => void): StringPool {
    return new StringPool(reader, 0, false, 0, 0, 0, limits, warn);
  }

  /**
   * Reads the pool header of the chunk at `start` (whose header and `size` the caller has validated to lie
   * inside the file). Structural problems in the header are errors; problems of single strings are not.
   */
  static parse(
    reader: ByteReader,
    start: number,
    headerSize: number,
    size: number,
    limits: StringPoolLimits,
    warn: (offset: number, message: string) => void,
  ): StringPool {
    const fail = (message: string): never => reader.fail(`string pool at offset ${start}: ${message}`);
    if (headerSize < STRING_POOL_HEADER_SIZE) fail(`header size ${headerSize} is smaller than ${STRING_POOL_HEADER_SIZE}`);
    const stringCount = reader.u32At(start + 8, 'string pool string count');
    const styleCount = reader.u32At(start + 12, 'string pool style count');
    const flags = reader.u32At(start + 16, 'string pool flags');
    const stringsStart = reader.u32At(start + 20, 'string pool strings start');
    const stylesStart = reader.u32At(start + 24, 'string pool styles start');
    if (stringCount > limits.maxStrings) fail(`${stringCount} strings exceed the limit of ${limits.maxStrings}`);
    if (headerSize + stringCount * 4 > size) fail(`${stringCount} string offsets do not fit in the ${size}-byte chunk`);
    if (styleCount > 0 && headerSize + (stringCount + styleCount) * 4 > size) {
      // Styles only matter for rich text in layouts; we never read them, so a broken style table is noise.
      warn(start, `string pool: ${styleCount} style offsets do not fit in the chunk; styles ignored`);
    }
    let dataStart = 0;
    let dataEnd = 0;
    if (stringCount > 0) {
      if (stringsStart < headerSize + stringCount * 4 || stringsStart >= size) {
        fail(`strings start ${stringsStart} lies outside the string data area (chunk size ${size})`);
      }
      dataStart = start + stringsStart;
      dataEnd = start + size;
      if (styleCount > 0) {
        if (stylesStart > stringsStart && stylesStart <= size) dataEnd = start + stylesStart;
        else warn(start, `string pool: styles start ${stylesStart} is not after strings start ${stringsStart}; styles ignored`);
      }
    }
    return new StringPool(reader, stringCount, (flags & UTF8_FLAG) !== 0, start + headerSize, dataStart, dataEnd, limits, warn);
  }

  /** The string at `index`, or undefined for -1 / out-of-range / unreadable strings (each warned once). */
  get(index: number): string | undefined {
    if (index < 0 || index >= this.count) return undefined;
    if (this.cache.has(index)) return this.cache.get(index);
    let value: string | undefined;
    try {
      value = this.decode(index);
    } catch (error) {
      if (!(error instanceof ApkFormatError)) throw error;
      this.warn(this.offsetsStart + index * 4, error.message);
      value = undefined;
    }
    this.cache.set(index, value);
    return value;
  }

  /** True when `index` names an entry of the pool (even one that fails to decode). */
  has(index: number): boolean {
    return index >= 0 && index < this.count;
  }

  private decode(index: number): string {
    const r = this.reader;
    const relative = r.u32At(this.offsetsStart + index * 4, 'string offset');
    const at = this.dataStart + relative;
    if (relative >= this.dataEnd - this.dataStart) {
      r.fail(`string #${index}: offset ${relative} lies outside the ${this.dataEnd - this.dataStart}-byte string data`);
    }
    return this.utf8 ? this.decodeUtf8(index, at) : this.decodeUtf16(index, at);
  }

  private decodeUtf16(index: number, at: number): string {
    const r = this.reader;
    const need = (offset: number, length: number): void => {
      if (offset + length > this.dataEnd) r.fail(`string #${index} runs past the end of the string data`);
    };
    need(at, 2);
    let length = r.u16At(at);
    let pos = at + 2;
    if (length & 0x8000) {
      need(pos, 2);
      length = ((length & 0x7fff) << 16) | r.u16At(pos);
      pos += 2;
    }
    if (length > this.limits.maxStringLength) {
      r.fail(`string #${index}: length ${length} exceeds the limit of ${this.limits.maxStringLength}`);
    }
    need(pos, length * 2);
    const text = utf16Decoder.decode(r.bytes.subarray(pos, pos + length * 2));
    if (pos + length * 2 + 2 > this.dataEnd || r.u16At(pos + length * 2) !== 0) {
      this.warn(at, `string #${index} is not null-terminated (Android reads it as missing; decoded by its length)`);
    }
    return text;
  }

  private decodeUtf8(index: number, at: number): string {
    const r = this.reader;
    const need = (offset: number, length: number): void => {
      if (offset + length > this.dataEnd) r.fail(`string #${index} runs past the end of the string data`);
    };
    // Two lengths precede the bytes: UTF-16 units (unused here) then UTF-8 bytes, each 1 or 2 bytes wide.
    const readLength = (pos: number): [length: number, next: number] => {
      need(pos, 1);
      const first = r.bytes[pos]!;
      if ((first & 0x80) === 0) return [first, pos + 1];
      need(pos, 2);
      return [((first & 0x7f) << 8) | r.bytes[pos + 1]!, pos + 2];
    };
    const [, afterUnits] = readLength(at);
    const [byteLength, pos] = readLength(afterUnits);
    if (byteLength > this.limits.maxStringLength) {
      r.fail(`string #${index}: length ${byteLength} exceeds the limit of ${this.limits.maxStringLength}`);
    }
    need(pos, byteLength);
    const text = utf8Decoder.decode(r.bytes.subarray(pos, pos + byteLength));
    if (pos + byteLength >= this.dataEnd || r.bytes[pos + byteLength] !== 0) {
      this.warn(at, `string #${index} is not null-terminated (Android reads it as missing; decoded by its length)`);
    }
    return text;
  }
}
