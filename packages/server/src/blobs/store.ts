import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { link, open, rename, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';

/** The stored bytes: addressed by their sha256, so the same bytes uploaded twice are one blob. */
export interface StoredBlob {
  sha256: string;
  size: number;
  /** The first bytes (up to 8), for a type check without reading the blob again. */
  head: Buffer;
  /** false when a blob with these bytes was already there. */
  created: boolean;
}

export class BlobTooLargeError extends Error {
  readonly code = 'too-large';
  constructor(readonly limit: number) {
    super(`the upload is larger than the limit of ${limit} bytes / 上传内容超过 ${limit} 字节的上限`);
    this.name = 'BlobTooLargeError';
  }
}

/**
 * Where blobs live. One interface for the local folder (embedded mode, or a shared mount in
 * scale-out) and an S3-compatible store; only the local one is implemented and tested here.
 */
export interface BlobStore {
  /** Streams `source` in, hashing and counting as it goes; over `maxBytes` it stops reading and throws BlobTooLargeError. */
  put(source: Readable, options: { maxBytes: number }): Promise<StoredBlob>;
  has(sha256: string): Promise<boolean>;
  /** Runs `use` with a local file path holding the blob (the engine reads files at random offsets). */
  withFile<T>(sha256: string, use: (path: string) => Promise<T>): Promise<T>;
  open(sha256: string): Readable;
  delete(sha256: string): Promise<void>;
  /**
   * Removes what interrupted uploads left behind (called at start). On a mount shared by several
   * nodes, pass an age so another node's upload in progress is left alone. Returns how many files.
   */
  removePartial(olderThanMs?: number): number;
}

const SHA256 = /^[0-9a-f]{64}$/;

/** Blobs as files under `root`: `ab/cd/<sha256>`, written through `tmp/` and renamed into place. */
export class LocalBlobStore implements BlobStore {
  private readonly tmp: string;

  constructor(readonly root: string) {
    this.tmp = join(root, 'tmp');
    mkdirSync(this.tmp, { recursive: true });
  }

  path(sha256: string): string {
    // The address is checked before it becomes a path: nothing from a request reaches the file system.
    if (!SHA256.test(sha256)) throw new Error(`not a sha256 address: ${JSON.stringify(sha256.slice(0, 80))}`);
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(source: Readable, options: { maxBytes: number }): Promise<StoredBlob> {
    const temp = join(this.tmp, `${Date.now()}-${randomBytes(8).toString('hex')}.part`);
    const hash = createHash('sha256');
    let size = 0;
    let head = Buffer.alloc(0);
    const handle = await open(temp, 'wx', 0o600);
    // One sink that counts, hashes and writes. Chunks queue while a write is in flight and go out
    // together in one writev, hashed on this thread meanwhile: hashing (~1.6 GB/s here) overlaps the
    // disk instead of adding to it. A Transform feeding a file stream did both in turn, ~3x `cp`.
    const sink = new Writable({
      highWaterMark: 8 << 20,
      writev(entries, done) {
        const buffers: Buffer[] = [];
        for (const { chunk } of entries as { chunk: Buffer }[]) {
          size += chunk.length;
          if (size > options.maxBytes) {
            done(new BlobTooLargeError(options.maxBytes));
            return;
          }
          if (head.length < 8) head = Buffer.concat([head, chunk.subarray(0, 8 - head.length)]);
          hash.update(chunk);
          buffers.push(chunk);
        }
        handle.writev(buffers).then(() => done(), done);
      },
    });
    try {
      try {
        await pipeline(source, sink);
        // The link below publishes the blob; its bytes must be on disk before the row that names it.
        await handle.sync();
      } finally {
        await handle.close();
      }
      const sha256 = hash.digest('hex');
      const final = this.path(sha256);
      mkdirSync(join(final, '..'), { recursive: true });
      let created = true;
      try {
        // link fails when the blob exists: the first copy wins, this one is dropped.
        await link(temp, final);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          await rename(temp, final);
        } else created = false;
      }
      return { sha256, size, head, created };
    } finally {
      await rm(temp, { force: true });
    }
  }

  async has(sha256: string): Promise<boolean> {
    return existsSync(this.path(sha256));
  }

  async withFile<T>(sha256: string, use: (path: string) => Promise<T>): Promise<T> {
    const path = this.path(sha256);
    if (!existsSync(path)) throw new Error(`blob ${sha256} is missing from ${this.root}`);
    return use(path);
  }

  open(sha256: string): Readable {
    return createReadStream(this.path(sha256));
  }

  async delete(sha256: string): Promise<void> {
    await rm(this.path(sha256), { force: true });
  }

  removePartial(olderThanMs = 0): number {
    let removed = 0;
    const cutoff = Date.now() - olderThanMs;
    for (const name of readdirSync(this.tmp)) {
      if (!name.endsWith('.part')) continue;
      const file = join(this.tmp, name);
      try {
        const info = statSync(file);
        // With no age given everything goes (mtime may round past `now` within the same millisecond).
        if (info.isFile() && (olderThanMs <= 0 || info.mtimeMs <= cutoff)) {
          rmSync(file, { force: true });
          removed++;
        }
      } catch {
        // gone already (another process cleaning up)
      }
    }
    return removed;
  }
}
