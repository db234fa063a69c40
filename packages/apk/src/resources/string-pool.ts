import { ApkFormatError } from '../errors.js';
import type { ByteReader } from '../io/bytes.js';

/** ResStringPool_header flag: strings are UTF-8 (otherwise UTF-16LE). */
export const STRING_POOL_UTF8 = 0x100;
export const STRING_POOL_SORTED = 0x1;
/** The fixed part of a ResStringPool_header: chunk header + 5 u32 fields. */
export const STRING_POOL_HEADER_SIZE = 28;

const utf8Decoder = new TextDecoder('utf-8');
const utf16Decoder = new TextDecoder('utf-16le');

/** Where the pool's chunk lies; the caller has checked that its `size` bytes lie inside the reader. */
export interface StringPoolChunk {
  start: number;
  headerSize: number;
  size: number;
}

export interface StringPoolOptions {
  /** Names the chunk in error messages, in the caller's style (`global string pool at 0x1c`). */
  where: string;
  maxStrings: number;
  /** Longest string, in UTF-16 units or UTF-8 bytes; by default only the pool's size bounds it. */
  maxStringLength?: number;
  /**
   * Where damage that Android reads past (a broken style table, one unreadable or unterminated string)
   * is reported. Binary XML collects these as warnings, because Android installs such manifests; without
   * a sink, as for resources.arsc, the same damage throws. Either way errors carry the reader's code.
   */
  warn?: (offset: number, message: string) => void;
}

/**
 * A ResStringPool chunk, the same format in binary XML and resources.arsc. Construction only checks the
 * header and that the offset array fits; a string is decoded (and cached) the first time someone asks
 * for it, because framework-res.apk holds ~10 MB of strings in hundreds of locales and a label lookup
 * needs one of them.
 */
export class StringPool {
  readonly count: number;
  readonly styleCount: number;
  readonly flags: number;
  readonly utf8: boolean;
  private readonly r: ByteReader;
  private readonly offsetsAt: number;
  private readonly dataStart: number;
  private readonly dataEnd: number;
  private readonly maxStringLength: number;
  private readonly warn: ((offset: number, message: string) => void) | undefined;
  /** Holds undefined for strings that failed to decode, so each is warned about once. */
  private readonly cache = new Map<number, string | undefined>();
  private reverse: Map<string, number> | undefined;

  /** A pool with no strings, for documents that have none (every index then reads as missing). */
  static empty(r: ByteReader): StringPool {
    return new StringPool(r, undefined, { where: 'empty string pool', maxStrings: 0 });
  }

  constructor(r: ByteReader, chunk: StringPoolChunk | undefined, options: StringPoolOptions) {
    this.r = r;
    this.maxStringLength = options.maxStringLength ?? Infinity;
    const warn = options.warn;
    this.warn = warn;
    this.count = this.styleCount = this.flags = this.offsetsAt = this.dataStart = this.dataEnd = 0;
    this.utf8 = false;
    if (!chunk) return;

    const { start, headerSize, size } = chunk;
    const where = options.where;
    const fail = (message: string): never => r.fail(`${where}: ${message}`);
    if (headerSize < STRING_POOL_HEADER_SIZE) fail(`header size ${headerSize} is smaller than ${STRING_POOL_HEADER_SIZE}`);
    const count = r.u32At(start + 8, 'string pool string count');
    const styleCount = r.u32At(start + 12, 'string pool style count');
    const flags = r.u32At(start + 16, 'string pool flags');
    const stringsStart = r.u32At(start + 20, 'string pool strings start');
    const stylesStart = r.u32At(start + 24, 'string pool styles start');
    const max = options.maxStrings;
    if (count > max) fail(`string count over the limit: ${count} strings exceed the limit of ${max}`);
    const overrun = (n: number, kind: string): string =>
      `${n} ${kind} offsets do not fit: offset arrays for ${count} strings and ${styleCount} styles overrun the chunk of ${size} bytes`;
    const stringOffsetsEnd = headerSize + count * 4;
    if (stringOffsetsEnd > size) fail(overrun(count, 'string'));
    if (styleCount > 0) {
      // Styles are rich-text spans, which nothing here reads: a broken style table only loses those.
      const problem =
        styleCount > max
          ? `style count over the limit: ${styleCount} styles exceed the limit of ${max}`
          : stringOffsetsEnd + styleCount * 4 > size
            ? overrun(styleCount, 'style')
            : undefined;
      if (problem !== undefined) {
        if (warn) warn(start, `${where}: ${problem}; styles ignored`);
        else fail(problem);
      }
    }
    if (count > 0) {
      if (stringsStart < stringOffsetsEnd || stringsStart >= size) {
        fail(`strings start ${stringsStart} lies outside the string data area (chunk size ${size})`);
      }
      this.dataStart = start + stringsStart;
      this.dataEnd = start + size;
      if (styleCount > 0) {
        // Style data follows the strings and so ends them; a misplaced style start only loses that bound.
        if (stylesStart > stringsStart && stylesStart <= size) this.dataEnd = start + stylesStart;
        else warn?.(start, `${where}: styles start ${stylesStart} is not after strings start ${stringsStart}; styles ignored`);
      }
    }
    this.count = count;
    this.styleCount = styleCount;
    this.flags = flags;
    this.utf8 = (flags & STRING_POOL_UTF8) !== 0;
    this.offsetsAt = start + headerSize;
  }

