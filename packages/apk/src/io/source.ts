import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import { ApkFormatError } from '../errors.js';

/**
 * Random access to the bytes of an archive. Parsers read only the ranges they need (the central
 * directory, one entry, the signing block), so a 300 MB APK is never loaded whole unless asked.
 */
export interface RandomAccessSource {
  readonly size: number;
  /** Returns exactly `length` bytes at `offset`, or throws an ApkFormatError. */
  read(offset: number, length: number): Uint8Array;
  close(): void;
}

export class BufferSource implements RandomAccessSource {
  readonly size: number;
  constructor(readonly bytes: Uint8Array) {
    this.size = bytes.byteLength;
  }
  read(offset: number, length: number): Uint8Array {
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw new ApkFormatError('zip-corrupt', `read past end of data (offset ${offset}, length ${length}, size ${this.size})`);
    }
    return this.bytes.subarray(offset, offset + length);
  }
  close(): void {}
}

const ERRNO_WORDS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EISDIR: 'is a directory',
  ENOTDIR: 'a folder in the path is not a folder',
  EMFILE: 'too many open files',
};

export class FileSource implements RandomAccessSource {
  readonly size: number;
  private fd: number | undefined;

  constructor(readonly path: string) {
    let stat;
    try {
      this.fd = openSync(path, 'r');
      stat = fstatSync(this.fd);
    } catch (error) {
      if (this.fd !== undefined) closeSync(this.fd);
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new ApkFormatError('io', `cannot open ${path}: ${ERRNO_WORDS[code] ?? code}`);
    }
    if (!stat.isFile()) {
      closeSync(this.fd);
      this.fd = undefined;
      throw new ApkFormatError('io', `cannot open ${path}: not a regular file`);
    }
    this.size = stat.size;
  }

  read(offset: number, length: number): Uint8Array {
    if (this.fd === undefined) throw new ApkFormatError('io', `file already closed: ${this.path}`);
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw new ApkFormatError('zip-corrupt', `read past end of file (offset ${offset}, length ${length}, size ${this.size})`);
    }
    const out = Buffer.allocUnsafe(length);
    this.readInto(out, offset);
    return out;
  }

  /** Fills `target` with the bytes at `offset` (no allocation: for large or repeated reads). */
  readInto(target: Uint8Array, offset: number): void {
    if (this.fd === undefined) throw new ApkFormatError('io', `file already closed: ${this.path}`);
    let done = 0;
    while (done < target.byteLength) {
      const n = readSync(this.fd, target, done, target.byteLength - done, offset + done);
      if (n === 0) throw new ApkFormatError('io', `unexpected end of file ${this.path}`);
      done += n;
    }
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}

/**
 * A source for a file: read whole into shared memory when it is at most `preloadSize` bytes, else
 * a FileSource reading ranges on demand.
 */
export function openSource(path: string, preloadSize: number): RandomAccessSource {
  const file = new FileSource(path);
  if (file.size > preloadSize) return file;
  try {
    const bytes = new Uint8Array(new SharedArrayBuffer(file.size));
    file.readInto(bytes, 0);
    return new BufferSource(bytes);
  } finally {
    file.close();
  }
}
