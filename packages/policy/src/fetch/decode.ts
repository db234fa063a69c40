import { TextDecoder } from 'node:util';
import { PolicyInputError } from '../document/types.js';

/**
 * Bytes of a policy (a file or an HTTP body) into text. Chinese policies are still served in GBK
 * or GB18030 by older sites, often with the charset only in a `<meta>` tag, so the encoding is
 * looked for the way browsers do, in this order: a byte-order mark (it is in the bytes, so it wins
 * over a header that may be a server default), the Content-Type charset, a `<meta>` or XML
 * declaration in the first 2 KB, else UTF-8.
 */

export interface DecodedText {
  text: string;
  /** The WHATWG encoding name used (`utf-8`, `gbk`, `gb18030`, `utf-16le`, ...). */
  encoding: string;
  /** Where the encoding came from. */
  from: 'bom' | 'content-type' | 'meta' | 'default';
}

export interface DecodeOptions {
  /** The HTTP Content-Type header, when there is one. */
  contentType?: string;
  /**
   * Look for `<meta charset>` in the first bytes. Off for Markdown and plain text, where such a tag
   * is an example in the text rather than a declaration.
   */
  sniffMeta?: boolean;
}

const META_WINDOW = 2048;

/** The charset parameter of a Content-Type value, unquoted. */
export function charsetOfContentType(contentType: string | undefined): string | undefined {
  if (!contentType) return undefined;
  const match = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType);
  return match?.[2];
}

function bomEncoding(bytes: Uint8Array): string | undefined {
  if (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf) return 'utf-8';
  if (bytes[0] === 0xff && bytes[1] === 0xfe) return 'utf-16le';
  if (bytes[0] === 0xfe && bytes[1] === 0xff) return 'utf-16be';
  return undefined;
}

/** `<meta charset=gbk>`, `<meta http-equiv="Content-Type" content="text/html; charset=gbk">`, `<?xml encoding="gbk"?>`. */
export function declaredCharset(bytes: Uint8Array): string | undefined {
  // Latin-1 maps every byte to one character, so ASCII markup reads the same in any ASCII-compatible encoding.
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, META_WINDOW)).toString('latin1');
  const xml = /^\s*<\?xml\b[^>]*\bencoding\s*=\s*["']([\w.:+-]+)["']/i.exec(head);
  if (xml) return xml[1];
  const meta = /<meta\b[^>]*?\bcharset\s*=\s*["']?\s*([\w.:+-]+)/i.exec(head);
  return meta?.[1];
}

/** A TextDecoder for a label, or undefined when the label names no encoding this Node knows. */
function decoderFor(label: string): TextDecoder | undefined {
  try {
    // ignoreBOM keeps a BOM in the text: offsets of a plain-text policy count it, as the file does.
    return new TextDecoder(label.trim().toLowerCase(), { ignoreBOM: true });
  } catch {
    return undefined;
  }
}

export function decodePolicyBytes(bytes: Uint8Array, options: DecodeOptions = {}): DecodedText {
  const candidates: [string | undefined, DecodedText['from']][] = [
    [bomEncoding(bytes), 'bom'],
    [charsetOfContentType(options.contentType), 'content-type'],
    [options.sniffMeta === false ? undefined : declaredCharset(bytes), 'meta'],
  ];
  for (const [label, from] of candidates) {
    if (!label) continue;
    const decoder = decoderFor(label);
    // An unknown label (a typo, `charset=none`) is a server mistake: fall through to the next clue.
    if (!decoder) continue;
    // The bytes of a page that declares UTF-16 in ASCII markup cannot be UTF-16 (HTML standard).
    if (from === 'meta' && decoder.encoding.startsWith('utf-16')) return utf8(bytes, 'meta');
    return { text: decoder.decode(bytes), encoding: decoder.encoding, from };
  }
  return utf8(bytes, 'default');
}

function utf8(bytes: Uint8Array, from: DecodedText['from']): DecodedText {
  return { text: new TextDecoder('utf-8', { ignoreBOM: true }).decode(bytes), encoding: 'utf-8', from };
}

/**
 * Refuses bytes that are plainly not text (a PDF or an image saved under a policy's name, or served
 * as octet-stream): decoded, they would be analysed as noise.
 */
export function assertLooksLikeText(bytes: Uint8Array, source: string): void {
  const head = Buffer.from(bytes.buffer, bytes.byteOffset, Math.min(bytes.byteLength, 4096));
  if (head.subarray(0, 5).toString('latin1') === '%PDF-')
    throw new PolicyInputError(`${source}: a PDF document, not a text policy; give the policy's web page, HTML, Markdown or text`);
  const bom = bomEncoding(head);
  if (bom?.startsWith('utf-16')) return;
  if (head.includes(0)) throw new PolicyInputError(`${source}: binary content (NUL bytes), not a text policy`);
}
