import { ApkFormatError } from '../errors.js';

/**
 * A minimal DER walker that only finds element boundaries. @peculiar/asn1 decodes the structures;
 * this exists because verification needs some elements' exact original bytes (certificates as
 * stored, the signed attributes as signed), which a decode-then-encode round trip cannot promise.
 */
export interface Tlv {
  tag: number;
  /** Offset of the identifier byte. */
  start: number;
  /** Offset of the contents. */
  contentStart: number;
  end: number;
}

export function readTlv(bytes: Uint8Array, offset: number, limit = bytes.length, what = 'ASN.1 element'): Tlv {
  const fail = (why: string): never => {
    throw new ApkFormatError('signature-corrupt', `${what}: ${why}`);
  };
  if (offset + 2 > limit) fail('truncated header');
  const tag = bytes[offset]!;
  // Multi-byte tags never occur in the structures we walk.
  if ((tag & 0x1f) === 0x1f) fail('high tag numbers are not supported');
  let p = offset + 1;
  const first = bytes[p++]!;
  let length: number;
  if (first < 0x80) {
    length = first;
  } else {
    const count = first & 0x7f;
    if (count === 0) fail('indefinite length is not supported');
    if (count > 4) fail('length too large');
    if (p + count > limit) fail('truncated length');
    length = 0;
    for (let i = 0; i < count; i++) length = length * 256 + bytes[p++]!;
  }
  if (p + length > limit) fail(`length ${length} runs past the end`);
  return { tag, start: offset, contentStart: p, end: p + length };
}

/** The children of a constructed element. */
export function children(bytes: Uint8Array, parent: Tlv, max: number, what: string): Tlv[] {
  const out: Tlv[] = [];
  let p = parent.contentStart;
  while (p < parent.end) {
    if (out.length >= max) throw new ApkFormatError('signature-corrupt', `${what}: more than ${max} elements`);
    const t = readTlv(bytes, p, parent.end, what);
    out.push(t);
    p = t.end;
  }
  return out;
}

export function slice(bytes: Uint8Array, t: Tlv): Uint8Array {
  return bytes.subarray(t.start, t.end);
}
