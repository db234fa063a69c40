/**
 * Deterministic mutations for the fuzz test: the same seed gives the same copies, so a failure can
 * be replayed from the seed and iteration printed in the report. This is the one PRNG of the test
 * code; fixtures that need reproducible randomness take it from here.
 */
export class Rng {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }
  /** xorshift32: fast and good enough to pick offsets and values. */
  next(): number {
    let x = this.state;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    this.state = x >>> 0;
    return this.state;
  }
  below(n: number): number {
    return n <= 0 ? 0 : this.next() % n;
  }
  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)]!;
  }
}

export const INTERESTING_U32 = [
  0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffff0, 0xfffffffe, 0xffffffff,
];

const ALL_KINDS = ['bit-flip', 'byte-set', 'u32-lie', 'u32-lie', 'truncate', 'duplicate-region', 'zero-region'] as const;
/** What `mutate` does; u32 lies are listed twice because they reach the most checks. Truncation ends an input's mutations. */
export type GenericMutationKind = (typeof ALL_KINDS)[number];
/** Generic kinds plus those a target's fixup adds (`checksum-fix`, `header-lie`, ...). */
export type MutationKind = GenericMutationKind | (string & {});

/** One applied mutation, with what it wrote, so a report can be read without replaying it. */
export interface Mutation {
  kind: MutationKind;
  offset: number;
  value?: number;
  length?: number;
  to?: number;
}

/** A byte range [start, end) where mutations concentrate (headers, index tables, a signing block). */
export type HotRange = readonly [start: number, end: number];

/**
 * Returns a mutated copy. Three in four mutations land in one of the `hot` ranges, because lies in
 * headers and tables reach the most code; the rest land anywhere.
 */
/** For archives whose truncation the ZIP target already covers: keep the end records so mutations reach the parsers. */
export const NO_TRUNCATION = ALL_KINDS.filter((k) => k !== 'truncate');

export function mutate(
  input: Uint8Array,
  rng: Rng,
  hot: readonly HotRange[] = [[0, 4096]],
  kinds: readonly GenericMutationKind[] = ALL_KINDS,
): { bytes: Uint8Array; mutations: Mutation[] } {
  // A copy, never a view: Buffer#slice (seeds read with readFileSync are Buffers) would share memory.
  let bytes = new Uint8Array(input);
  const mutations: Mutation[] = [];
  const count = 1 + rng.below(4);
  // At most one truncation, in about one input of eight: most cuts fail the first length check, so
  // more would starve the deeper code of inputs.
  const truncateAt = kinds.includes('truncate') && rng.below(8) === 0 ? count - 1 : -1;
  const others = kinds.filter((k) => k !== 'truncate');
  for (let i = 0; i < count && bytes.length > 0; i++) {
    let start = 0;
    let end = bytes.length;
    if (hot.length > 0 && rng.below(4) !== 0) {
      const range = rng.pick(hot);
      start = Math.min(range[0], bytes.length - 1);
      end = Math.max(start + 1, Math.min(range[1], bytes.length));
    }
    const offset = start + rng.below(end - start);
    const kind = i === truncateAt ? 'truncate' : rng.pick(others);
    switch (kind) {
      case 'bit-flip': {
        const bit = rng.below(8);
        bytes[offset]! ^= 1 << bit;
        mutations.push({ kind, offset, value: bit });
        break;
      }
      case 'byte-set': {
        const value = rng.pick([0, 0xff, 0x7f, 0x80]);
        bytes[offset] = value;
        mutations.push({ kind, offset, value });
        break;
      }
      case 'u32-lie': {
        const value = rng.pick(INTERESTING_U32);
        const aligned = offset & ~3;
        for (let b = 0; b < 4 && aligned + b < bytes.length; b++) bytes[aligned + b] = (value >>> (8 * b)) & 0xff;
        mutations.push({ kind, offset: aligned, value });
        break;
      }
      case 'truncate':
        bytes = bytes.subarray(0, offset);
        mutations.push({ kind, offset });
        break;
      case 'duplicate-region': {
        const length = Math.min(1 + rng.below(64), bytes.length - offset);
        // Copied within the same structure, where a repeated record or a shifted field is plausible.
        const to = start + rng.below(Math.min(end, bytes.length) - start);
        bytes.copyWithin(to, offset, offset + length);
        mutations.push({ kind, offset, length, to });
        break;
      }
      case 'zero-region': {
        const length = Math.min(1 + rng.below(64), bytes.length - offset);
        bytes.fill(0, offset, offset + length);
        mutations.push({ kind, offset, length });
        break;
      }
    }
  }
  return { bytes, mutations };
}

/** Writes a little-endian u32 lie at `offset` and records it. */
export function lieU32(bytes: Uint8Array, offset: number, value: number, mutations: Mutation[], kind: MutationKind = 'u32-lie'): void {
  if (offset < 0 || offset + 4 > bytes.length) return;
  new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).setUint32(offset, value >>> 0, true);
  mutations.push({ kind, offset, value: value >>> 0 });
}
