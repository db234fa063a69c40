import { randomBytes } from 'node:crypto';

// Ids are ULID-shaped (48-bit millisecond time + 80 random bits, Crockford base32, 26 characters):
// they sort by creation time as plain strings on SQLite and PostgreSQL alike, which is what cursor
// pagination and the audit log's order need, and they reveal nothing but the creation time.
const ALPHABET = '0123456789ABCDEFGHJKMNPQRSTVWXYZ';

let lastTime = 0;
let lastRandom = Buffer.alloc(10);

function encodeTime(ms: number): string {
  let out = '';
  for (let i = 0; i < 10; i++) {
    out = ALPHABET[ms % 32] + out;
    ms = Math.floor(ms / 32);
  }
  return out;
}

function encodeRandom(bytes: Buffer): string {
  // 80 bits → 16 characters of 5 bits each.
  let out = '';
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += ALPHABET[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
    value &= (1 << bits) - 1;
  }
  return out;
}

/** A new id, strictly greater than every id this process made before (monotonic within a millisecond). */
export function newId(now = Date.now()): string {
  if (now <= lastTime) {
    // Same (or earlier, after a clock step) millisecond: keep the time, increment the random part.
    const next = Buffer.from(lastRandom);
    for (let i = next.length - 1; i >= 0; i--) {
      next[i] = (next[i]! + 1) & 0xff;
      if (next[i] !== 0) break;
    }
    lastRandom = next;
  } else {
    lastTime = now;
    lastRandom = randomBytes(10);
  }
  return encodeTime(lastTime) + encodeRandom(lastRandom);
}

/** Ids of a block: its 22-character prefix followed by 4 characters (BLOCK_BITS) of a number. */
export const BLOCK_BITS = 20;

/**
 * The prefix of a block of 2^BLOCK_BITS ids (the prefix and four base-32 characters of 0 … 2^20 − 1)
 * that sort after every id this process made before and before every id it makes after: for a
 * statement that makes its rows' ids itself (an INSERT … SELECT numbering them, idDigits).
 */
export function newIdBlock(now = Date.now()): string {
  newId(now);
  const random = BigInt(`0x${lastRandom.toString('hex')}`);
  const size = 1n << BigInt(BLOCK_BITS);
  // The next block boundary above the id just made; the block's last id becomes the latest made.
  const first = (random / size + 1n) * size;
  lastRandom = Buffer.from((first + size - 1n).toString(16).padStart(20, '0').slice(-20), 'hex');
  const firstBytes = Buffer.from(first.toString(16).padStart(20, '0').slice(-20), 'hex');
  return encodeTime(lastTime) + encodeRandom(firstBytes).slice(0, 16 - BLOCK_BITS / 5);
}

/** The alphabet of ids, for SQL that writes the last characters of a block's ids (newIdBlock). */
export const ID_ALPHABET = ALPHABET;

const ID_PATTERN = /^[0-9A-HJKMNP-TV-Z]{26}$/;

/** Whether a string from a request can be an id (checked before it reaches a query). */
export function isId(value: unknown): value is string {
  return typeof value === 'string' && ID_PATTERN.test(value);
}
