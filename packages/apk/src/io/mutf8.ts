/**
 * "Modified UTF-8", the string encoding of both Java class files (JVMS 4.4.7) and DEX string_data_item:
 * like UTF-8, but U+0000 is written as C0 80 and characters outside the BMP as two three-byte
 * surrogates, with no four-byte forms. TextDecoder would reject both quirks (and turn each surrogate
 * into U+FFFD), so we decode by hand; since every sequence yields one UTF-16 code unit, no surrogate
 * arithmetic is needed. A raw 0 byte is never valid (DEX strings end at the first one).
 */

export interface Mutf8Result {
  value: string;
  /** False when a malformed sequence was replaced by U+FFFD. */
  wellFormed: boolean;
}

/** Code units collected before each String.fromCharCode, which must never get a huge argument list. */
const CHUNK = 4096;

/**
 * Decodes `bytes[start, end)`. Malformed sequences become U+FFFD rather than errors: the name is still
 * useful evidence, and the platform would reject such a file anyway. Never throws.
 */
export function decodeMutf8(bytes: Uint8Array, start: number, end: number): Mutf8Result {
  let ascii = true;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b === 0 || b >= 0x80) {
      ascii = false;
      break;
    }
  }
  // Almost every name in real DEX and class files is ASCII, which needs no decoding at all.
  if (ascii) return { value: latin1(bytes, start, end), wellFormed: true };
  const units: number[] = [];
  let out = '';
  let wellFormed = true;
  let i = start;
  while (i < end) {
    const a = bytes[i]!;
    if (a !== 0 && a < 0x80) {
      units.push(a);
      i += 1;
    } else if ((a & 0xe0) === 0xc0 && i + 1 < end && (bytes[i + 1]! & 0xc0) === 0x80) {
      units.push(((a & 0x1f) << 6) | (bytes[i + 1]! & 0x3f));
      i += 2;
    } else if ((a & 0xf0) === 0xe0 && i + 2 < end && (bytes[i + 1]! & 0xc0) === 0x80 && (bytes[i + 2]! & 0xc0) === 0x80) {
      units.push(((a & 0x0f) << 12) | ((bytes[i + 1]! & 0x3f) << 6) | (bytes[i + 2]! & 0x3f));
      i += 3;
    } else {
      units.push(0xfffd);
      wellFormed = false;
      i += 1;
    }
    if (units.length >= CHUNK) {
      // eslint-disable-next-line apprights/no-input-sized-spread -- at most CHUNK (4096) units, flushed here
      out += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  // eslint-disable-next-line apprights/no-input-sized-spread -- fewer than CHUNK units remain
  if (units.length > 0) out += String.fromCharCode(...units);
  return { value: out, wellFormed };
}

/** `decodeMutf8` for callers that do not report malformed strings (the class-file reader). */
export function decodeModifiedUtf8(bytes: Uint8Array, start: number, end: number): string {
  return decodeMutf8(bytes, start, end).value;
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  // Short strings (most identifiers) are cheaper to build in JS than through a Buffer round trip.
  if (end - start <= 64) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}
