/**
 * Test-side binary XML (AXML) encoder: builds AndroidManifest.xml bytes from a small JS description, so
 * parser guards can be exercised on exact byte layouts and APK fixtures can be assembled without the
 * Android SDK. It writes what aapt writes (string pool, resource map, namespace/element/end chunks) and
 * exposes the chunks so tests can corrupt one precisely.
 */
import { FRAMEWORK_ATTRIBUTES } from '@apprights/apk';

export const ANDROID_NS = 'http://schemas.android.com/apk/res/android';

/** A typed value written as-is (`{ type: 0x12, data: 0xffffffff }`), or a resource reference. */
export type XValue = string | number | boolean | { ref: number } | { type: number; data: number };

export interface XAttr {
  ns?: string;
  name: string;
  /** Resource id for the resource map; `android()` fills it from the framework table. */
  id?: number;
  value: XValue;
  /** Raw string kept beside the typed value; defaults to the value for strings, none otherwise. */
  raw?: string;
}

export interface XText {
  text: string;
}

export interface XElement {
  ns?: string;
  name: string;
  attrs?: XAttr[];
  children?: (XElement | XText)[];
  /** Namespace declarations opened just before this element and closed after it. */
  namespaces?: { prefix: string; uri: string }[];
  line?: number;
  comment?: string;
}

export interface EncodeOptions {
  utf8?: boolean;
  /** Override the XML header's declared size. */
  declaredSize?: number;
  /** Override the document chunk type (normally 0x0003). */
  documentType?: number;
}

const FRAMEWORK_IDS = new Map([...FRAMEWORK_ATTRIBUTES].map(([id, name]) => [name, id]));

/** An `android:` attribute with its framework resource id. */
export function android(name: string, value: XValue, extra: Partial<XAttr> = {}): XAttr {
  const id = FRAMEWORK_IDS.get(name);
  if (id === undefined && extra.id === undefined) throw new Error(`no framework id for ${name}`);
  return { ns: ANDROID_NS, name, id, value, ...extra };
}

/** A plain attribute without namespace (`package`, `platformBuildVersionCode`). */
export function plain(name: string, value: XValue): XAttr {
  return { name, value };
}

export function el(name: string, attrs: XAttr[] = [], children: (XElement | XText)[] = []): XElement {
  return { name, attrs, children };
}

/** `<manifest xmlns:android=...>` with a package and the given children. */
export function manifest(packageName: string, attrs: XAttr[], children: XElement[]): XElement {
  return {
    name: 'manifest',
    namespaces: [{ prefix: 'android', uri: ANDROID_NS }],
    attrs: [plain('package', packageName), ...attrs],
    children,
  };
}

class Bytes {
  private parts: number[] = [];
  u8(v: number): this {
    this.parts.push(v & 0xff);
    return this;
  }
  u16(v: number): this {
    return this.u8(v).u8(v >>> 8);
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(v >>> 16);
  }
  bytes(b: Uint8Array): this {
    for (const x of b) this.parts.push(x);
    return this;
  }
  pad4(): this {
    while (this.parts.length % 4 !== 0) this.parts.push(0);
    return this;
  }
  get length(): number {
    return this.parts.length;
  }
  done(): Uint8Array {
    return Uint8Array.from(this.parts);
  }
}

/** One chunk: type, header size, the header fields after the 8-byte chunk header, then the body. */
export function chunk(type: number, headerFields: Uint8Array, body: Uint8Array, sizeOverride?: number): Uint8Array {
  const headerSize = 8 + headerFields.length;
  const size = headerSize + body.length;
  return new Bytes()
    .u16(type)
    .u16(headerSize)
    .u32(sizeOverride ?? size)
    .bytes(headerFields)
    .bytes(body)
    .done();
}

export interface StringPoolOptions {
  utf8?: boolean;
  /** Override the declared string count. */
  stringCount?: number;
  /** Override individual offsets (index → offset relative to the string data). */
  offsets?: Map<number, number>;
  /** Omit the terminator after each string. */
  unterminated?: boolean;
  styleCount?: number;
  stylesStart?: number;
}

function encodeLength16(n: number, out: Bytes): void {
  if (n > 0x7fff) out.u16(0x8000 | (n >>> 16)).u16(n & 0xffff);
  else out.u16(n);
}

