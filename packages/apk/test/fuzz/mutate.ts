/**
 * Deterministic mutations for the fuzz test: the same seed gives the same copies, so a failure can
 * be replayed from the seed and iteration printed in the report.
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
}

const INTERESTING_U32 = [0, 1, 0x7f, 0x80, 0xff, 0x100, 0x7fff, 0x8000, 0xffff, 0x10000, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff];

export type MutationKind = 'bit-flip' | 'byte-set' | 'u32-lie' | 'truncate' | 'duplicate-region' | 'zero-region';

export interface Mutation {
  kind: MutationKind;
  offset: number;
}

/**
 * Returns a mutated copy. `hotRegion` (e.g. the first 4 KiB where headers and chunk sizes live)
 * receives most mutations, because lies in headers reach the most code.
 */
export function mutate(input: Uint8Array, rng: Rng, hotRegion = 4096): { bytes: Uint8Array; mutations: Mutation[] } {
  let bytes: Uint8Array = Uint8Array.from(input);
  const mutations: Mutation[] = [];
  const count = 1 + rng.below(4);
  for (let i = 0; i < count && bytes.length > 0; i++) {
    const span = rng.below(4) === 0 ? bytes.length : Math.min(bytes.length, hotRegion);
    const offset = rng.below(span);
    const kind = (['bit-flip', 'byte-set', 'u32-lie', 'u32-lie', 'truncate', 'duplicate-region', 'zero-region'] as const)[rng.below(7)]!;
    mutations.push({ kind, offset });
    switch (kind) {
      case 'bit-flip':
        bytes[offset]! ^= 1 << rng.below(8);
        break;
      case 'byte-set':
        bytes[offset] = [0, 0xff, 0x7f, 0x80][rng.below(4)]!;
        break;
      case 'u32-lie': {
        const value = INTERESTING_U32[rng.below(INTERESTING_U32.length)]!;
        const aligned = offset & ~3;
        for (let b = 0; b < 4 && aligned + b < bytes.length; b++) bytes[aligned + b] = (value >>> (8 * b)) & 0xff;
        break;
      }
      case 'truncate':
        bytes = bytes.subarray(0, offset);
        break;
      case 'duplicate-region': {
        const length = Math.min(1 + rng.below(64), bytes.length - offset);
        const to = rng.below(bytes.length);
        bytes.copyWithin(to, offset, offset + length);
        break;
      }
      case 'zero-region': {
        const length = Math.min(1 + rng.below(64), bytes.length - offset);
        bytes.fill(0, offset, offset + length);
        break;
      }
    }
  }
  return { bytes, mutations };
}
