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
  constructor(private readonly bytes: Uint8Array) {
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

export class FileSource implements RandomAccessSource {
  readonly size: number;
  private fd: number | undefined;

  constructor(readonly path: string) {
    try {
      this.fd = openSync(path, 'r');
      this.size = fstatSync(this.fd).size;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code ?? 'error';
      throw new ApkFormatError('io', `cannot open ${path}: ${code}`);
    }
  }

  read(offset: number, length: number): Uint8Array {
    if (this.fd === undefined) throw new ApkFormatError('io', `file already closed: ${this.path}`);
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw new ApkFormatError('zip-corrupt', `read past end of file (offset ${offset}, length ${length}, size ${this.size})`);
    }
    const out = Buffer.allocUnsafe(length);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, out, done, length - done, offset + done);
      if (n === 0) throw new ApkFormatError('io', `unexpected end of file ${this.path}`);
      done += n;
    }
    return out;
  }

  close(): void {
    if (this.fd !== undefined) closeSync(this.fd);
    this.fd = undefined;
  }
}
