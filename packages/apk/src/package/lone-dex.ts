import { closeSync, openSync, readSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { ApkFormatError } from '../errors.js';
import { DEFAULT_ZIP_LIMITS, type ZipLimits } from '../zip/limits.js';
import { ZipArchive } from '../zip/index.js';

/** `dex\n` then three version digits and NUL: the first eight bytes of every DEX file. */
export function isDexMagic(bytes: Uint8Array): boolean {
  return (
    bytes.byteLength >= 8 &&
    bytes[0] === 0x64 &&
    bytes[1] === 0x65 &&
    bytes[2] === 0x78 &&
    bytes[3] === 0x0a &&
    [4, 5, 6].every((i) => bytes[i]! >= 0x30 && bytes[i]! <= 0x39) &&
    bytes[7] === 0x00
  );
}

/** Whether the file at `path` starts like a DEX file (false when it cannot be read: the ZIP reader then says why). */
export function isDexFile(path: string): boolean {
  let fd: number | undefined;
  try {
    fd = openSync(path, 'r');
    const head = new Uint8Array(8);
    return readSync(fd, head, 0, 8, 0) === 8 && isDexMagic(head);
  } catch {
    return false;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

/**
 * A lone DEX file (what `d8` writes, or one pulled out of an app) as a one-entry archive holding
 * `classes.dex`, so the package analysis reads it with the same code as the DEX inside an APK. The
 * archive is written here, stored (no compression): one local header, the data, one central
 * directory record and the end record. The file is read whole, within the archive's entry limit.
 */
export function loneDexArchive(path: string, limits: Partial<ZipLimits> = {}): { archive: ZipArchive; size: number; sha256: string } {
  const max = limits.maxEntrySize ?? DEFAULT_ZIP_LIMITS.maxEntrySize;
  let fd: number | undefined;
  let data: Buffer;
  try {
    fd = openSync(path, 'r');
    const chunks: Buffer[] = [];
    let total = 0;
    for (;;) {
      const chunk = Buffer.allocUnsafe(1024 * 1024);
      const n = readSync(fd, chunk, 0, chunk.byteLength, total);
      if (n === 0) break;
      total += n;
      if (total > max) throw new ApkFormatError('limit', `DEX file larger than the limit of ${max} bytes`);
      chunks.push(chunk.subarray(0, n));
    }
    data = Buffer.concat(chunks, total);
  } catch (error) {
    if (error instanceof ApkFormatError) throw error;
    throw new ApkFormatError('io', `cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
  const name = Buffer.from('classes.dex', 'utf8');
  const crc = crc32(data);
  const local = Buffer.alloc(30);
  local.writeUInt32LE(0x04034b50, 0);
  local.writeUInt16LE(20, 4); // version needed
  local.writeUInt32LE(crc, 14);
  local.writeUInt32LE(data.byteLength, 18);
  local.writeUInt32LE(data.byteLength, 22);
  local.writeUInt16LE(name.byteLength, 26);
  const central = Buffer.alloc(46);
  central.writeUInt32LE(0x02014b50, 0);
  central.writeUInt16LE(20, 4); // version made by
  central.writeUInt16LE(20, 6); // version needed
  central.writeUInt32LE(crc, 16);
  central.writeUInt32LE(data.byteLength, 20);
  central.writeUInt32LE(data.byteLength, 24);
  central.writeUInt16LE(name.byteLength, 28);
  const centralOffset = local.byteLength + name.byteLength + data.byteLength;
  const end = Buffer.alloc(22);
  end.writeUInt32LE(0x06054b50, 0);
  end.writeUInt16LE(1, 8);
  end.writeUInt16LE(1, 10);
  end.writeUInt32LE(central.byteLength + name.byteLength, 12);
  end.writeUInt32LE(centralOffset, 16);
  const zip = Buffer.concat([local, name, data, central, name, end]);
  return {
    archive: ZipArchive.fromBytes(zip, limits),
    size: data.byteLength,
    sha256: createHash('sha256').update(data).digest('hex'),
  };
}
