import { constants as zlibConstants, crc32, createInflateRaw, inflateRaw, inflateRawSync } from 'node:zlib';
import { Readable, Transform, type TransformCallback } from 'node:stream';
import { ApkFormatError } from '../errors.js';
import { ByteReader } from '../io/bytes.js';
import { BufferSource, FileSource, type RandomAccessSource } from '../io/source.js';
import { DEFAULT_ZIP_LIMITS, type ZipLimits } from './limits.js';

/**
 * Our own ZIP reader. It reads the central directory (ZIP64 too) and inflates single entries on demand,
 * without touching the disk. It exists because APKs are hostile: we need every guard below (bombs,
 * lying sizes, duplicate and unsafe names, header disagreement) reported as findings rather than
 * silently "fixed", and the APK signature schemes need the exact byte layout (signing block, central
 * directory and EOCD offsets) that general-purpose unzip libraries hide.
 */

const EOCD_SIGNATURE = 0x06054b50;
const ZIP64_LOCATOR_SIGNATURE = 0x07064b50;
const ZIP64_EOCD_SIGNATURE = 0x06064b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_MIN_SIZE = 22;
const MAX_COMMENT = 0xffff;

export const METHOD_STORED = 0;
export const METHOD_DEFLATED = 8;

export type ZipIssueKind =
  | 'duplicate-name'
  | 'unsafe-name'
  | 'encrypted'
  | 'unsupported-method'
  | 'local-header-mismatch'
  | 'suspicious-ratio'
  | 'overlapping-entries'
  | 'data-before-first-entry'
  | 'trailing-data';

/** Something odd about the archive that does not stop us reading it, kept as evidence. */
export interface ZipIssue {
  kind: ZipIssueKind;
  entry?: string;
  message: string;
}

export interface ZipEntry {
  /** Index in the central directory. */
  readonly index: number;
  /** Name decoded as UTF-8 (Android decodes names as UTF-8 whatever the flag says). */
  readonly name: string;
  readonly flags: number;
  readonly method: number;
  readonly crc32: number;
  readonly compressedSize: number;
  readonly uncompressedSize: number;
  readonly localHeaderOffset: number;
  readonly isDirectory: boolean;
  readonly encrypted: boolean;
  /** Set when the name is absolute, climbs with `..`, or holds NUL/control characters. */
  readonly unsafeName: boolean;
}

export interface ZipLayout {
  /** Offset of the first central directory record. */
  centralDirectoryOffset: number;
  centralDirectorySize: number;
  /** Offset of the (classic) end of central directory record. */
  eocdOffset: number;
  /** Offset of the ZIP64 end of central directory record, when present. */
  zip64EocdOffset: number | undefined;
  comment: Uint8Array;
  zip64: boolean;
}

export interface ReadEntryOptions {
  /** Cap on the inflated size for this read, below the archive's limit. */
  maxSize?: number;
  /** Skip the CRC-32 check (used by the fuzz test to reach deeper code). */
  skipCrc?: boolean;
}

export class ZipArchive {
  readonly entries: readonly ZipEntry[];
  readonly issues: ZipIssue[] = [];
  readonly layout: ZipLayout;
  readonly limits: ZipLimits;
  private readonly byName = new Map<string, ZipEntry>();
  private inflatedTotal = 0;
  /** Entries already counted in inflatedTotal: a second read of the same data is not new data. */
  private readonly charged = new Set<number>();

  private constructor(
    readonly source: RandomAccessSource,
    limits: Partial<ZipLimits>,
  ) {
    this.limits = { ...DEFAULT_ZIP_LIMITS, ...limits };
    if (source.size > this.limits.maxArchiveSize) {
      throw new ApkFormatError('zip-limit', `archive is ${source.size} bytes, over the limit of ${this.limits.maxArchiveSize}`);
    }
    this.layout = readLayout(source);
    this.entries = this.readCentralDirectory();
  }

  /** Opens an archive file; entries are read from it on demand. */
  static open(path: string, limits: Partial<ZipLimits> = {}): ZipArchive {
    const source = new FileSource(path);
    try {
      return new ZipArchive(source, limits);
    } catch (error) {
      source.close();
      throw error;
    }
  }

