import { createHash, randomBytes, scrypt } from 'node:crypto';
import { constants, createReadStream, existsSync, mkdirSync, readdirSync, rmSync, statSync } from 'node:fs';
import { link, open, rename, rm, type FileHandle } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import type { Readable } from 'node:stream';
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
  put(source: Readable | PushSource, options: { maxBytes: number }): Promise<StoredBlob>;
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
  /** Resolves once the removals of duplicate uploads' files, started after their answers, are done. */
  idle(): Promise<void>;
}

const SHA256 = /^[0-9a-f]{64}$/;

/**
 * Bytes handed to the hashing thread (and, writing directly, to the disk) at a time, and slots per
 * upload: four of 4 MiB (a 16 MiB ring). This VM's disk takes large direct writes faster than 1 MiB
 * ones; the slot layouts measured against each other are in docs/platform.md ("Why 4 MiB slots").
 */
const SLOT_BYTES = 4 << 20;
const SLOTS = 4;
/**
 * Written bytes between background fdatasyncs, so the final fsync finds little left to do. Direct
 * writes too: their extents' metadata and the disk's own cache are flushed by the fsync, which took
 * 0.65 s after 1 GiB written directly in one go and 0.045 s with a flush every 64 MiB (this VM's
 * disk; the flushes ran while the writes went on).
 */
const FLUSH_EVERY = 64 << 20;
/** WebAssembly pages are 64 KiB. */
const WASM_PAGE = 64 << 10;
/** Rings kept for the next uploads once an upload is done with one (16 MiB each). */
const SPARE_RINGS = 4;

/**
 * Memory for an upload's slots: shared (the hashing thread reads it where it is) and page-aligned,
 * which O_DIRECT writes need and which no Buffer promises (a Buffer's bytes start wherever malloc put
 * them). WebAssembly memory is allocated in whole pages; a shared one is a SharedArrayBuffer.
 */
const spareRings: SharedArrayBuffer[] = [];
/** The one WebAssembly API used here (the project's TypeScript libs do not declare WebAssembly). */
const { WebAssembly } = globalThis as unknown as {
  WebAssembly: { Memory: new (d: { initial: number; maximum: number; shared: true }) => { buffer: SharedArrayBuffer } };
};
function takeRing(): SharedArrayBuffer {
  const pages = (SLOTS * SLOT_BYTES) / WASM_PAGE;
  return spareRings.pop() ?? new WebAssembly.Memory({ initial: pages, maximum: pages, shared: true }).buffer;
}
function giveBackRing(ring: SharedArrayBuffer): void {
  if (spareRings.length < SPARE_RINGS) spareRings.push(ring);
}

/**
 * Stops glibc's malloc from handing freed memory straight back to the kernel while uploads run.
 * Node reads a socket into a new 64 KiB buffer per read, freed by the garbage collector in batches;
 * with glibc's default trim threshold (128 KiB) each batch was returned to the kernel and the next
 * reads faulted fresh zeroed pages in: per 1 GiB upload the main thread took 150,000-240,000 page
 * faults and 1.5-2.1 s of system time (as much again in user time), where a bare node:http server
 * took 17,000 faults in all. glibc raises its mmap threshold to the size of a freed mmapped block
 * (up to 32 MiB) and its trim threshold to twice that. A buffer left to the collector does so only
 * when it happens to be collected (not at all in some runs); scrypt's working memory (30 MiB at
 * N = 2^14, r = 15: OpenSSL's malloc, under Node's 32 MiB maxmem) is freed when it returns, here on
 * a pool thread (~150 ms there, once per process, at its first upload), so freed memory up to
 * 60 MiB stays with the process. Measured after it (1 GiB, raw and multipart): ~200 faults and
 * 0.7-0.9 s of CPU per GiB on the main thread (16 MiB, the trim threshold at 32 MiB: 12,000-37,000
 * faults, 1.0-1.4 s). Elsewhere than glibc it changes nothing.
 */
let heapKept = false;
function keepFreedHeap(): void {
  if (heapKept) return;
  heapKept = true;
  scrypt('', '', 1, { N: 1 << 14, r: 15, p: 1 }, () => {});
}

/** Resolves when both have settled; rejects with the first failure. */
async function bothSettled(a: Promise<void>, b: Promise<void>): Promise<void> {
  const results = await Promise.allSettled([a, b]);
  for (const r of results) if (r.status === 'rejected') throw r.reason;
}

/** The upload's file: the page-cache descriptor, and one opened with O_DIRECT when the file system allows it. */
export interface UploadFile {
  handle: FileHandle;
  direct: FileHandle | undefined;
}

/**
 * Where a source hands an upload's bytes. `write` copies the chunk before it returns (the caller may
 * reuse its memory at once) and throws once the upload failed (over the cap: BlobTooLargeError);
 * false means the ring is full: read no more until `room()` resolves.
 */
