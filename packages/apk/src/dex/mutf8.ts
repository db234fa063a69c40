/**
 * Modified UTF-8 as used by DEX string_data_item: like UTF-8 but U+0000 is written as C0 80 and
 * characters outside the BMP are written as two 3-byte surrogates, so decoding straight to UTF-16
 * code units (what JavaScript strings hold) needs no surrogate arithmetic. TextDecoder would reject
 * both quirks, hence this decoder.
 */

export interface Mutf8Result {
  value: string;
  /** False when a malformed sequence was replaced by U+FFFD. */
  wellFormed: boolean;
}

const CHUNK = 4096;

/** Decodes `bytes[start, end)` (without the terminating NUL). Never throws. */
export function decodeMutf8(bytes: Uint8Array, start: number, end: number): Mutf8Result {
  let ascii = true;
  for (let i = start; i < end; i++) {
    if (bytes[i]! >= 0x80) {
      ascii = false;
      break;
    }
  }
  if (ascii) return { value: latin1(bytes, start, end), wellFormed: true };
  const units: number[] = [];
  let out = '';
  let wellFormed = true;
  let i = start;
  while (i < end) {
    const a = bytes[i]!;
    if (a < 0x80) {
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
      out += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  if (units.length > 0) out += String.fromCharCode(...units);
  return { value: out, wellFormed };
}

function latin1(bytes: Uint8Array, start: number, end: number): string {
  if (end - start <= 64) {
    let s = '';
    for (let i = start; i < end; i++) s += String.fromCharCode(bytes[i]!);
    return s;
  }
  return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');
}