  static fromBytes(bytes: Uint8Array, limits: Partial<ZipLimits> = {}): ZipArchive {
    return new ZipArchive(new BufferSource(bytes), limits);
  }

  static fromSource(source: RandomAccessSource, limits: Partial<ZipLimits> = {}): ZipArchive {
    return new ZipArchive(source, limits);
  }

  close(): void {
    this.source.close();
  }

  /** The first entry with this exact name (Android's own lookup also takes one; duplicates are issues). */
  get(name: string): ZipEntry | undefined {
    return this.byName.get(name);
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** Reads and inflates one entry, enforcing size caps, the ratio limit and the CRC. */
  read(entry: ZipEntry | string, options: ReadEntryOptions = {}): Uint8Array {
    const e = typeof entry === 'string' ? this.require(entry) : entry;
    const dataOffset = this.checkedDataOffset(e, options);
    // Deflated input is only needed while inflating, so it goes through the source's reused buffer.
    const raw =
      e.method === METHOD_STORED ? this.source.read(dataOffset, e.compressedSize) : this.source.readTemporary(dataOffset, e.compressedSize);
    let data: Uint8Array;
    if (e.method === METHOD_STORED) {
      if (e.compressedSize !== e.uncompressedSize) {
        throw new ApkFormatError('zip-corrupt', `stored entry sizes differ (${e.compressedSize} vs ${e.uncompressedSize})`, e.name);
      }
      data = raw;
    } else if (e.method === METHOD_DEFLATED) {
      data = inflateExactly(raw, e.uncompressedSize, e.name);
    } else {
      throw new ApkFormatError('zip-unsupported', `unsupported compression method ${e.method}`, e.name);
    }
    if (!options.skipCrc && crc32(data) >>> 0 !== e.crc32) {
      throw new ApkFormatError('zip-corrupt', 'CRC-32 mismatch', e.name);
    }
    return data;
  }

  /**
   * Like read, but a deflated entry is inflated on libuv's thread pool, so this thread can do other
   * work meanwhile. The checks before inflating (caps, ratio, the archive's inflated total) run now,
   * and their errors are thrown now, as read throws them; inflate and CRC errors reject the promise.
   */
  readAsync(entry: ZipEntry | string, options: ReadEntryOptions = {}): Promise<Uint8Array> {
    const e = typeof entry === 'string' ? this.require(entry) : entry;
    if (e.method !== METHOD_DEFLATED) return Promise.resolve(this.read(e, options));
    const dataOffset = this.checkedDataOffset(e, options);
    // Its own buffer: the source's reused one would change under the pending inflate.
    const raw = this.source.read(dataOffset, e.compressedSize);
    return new Promise((resolve, reject) => {
      inflateRaw(raw, inflateOptions(e.uncompressedSize), (error, out) => {
        try {
          if (error) throw inflateError(error, e.uncompressedSize, e.name);
          checkInflated(out, e.uncompressedSize, e.name);
          if (!options.skipCrc && crc32(out) >>> 0 !== e.crc32) throw new ApkFormatError('zip-corrupt', 'CRC-32 mismatch', e.name);
          resolve(out);
        } catch (failure) {
          reject(failure);
        }
      });
    });
  }

  /** The checks every read makes before inflating, then where the entry's data starts. */
  private checkedDataOffset(e: ZipEntry, options: ReadEntryOptions): number {
    const dataOffset = this.dataOffset(e);
    const cap = Math.min(options.maxSize ?? Infinity, this.limits.maxEntrySize);
    if (e.encrypted) throw new ApkFormatError('zip-encrypted', 'entry is encrypted', e.name);
    if (e.uncompressedSize > cap) {
      throw new ApkFormatError('zip-limit', `declared size ${e.uncompressedSize} is over the limit of ${cap}`, e.name);
    }
    this.checkRatio(e);
    this.chargeInflated(e);
    return dataOffset;
  }

  /**
   * The first `length` inflated bytes of an entry (for magic-number sniffing), without inflating the
   * rest. Returns fewer bytes when the entry is shorter, and an empty array when it cannot be read.
   */
  peek(entry: ZipEntry | string, length: number): Uint8Array {
    const e = typeof entry === 'string' ? this.require(entry) : entry;
    if (e.encrypted || e.compressedSize === 0) return new Uint8Array(0);
    try {
      const dataOffset = this.dataOffset(e);
      if (e.method === METHOD_STORED) return this.source.read(dataOffset, Math.min(length, e.compressedSize));
      if (e.method !== METHOD_DEFLATED) return new Uint8Array(0);
      // A few hundred compressed bytes inflate to at most ~256 KiB, enough for any magic number.
      const raw = this.source.read(dataOffset, Math.min(e.compressedSize, 256));
      const out = inflateRawSync(raw, { finishFlush: zlibConstants.Z_SYNC_FLUSH, maxOutputLength: 1 << 20 });
      return out.subarray(0, length);
    } catch {
      return new Uint8Array(0);
    }
  }

  /** Streams one entry's inflated bytes; the same caps as read() apply while data flows. */
  stream(entry: ZipEntry | string): Readable {
    const e = typeof entry === 'string' ? this.require(entry) : entry;
    if (e.encrypted) throw new ApkFormatError('zip-encrypted', 'entry is encrypted', e.name);
    if (e.uncompressedSize > this.limits.maxEntrySize) {
      throw new ApkFormatError('zip-limit', `declared size ${e.uncompressedSize} is over the limit of ${this.limits.maxEntrySize}`, e.name);
    }
    this.checkRatio(e);
    this.chargeInflated(e);
    const dataOffset = this.dataOffset(e);
    const source = this.source;
    const chunk = 1 << 20;
    let position = 0;
    const raw = new Readable({
      read() {
        if (position >= e.compressedSize) {
          this.push(null);
          return;
        }
        const length = Math.min(chunk, e.compressedSize - position);
        try {
          this.push(source.read(dataOffset + position, length));
        } catch (error) {
          this.destroy(error as Error);
          return;
        }
        position += length;
      },
    });
    const limit = new SizeLimit(e.uncompressedSize, e.name, e.crc32);
    if (e.method === METHOD_STORED) return raw.pipe(limit);
    if (e.method === METHOD_DEFLATED) {
      const inflate = createInflateRaw();
      inflate.on('error', (error) => limit.destroy(new ApkFormatError('zip-corrupt', `inflate failed: ${error.message}`, e.name)));
      return raw.pipe(inflate).pipe(limit);
    }
    throw new ApkFormatError('zip-unsupported', `unsupported compression method ${e.method}`, e.name);
  }

  private require(name: string): ZipEntry {
    const e = this.byName.get(name);
    if (!e) throw new ApkFormatError('zip-corrupt', `no entry named ${JSON.stringify(name)}`);
    return e;
  }

  private checkRatio(e: ZipEntry): void {
    // Small entries may compress extremely well (a run of zeros); the ratio guard is for bombs.
    if (e.uncompressedSize > 1 << 20 && e.uncompressedSize > e.compressedSize * this.limits.maxRatio) {
      throw new ApkFormatError(
        'zip-limit',
        `compression ratio ${Math.round(e.uncompressedSize / Math.max(1, e.compressedSize))}:1 is over the limit of ${this.limits.maxRatio}:1 (zip bomb?)`,
        e.name,
      );
    }
  }

  /**
   * Counts an entry's inflated size against the archive's budget once: overlapping entries are refused
   * when the central directory is read, so each entry is distinct data and the budget bounds what the
   * archive holds, not how often a caller reads it.
   */
  private chargeInflated(e: ZipEntry): void {
    if (this.charged.has(e.index)) return;
    if (this.inflatedTotal + e.uncompressedSize > this.limits.maxTotalInflated) {
      throw new ApkFormatError('zip-limit', `total inflated size is over the limit of ${this.limits.maxTotalInflated} bytes`, e.name);
    }
    this.charged.add(e.index);
    this.inflatedTotal += e.uncompressedSize;
  }

  /** Reads the local header, checks it against the central record and returns where data starts. */
  private dataOffset(e: ZipEntry): number {
    const header = new ByteReader(
      this.source.read(e.localHeaderOffset, Math.min(30, this.source.size - e.localHeaderOffset)),
      'zip-corrupt',
      e.name,
    );
    header.need(0, 30, 'local file header');
    if (header.u32At(0) !== LOCAL_SIGNATURE) {
      throw new ApkFormatError('zip-corrupt', `no local file header at offset ${e.localHeaderOffset}`, e.name);
    }
    const flags = header.u16At(6);
    const method = header.u16At(8);
    const crc = header.u32At(14);
    const compressed = header.u32At(18);
    const uncompressed = header.u32At(22);
    const nameLength = header.u16At(26);
    const extraLength = header.u16At(28);
    const start = e.localHeaderOffset + 30 + nameLength + extraLength;
    if (start + e.compressedSize > this.layout.centralDirectoryOffset && start + e.compressedSize > this.source.size) {
      throw new ApkFormatError('zip-corrupt', 'entry data runs past the end of the archive', e.name);
    }
    if (start + e.compressedSize > this.source.size) {
      throw new ApkFormatError('zip-corrupt', 'entry data runs past the end of the archive', e.name);
    }
    const mismatches: string[] = [];
    if (method !== e.method) mismatches.push(`compression method ${method} vs ${e.method}`);
    const localName = Buffer.from(this.source.read(e.localHeaderOffset + 30, nameLength)).toString('utf8');
    if (localName !== e.name) mismatches.push(`name ${JSON.stringify(localName)}`);
    if ((flags & 0x08) === 0) {
      if (crc !== e.crc32) mismatches.push('CRC-32');
      if (compressed !== 0xffffffff && compressed !== e.compressedSize)
        mismatches.push(`compressed size ${compressed} vs ${e.compressedSize}`);
      if (uncompressed !== 0xffffffff && uncompressed !== e.uncompressedSize)
        mismatches.push(`size ${uncompressed} vs ${e.uncompressedSize}`);
    }
    if (mismatches.length > 0 && !this.reportedMismatch.has(e.index)) {
      this.reportedMismatch.add(e.index);
      this.issues.push({
        kind: 'local-header-mismatch',
        entry: e.name,
        message: `local header disagrees with central directory: ${mismatches.join(', ')}`,
      });
    }
    return start;
  }

  private readonly reportedMismatch = new Set<number>();

  private readCentralDirectory(): ZipEntry[] {
    const { centralDirectoryOffset, centralDirectorySize } = this.layout;
    if (centralDirectorySize > this.limits.maxCentralDirectorySize) {
      throw new ApkFormatError(
        'zip-limit',
        `central directory is ${centralDirectorySize} bytes, over the limit of ${this.limits.maxCentralDirectorySize}`,
      );
    }
    const cd = new ByteReader(this.source.read(centralDirectoryOffset, centralDirectorySize), 'zip-corrupt');
    const bytes = cd.bytes;
    // Names are read straight from the directory's bytes (thousands of entries per APK: a subarray
    // per field was a measurable part of opening one). ASCII names, nearly all, skip the decoder.
    const text = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const entries: ZipEntry[] = [];
    const decoder = new TextDecoder('utf-8');
    while (cd.remaining > 0) {
      if (entries.length >= this.limits.maxEntries) {
        throw new ApkFormatError('zip-limit', `more than ${this.limits.maxEntries} entries`);
      }
      const at = cd.offset;
      if (cd.remaining < 46 || cd.u32At(at) !== CENTRAL_SIGNATURE) {
        cd.fail(`bad central directory record ${entries.length} at offset ${centralDirectoryOffset + at}`);
      }
      const flags = cd.u16At(at + 8);
      const method = cd.u16At(at + 10);
      const crc = cd.u32At(at + 16);
      let compressedSize = cd.u32At(at + 20);
      let uncompressedSize = cd.u32At(at + 24);
      const nameLength = cd.u16At(at + 28);
      const extraLength = cd.u16At(at + 30);
      const commentLength = cd.u16At(at + 32);
      let localHeaderOffset = cd.u32At(at + 42);
      const nameAt = at + 46;
      cd.offset = nameAt;
      cd.skip(nameLength, 'entry name');
      const extraAt = cd.offset;
      cd.skip(extraLength, 'extra field');
      cd.skip(commentLength, 'entry comment');
      if (compressedSize === 0xffffffff || uncompressedSize === 0xffffffff || localHeaderOffset === 0xffffffff) {
        const extra = bytes.subarray(extraAt, extraAt + extraLength);
        const z = readZip64Extra(extra, uncompressedSize === 0xffffffff, compressedSize === 0xffffffff, localHeaderOffset === 0xffffffff);
        if (z) {
          uncompressedSize = z.uncompressed ?? uncompressedSize;
          compressedSize = z.compressed ?? compressedSize;
          localHeaderOffset = z.offset ?? localHeaderOffset;
        }
      }
      const name = isAscii(bytes, nameAt, nameAt + nameLength)
        ? text.toString('latin1', nameAt, nameAt + nameLength)
        : decoder.decode(bytes.subarray(nameAt, nameAt + nameLength));
      if (localHeaderOffset >= centralDirectoryOffset || localHeaderOffset + 30 > this.source.size) {
        cd.fail(`entry ${JSON.stringify(name)} has local header offset ${localHeaderOffset} outside the data area`);
      }
      const encrypted = (flags & 0x01) !== 0;
      const entry: ZipEntry = {
        index: entries.length,
        name,
        flags,
        method,
        crc32: crc,
        compressedSize,
        uncompressedSize,
        localHeaderOffset,
        isDirectory: name.endsWith('/'),
        encrypted,
        unsafeName: isUnsafeName(name),
      };
      entries.push(entry);
      if (this.byName.has(name)) {
        this.issues.push({
          kind: 'duplicate-name',
          entry: name,
          message: 'duplicate entry name: which copy a reader takes differs between tools',
        });
      } else {
        this.byName.set(name, entry);
      }
      if (entry.unsafeName)
        this.issues.push({
          kind: 'unsafe-name',
          entry: name,
          message: 'entry name is absolute, climbs with "..", or holds NUL or control characters',
        });
      if (encrypted) this.issues.push({ kind: 'encrypted', entry: name, message: 'entry is marked encrypted' });
      if (method !== METHOD_STORED && method !== METHOD_DEFLATED) {
        this.issues.push({ kind: 'unsupported-method', entry: name, message: `compression method ${method}` });
      }
      if (uncompressedSize > 1 << 20 && uncompressedSize > compressedSize * this.limits.maxRatio) {
        this.issues.push({
          kind: 'suspicious-ratio',
          entry: name,
          message: `declared ratio ${Math.round(uncompressedSize / Math.max(1, compressedSize))}:1`,
        });
      }
    }
    refuseOverlaps(entries, centralDirectoryOffset);
    return entries;
  }
}

/**
 * Refuses an archive whose entries share local data. Many central records pointing at one
 * well-compressed local entry (a "better zip bomb") make every reader inflate the same bytes again
 * per record; no real APK has them, and Android's and apksigner's readers reject them too. Each entry
 * takes at least its 30-byte local header plus its compressed data, so sorted by offset an entry must
 * end before the next begins. Entries whose data runs past the data area are left to fail when read,
 * as before: a single lying size is that entry's problem, not the archive's.
 */
function refuseOverlaps(entries: readonly ZipEntry[], dataEnd: number): void {
  const placed = entries.filter((e) => e.localHeaderOffset + 30 + e.compressedSize <= dataEnd);
  // Writers lay entries out in directory order, so the list is nearly always sorted already.
  let sorted = true;
  for (let i = 1; i < placed.length && sorted; i++) sorted = placed[i - 1]!.localHeaderOffset <= placed[i]!.localHeaderOffset;
  if (!sorted) placed.sort((a, b) => a.localHeaderOffset - b.localHeaderOffset);
  for (let i = 1; i < placed.length; i++) {
    const previous = placed[i - 1]!;
    const entry = placed[i]!;
    const previousEnd = previous.localHeaderOffset + 30 + previous.compressedSize;
    if (entry.localHeaderOffset < previousEnd) {
      throw new ApkFormatError(
        'zip-overlap',
        `entries overlap: ${JSON.stringify(entry.name)} at offset ${entry.localHeaderOffset} lies inside ` +
          `${JSON.stringify(previous.name)} (offset ${previous.localHeaderOffset}, ${previous.compressedSize} compressed bytes); ` +
          'a "better zip bomb" reuses one entry\'s data for many records / 条目数据重叠（疑似 zip 炸弹），拒绝读取',
        entry.name,
      );
    }
  }
}

/** `..` segments, absolute paths, drive letters, backslashes and control characters. */
// One pass over the name: a `..` segment, a leading slash or backslash, a drive letter, or a control character.
// eslint-disable-next-line no-control-regex
const UNSAFE_NAME = /(?:^|[/\\])\.\.(?:[/\\]|$)|^[/\\]|^[A-Za-z]:|[\u0000-\u001f\u007f]/;

/** `..` segments, absolute paths, drive letters, backslashes and control characters. */
/** All bytes in [start, end) below 0x80: UTF-8 and Latin-1 then read the same characters. */
function isAscii(bytes: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) if (bytes[i]! > 0x7f) return false;
  return true;
}