export interface ChunkSink {
  write(chunk: Uint8Array): boolean;
  room(): Promise<void>;
}

/**
 * Bytes pushed into the store rather than read from a stream (the multipart reader): `pump` hands
 * every byte to the sink, honouring `room()`, and resolves once the upload is complete.
 */
export interface PushSource {
  pump(sink: ChunkSink): Promise<void>;
}

/**
 * Feeds a stream's chunks to `take` from its 'data' events, pausing the stream while `take` says
 * there is no room (until `room()` resolves): no Writable or pipeline() between the socket and the
 * ring (their per-chunk callbacks and promises were main-thread time spent per 64 KiB). `take`
 * returns 'done' when it needs no more (the rest flows away unread) and throws to fail; `atEnd` runs
 * at the stream's end and may throw. On failure the stream is left paused.
 */
export function feedStream(
  source: Readable,
  take: (chunk: Buffer) => boolean | 'done',
  room: () => Promise<void>,
  atEnd: () => void = () => {},
): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let over = false;
    const finish = (error?: unknown) => {
      if (over) return;
      over = true;
      source.off('data', onData).off('end', onEnd).off('error', finish).off('close', onClose);
      if (error === undefined) {
        source.resume();
        resolve();
      } else {
        source.pause();
        reject(error as Error);
      }
    };
    const onData = (chunk: Buffer) => {
      let taken: boolean | 'done';
      try {
        taken = take(chunk);
      } catch (error) {
        finish(error);
        return;
      }
      if (taken === 'done') finish();
      else if (!taken) {
        source.pause();
        room().then(() => {
          if (!over) source.resume();
        }, finish);
      }
    };
    const ended = (closed: boolean) => {
      try {
        atEnd();
        finish(closed ? new Error('the upload ended before its last byte / 上传在最后一个字节之前中断') : undefined);
      } catch (error) {
        finish(error);
      }
    };
    const onEnd = () => ended(false);
    const onClose = () => ended(true);
    source.on('data', onData).once('end', onEnd).once('error', finish).once('close', onClose);
  });
}

/**
 * An upload's sink: counts (stopping at the cap), keeps the first bytes, writes, and hashes. Chunks
 * are copied into a ring of slots (SLOT_BYTES) as they arrive (synchronously: a parser may reuse the memory
 * it handed over); a full slot goes to the hashing thread (hasher.ts) and to the disk from the same
 * memory (with O_DIRECT when the file is open so); the slot is reused once both are done. So the
 * three costs of an upload (reading the socket on this thread, the disk write, hashing) run side by
 * side, and memory stays at one ring (and at most a chunk or two waiting for a slot) whatever the
 * upload's size.
 *
 * With `directIo` (the default) full slots are written with O_DIRECT from the ring and the last,
 * partial slot through the page cache (direct writes must be whole blocks); a file system that refuses
 * O_DIRECT (tmpfs, some network mounts) gets the page cache, slot by slot. Either way a background
 * fdatasync runs every 64 MiB so the final fsync finds little left. Direct is the default because the
 * page cache costs CPU (copies into new pages, ext4's delayed allocation) on the two cores that also
 * read the socket and hash; the profiles and alternated runs behind that are in docs/platform.md.
 */
class UploadSink implements ChunkSink {
  size = 0;
  head = Buffer.alloc(0);
  private hasher: OffThreadHash | undefined;
  private readonly ring = takeRing();
  private readonly views: Buffer[] = [];
  /** Per slot: its hash and write, while in flight (kept until awaited, for their failures). */
  private readonly busy: (Promise<void> | undefined)[] = new Array(SLOTS).fill(undefined);
  /** Per slot: true while its hash or write is still running (so `write` knows without awaiting). */
  private readonly inFlight: boolean[] = new Array(SLOTS).fill(false);
  private slot = 0;
  private fill = 0;
  /** Slots handed over so far: the file offset of the next is `sequence * SLOT_BYTES`. */
  private sequence = 0;
  private direct: FileHandle | undefined;
  private written = 0;
  private flushedAt = 0;
  private flushing: Promise<void> | undefined;
  /** Copies of bytes that came while every slot was out, and the promise that moves them into the ring. */
  private waiting: Buffer[] = [];
  private moving: Promise<void> | undefined;
  private failure: Error | undefined;

  constructor(
    private readonly file: UploadFile,
    private readonly maxBytes: number,
  ) {
    this.direct = file.direct;
    for (let i = 0; i < SLOTS; i++) this.views.push(Buffer.from(this.ring, i * SLOT_BYTES, SLOT_BYTES));
  }