function encodeLength8(n: number, out: Bytes): void {
  if (n > 0x7f) out.u8(0x80 | (n >>> 8)).u8(n & 0xff);
  else out.u8(n);
}

/** A string pool chunk holding `strings` (UTF-16 unless `utf8`). */
export function stringPool(strings: string[], options: StringPoolOptions = {}): Uint8Array {
  const data = new Bytes();
  const offsets: number[] = [];
  for (const s of strings) {
    offsets.push(data.length);
    if (options.utf8) {
      const encoded = new TextEncoder().encode(s);
      encodeLength8(s.length, data);
      encodeLength8(encoded.length, data);
      data.bytes(encoded);
      if (!options.unterminated) data.u8(0);
    } else {
      encodeLength16(s.length, data);
      for (let i = 0; i < s.length; i++) data.u16(s.charCodeAt(i));
      if (!options.unterminated) data.u16(0);
    }
  }
  data.pad4();
  const offsetTable = new Bytes();
  offsets.forEach((offset, i) => offsetTable.u32(options.offsets?.get(i) ?? offset));
  const headerSize = 28;
  const fields = new Bytes()
    .u32(options.stringCount ?? strings.length)
    .u32(options.styleCount ?? 0)
    .u32(options.utf8 ? 0x100 : 0)
    .u32(strings.length > 0 ? headerSize + offsetTable.length : 0)
    .u32(options.stylesStart ?? 0)
    .done();
  return chunk(0x0001, fields, new Bytes().bytes(offsetTable.done()).bytes(data.done()).done());
}

export function resourceMap(ids: number[]): Uint8Array {
  const body = new Bytes();
  for (const id of ids) body.u32(id);
  return chunk(0x0180, new Uint8Array(0), body.done());
}

/** Node chunk header fields: line number and comment string index. */
function nodeHeader(line: number, comment = 0xffffffff): Uint8Array {
  return new Bytes().u32(line).u32(comment).done();
}

export interface EncodedAxml {
  /** Every chunk after the XML header, in order: string pool, resource map, then nodes. */
  chunks: Uint8Array[];
  strings: string[];
  bytes: Uint8Array;
}

/** Wraps chunks in the XML document header. */
export function assemble(chunks: Uint8Array[], options: EncodeOptions = {}): Uint8Array {
  const total = 8 + chunks.reduce((sum, c) => sum + c.length, 0);
  const out = new Bytes()
    .u16(options.documentType ?? 0x0003)
    .u16(8)
    .u32(options.declaredSize ?? total);
  for (const c of chunks) out.bytes(c);
  return out.done();
}

