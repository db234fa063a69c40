import { dexEntryNames } from '../dex/index.js';
import type { ZipArchive } from '../zip/index.js';

/** Below this size a second thread costs more to start than it saves. */
export const WORKER_MIN_SIZE = 8 * 1024 * 1024;

/**
 * The DEX files both threads take from, largest first (so the last file taken, which the other
 * thread may wait for, is a small one); each thread computes it from its own copy of the central
 * directory. Equal sizes keep Android's load order.
 */
export function dexQueueOrder(archive: ZipArchive): string[] {
  const loaded = dexEntryNames(archive).loaded;
  const size = (name: string) => archive.get(name)?.uncompressedSize ?? 0;
  return loaded
    .map((name, i) => ({ name, i, size: size(name) }))
    .sort((a, b) => b.size - a.size || a.i - b.i)
    .map((d) => d.name);
}

/**
 * A queue of DEX files shared by the two threads: a counter in shared memory, so each thread takes
 * the next file whenever it is free, however long its other work (the worker's start, hashing and
 * signatures; this thread's manifest, resources and catalogues) took. A static split left one
 * thread waiting for the other for up to a third of a second.
 */
export class DexQueue {
  private readonly next: Int32Array;

  constructor(
    readonly order: readonly string[],
    readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(4),
  ) {
    this.next = new Int32Array(buffer);
  }

  /** The next file no thread has taken yet, with its place in the order; undefined when all are taken. */
  take(): { name: string; index: number } | undefined {
    // Atomics.add returns the old value: each index goes to exactly one thread.
    const index = Atomics.add(this.next, 0, 1);
    return index < this.order.length ? { name: this.order[index]!, index } : undefined;
  }
}