export function isUnsafeName(name: string): boolean {
  return name.length === 0 || UNSAFE_NAME.test(name);
}

function readZip64Extra(extra: Uint8Array, wantUncompressed: boolean, wantCompressed: boolean, wantOffset: boolean) {
  const r = new ByteReader(extra, 'zip-corrupt');
  while (r.remaining >= 4) {
    const id = r.u16();
    const size = r.u16();
    if (size > r.remaining) return undefined;
    const body = new ByteReader(r.slice(size), 'zip-corrupt');
    if (id !== 0x0001) continue;
    const out: { uncompressed?: number; compressed?: number; offset?: number } = {};
    if (wantUncompressed && body.remaining >= 8) out.uncompressed = body.u64('ZIP64 size');
    if (wantCompressed && body.remaining >= 8) out.compressed = body.u64('ZIP64 compressed size');
    if (wantOffset && body.remaining >= 8) out.offset = body.u64('ZIP64 offset');
    return out;
  }
  return undefined;
}

/**
 * Finds the end of central directory record. Like Android, we take the last record whose comment
 * length reaches exactly to the end of the file, then follow the ZIP64 locator when there is one.
 */
function readLayout(source: RandomAccessSource): ZipLayout {
  if (source.size < EOCD_MIN_SIZE) {
    throw new ApkFormatError('not-zip', `not a ZIP archive: ${source.size} bytes is too small`);
  }
  const tailLength = Math.min(source.size, EOCD_MIN_SIZE + MAX_COMMENT);
  const tailStart = source.size - tailLength;
  const tail = new ByteReader(source.read(tailStart, tailLength), 'not-zip');
  let eocdInTail = -1;
  for (let i = tailLength - EOCD_MIN_SIZE; i >= 0; i--) {
    if (tail.bytes[i] === 0x50 && tail.u32At(i) === EOCD_SIGNATURE && tail.u16At(i + 20) === tailLength - EOCD_MIN_SIZE - i) {
      eocdInTail = i;
      break;
    }
  }
  if (eocdInTail < 0) {
    throw new ApkFormatError('not-zip', 'not a ZIP archive: no end of central directory record');
  }
  const eocdOffset = tailStart + eocdInTail;
  const entriesOnDisk = tail.u16At(eocdInTail + 8);
  const entriesTotal = tail.u16At(eocdInTail + 10);
  let cdSize = tail.u32At(eocdInTail + 12);
  let cdOffset = tail.u32At(eocdInTail + 16);
  const comment = tail.subarrayAt(eocdInTail + 22, tail.u16At(eocdInTail + 20));
  if (tail.u16At(eocdInTail + 4) !== 0 || tail.u16At(eocdInTail + 6) !== 0 || entriesOnDisk !== entriesTotal) {
    throw new ApkFormatError('zip-unsupported', 'multi-disk (spanned) archives are not supported');
  }
  let zip64 = false;
  let zip64EocdOffset: number | undefined;
  if (eocdOffset >= 20) {
    const locator = new ByteReader(source.read(eocdOffset - 20, 20), 'zip-corrupt');
    if (locator.u32At(0) === ZIP64_LOCATOR_SIGNATURE) {
      locator.offset = 8;
      const recordOffset = locator.u64('ZIP64 EOCD offset');
      if (recordOffset + 56 > eocdOffset - 20)
        throw new ApkFormatError('zip-corrupt', 'ZIP64 end of central directory offset out of bounds');
      const record = new ByteReader(source.read(recordOffset, 56), 'zip-corrupt');
      if (record.u32At(0) !== ZIP64_EOCD_SIGNATURE) throw new ApkFormatError('zip-corrupt', 'bad ZIP64 end of central directory signature');
      record.offset = 40;
      cdSize = record.u64('ZIP64 central directory size');
      cdOffset = record.u64('ZIP64 central directory offset');
      zip64 = true;
      zip64EocdOffset = recordOffset;
    }
  }
  const cdEnd = cdOffset + cdSize;
  const limit = zip64EocdOffset ?? eocdOffset;
  if (cdOffset > limit || cdEnd > limit) {
    throw new ApkFormatError('zip-corrupt', `central directory (offset ${cdOffset}, size ${cdSize}) lies outside the archive`);
  }
  return { centralDirectoryOffset: cdOffset, centralDirectorySize: cdSize, eocdOffset, zip64EocdOffset, comment, zip64 };
}

