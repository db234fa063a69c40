/**
 * Reader for Android's binary XML (AXML), the format of AndroidManifest.xml and compiled layouts inside
 * an APK. We wrote our own because no maintained npm library reads malformed manifests defensively:
 * packed and malicious apps ship manifests with lying sizes, scrambled attribute names and broken string
 * pools that Android still installs, and a compliance checker must read them the way the device does
 * while never crashing or hanging on garbage. Everything wrong with the input surfaces as an
 * ApkFormatError('axml-corrupt'); quirks that Android tolerates are accepted and listed as warnings.
 */
import { guarded } from '../errors.js';
import { ByteReader } from '../io/bytes.js';
import { ResType, type ResValue } from '../resources/res-value.js';
import { StringPool } from '../resources/string-pool.js';
import { frameworkAttributeName } from './framework-attributes.js';

/** A problem the parser tolerated (Android or aapt tolerate it too); kept so reports can mention it. */
export interface AxmlWarning {
  /** Byte offset in the file the problem was found at. */
  offset: number;
  message: string;
}

export const ANDROID_NAMESPACE = 'http://schemas.android.com/apk/res/android';

/** Chunk types used by binary XML (ResourceTypes.h numbering). */
export const AxmlChunk = {
  NULL: 0x0000,
  STRING_POOL: 0x0001,
  XML: 0x0003,
  START_NAMESPACE: 0x0100,
  END_NAMESPACE: 0x0101,
  START_ELEMENT: 0x0102,
  END_ELEMENT: 0x0103,
  CDATA: 0x0104,
  LAST_NODE: 0x017f,
  RESOURCE_MAP: 0x0180,
} as const;

export interface AxmlLimits {
  /** Entries in the string pool. Large real manifests have a few thousand. */
  maxStrings: number;
  /** Characters (UTF-16) or bytes (UTF-8) of one string. */
  maxStringLength: number;
  /** Element nesting depth. Manifests nest 5-6 levels, layouts a few dozen. */
  maxDepth: number;
  /** Attributes on one element. */
  maxAttributes: number;
  /** Node chunks (namespaces, elements, end tags, text) in one document. */
  maxNodes: number;
}

export const DEFAULT_AXML_LIMITS: AxmlLimits = {
  maxStrings: 250_000,
  maxStringLength: 256 * 1024,
  maxDepth: 256,
  maxAttributes: 4096,
  maxNodes: 1_000_000,
};

/** An attribute value decoded from its Res_value. References stay unresolved (resources.arsc does that). */
export type AxmlValue =
  | { kind: 'string'; value: string }
  | { kind: 'reference'; id: number }
  | { kind: 'attribute'; id: number }
  | { kind: 'boolean'; value: boolean }
  | { kind: 'integer'; value: number }
  | { kind: 'float'; value: number }
  | { kind: 'color'; argb: number }
  | { kind: 'dimension'; data: number }
  | { kind: 'fraction'; data: number }
  | { kind: 'null'; empty: boolean }
  | { kind: 'unknown'; type: number; data: number };

export interface AxmlAttribute {
  /** Namespace URI, or undefined when the attribute has none (like `package`). */
  namespaceUri: string | undefined;
  /**
   * The name Android sees: for a known framework attribute id (from the resource map), the framework
   * name (`versionCode`), whatever the string pool says; else the string-pool name.
   */
  name: string;
  /** The name as written in the string pool (may be empty or scrambled by packers). */
  rawName: string;
  /** Resource id of the attribute from the resource map, when it has one. */
  resourceId: number | undefined;
  /** The original string value kept by the compiler (`rawValue`), when present. */
  rawValue: string | undefined;
  typedValue: ResValue;
  value: AxmlValue;
}

export interface AxmlNamespace {
  prefix: string;
  uri: string;
  line: number;
}

