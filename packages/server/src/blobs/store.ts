import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { link, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { Writable, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { OffThreadHash } from './hasher.js';

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

/** Bytes handed to the hashing thread at a time, and buffers per upload (4 MiB per upload in flight). */
const SLOT_BYTES = 1 << 20;
const SLOTS = 4;
/** Written bytes between background flushes, so the final fsync finds little left to do. */
const FLUSH_EVERY = 64 << 20;

/**
 * An upload's sink: counts (stopping at the cap), keeps the first bytes, writes, and hashes. Chunks
 * queue while a write is in flight and go out together in one writev; meanwhile they are copied into
 * 1 MiB buffers that the hashing thread hashes (hasher.ts). So the three costs of an upload (reading
 * the socket on this thread, the kernel's copy into the file, hashing) run side by side, and memory
 * stays at a few buffers whatever the upload's size. An upload that fits in one buffer is hashed
 * here: handing it over would cost more than hashing it.
 */
class UploadSink extends Writable {
  size = 0;
  head = Buffer.alloc(0);
  private hasher: OffThreadHash | undefined;
  private slot: Buffer | undefined = Buffer.from(new ArrayBuffer(SLOT_BYTES));
  private fill = 0;
  private allocated = 1;
  private readonly spare: ArrayBuffer[] = [];
  /** Buffers with the hashing thread, oldest first (they come back in this order). */
  private readonly hashing: Promise<void>[] = [];
  private written = 0;
  private flushedAt = 0;
  private flushing: Promise<void> | undefined;
  private writing: Promise<void> | undefined;
  private digest: string | undefined;

  constructor(
    private readonly handle: FileHandle,
    private readonly maxBytes: number,
  ) {
    super({ highWaterMark: 2 << 20 });
  }

  override _writev(entries: { chunk: Buffer }[], done: (error?: Error | null) => void): void {
    const buffers: Buffer[] = [];
    let bytes = 0;
    for (const { chunk } of entries) {
      this.size += chunk.length;
      if (this.size > this.maxBytes) {
        done(new BlobTooLargeError(this.maxBytes));
        return;
      }
      if (this.head.length < 8) this.head = Buffer.concat([this.head, chunk.subarray(0, 8 - this.head.length)]);
      buffers.push(chunk);
      bytes += chunk.length;
    }
    this.writing = this.handle.writev(buffers).then(() => this.wrote(bytes));
    const fed = this.feed(buffers, 0, 0);
    Promise.all([this.writing, fed]).then(() => done(), done);
  }

  override _write(chunk: Buffer, _encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this._writev([{ chunk }], done);
  }

  /** Copies the chunks into hashing buffers, handing each full one over; waits only when all are out. */
  private async feed(chunks: Buffer[], index: number, offset: number): Promise<void> {
    for (; index < chunks.length; index++, offset = 0) {
      const chunk = chunks[index]!;
      while (offset < chunk.length) {
        if (!this.slot) this.slot = await this.nextSlot();
        const n = chunk.copy(this.slot, this.fill, offset);
        this.fill += n;
        offset += n;
        if (this.fill === SLOT_BYTES) this.handOver();
      }
    }
  }

  private handOver(): void {
    this.hasher ??= new OffThreadHash();
    const returned = this.hasher.update(this.slot!.buffer as ArrayBuffer, this.fill).then((buffer) => {
      this.spare.push(buffer);
    });
    returned.catch(() => {}); // awaited in nextSlot or _final
    this.hashing.push(returned);
    this.slot = undefined;
    this.fill = 0;
  }

  private async nextSlot(): Promise<Buffer> {
    if (this.spare.length === 0 && this.allocated < SLOTS) {
      this.allocated++;
      return Buffer.from(new ArrayBuffer(SLOT_BYTES));
    }
    while (this.spare.length === 0) await this.hashing.shift();
    return Buffer.from(this.spare.pop()!);
  }

  private wrote(bytes: number): void {
    this.written += bytes;
    if (this.flushing || this.written - this.flushedAt < FLUSH_EVERY) return;
    // Start writing back what is written so far while the upload goes on (fdatasync on another pool
    // thread): the final fsync then has a few MiB to flush instead of the whole file.
    const upTo = this.written;
    this.flushing = this.handle.datasync().then(
      () => {
        this.flushedAt = upTo;
        this.flushing = undefined;
      },
      () => {
        this.flushing = undefined;
      },
    );
  }

  override _final(done: (error?: Error | null) => void): void {
    if (!this.hasher) {
      this.digest = createHash('sha256').update(this.slot!.subarray(0, this.fill)).digest('hex');
      done();
      return;
    }
    if (this.fill > 0) this.handOver();
    Promise.all(this.hashing)
      .then(() => this.hasher!.digest())
      .then((hex) => {
        this.digest = hex;
        done();
      }, done);
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    if (error) this.hasher?.drop();
    done(error);
  }

  /** The sha256, once the stream has finished. */
  sha256(): string {
    if (this.digest === undefined) throw new Error('the upload did not finish');
    return this.digest;
  }

  /** Resolves once no write or flush is in flight (whatever their outcome). */
  async settled(): Promise<void> {
    await this.writing?.catch(() => {});
    await this.flushing;
  }
}

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
    const handle = await open(temp, 'wx', 0o600);
    const sink = new UploadSink(handle, options.maxBytes);
    try {
      let sha256: string;
      try {
        await pipeline(source, sink);
        sha256 = sink.sha256();
        // The link below publishes the blob; its bytes must be on disk before the row that names it.
        await handle.sync();
      } finally {
        // No write may still be in flight when the descriptor closes (its number could be reused).
        await sink.settled();
        await handle.close();
      }
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
      return { sha256, size: sink.size, head: sink.head, created };
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
