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
  /**
   * Like read, but the bytes are only valid until the next readTemporary call: a file source reuses
   * one buffer. Fresh memory is expensive to touch (page faults cost more than the read itself on
   * virtual machines), so streaming work (hashing, inflating) should use this.
   */
  readTemporary(offset: number, length: number): Uint8Array;
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
  readTemporary(offset: number, length: number): Uint8Array {
    return this.read(offset, length);
  }
  close(): void {}
}

/** Reads larger than this get their own buffer rather than growing the reused one. */
const SCRATCH_LIMIT = 64 * 1024 * 1024;

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
  private scratch: Buffer | undefined;

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

  readTemporary(offset: number, length: number): Uint8Array {
    if (offset < 0 || length < 0 || offset + length > this.size) {
      throw new ApkFormatError('zip-corrupt', `read past end of file (offset ${offset}, length ${length}, size ${this.size})`);
    }
    if (length > SCRATCH_LIMIT) return this.read(offset, length);
    if (!this.scratch || this.scratch.byteLength < length) this.scratch = Buffer.allocUnsafe(Math.max(length, 1 << 20));
    const view = this.scratch.subarray(0, length);
    this.readInto(view, offset);
    return view;
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