/** Encodes an element tree like aapt: attribute names with ids first in the pool, aligned with the resource map. */
export function encodeAxmlChunks(root: XElement, options: EncodeOptions = {}): EncodedAxml {
  const withIds: { name: string; id: number }[] = [];
  const others: string[] = [];
  const seenId = new Set<string>();
  const seen = new Set<string>();
  const visit = (node: XElement | XText): void => {
    if ('text' in node) {
      others.push(node.text);
      return;
    }
    for (const ns of node.namespaces ?? []) others.push(ns.prefix, ns.uri);
    if (node.ns !== undefined) others.push(node.ns);
    others.push(node.name);
    if (node.comment !== undefined) others.push(node.comment);
    for (const a of node.attrs ?? []) {
      if (a.id !== undefined) {
        const key = `${a.id}:${a.name}`;
        if (!seenId.has(key)) {
          seenId.add(key);
          withIds.push({ name: a.name, id: a.id });
        }
      } else {
        others.push(a.name);
      }
      if (a.ns !== undefined) others.push(a.ns);
      if (typeof a.value === 'string') others.push(a.value);
      if (a.raw !== undefined) others.push(a.raw);
    }
    for (const child of node.children ?? []) visit(child);
  };
  visit(root);
  const strings = withIds.map((w) => w.name);
  for (const s of others) {
    if (!seen.has(s)) {
      seen.add(s);
      strings.push(s);
    }
  }
  const positions = new Map<string, number>();
  strings.forEach((s, i) => {
    if (i >= withIds.length && !positions.has(s)) positions.set(s, i);
  });
  const index = (s: string | undefined): number => {
    if (s === undefined) return 0xffffffff;
    const at = positions.get(s);
    if (at === undefined) throw new Error(`string ${s} missing`);
    return at;
  };
  const nameIndex = (a: XAttr): number =>
    a.id !== undefined ? withIds.findIndex((w) => w.id === a.id && w.name === a.name) : index(a.name);

  const chunks: Uint8Array[] = [stringPool(strings, { utf8: options.utf8 }), resourceMap(withIds.map((w) => w.id))];
  let line = 1;
  const emit = (node: XElement | XText): void => {
    if ('text' in node) {
      chunks.push(chunk(0x0104, nodeHeader(line++), new Bytes().u32(index(node.text)).u16(8).u8(0).u8(0).u32(0).done()));
      return;
    }
    const nodeLine = node.line ?? line++;
    for (const ns of node.namespaces ?? []) {
      chunks.push(chunk(0x0100, nodeHeader(nodeLine), new Bytes().u32(index(ns.prefix)).u32(index(ns.uri)).done()));
    }
    const attrs = node.attrs ?? [];
    const body = new Bytes().u32(index(node.ns)).u32(index(node.name)).u16(20).u16(20).u16(attrs.length).u16(0).u16(0).u16(0);
    for (const a of attrs) {
      const [type, data] = typed(a.value, index);
      const raw = a.raw ?? (typeof a.value === 'string' ? a.value : undefined);
      body.u32(index(a.ns)).u32(nameIndex(a)).u32(index(raw)).u16(8).u8(0).u8(type).u32(data);
    }
    const comment = node.comment === undefined ? 0xffffffff : index(node.comment);
    chunks.push(chunk(0x0102, nodeHeader(nodeLine, comment), body.done()));
    for (const child of node.children ?? []) emit(child);
    chunks.push(chunk(0x0103, nodeHeader(line++), new Bytes().u32(index(node.ns)).u32(index(node.name)).done()));
    for (const ns of [...(node.namespaces ?? [])].reverse()) {
      chunks.push(chunk(0x0101, nodeHeader(nodeLine), new Bytes().u32(index(ns.prefix)).u32(index(ns.uri)).done()));
    }
  };
  emit(root);
  return { chunks, strings, bytes: assemble(chunks, options) };
}

export function encodeAxml(root: XElement, options: EncodeOptions = {}): Uint8Array {
  return encodeAxmlChunks(root, options).bytes;
}

function typed(value: XValue, index: (s: string) => number): [number, number] {
  if (typeof value === 'string') return [0x03, index(value)];
  if (typeof value === 'boolean') return [0x12, value ? 0xffffffff : 0];
  if (typeof value === 'number') return [0x10, value >>> 0];
  if ('ref' in value) return [0x01, value.ref >>> 0];
  return [value.type, value.data >>> 0];
}

/** A start-element chunk with raw fields, for guard tests that need impossible attribute layouts. */
export function rawStartElement(fields: {
  name: number;
  attributeStart?: number;
  attributeSize?: number;
  attributeCount: number;
  attributeBytes?: Uint8Array;
  sizeOverride?: number;
}): Uint8Array {
  const body = new Bytes()
    .u32(0xffffffff)
    .u32(fields.name)
    .u16(fields.attributeStart ?? 20)
    .u16(fields.attributeSize ?? 20)
    .u16(fields.attributeCount)
    .u16(0)
    .u16(0)
    .u16(0)
    .bytes(fields.attributeBytes ?? new Uint8Array(0));
  return chunk(0x0102, nodeHeader(1), body.done(), fields.sizeOverride);
}

export function rawEndElement(name: number): Uint8Array {
  return chunk(0x0103, nodeHeader(1), new Bytes().u32(0xffffffff).u32(name).done());
}

/** Writes a u32 into a copy of `bytes` at `offset`. */
export function patchU32(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint32(offset, value >>> 0, true);
  return copy;
}

export function patchU16(bytes: Uint8Array, offset: number, value: number): Uint8Array {
  const copy = bytes.slice();
  new DataView(copy.buffer).setUint16(offset, value, true);
  return copy;
}