  write(chunk: Uint8Array): boolean {
    if (this.failure) throw this.failure;
    this.size += chunk.length;
    if (this.size > this.maxBytes) throw (this.failure = new BlobTooLargeError(this.maxBytes));
    if (this.head.length < 8) this.head = Buffer.concat([this.head, chunk.subarray(0, 8 - this.head.length)]);
    if (this.moving) {
      this.waiting.push(Buffer.from(chunk));
      return false;
    }
    const offset = this.copy(chunk, 0);
    if (offset === chunk.length) return true;
    this.waiting.push(Buffer.from(chunk.subarray(offset)));
    this.moving = this.moveWaiting();
    this.moving.catch(() => {}); // surfaced by room() or finish()
    return false;
  }

  room(): Promise<void> {
    return this.moving ?? Promise.resolve();
  }

  /** Copies `chunk` from `offset` into slots, handing each full one over; returns where it stopped (a slot still out). */
  private copy(chunk: Uint8Array, offset: number): number {
    while (offset < chunk.length) {
      if (this.fill === 0 && this.inFlight[this.slot]) return offset;
      // Buffer#fill with a buffer exactly the range's length is one plain memcpy (node_buffer.cc);
      // Buffer#copy into the ring's shared memory goes through V8's relaxed memmove (safe against
      // other threads), byte by byte when unaligned, as multipart parts are: 0.75-1.2 s per GiB
      // against 0.05-0.18 s here, and it had made multipart uploads 0.7 s slower than raw ones.
      const n = Math.min(chunk.length - offset, SLOT_BYTES - this.fill);
      this.views[this.slot]!.fill(chunk.subarray(offset, offset + n), this.fill, this.fill + n);
      this.fill += n;
      offset += n;
      if (this.fill === SLOT_BYTES) this.handOver();
    }
    return offset;
  }

  /** Moves the waiting copies into the ring as slots come back. */
  private async moveWaiting(): Promise<void> {
    try {
      while (this.waiting.length > 0) {
        await this.busy[this.slot];
        const first = this.waiting[0]!;
        const offset = this.copy(first, 0);
        if (offset === first.length) this.waiting.shift();
        else this.waiting[0] = first.subarray(offset);
      }
    } catch (error) {
      this.failure ??= error as Error;
      throw error;
    } finally {
      this.moving = undefined;
    }
  }

  private handOver(): void {
    this.hasher ??= new OffThreadHash();
    const slot = this.slot;
    const hashed = this.hasher.update(this.ring, slot * SLOT_BYTES, this.fill);
    // Both settle before the slot is free again (a failed hash must not let a write run on into a closed descriptor).
    const work = bothSettled(hashed, this.writeSlot(slot, this.fill));
    this.inFlight[slot] = true;
    this.busy[slot] = work;
    work.then(
      () => {
        if (this.busy[slot] === work) this.inFlight[slot] = false;
      },
      (error: Error) => {
        this.failure ??= error;
        if (this.busy[slot] === work) this.inFlight[slot] = false;
      },
    );
    this.sequence++;
    this.slot = (slot + 1) % SLOTS;
    this.fill = 0;
  }

  /** Writes slot `slot` (`length` bytes) at its place in the file: directly when whole, else through the page cache. */
  private async writeSlot(slot: number, length: number): Promise<void> {
    const view = this.views[slot]!;
    const position = this.sequence * SLOT_BYTES;
    if (this.direct && length === SLOT_BYTES) {
      try {
        await this.direct.write(view, 0, length, position);
        this.wrote(length);
        return;
      } catch (error) {
        // Some file systems accept O_DIRECT at open and refuse the write: the page cache it is.
        if ((error as NodeJS.ErrnoException).code !== 'EINVAL') throw error;
        this.direct = undefined;
      }
    }
    await this.file.handle.write(view, 0, length, position);
    this.wrote(length);
  }

  private wrote(bytes: number): void {
    this.written += bytes;
    if (this.flushing || this.written - this.flushedAt < FLUSH_EVERY) return;
    // Start writing back what is written so far while the upload goes on (fdatasync on another pool
    // thread): the final fsync then has a few MiB to flush instead of the whole file.
    const upTo = this.written;
    this.flushing = this.file.handle.datasync().then(
      () => {
        this.flushedAt = upTo;
        this.flushing = undefined;
      },
      () => {
        this.flushing = undefined;
      },
    );
  }

  /** Once every byte was written: the last slot out, everything settled; resolves with the sha256. */
  async finish(): Promise<string> {
    await this.moving;
    if (this.failure) throw this.failure;
    const tail = this.fill > 0 ? this.writeSlot(this.slot, this.fill) : undefined;
    if (!this.hasher) {
      const hex = createHash('sha256').update(this.views[this.slot]!.subarray(0, this.fill)).digest('hex');
      await tail;
      return hex;
    }
    const last = this.fill > 0 ? this.hasher.update(this.ring, this.slot * SLOT_BYTES, this.fill) : undefined;
    this.busy[this.slot] = tail && last ? bothSettled(tail, last) : (tail ?? last);
    await Promise.all(this.busy);
    return this.hasher.digest();
  }

