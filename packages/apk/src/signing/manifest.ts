/**
 * JAR manifest and signature-file (.SF) parsing: sections separated by empty lines; each line ends
 * with CRLF, LF or a lone CR; a line starting with one space continues the previous attribute (the
 * 72-byte line limit makes long names wrap); an attribute is `Name: value` split at the first ": ".
 * Offsets are kept because .SF files sign the exact bytes of manifest sections.
 */

export interface ManifestSection {
  /** Byte offset of the section's first line. */
  start: number;
  /** Bytes up to and including the empty line that ends the section. */
  size: number;
  name: string | undefined;
  attributes: [name: string, value: string][];
}

export interface ParsedManifest {
  main: ManifestSection | undefined;
  sections: ManifestSection[];
}

const decoder = new TextDecoder('utf-8');

export function parseManifest(bytes: Uint8Array, maxSections: number): ParsedManifest {
  const lines: { start: number; contentEnd: number; end: number }[] = [];
  let p = 0;
  const n = bytes.length;
  while (p < n) {
    let q = p;
    while (q < n && bytes[q] !== 0x0a && bytes[q] !== 0x0d) q++;
    let end = q;
    if (q < n) end = bytes[q] === 0x0d && q + 1 < n && bytes[q + 1] === 0x0a ? q + 2 : q + 1;
    lines.push({ start: p, contentEnd: q, end });
    p = end;
  }
  const sections: ManifestSection[] = [];
  let i = 0;
  while (i < lines.length) {
    while (i < lines.length && lines[i]!.contentEnd === lines[i]!.start) i++;
    if (i >= lines.length) break;
    if (sections.length >= maxSections) throw new RangeError(`more than ${maxSections} sections`);
    const start = lines[i]!.start;
    const raw: Uint8Array[] = [];
    let current: Uint8Array[] = [bytes.subarray(lines[i]!.start, lines[i]!.contentEnd)];
    i++;
    while (i < lines.length && lines[i]!.contentEnd > lines[i]!.start) {
      const line = lines[i]!;
      if (bytes[line.start] === 0x20) {
        current.push(bytes.subarray(line.start + 1, line.contentEnd));
      } else {
        raw.push(Buffer.concat(current));
        current = [bytes.subarray(line.start, line.contentEnd)];
      }
      i++;
    }
    raw.push(Buffer.concat(current));
    let end = n;
    if (i < lines.length) {
      end = lines[i]!.end;
      i++;
    }
    const attributes = raw.map((b): [string, string] => {
      const text = decoder.decode(b);
      const at = text.indexOf(': ');
      return at < 0 ? [text, ''] : [text.slice(0, at), text.slice(at + 2)];
    });
    const first = attributes[0];
    const name = first && first[0].toLowerCase() === 'name' ? first[1] : undefined;
    sections.push({ start, size: end - start, name, attributes });
  }
  return { main: sections[0], sections: sections.slice(1) };
}

/** Case-insensitive lookup; the first matching attribute wins. */
export function attribute(section: ManifestSection, name: string): string | undefined {
  const lower = name.toLowerCase();
  return section.attributes.find(([k]) => k.toLowerCase() === lower)?.[1];
}