export interface AxmlElement {
  kind: 'element';
  namespaceUri: string | undefined;
  name: string;
  line: number;
  /** The XML comment the compiler kept before this element, if any. */
  comment: string | undefined;
  attributes: AxmlAttribute[];
  children: AxmlNode[];
  /** Namespace declarations that started since the previous element started (xmlns on this element). */
  namespaces: AxmlNamespace[];
}

export interface AxmlText {
  kind: 'text';
  text: string;
  line: number;
}

export type AxmlNode = AxmlElement | AxmlText;

export interface AxmlDocument {
  /** The first top-level element (`<manifest>` for a manifest). */
  root: AxmlElement;
  /** Every top-level node; more than one element here is malformed XML but Android reads the first. */
  topLevel: AxmlNode[];
  /** All namespace declarations in document order. */
  namespaces: AxmlNamespace[];
  /** Whether the string pool is UTF-8. */
  utf8: boolean;
  warnings: AxmlWarning[];
}

export interface ParseAxmlOptions {
  limits?: Partial<AxmlLimits>;
  /** Entry name for error messages, default `AndroidManifest.xml`. */
  entry?: string;
}

const NO_INDEX = 0xffffffff;
/** ResXMLTree_node: chunk header + lineNumber + comment. */
const NODE_HEADER_SIZE = 16;
/** ResXMLTree_attrExt is 20 bytes; each ResXMLTree_attribute is 20 bytes. */
const ATTR_EXT_SIZE = 20;
const ATTRIBUTE_SIZE = 20;

/** Parses binary XML bytes into an element tree. Throws ApkFormatError('axml-corrupt') on broken input. */
export function parseAxml(bytes: Uint8Array, options: ParseAxmlOptions = {}): AxmlDocument {
  const entry = options.entry ?? 'AndroidManifest.xml';
  const limits: AxmlLimits = { ...DEFAULT_AXML_LIMITS, ...options.limits };
  return guarded('axml-corrupt', 'binary XML', () => new AxmlParser(bytes, limits, entry).parse(), entry);
}

class AxmlParser {
  private readonly r: ByteReader;
  private readonly warnings: AxmlWarning[] = [];
  private pool: StringPool;
  private resourceIds: Uint32Array = new Uint32Array(0);
  private readonly topLevel: AxmlNode[] = [];
  private readonly namespaces: AxmlNamespace[] = [];
  private readonly stack: AxmlElement[] = [];
  private pendingNamespaces: AxmlNamespace[] = [];
  private openNamespaces = 0;
  private nodes = 0;
  private sawNode = false;

  constructor(
    bytes: Uint8Array,
    private readonly limits: AxmlLimits,
    entry: string,
  ) {
    this.r = new ByteReader(bytes, 'axml-corrupt', entry);
    this.pool = StringPool.empty(this.r);
  }

  private readonly warn = (offset: number, message: string): void => {
    // A hostile file can make every string warn; a few hundred are plenty to report the problem.
    if (this.warnings.length < 200) this.warnings.push({ offset, message });
  };

  private fail(message: string): never {
    return this.r.fail(message);
  }

