import { dexEntryNames } from '../dex/index.js';
import type { ZipArchive } from '../zip/index.js';

/** Below this size a second thread costs more to start than it saves. */
export const WORKER_MIN_SIZE = 8 * 1024 * 1024;

/**
 * The DEX files both threads take from, largest first; each thread computes it from its own copy
 * of the central directory. Equal sizes keep Android's load order.
 */
export function dexQueueOrder(archive: ZipArchive): string[] {
  const loaded = dexEntryNames(archive).loaded;
  const size = (name: string) => archive.get(name)?.uncompressedSize ?? 0;
  return loaded
    .map((name, i) => ({ name, i, size: size(name) }))
    .sort((a, b) => b.size - a.size || a.i - b.i)
    .map((d) => d.name);
}

/** Which end of the queue a thread takes from. */
export type DexQueueEnd = 'largest' | 'smallest';

/** The size of the queue's shared state: one 64-bit word. */
export const DEX_QUEUE_BYTES = 8;

const LOW = 0xffffffffn;

/**
 * A queue of DEX files shared by the two threads, taken from both ends: the analysis worker takes
 * the largest files first, the thread that asked for the analysis the smallest. That thread also
 * reads the catalogues and matches the code against them once every file is read, so the largest
 * file (one `classes.dex` often holds most of the code) is read by the worker, which has nothing
 * else to do then; and whichever thread is free takes the next file, however long its other work
 * (the worker's start, this thread's manifest, resources and catalogues) took. The state is one
 * word in shared memory (files taken from the front in the low half, from the back in the high
 * half), changed by compare-and-swap, so each file goes to exactly one thread.
 */
export class DexQueue {
  private readonly taken: BigInt64Array;

  constructor(
    readonly order: readonly string[],
    readonly buffer: SharedArrayBuffer = new SharedArrayBuffer(DEX_QUEUE_BYTES),
  ) {
    this.taken = new BigInt64Array(buffer, 0, 1);
  }

  /**
   * The next file no thread has taken yet from one end, with its place in the order and how many
   * files were taken before it; undefined when all are taken.
   */
  take(end: DexQueueEnd = 'largest'): { name: string; index: number; before: number } | undefined {
    for (;;) {
      const old = Atomics.load(this.taken, 0);
      const front = Number(old & LOW);
      const back = Number(old >> 32n);
      if (front + back >= this.order.length) return undefined;
      const next = end === 'largest' ? old + 1n : old + (1n << 32n);
      if (Atomics.compareExchange(this.taken, 0, old, next) !== old) continue; // the other thread took one meanwhile
      const index = end === 'largest' ? front : this.order.length - 1 - back;
      return { name: this.order[index]!, index, before: front + back };
    }
  }
}
