/**
 * LEB128 readers for the hot paths. They return -1 instead of throwing (DEX values are unsigned
 * 32-bit, so -1 is free) and leave the position after the value in `leb.pos`, so decoding a
 * class_data_item allocates nothing. Reads stop after 5 bytes, the most a 32-bit value needs.
 */
export const leb = { pos: 0 };

export function readUleb128(bytes: Uint8Array, pos: number, end: number): number {
  let result = 0;
  let multiplier = 1;
  for (let i = 0; i < 5; i++) {
    if (pos >= end) return -1;
    const b = bytes[pos++]!;
    result += (b & 0x7f) * multiplier;
    if ((b & 0x80) === 0) {
      leb.pos = pos;
      return result >>> 0;
    }
    multiplier *= 128;
  }
  return -1;
}

/** Signed LEB128; returns undefined (not -1, a valid value) on a bad encoding. */
export function readSleb128(bytes: Uint8Array, pos: number, end: number): number | undefined {
  let result = 0;
  let multiplier = 1;
  for (let i = 0; i < 5; i++) {
    if (pos >= end) return undefined;
    const b = bytes[pos++]!;
    result += (b & 0x7f) * multiplier;
    multiplier *= 128;
    if ((b & 0x80) === 0) {
      leb.pos = pos;
      // Sign-extend from the last payload bit, then wrap to a 32-bit signed value as DEX does.
      if (b & 0x40) result -= multiplier;
      return result | 0;
    }
  }
  return undefined;
}
