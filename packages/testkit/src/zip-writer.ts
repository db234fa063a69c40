import { crc32, deflateRawSync } from 'node:zlib';

/**
 * A small ZIP writer for tests: it builds well-formed archives and, on request, the malformed ones
 * our reader must survive (lying sizes, header disagreement, ZIP64 records, odd names).
 */
export interface ZipWriterEntry {
  name: string;
  data: Uint8Array | string;
  /** 0 = stored, 8 = deflated (default). */
  method?: number;
  /** Raw name bytes, for names that are not valid UTF-8. */
  nameBytes?: Uint8Array;
  /** Override the sizes written to the central directory (to make them lie). */
  centralUncompressedSize?: number;
  centralCompressedSize?: number;
  /** Override what the local header says. */
  localName?: string;
  localMethod?: number;
  /** General purpose flags (bit 0 = encrypted, bit 11 = UTF-8). */
  flags?: number;
  /** Override the CRC-32 written to both headers. */
  crc?: number;
  /** Bytes to write instead of the real compressed data. */
  rawData?: Uint8Array;
  /** Padding inserted in the local extra field (zipalign style). */
  localExtraPadding?: number;
}

export interface ZipWriterOptions {
  comment?: Uint8Array | string;
  /** Write ZIP64 end records (and 0xFFFFFFFF markers in the classic EOCD). */
  zip64?: boolean;
  /** Bytes placed between the last entry and the central directory (e.g. an APK Signing Block). */
  beforeCentralDirectory?: Uint8Array;
  /** Bytes placed before the first entry. */
  prefix?: Uint8Array;
}

function bytesOf(data: Uint8Array | string): Uint8Array {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}

export function buildZip(entries: ZipWriterEntry[], options: ZipWriterOptions = {}): Uint8Array {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let offset = 0;
  const push = (b: Uint8Array) => {
    parts.push(Buffer.from(b));
    offset += b.byteLength;
  };
  if (options.prefix) push(options.prefix);
  for (const entry of entries) {
    const data = bytesOf(entry.data);
    const method = entry.method ?? 8;
    const compressed = entry.rawData ?? (method === 8 ? deflateRawSync(data) : data);
    const name = entry.nameBytes ?? Buffer.from(entry.name, 'utf8');
    const localName = entry.localName !== undefined ? Buffer.from(entry.localName, 'utf8') : name;
    const crc = entry.crc ?? crc32(data) >>> 0;
    const flags = entry.flags ?? 0x0800;
    const extra = Buffer.alloc(entry.localExtraPadding ?? 0);
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(flags, 6);
    local.writeUInt16LE(entry.localMethod ?? method, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressed.byteLength, 18);
    local.writeUInt32LE(data.byteLength, 22);
    local.writeUInt16LE(localName.byteLength, 26);
    local.writeUInt16LE(extra.byteLength, 28);
    const localOffset = offset;
    push(local);
    push(localName);
    push(extra);
    push(compressed);
    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(20, 4);
    record.writeUInt16LE(20, 6);
    record.writeUInt16LE(flags, 8);
    record.writeUInt16LE(method, 10);
    record.writeUInt32LE(crc, 16);
    record.writeUInt32LE(entry.centralCompressedSize ?? compressed.byteLength, 20);
    record.writeUInt32LE(entry.centralUncompressedSize ?? data.byteLength, 24);
    record.writeUInt16LE(name.byteLength, 28);
    record.writeUInt32LE(localOffset, 42);
    central.push(record, Buffer.from(name));
  }
  if (options.beforeCentralDirectory) push(options.beforeCentralDirectory);
  const cdOffset = offset;
  const cd = Buffer.concat(central);
  push(cd);
  const comment = bytesOf(options.comment ?? '');
  if (options.zip64) {
    const zip64Offset = offset;
    const record = Buffer.alloc(56);
    record.writeUInt32LE(0x06064b50, 0);
    record.writeBigUInt64LE(44n, 4);
    record.writeUInt16LE(45, 12);
    record.writeUInt16LE(45, 14);
    record.writeBigUInt64LE(BigInt(entries.length), 24);
    record.writeBigUInt64LE(BigInt(entries.length), 32);
    record.writeBigUInt64LE(BigInt(cd.byteLength), 40);
    record.writeBigUInt64LE(BigInt(cdOffset), 48);
    push(record);
    const locator = Buffer.alloc(20);
    locator.writeUInt32LE(0x07064b50, 0);
    locator.writeBigUInt64LE(BigInt(zip64Offset), 8);
    locator.writeUInt32LE(1, 16);
    push(locator);
  }
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(options.zip64 ? 0xffff : entries.length, 8);
  eocd.writeUInt16LE(options.zip64 ? 0xffff : entries.length, 10);
  eocd.writeUInt32LE(options.zip64 ? 0xffffffff : cd.byteLength, 12);
  eocd.writeUInt32LE(options.zip64 ? 0xffffffff : cdOffset, 16);
  eocd.writeUInt16LE(comment.byteLength, 20);
  push(eocd);
  push(comment);
  return Buffer.concat(parts);
}