  parse(): AxmlDocument {
    const r = this.r;
    if (r.length < 8) this.fail(`file is ${r.length} bytes, too short for a binary XML header`);
    const type = r.u16At(0);
    const headerSize = r.u16At(2);
    const declaredSize = r.u32At(4);
    // Android never checks the document chunk's type (AndroidManifest_WrongChunkStart.xml installs).
    if (type !== AxmlChunk.XML) this.warn(0, `document chunk type is 0x${type.toString(16)}, not 0x0003 (XML); read anyway`);
    if (headerSize < 8 || headerSize > r.length) this.fail(`XML chunk at offset 0: header size ${headerSize} is invalid`);
    if (declaredSize < headerSize)
      this.fail(`XML chunk at offset 0: declared size ${declaredSize} is smaller than its header (${headerSize})`);
    let end = declaredSize;
    if (declaredSize > r.length) {
      // aapt rejects this; the chunks inside are intact, so we read up to the real end and say so.
      this.warn(0, `XML chunk declares ${declaredSize} bytes but the file has ${r.length}; read to the end of the file`);
      end = r.length;
    } else if (declaredSize < r.length) {
      this.warn(declaredSize, `${r.length - declaredSize} bytes after the XML chunk ignored`);
    }

    let offset = headerSize;
    while (offset < end) {
      if (end - offset < 8) {
        this.warn(offset, `${end - offset} trailing bytes too short for a chunk header ignored`);
        break;
      }
      const chunkType = r.u16At(offset);
      const chunkHeaderSize = r.u16At(offset + 2);
      const chunkSize = r.u32At(offset + 4);
      const what = `${chunkName(chunkType)} chunk at offset ${offset}`;
      if (chunkHeaderSize < 8) this.fail(`${what}: header size ${chunkHeaderSize} is smaller than 8`);
      if (chunkSize < chunkHeaderSize) this.fail(`${what}: declared size ${chunkSize} is smaller than its header (${chunkHeaderSize})`);
      if (chunkSize > end - offset)
        this.fail(`${what}: declared size ${chunkSize} runs past the end of the data (${end - offset} bytes left)`);
      this.chunk(chunkType, offset, chunkHeaderSize, chunkSize, what);
      offset += chunkSize;
    }

    if (this.stack.length > 0) {
      this.warn(
        end,
        `${this.stack.length} element(s) not closed at the end of the document (<${this.stack[this.stack.length - 1]!.name}>)`,
      );
    }
    const root = this.topLevel.find((node): node is AxmlElement => node.kind === 'element');
    if (!root) this.fail('document has no element');
    if (this.topLevel.filter((node) => node.kind === 'element').length > 1) {
      this.warn(0, 'document has more than one top-level element; the first is the root');
    }
    return { root, topLevel: this.topLevel, namespaces: this.namespaces, utf8: this.pool.utf8, warnings: this.warnings };
  }

  private chunk(type: number, offset: number, headerSize: number, size: number, what: string): void {
    if (type === AxmlChunk.STRING_POOL) {
      if (this.sawNode) {
        this.warn(offset, `${what} after the first node ignored`);
        return;
      }
      if (this.pool.count > 0) this.warn(offset, `second string pool replaces the first (as on Android)`);
      this.pool = new StringPool(
        this.r,
        { start: offset, headerSize, size },
        {
          where: `string pool at offset ${offset}`,
          maxStrings: this.limits.maxStrings,
          maxStringLength: this.limits.maxStringLength,
          warn: this.warn,
        },
      );
      return;
    }
    if (type === AxmlChunk.RESOURCE_MAP) {
      if (this.sawNode) {
        this.warn(offset, `${what} after the first node ignored`);
        return;
      }
      const count = Math.floor((size - headerSize) / 4);
      const ids = new Uint32Array(count);
      for (let i = 0; i < count; i++) ids[i] = this.r.u32At(offset + headerSize + i * 4);
      this.resourceIds = ids;
      return;
    }
    if (type >= AxmlChunk.START_NAMESPACE && type <= AxmlChunk.LAST_NODE) {
      this.sawNode = true;
      if (++this.nodes > this.limits.maxNodes) this.fail(`more than ${this.limits.maxNodes} nodes`);
      if (headerSize < NODE_HEADER_SIZE) this.fail(`${what}: header size ${headerSize} is smaller than ${NODE_HEADER_SIZE}`);
      const line = this.r.u32At(offset + 8);
      const commentIndex = this.r.u32At(offset + 12);
      const body = offset + headerSize;
      const bodySize = size - headerSize;
      switch (type) {
        case AxmlChunk.START_NAMESPACE:
        case AxmlChunk.END_NAMESPACE:
          this.namespaceNode(type, body, bodySize, line, what);
          return;
        case AxmlChunk.START_ELEMENT:
          this.startElement(offset, body, bodySize, size, line, commentIndex, what);
          return;
        case AxmlChunk.END_ELEMENT:
          this.endElement(offset, body, bodySize, what);
          return;
        case AxmlChunk.CDATA:
          this.text(body, bodySize, line, what);
          return;
        default:
          this.warn(offset, `unknown node type 0x${type.toString(16)} skipped`);
          return;
      }
    }
    // Anything else (including a stray 0x0000 chunk) is skipped by its size, as Android does.
    this.warn(offset, `unknown chunk type 0x${type.toString(16)} (${size} bytes) skipped`);
  }

