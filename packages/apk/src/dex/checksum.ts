import { createHash } from 'node:crypto';

/** Adler-32 of `bytes[start, end)`, the checksum a DEX header stores for everything after it. */
export function adler32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let a = 1;
  let b = 0;
  // 5552 is the largest block after which the sums still fit below 2^32 before the modulo.
  const NMAX = 5552;
  let i = start;
  while (i < end) {
    const stop = Math.min(end, i + NMAX);
    for (; i < stop; i++) {
      a += bytes[i]!;
      b += a;
    }
    a %= 65521;
    b %= 65521;
  }
  return ((b << 16) | a) >>> 0;
}

/** SHA-1 of `bytes[start, end)`, the DEX header's `signature`. */
export function sha1(bytes: Uint8Array, start = 0, end = bytes.length): Uint8Array {
  return new Uint8Array(createHash('sha1').update(bytes.subarray(start, end)).digest());
}