  /** True when `index` names an entry of the pool (even one that fails to decode). */
  has(index: number): boolean {
    return Number.isInteger(index) && index >= 0 && index < this.count;
  }

  /** The string at `index`; throws ApkFormatError when the index or the string's bytes are bad. */
  get(index: number): string {
    const cached = this.cache.get(index);
    if (cached !== undefined) return cached;
    if (!this.has(index)) this.r.fail(`string index ${index} is outside the pool of ${this.count}`);
    const value = this.read(index);
    if (value === undefined) this.r.fail(`string #${index} cannot be read (see the warnings)`);
    return value;
  }

  /**
   * Like `get`, but undefined for an index outside the pool (binary XML writes -1 for "none"). A damaged
   * string is also undefined when the pool has a warning sink, and throws when it has none.
   */
  tryGet(index: number): string | undefined {
    return this.has(index) ? this.read(index) : undefined;
  }

  /** Index of the first string equal to `value`; builds a reverse map on first use. */
  indexOf(value: string): number | undefined {
    if (!this.reverse) {
      this.reverse = new Map();
      for (let i = this.count - 1; i >= 0; i--) {
        const s = this.tryGet(i);
        if (s !== undefined) this.reverse.set(s, i);
      }
    }
    return this.reverse.get(value);
  }

  private read(index: number): string | undefined {
    let value = this.cache.get(index);
    if (value !== undefined || this.cache.has(index)) return value;
    try {
      value = this.decode(index);
    } catch (error) {
      // Android's ResStringPool fails per string, not per pool: one poisoned string must not hide the rest.
      if (!this.warn || !(error instanceof ApkFormatError)) throw error;
      this.warn(this.offsetsAt + index * 4, error.message);
    }
    this.cache.set(index, value);
    return value;
  }

  private decode(index: number): string {
    const r = this.r;
    const b = r.bytes;
    const end = this.dataEnd;
    const dataSize = end - this.dataStart;
    const rel = r.u32At(this.offsetsAt + index * 4, 'string offset');
    if (rel >= dataSize) {
      r.fail(
        `string #${index}: offset ${rel} lies outside the ${dataSize}-byte string data (the offset table says string ${index} starts at ${rel})`,
      );
    }
    const at = this.dataStart + rel;
    const lengthPastEnd = (): never => r.fail(`string #${index} runs past the end of the string data in its length prefix`);
    let p = at;
    let length: number;
    if (this.utf8) {
      // Two lengths precede the bytes, each 1 or 2 bytes wide: UTF-16 units (unused here), then UTF-8 bytes.
      if (b[p++]! & 0x80) p++;
      if (p >= end) lengthPastEnd();
      length = b[p++]!;
      if (length & 0x80) {
        if (p >= end) lengthPastEnd();
        length = ((length & 0x7f) << 8) | b[p++]!;
      }
    } else {
      if (end - p < 2) lengthPastEnd();
      length = b[p]! | (b[p + 1]! << 8);
      p += 2;
      if (length & 0x8000) {
        if (end - p < 2) lengthPastEnd();
        length = ((length & 0x7fff) << 16) | b[p]! | (b[p + 1]! << 8);
        p += 2;
      }
    }
    if (length > this.maxStringLength) r.fail(`string #${index}: length ${length} exceeds the limit of ${this.maxStringLength}`);
    const byteLength = this.utf8 ? length : length * 2;
    if (byteLength > end - p) {
      const unit = this.utf8 ? 'bytes' : 'UTF-16 units';
      r.fail(`string #${index} runs past the end of the string data: it claims ${length} ${unit} but only ${end - p} bytes remain`);
    }
    const text = (this.utf8 ? utf8Decoder : utf16Decoder).decode(b.subarray(p, p + byteLength));
    if (this.warn) {
      const after = p + byteLength;
      const terminated = after + (this.utf8 ? 1 : 2) <= end && b[after] === 0 && (this.utf8 || b[after + 1] === 0);
      if (!terminated) this.warn(at, `string #${index} is not null-terminated (Android reads it as missing; decoded by its length)`);
    }
    return text;
  }
}