  private string(index: number): string | undefined {
    return index === NO_INDEX ? undefined : this.pool.tryGet(index);
  }

  private namespaceNode(type: number, body: number, bodySize: number, line: number, what: string): void {
    if (bodySize < 8) this.fail(`${what}: ${bodySize} bytes are too few for a namespace node`);
    const prefix = this.string(this.r.u32At(body)) ?? '';
    const uri = this.string(this.r.u32At(body + 4)) ?? '';
    if (type === AxmlChunk.START_NAMESPACE) {
      const ns: AxmlNamespace = { prefix, uri, line };
      this.namespaces.push(ns);
      this.pendingNamespaces.push(ns);
      this.openNamespaces++;
    } else if (this.openNamespaces > 0) {
      this.openNamespaces--;
    } else {
      this.warn(body, `end of namespace ${prefix}=${uri} without a start`);
    }
  }

  private startElement(
    offset: number,
    body: number,
    bodySize: number,
    size: number,
    line: number,
    commentIndex: number,
    what: string,
  ): void {
    const r = this.r;
    if (bodySize < ATTR_EXT_SIZE) this.fail(`${what}: ${bodySize} bytes are too few for an element`);
    if (this.stack.length >= this.limits.maxDepth) this.fail(`${what}: elements nest deeper than ${this.limits.maxDepth}`);
    const namespaceUri = this.string(r.u32At(body));
    const nameIndex = r.u32At(body + 4);
    const name = this.string(nameIndex);
    if (name === undefined) this.warn(offset, `element name #${nameIndex} is not a readable string`);
    const attributeStart = r.u16At(body + 8);
    const attributeSize = r.u16At(body + 10);
    const attributeCount = r.u16At(body + 12);
    if (attributeCount > this.limits.maxAttributes) {
      this.fail(`${what}: ${attributeCount} attributes exceed the limit of ${this.limits.maxAttributes}`);
    }
    if (attributeCount > 0) {
      if (attributeSize < ATTRIBUTE_SIZE) this.fail(`${what}: attribute size ${attributeSize} is smaller than ${ATTRIBUTE_SIZE}`);
      const endOfAttributes = body + attributeStart + attributeSize * attributeCount;
      if (endOfAttributes > offset + size) {
        this.fail(`${what}: ${attributeCount} attributes of ${attributeSize} bytes run past the end of the chunk`);
      }
    }
    const attributes: AxmlAttribute[] = [];
    for (let i = 0; i < attributeCount; i++) {
      attributes.push(this.attribute(body + attributeStart + i * attributeSize));
    }
    const element: AxmlElement = {
      kind: 'element',
      namespaceUri,
      name: name ?? '',
      line,
      comment: this.string(commentIndex),
      attributes,
      children: [],
      namespaces: this.pendingNamespaces,
    };
    this.pendingNamespaces = [];
    const parent = this.stack[this.stack.length - 1];
    if (parent) parent.children.push(element);
    else this.topLevel.push(element);
    this.stack.push(element);
  }