function inflateOptions(expected: number) {
  // One byte of headroom lets us tell "exactly the declared size" from "more than declared".
  // One output chunk of the declared size avoids zlib growing and copying its buffer repeatedly.
  const chunkSize = Math.min(Math.max(64, expected + 1), 64 * 1024 * 1024);
  return { maxOutputLength: Math.max(1, expected + 1), chunkSize };
}

function inflateError(error: unknown, expected: number, name: string): ApkFormatError {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ERR_BUFFER_TOO_LARGE') {
    return new ApkFormatError('zip-limit', `inflates to more than its declared size ${expected}`, name);
  }
  return new ApkFormatError('zip-corrupt', `inflate failed: ${(error as Error).message}`, name);
}

function checkInflated(out: Uint8Array, expected: number, name: string): void {
  if (out.byteLength !== expected) {
    throw new ApkFormatError('zip-corrupt', `inflated to ${out.byteLength} bytes, declared ${expected}`, name);
  }
}

function inflateExactly(raw: Uint8Array, expected: number, name: string): Uint8Array {
  let out: Buffer;
  try {
    out = inflateRawSync(raw, inflateOptions(expected));
  } catch (error) {
    throw inflateError(error, expected, name);
  }
  checkInflated(out, expected, name);
  return out;
}

class SizeLimit extends Transform {
  private seen = 0;
  private crc = 0;
  constructor(
    private readonly expected: number,
    private readonly entry: string,
    private readonly expectedCrc: number,
  ) {
    super();
  }
  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.seen += chunk.byteLength;
    if (this.seen > this.expected) {
      callback(new ApkFormatError('zip-limit', `inflates to more than its declared size ${this.expected}`, this.entry));
      return;
    }
    this.crc = crc32(chunk, this.crc);
    callback(null, chunk);
  }
  override _flush(callback: TransformCallback): void {
    if (this.seen !== this.expected) {
      callback(new ApkFormatError('zip-corrupt', `inflated to ${this.seen} bytes, declared ${this.expected}`, this.entry));
    } else if (this.crc >>> 0 !== this.expectedCrc) {
      callback(new ApkFormatError('zip-corrupt', 'CRC-32 mismatch', this.entry));
    } else {
      callback();
    }
  }
}
