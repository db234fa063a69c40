import { ApkFormatError } from '../errors.js';
import type { ByteReader } from '../io/bytes.js';
import type { ChunkHeader } from './chunks.js';

/** ResStringPool_header flag: strings are UTF-8 (otherwise UTF-16LE). */
export const STRING_POOL_UTF8 = 0x100;
export const STRING_POOL_SORTED = 0x1;
const STRING_POOL_HEADER_SIZE = 28;

const utf8 = new TextDecoder('utf-8');
const utf16 = new TextDecoder('utf-16le');

/**
 * A string pool read lazily: construction only checks the header and that the offset array fits, and a
 * string is decoded (and cached) the first time someone asks for it. framework-res.apk holds ~10 MB of
 * strings in hundreds of locales; a label lookup needs one of them.
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
  private readonly entry: string | undefined;
  private readonly cache = new Map<number, string>();
  private reverse: Map<string, number> | undefined;

  constructor(r: ByteReader, chunk: ChunkHeader, maxStrings: number, what: string, entry?: string) {
    this.r = r;
    this.entry = entry;
    const at = (m: string) => `${what} string pool at 0x${chunk.start.toString(16)}: ${m}`;
    if (chunk.headerSize < STRING_POOL_HEADER_SIZE) this.fail(at(`header size ${chunk.headerSize} is below ${STRING_POOL_HEADER_SIZE}`));
    this.count = r.u32At(chunk.start + 8);
    this.styleCount = r.u32At(chunk.start + 12);
    this.flags = r.u32At(chunk.start + 16);
    this.utf8 = (this.flags & STRING_POOL_UTF8) !== 0;
    const stringsStart = r.u32At(chunk.start + 20);
    const stylesStart = r.u32At(chunk.start + 24);
    if (this.count > maxStrings || this.styleCount > maxStrings) {
      this.fail(at(`${this.count} strings / ${this.styleCount} styles is over the limit of ${maxStrings}`));
    }
    this.offsetsAt = chunk.start + chunk.headerSize;
    const offsetsEnd = this.offsetsAt + (this.count + this.styleCount) * 4;
    if (offsetsEnd > chunk.end) this.fail(at(`offset arrays for ${this.count} strings and ${this.styleCount} styles overrun the chunk`));
    if (this.count > 0) {
      if (stringsStart < offsetsEnd - chunk.start || stringsStart >= chunk.size) {
        this.fail(at(`strings start ${stringsStart} lies outside the chunk's data`));
      }
      this.dataStart = chunk.start + stringsStart;
      // Style data follows the strings; without styles the strings run to the chunk's end.
      const end = this.styleCount > 0 && stylesStart > stringsStart && stylesStart <= chunk.size ? chunk.start + stylesStart : chunk.end;
      this.dataEnd = end;
    } else {
      this.dataStart = this.dataEnd = chunk.end;
    }
  }

  private fail(message: string): never {
    throw new ApkFormatError('arsc-corrupt', message, this.entry);
  }

  /** The string at `index`; throws ApkFormatError when the index or the string's bytes are bad. */
  get(index: number): string {
    const cached = this.cache.get(index);
    if (cached !== undefined) return cached;
    if (!Number.isInteger(index) || index < 0 || index >= this.count) {
      this.fail(`string index ${index} is outside the pool of ${this.count}`);
    }
    const value = this.decode(index);
    this.cache.set(index, value);
    return value;
  }

  /** Like `get`, but undefined for an index outside the pool (a damaged string still throws). */
  tryGet(index: number): string | undefined {
    return Number.isInteger(index) && index >= 0 && index < this.count ? this.get(index) : undefined;
  }

  /** Index of the first string equal to `value`; builds a reverse map on first use. */
  indexOf(value: string): number | undefined {
    if (!this.reverse) {
      this.reverse = new Map();
      for (let i = this.count - 1; i >= 0; i--) this.reverse.set(this.get(i), i);
    }
    return this.reverse.get(value);
  }

  private decode(index: number): string {
    const rel = this.r.u32At(this.offsetsAt + index * 4, 'string offset');
    let p = this.dataStart + rel;
    if (rel >= this.dataEnd - this.dataStart)
      this.fail(`string ${index} starts at ${rel}, past the pool's ${this.dataEnd - this.dataStart} bytes of string data`);
    const end = this.dataEnd;
    const u8 = () => {
      if (p >= end) this.fail(`string ${index} length runs past the pool`);
      return this.r.bytes[p++]!;
    };
    if (this.utf8) {
      // Two lengths precede the bytes: UTF-16 units (unused here), then the UTF-8 byte count.
      let n = u8();
      if (n & 0x80) u8();
      n = u8();
      if (n & 0x80) n = ((n & 0x7f) << 8) | u8();
      if (n > end - p) this.fail(`string ${index} claims ${n} bytes but only ${end - p} remain in the pool`);
      return utf8.decode(this.r.bytes.subarray(p, p + n));
    }
    const u16 = () => {
      if (end - p < 2) this.fail(`string ${index} length runs past the pool`);
      const v = this.r.bytes[p]! | (this.r.bytes[p + 1]! << 8);
      p += 2;
      return v;
    };
    let n = u16();
    if (n & 0x8000) n = ((n & 0x7fff) << 16) | u16();
    if (n * 2 > end - p) this.fail(`string ${index} claims ${n} UTF-16 units but only ${end - p} bytes remain in the pool`);
    return utf16.decode(this.r.bytes.subarray(p, p + n * 2));
  }
}