  /** The upload failed: the hashing thread forgets it. */
  abandon(): void {
    this.hasher?.drop();
  }

  /** Resolves once no write, hash or flush is in flight (whatever their outcome); the ring is then free. */
  async settled(): Promise<void> {
    await this.moving?.catch(() => {});
    await Promise.allSettled(this.busy);
    await this.flushing;
    this.busy.fill(undefined);
    giveBackRing(this.ring);
  }
}

/** `from` and the folders below it down to `to` (`to` inside `from`, or equal). */
function foldersBetween(from: string, to: string): string[] {
  const folders = [from];
  for (const part of relative(from, to).split('/').filter(Boolean)) folders.push(join(folders[folders.length - 1]!, part));
  return folders;
}

/** fsyncs each folder: the names made in it survive a power cut. */
async function syncFolders(folders: readonly string[]): Promise<void> {
  for (const folder of folders) {
    const handle = await open(folder, 'r');
    try {
      await handle.sync();
    } finally {
      await handle.close();
    }
  }
}

/** Blobs as files under `root`: `ab/cd/<sha256>`, written through `tmp/` and renamed into place. */
export class LocalBlobStore implements BlobStore {
  private readonly tmp: string;
  private readonly directIo: boolean;

  /** `directIo`: write uploads' full slots with O_DIRECT (the default; false: through the page cache; see UploadSink). */
  constructor(
    readonly root: string,
    options: { directIo?: boolean } = {},
  ) {
    this.directIo = options.directIo !== false;
    this.tmp = join(root, 'tmp');
    mkdirSync(this.tmp, { recursive: true });
  }

  path(sha256: string): string {
    // The address is checked before it becomes a path: nothing from a request reaches the file system.
    if (!SHA256.test(sha256)) throw new Error(`not a sha256 address: ${JSON.stringify(sha256.slice(0, 80))}`);
    return join(this.root, sha256.slice(0, 2), sha256.slice(2, 4), sha256);
  }

  async put(source: Readable | PushSource, options: { maxBytes: number }): Promise<StoredBlob> {
    // At the first upload, not at start: a short command that opens the store would wait for it.
    keepFreedHeap();
    const temp = join(this.tmp, `${Date.now()}-${randomBytes(8).toString('hex')}.part`);
    const handle = await open(temp, 'wx', 0o600);
    const direct = this.directIo ? await open(temp, constants.O_WRONLY | constants.O_DIRECT).catch(() => undefined) : undefined;
    const sink = new UploadSink({ handle, direct }, options.maxBytes);
    let dropped = false;
    try {
      let sha256: string;
      try {
        await ('pump' in source
          ? source.pump(sink)
          : feedStream(
              source,
              (chunk) => sink.write(chunk),
              () => sink.room(),
            ));
        sha256 = await sink.finish();
        // The link below publishes the blob; its bytes must be on disk before the row that names it.
        await handle.sync();
      } catch (error) {
        sink.abandon();
        throw error;
      } finally {
        // No write may still be in flight when the descriptor closes (its number could be reused).
        await sink.settled();
        await direct?.close();
        await handle.close();
      }
      const final = this.path(sha256);
      const folder = dirname(final);
      // The first folder made (ab/ or ab/cd/), or undefined when both were there.
      const made = mkdirSync(folder, { recursive: true });
      let created = true;
      try {
        // link fails when the blob exists: the first copy wins, this one is dropped.
        await link(temp, final);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
          await rename(temp, final);
        } else created = false;
      }
      // The file's fsync made its bytes durable, not its name: without the folders' own fsyncs a
      // power cut after the 201 could leave the row naming a blob whose directory entry was lost.
      // (A blob found already there was synced by the upload that made it.)
      if (created) await syncFolders(made ? [dirname(made), ...foldersBetween(made, folder)] : [folder]);
      else {
        // A copy of a blob already stored: removing it frees all its blocks (on this machine's ext4,
        // mounted with discard, ~0.4 s per GiB), which the answer need not wait for. A crash meanwhile
        // leaves a .part file that removePartial clears at the next start.
        this.dropping(rm(temp, { force: true }));
        dropped = true;
      }
      return { sha256, size: sink.size, head: sink.head, created };
    } finally {
      if (!dropped) await rm(temp, { force: true });
    }
  }

  private readonly removals = new Set<Promise<void>>();
  private dropping(removal: Promise<void>): void {
    const tracked = removal.catch(() => {}).finally(() => this.removals.delete(tracked));
    this.removals.add(tracked);
  }

  async idle(): Promise<void> {
    await Promise.all([...this.removals]);
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
