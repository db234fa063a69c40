/**
 * A small XML scanner for source `AndroidManifest.xml` files that keeps the position of every element
 * and attribute, so a fix can be written as a minimal text replacement that leaves the rest of the
 * file (formatting, comments, CDATA, line endings, attribute order and quotes) as it was.
 *
 * Why not a library: the XML parsers in the tree (htmlparser2, used for policies and UI dumps) give
 * the start and end of a tag at best, never where an attribute's name and value sit, and they repair
 * broken input silently, where an editor must refuse it. This scanner reads the XML a manifest uses
 * (elements, attributes, namespaces, comments, CDATA, processing instructions, a DOCTYPE without an
 * internal subset), refuses the rest with the line and column, and bounds size, element count, depth
 * and attribute count. It builds no tree of text nodes and expands no entity beyond the five
 * predefined ones and character references: nothing in the input can make it do more work than
 * one pass over the text. Seeded mutations of the test manifests are in test/manifest-source.test.ts.
 */

export const ANDROID_NS = 'http://schemas.android.com/apk/res/android';
export const TOOLS_NS = 'http://schemas.android.com/tools';
const XML_NS = 'http://www.w3.org/XML/1998/namespace';

export interface XmlScanLimits {
  /** Characters of text (default 4 Mi: real manifests are well under 1 MiB). */
  maxChars: number;
  maxElements: number;
  maxDepth: number;
  maxAttributes: number;
  /** Namespace declarations in the whole document (real manifests have two or three). */
  maxNamespaces: number;
}

export const DEFAULT_XML_SCAN_LIMITS: XmlScanLimits = {
  maxChars: 4 * 1024 * 1024,
  maxElements: 100_000,
  maxDepth: 128,
  maxAttributes: 512,
  maxNamespaces: 256,
};

export interface XmlAttribute {
  /** As written: `android:exported`. */
  qname: string;
  prefix: string | null;
  local: string;
  /** The namespace URI the prefix is bound to; null for an unprefixed attribute (no namespace). */
  namespace: string | null;
  /** Where the whitespace before the name starts (removing an attribute removes it too). */
  leadStart: number;
  nameStart: number;
  /** Between the quotes: the raw value is `text.slice(valueStart, valueEnd)`. */
  valueStart: number;
  valueEnd: number;
  quote: '"' | "'";
  /** Entity references decoded and whitespace normalised as XML attribute values are. */
  value: string;
}

export interface XmlElement {
  index: number;
  qname: string;
  prefix: string | null;
  local: string;
  namespace: string | null;
  /** `<` of the start tag. */
  start: number;
  /** Just after the element name in the start tag. */
  nameEnd: number;
  /** Where `>` or `/>` of the start tag begins (whitespace before it excluded). */
  closeStart: number;
  /** Just after the start tag's `>`. */
  tagEnd: number;
  selfClosing: boolean;
  attributes: XmlAttribute[];
  /** The enclosing element's index, or -1 for the root. */
  parent: number;
  depth: number;
  /** Prefix → namespace URI in scope at this element (`''` is the default namespace). */
  scope: ReadonlyMap<string, string>;
}

export interface XmlDocument {
  text: string;
  /** In document order; `elements[0]` is the root. */
  elements: XmlElement[];
  /** Offsets where each line starts (after `\n`, `\r\n` or a lone `\r`). */
  lineStarts: number[];
}

/** The input is not XML this scanner reads, or breaks a limit; `offset` is where. */
export class XmlScanError extends Error {
  override name = 'XmlScanError';
  constructor(
    readonly code: 'syntax' | 'limit' | 'unsupported',
    message: string,
    readonly offset: number,
    readonly line: number,
    readonly column: number,
  ) {
    super(`line ${line}, column ${column}: ${message}`);
  }
}

export function lineStartsOf(text: string): number[] {
  const starts = [0];
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 10) starts.push(i + 1);
    else if (c === 13) {
      if (text.charCodeAt(i + 1) === 10) i++;
      starts.push(i + 1);
    }
  }
  return starts;
}

/** 1-based line and column (in UTF-16 code units) of an offset. */
export function positionOf(lineStarts: readonly number[], offset: number): { line: number; column: number } {
  let lo = 0;
  let hi = lineStarts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (lineStarts[mid]! <= offset) lo = mid;
    else hi = mid - 1;
  }
  return { line: lo + 1, column: offset - lineStarts[lo]! + 1 };
}