  private attribute(at: number): AxmlAttribute {
    const r = this.r;
    const namespaceUri = this.string(r.u32At(at));
    const nameIndex = r.u32At(at + 4);
    const rawValueIndex = r.u32At(at + 8);
    // Res_value: size u16, res0 u8, dataType u8, data u32. Android ignores `size`, so do we.
    const type = r.bytes[at + 15]!;
    const data = r.u32At(at + 16);
    const rawName = this.string(nameIndex) ?? '';
    const resourceId = nameIndex < this.resourceIds.length ? this.resourceIds[nameIndex] : undefined;
    const frameworkName = resourceId !== undefined ? frameworkAttributeName(resourceId) : undefined;
    const rawValue = this.string(rawValueIndex);
    return {
      namespaceUri,
      name: frameworkName ?? rawName,
      rawName,
      resourceId: resourceId !== undefined && resourceId !== 0 ? resourceId : undefined,
      rawValue,
      typedValue: { type, data },
      value: this.decodeValue(type, data, rawValue),
    };
  }

  private decodeValue(type: number, data: number, rawValue: string | undefined): AxmlValue {
    switch (type) {
      case ResType.STRING: {
        const value = this.string(data) ?? rawValue;
        return value === undefined ? { kind: 'null', empty: false } : { kind: 'string', value };
      }
      case ResType.REFERENCE:
      case ResType.DYNAMIC_REFERENCE:
        return { kind: 'reference', id: data };
      case ResType.ATTRIBUTE:
      case ResType.DYNAMIC_ATTRIBUTE:
        return { kind: 'attribute', id: data };
      case ResType.INT_BOOLEAN:
        return { kind: 'boolean', value: data !== 0 };
      case ResType.INT_DEC:
      case ResType.INT_HEX:
        return { kind: 'integer', value: data | 0 };
      case ResType.FLOAT:
        return { kind: 'float', value: new DataView(Uint32Array.of(data).buffer).getFloat32(0, true) };
      case ResType.DIMENSION:
        return { kind: 'dimension', data };
      case ResType.FRACTION:
        return { kind: 'fraction', data };
      case ResType.NULL:
        // TYPE_NULL with data 1 is `@empty`; otherwise the attribute is undefined. A rawValue string
        // without a typed value comes from old compilers: keep the string.
        if (rawValue !== undefined) return { kind: 'string', value: rawValue };
        return { kind: 'null', empty: data === 1 };
      default:
        if (type >= ResType.INT_COLOR_ARGB8 && type <= ResType.INT_COLOR_RGB4) return { kind: 'color', argb: data };
        return { kind: 'unknown', type, data };
    }
  }

  private endElement(offset: number, body: number, bodySize: number, what: string): void {
    if (bodySize < 8) this.fail(`${what}: ${bodySize} bytes are too few for an end tag`);
    const element = this.stack.pop();
    if (!element) {
      this.warn(offset, 'end tag without an open element ignored');
      return;
    }
    const name = this.string(this.r.u32At(body + 4));
    if (name !== undefined && name !== element.name) {
      this.warn(offset, `end tag </${name}> closes <${element.name}>`);
    }
  }

  private text(body: number, bodySize: number, line: number, what: string): void {
    if (bodySize < 4) this.fail(`${what}: ${bodySize} bytes are too few for a text node`);
    const text = this.string(this.r.u32At(body)) ?? '';
    const node: AxmlText = { kind: 'text', text, line };
    const parent = this.stack[this.stack.length - 1];
    if (parent) parent.children.push(node);
    else this.topLevel.push(node);
  }
}

function chunkName(type: number): string {
  switch (type) {
    case AxmlChunk.STRING_POOL:
      return 'string pool';
    case AxmlChunk.RESOURCE_MAP:
      return 'resource map';
    case AxmlChunk.START_NAMESPACE:
      return 'start-namespace';
    case AxmlChunk.END_NAMESPACE:
      return 'end-namespace';
    case AxmlChunk.START_ELEMENT:
      return 'start-element';
    case AxmlChunk.END_ELEMENT:
      return 'end-element';
    case AxmlChunk.CDATA:
      return 'text';
    default:
      return `type 0x${type.toString(16).padStart(4, '0')}`;
  }
}