/**
 * An archive whose central directory lists `records` entries that all point at the one local entry
 * written (the overlap behind "better zip bombs"): each record looks like a distinct file, yet every
 * read inflates the same bytes. Names are `classes.dex`, `classes2.dex`, ... so an APK reader loads them all.
 * With `staggered`, each record has its own local header, placed inside the previous entry's data.
 */
export function buildOverlappingZip(data: Uint8Array, records: number, options: { staggered?: boolean } = {}): Uint8Array {
  const compressed = deflateRawSync(data);
  const crc = crc32(data) >>> 0;
  const names = Array.from({ length: records }, (_, i) => Buffer.from(i === 0 ? 'classes.dex' : `classes${i + 1}.dex`));
  const localHeader = (name: Buffer, compressedSize: number) => {
    const local = Buffer.alloc(30);
    local.writeUInt32LE(0x04034b50, 0);
    local.writeUInt16LE(20, 4);
    local.writeUInt16LE(0x0800, 6);
    local.writeUInt16LE(8, 8);
    local.writeUInt32LE(crc, 14);
    local.writeUInt32LE(compressedSize, 18);
    local.writeUInt32LE(data.byteLength, 22);
    local.writeUInt16LE(name.byteLength, 26);
    return Buffer.concat([local, name]);
  };
  const parts: Buffer[] = [];
  const offsets: number[] = [];
  let offset = 0;
  if (options.staggered) {
    // Headers back to back, then the data: entry i's declared data covers the headers after it.
    for (const name of names) {
      offsets.push(offset);
      const header = localHeader(name, compressed.byteLength);
      parts.push(header);
      offset += header.byteLength;
    }
  } else {
    const header = localHeader(names[0]!, compressed.byteLength);
    parts.push(header);
    offset += header.byteLength;
    for (let i = 0; i < records; i++) offsets.push(0);
  }
  parts.push(Buffer.from(compressed));
  offset += compressed.byteLength;
  const cdOffset = offset;
  const central: Buffer[] = [];
  names.forEach((name, i) => {
    const record = Buffer.alloc(46);
    record.writeUInt32LE(0x02014b50, 0);
    record.writeUInt16LE(20, 4);
    record.writeUInt16LE(20, 6);
    record.writeUInt16LE(0x0800, 8);
    record.writeUInt16LE(8, 10);
    record.writeUInt32LE(crc, 16);
    record.writeUInt32LE(compressed.byteLength, 20);
    record.writeUInt32LE(data.byteLength, 24);
    record.writeUInt16LE(name.byteLength, 28);
    record.writeUInt32LE(offsets[i]!, 42);
    central.push(record, name);
  });
  const cd = Buffer.concat(central);
  const eocd = Buffer.alloc(22);
  eocd.writeUInt32LE(0x06054b50, 0);
  eocd.writeUInt16LE(records, 8);
  eocd.writeUInt16LE(records, 10);
  eocd.writeUInt32LE(cd.byteLength, 12);
  eocd.writeUInt32LE(cdOffset, 16);
  return Buffer.concat([...parts, cd, eocd]);
}