// XML 1.0 names, simplified to what a manifest can hold: ASCII letters, `_`, `:` and any non-ASCII
// character to start; digits, `-` and `.` after that.
const NAME_START = /[A-Za-z_:\u00C0-\uFFFF]/;
const NAME = /[A-Za-z_:\u00C0-\uFFFF][A-Za-z0-9_:.\-\u00B7-\uFFFF]*/y;
const WHITESPACE = /[ \t\r\n]*/y;
const PREDEFINED: Record<string, string> = { lt: '<', gt: '>', amp: '&', quot: '"', apos: "'" };
const REFERENCE = /&(#x[0-9A-Fa-f]{1,6}|#[0-9]{1,7}|[A-Za-z][A-Za-z0-9]{0,31});/y;

class Scanner {
  private pos = 0;
  private namespaces = 0;
  readonly elements: XmlElement[] = [];
  readonly lineStarts: number[];

  constructor(
    private readonly text: string,
    private readonly limits: XmlScanLimits,
  ) {
    this.lineStarts = lineStartsOf(text);
  }

  fail(code: XmlScanError['code'], message: string, at = this.pos): never {
    const { line, column } = positionOf(this.lineStarts, at);
    throw new XmlScanError(code, message, at, line, column);
  }

  scan(): XmlDocument {
    const text = this.text;
    if (text.charCodeAt(0) === 0xfeff) this.pos = 1;
    const stack: XmlElement[] = [];
    let rootClosed = false;
    while (this.pos < text.length) {
      const lt = text.indexOf('<', this.pos);
      const end = lt === -1 ? text.length : lt;
      if (stack.length === 0) {
        // Outside the root only whitespace may stand between markup.
        for (let i = this.pos; i < end; i++) if (!' \t\r\n'.includes(text[i]!)) this.fail('syntax', 'text outside the root element', i);
      } else this.checkText(this.pos, end);
      if (lt === -1) break;
      this.pos = lt;
      if (text.startsWith('<!--', lt)) this.skipPast('-->', 'comment', 4);
      else if (text.startsWith('<![CDATA[', lt)) {
        if (stack.length === 0) this.fail('syntax', 'CDATA outside the root element');
        this.skipPast(']]>', 'CDATA section', 9);
      } else if (text.startsWith('<?', lt)) this.processingInstruction(lt);
      else if (text.startsWith('<!DOCTYPE', lt)) this.doctype(lt);
      else if (text.startsWith('</', lt)) {
        const open = stack.pop();
        this.endTag(open);
        if (stack.length === 0) rootClosed = true;
      } else {
        if (rootClosed || (stack.length === 0 && this.elements.length > 0)) this.fail('syntax', 'a second root element');
        const element = this.startTag(stack[stack.length - 1]);
        if (!element.selfClosing) stack.push(element);
        else if (stack.length === 0) rootClosed = true;
      }
    }
    if (stack.length > 0) this.fail('syntax', `<${stack[stack.length - 1]!.qname}> is never closed`, text.length);
    if (this.elements.length === 0) this.fail('syntax', 'no root element', text.length);
    return { text, elements: this.elements, lineStarts: this.lineStarts };
  }

  /** Character data may hold references but no `&` of its own and no `]]>`. */
  private checkText(from: number, to: number): void {
    // Searched within the slice: a search past `to` on every text run would be quadratic.
    const chunk = this.text.slice(from, to);
    for (let i = chunk.indexOf('&'); i !== -1; i = chunk.indexOf('&', i + 1)) this.reference(from + i);
    const cdataEnd = chunk.indexOf(']]>');
    if (cdataEnd !== -1) this.fail('syntax', '"]]>" in text', from + cdataEnd);
  }

  private skipPast(terminator: string, what: string, openLength: number): void {
    const end = this.text.indexOf(terminator, this.pos + openLength);
    if (end === -1) this.fail('syntax', `${what} is never closed`);
    this.pos = end + terminator.length;
  }

  private processingInstruction(at: number): void {
    const end = this.text.indexOf('?>', at + 2);
    if (end === -1) this.fail('syntax', 'processing instruction is never closed');
    const body = this.text.slice(at + 2, end);
    if (/^xml[ \t\r\n]/.test(body) || body === 'xml') {
      if (at !== 0 && !(at === 1 && this.text.charCodeAt(0) === 0xfeff)) this.fail('syntax', 'the XML declaration must come first', at);
      const encoding = /\bencoding[ \t\r\n]*=[ \t\r\n]*(["'])([^"']*)\1/.exec(body)?.[2];
      // The file was decoded as UTF-8; a file that says otherwise would be read wrong, so it is refused.
      if (encoding !== undefined && !/^utf-?8$/i.test(encoding))
        this.fail('unsupported', `encoding "${encoding}" (only UTF-8 manifests are edited)`, at);
    }
    this.pos = end + 2;
  }

  private doctype(at: number): void {
    const end = this.text.indexOf('>', at);
    if (end === -1) this.fail('syntax', 'DOCTYPE is never closed');
    // An internal subset can declare entities that change what attribute values mean.
    if (this.text.slice(at, end).includes('[')) this.fail('unsupported', 'a DOCTYPE with an internal subset (entity declarations)', at);
    if (this.elements.length > 0) this.fail('syntax', 'DOCTYPE after the root element', at);
    this.pos = end + 1;
  }

  private name(what: string): string {
    NAME.lastIndex = this.pos;
    const m = NAME.exec(this.text);
    if (!m || !NAME_START.test(this.text[this.pos] ?? '')) this.fail('syntax', `expected ${what}`);
    this.pos += m[0].length;
    return m[0];
  }

  private whitespace(): number {
    WHITESPACE.lastIndex = this.pos;
    const length = WHITESPACE.exec(this.text)![0].length;
    this.pos += length;
    return length;
  }

  private endTag(open: XmlElement | undefined): void {
    const at = this.pos;
    this.pos += 2;
    const name = this.name('an element name after "</"');
    this.whitespace();
    if (this.text[this.pos] !== '>') this.fail('syntax', `expected ">" to end </${name}>`);
    this.pos++;
    if (!open) this.fail('syntax', `</${name}> closes no element`, at);
    if (open.qname !== name) this.fail('syntax', `</${name}> closes <${open.qname}>`, at);
  }

  private startTag(parent: XmlElement | undefined): XmlElement {
    const start = this.pos;
    if (this.elements.length >= this.limits.maxElements) this.fail('limit', `more than ${this.limits.maxElements} elements`);
    const depth = parent ? parent.depth + 1 : 0;
    if (depth >= this.limits.maxDepth) this.fail('limit', `elements nested deeper than ${this.limits.maxDepth}`);
    this.pos++;
    const qname = this.name('an element name after "<"');
    const nameEnd = this.pos;
    const attributes: XmlAttribute[] = [];
    const seen = new Set<string>();
    let selfClosing = false;
    let closeStart: number;
    for (;;) {
      const leadStart = this.pos;
      const gap = this.whitespace();
      const c = this.text[this.pos];
      if (c === '>' || (c === '/' && this.text[this.pos + 1] === '>')) {
        closeStart = this.pos;
        selfClosing = c === '/';
        this.pos += selfClosing ? 2 : 1;
        break;
      }
      if (c === undefined) this.fail('syntax', `<${qname}> is never closed`, start);
      if (gap === 0) this.fail('syntax', 'expected whitespace before an attribute');
      if (attributes.length >= this.limits.maxAttributes)
        this.fail('limit', `more than ${this.limits.maxAttributes} attributes on <${qname}>`);
      const nameStart = this.pos;
      const name = this.name('an attribute name');
      if (seen.has(name)) this.fail('syntax', `attribute ${name} appears twice`, nameStart);
      seen.add(name);
      this.whitespace();
      if (this.text[this.pos] !== '=') this.fail('syntax', `expected "=" after ${name}`);
      this.pos++;
      this.whitespace();
      const quote = this.text[this.pos];
      if (quote !== '"' && quote !== "'") this.fail('syntax', `expected a quoted value for ${name}`);
      const valueStart = this.pos + 1;
      const valueEnd = this.text.indexOf(quote, valueStart);
      if (valueEnd === -1) this.fail('syntax', `the value of ${name} is never closed`);
      const lt = this.text.slice(valueStart, valueEnd).indexOf('<');
      if (lt !== -1) this.fail('syntax', `"<" in the value of ${name}`, valueStart + lt);
      this.pos = valueEnd + 1;
      const [prefix, local] = splitName(name);
      attributes.push({
        qname: name,
        prefix,
        local,
        namespace: null,
        leadStart,
        nameStart,
        valueStart,
        valueEnd,
        quote,
        value: this.attributeValue(valueStart, valueEnd),
      });
    }
    // An element declaring no namespace shares its parent's scope: copies are made only where a
    // declaration is, and the declarations are bounded, so scopes cannot grow with the element count.
    const declarations = attributes.filter((a) => a.qname === 'xmlns' || a.prefix === 'xmlns');
    this.namespaces += declarations.length;
    if (this.namespaces > this.limits.maxNamespaces) this.fail('limit', `more than ${this.limits.maxNamespaces} namespace declarations`);
    const scope: Map<string, string> =
      declarations.length === 0 && parent ? (parent.scope as Map<string, string>) : new Map(parent?.scope ?? [['xml', XML_NS]]);
    for (const a of declarations) {
      if (a.qname === 'xmlns') scope.set('', a.value);
      else {
        if (a.value === '') this.fail('syntax', `${a.qname} binds a prefix to no namespace`, a.nameStart);
        scope.set(a.local, a.value);
      }
    }
    for (const a of attributes) {
      if (a.qname === 'xmlns' || a.prefix === 'xmlns') continue;
      if (a.prefix !== null) {
        const ns = scope.get(a.prefix);
        if (ns === undefined) this.fail('syntax', `the prefix of ${a.qname} is not declared`, a.nameStart);
        a.namespace = ns;
      }
    }
    // Two attributes may not name one attribute through two prefixes.
    const expanded = new Set<string>();
    for (const a of attributes) {
      if (a.namespace === null) continue;
      const key = `${a.namespace}\u0000${a.local}`;
      if (expanded.has(key)) this.fail('syntax', `attribute ${a.qname} appears twice (through another prefix)`, a.nameStart);
      expanded.add(key);
    }
    const [prefix, local] = splitName(qname);
    const namespace = scope.get(prefix ?? '') ?? null;
    if (prefix !== null && namespace === null) this.fail('syntax', `the prefix of <${qname}> is not declared`, start);
    const element: XmlElement = {
      index: this.elements.length,
      qname,
      prefix,
      local,
      namespace: namespace === '' ? null : namespace,
      start,
      nameEnd,
      closeStart,
      tagEnd: this.pos,
      selfClosing,
      attributes,
      parent: parent?.index ?? -1,
      depth,
      scope,
    };
    this.elements.push(element);
    return element;
  }

  private reference(at: number): string {
    REFERENCE.lastIndex = at;
    const m = REFERENCE.exec(this.text);
    if (!m) this.fail('syntax', '"&" that starts no entity or character reference', at);
    const body = m[1]!;
    if (body.startsWith('#')) {
      const code = body[1] === 'x' ? parseInt(body.slice(2), 16) : parseInt(body.slice(1), 10);
      if (
        !(code === 9 || code === 10 || code === 13 || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0x10ffff)) ||
        (code >= 0xfffe && code <= 0xffff)
      )
        this.fail('syntax', `character reference &${body}; names no XML character`, at);
      return String.fromCodePoint(code);
    }
    const named = PREDEFINED[body];
    if (named === undefined) this.fail('unsupported', `entity &${body}; (only the five predefined ones are read)`, at);
    return named;
  }

  /** XML attribute-value normalisation: references decoded, each literal tab or line end a space. */
  private attributeValue(from: number, to: number): string {
    const raw = this.text.slice(from, to);
    let out = '';
    let i = 0;
    while (i < raw.length) {
      const amp = raw.indexOf('&', i);
      const stop = amp === -1 ? raw.length : amp;
      out += raw.slice(i, stop).replace(/\r\n|[\t\n\r]/g, ' ');
      if (stop === raw.length) break;
      out += this.reference(from + stop);
      i = REFERENCE.lastIndex - from;
    }
    return out;
  }
}

function splitName(name: string): [string | null, string] {
  const colon = name.indexOf(':');
  return colon > 0 ? [name.slice(0, colon), name.slice(colon + 1)] : [null, name];
}

/** Reads the text as XML, keeping positions; throws `XmlScanError` naming the line and column. */
export function scanXml(text: string, limits: Partial<XmlScanLimits> = {}): XmlDocument {
  const all = { ...DEFAULT_XML_SCAN_LIMITS, ...limits };
  if (text.length > all.maxChars) throw new XmlScanError('limit', `more than ${all.maxChars} characters`, all.maxChars, 0, 0);
  return new Scanner(text, all).scan();
}

/** An attribute of an element by namespace URI and local name. */
export function attributeOf(element: XmlElement, namespace: string | null, local: string): XmlAttribute | undefined {
  return element.attributes.find((a) => a.namespace === namespace && a.local === local && a.prefix !== 'xmlns' && a.qname !== 'xmlns');
}

/** Escapes a value for a quoted attribute. */
export function escapeAttribute(value: string, quote: '"' | "'"): string {
  return value
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(quote === '"' ? /"/g : /'/g, quote === '"' ? '&quot;' : '&apos;');
}
