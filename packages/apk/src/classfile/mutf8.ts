/**
 * Decodes the JVM's "modified UTF-8" (JVMS 4.4.7): NUL is written as C0 80, characters outside the
 * BMP as two three-byte surrogates, and there are no four-byte forms. TextDecoder would turn
 * surrogate pairs into two U+FFFD, so we decode by hand. Malformed sequences become U+FFFD rather
 * than errors: the name is still useful evidence, and the JVM would reject such a class anyway.
 */
export function decodeModifiedUtf8(bytes: Uint8Array, start: number, end: number): string {
  let ascii = true;
  for (let i = start; i < end; i++) {
    const b = bytes[i]!;
    if (b === 0 || b >= 0x80) {
      ascii = false;
      break;
    }
  }
  // Almost every constant in real class files is ASCII; latin1 is a single native copy.
  if (ascii) return Buffer.from(bytes.buffer, bytes.byteOffset + start, end - start).toString('latin1');

  const units: number[] = [];
  let out = '';
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
      i += 1;
    }
    // Flush in chunks so String.fromCharCode never receives a huge argument list.
    if (units.length >= 4096) {
      out += String.fromCharCode(...units);
      units.length = 0;
    }
  }
  return out + String.fromCharCode(...units);
}
