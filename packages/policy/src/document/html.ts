import { Tokenizer, type TokenizerCallbacks } from 'htmlparser2';
import { TextBuilder } from './builder.js';
import { PolicyInputError, type EmphasisKind, type PolicyDocument, type ReadLimits } from './types.js';

/** Elements whose content is never shown as policy text. */
const HIDDEN = new Set(['script', 'style', 'noscript', 'template', 'head', 'svg', 'iframe', 'object', 'button', 'select', 'nav']);
/** Elements that start a new block of text. */
const BLOCKS = new Set([
  'p',
  'div',
  'section',
  'article',
  'main',
  'header',
  'footer',
  'aside',
  'blockquote',
  'pre',
  'dd',
  'dt',
  'figcaption',
  'address',
  'caption',
  'summary',
  'details',
  'form',
  'fieldset',
  'table',
  'tr',
  'ul',
  'ol',
  'dl',
]);
const HEADINGS: Record<string, number> = { h1: 1, h2: 2, h3: 3, h4: 4, h5: 5, h6: 6 };
const BOLD = new Set(['b', 'strong']);
const UNDERLINE = new Set(['u', 'ins']);

/** Black, near-black, greys and "inherit" are body text, not highlighting. */
function isHighlightColour(value: string): boolean {
  const v = value.trim().toLowerCase();
  if (v === '' || v === 'inherit' || v === 'initial' || v === 'currentcolor' || v === 'black' || v === 'windowtext') return false;
  const hex = /^#([0-9a-f]{3}|[0-9a-f]{6})$/.exec(v)?.[1];
  let rgb: number[] | undefined;
  if (hex) rgb = hex.length === 3 ? [...hex].map((c) => parseInt(c + c, 16)) : [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16));
  const fn = /^rgba?\(\s*(\d+)[,\s]+(\d+)[,\s]+(\d+)/.exec(v);
  if (fn) rgb = [Number(fn[1]), Number(fn[2]), Number(fn[3])];
  if (!rgb) return /^[a-z]+$/.test(v) && !['gray', 'grey', 'dimgray', 'dimgrey', 'darkgray', 'darkgrey', 'white'].includes(v);
  // A colour stands out when it is saturated; greys (equal channels) read as body text.
  const [r, g, b] = rgb as [number, number, number];
  return Math.max(r, g, b) - Math.min(r, g, b) > 48;
}

/** The emphasis an element's own markup and inline style give it. */
function emphasisOf(name: string, attributes: Record<string, string>): EmphasisKind[] {
  const kinds: EmphasisKind[] = [];
  if (BOLD.has(name)) kinds.push('bold');
  if (UNDERLINE.has(name)) kinds.push('underline');
  if (name === 'font' && attributes.color && isHighlightColour(attributes.color)) kinds.push('colour');
  const style = attributes.style?.toLowerCase() ?? '';
  if (style) {
    const weight = /font-weight\s*:\s*([a-z0-9]+)/.exec(style)?.[1];
    if (weight && (weight === 'bold' || weight === 'bolder' || Number(weight) >= 600) && !kinds.includes('bold')) kinds.push('bold');
    if (/text-decoration(?:-line)?\s*:[^;]*underline/.test(style) && !kinds.includes('underline')) kinds.push('underline');
    const colour = /(?:^|;)\s*color\s*:\s*([^;!]+)/.exec(style)?.[1];
    if (colour && isHighlightColour(colour)) kinds.push('colour');
  }
  return kinds;
}

/** Elements that never have content or an end tag. */
const VOID = new Set([
  'area',
  'base',
  'basefont',
  'br',
  'col',
  'command',
  'embed',
  'frame',
  'hr',
  'img',
  'input',
  'isindex',
  'keygen',
  'link',
  'meta',
  'param',
  'source',
  'track',
  'wbr',
]);
const P_ONLY = new Set(['p']);
const HEADING_OR_P = new Set(['h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'p']);
/** An open tag that closes the open element on top when it is one of these (HTML's optional end tags). */
const IMPLIES_CLOSE = new Map<string, Set<string>>([
  ['tr', new Set(['tr', 'th', 'td'])],
  ['th', new Set(['th'])],
  ['td', new Set(['thead', 'th', 'td'])],
  ['body', new Set(['head', 'link', 'script'])],
  ['a', new Set(['a'])],
  ['li', new Set(['li'])],
  ['p', P_ONLY],
  ['h1', HEADING_OR_P],
  ['h2', HEADING_OR_P],
  ['h3', HEADING_OR_P],
  ['h4', HEADING_OR_P],
  ['h5', HEADING_OR_P],
  ['h6', HEADING_OR_P],
  ['option', new Set(['option'])],
  ['optgroup', new Set(['optgroup', 'option'])],
  ['dd', new Set(['dd', 'dt'])],
  ['dt', new Set(['dd', 'dt'])],
  ['tbody', new Set(['thead', 'tbody'])],
  ['tfoot', new Set(['thead', 'tbody'])],
  ...[
    'address',
    'article',
    'aside',
    'blockquote',
    'details',
    'div',
    'dl',
    'fieldset',
    'figcaption',
    'figure',
    'footer',
    'form',
    'header',
    'hr',
    'main',
    'nav',
    'ol',
    'pre',
    'section',
    'table',
    'ul',
  ].map((name): [string, Set<string>] => [name, P_ONLY]),
]);

/**
 * Elements kept open at once. Real policy pages nest a few dozen deep; past this, tags are flattened:
 * their text is kept, the elements are not (a page of unclosed tags would otherwise make every open
 * tag cost as much as the depth, quadratic in all).
 */
export const MAX_HTML_DEPTH = 256;
/** Characters tokenized between two looks at the deadline. */
const DEADLINE_CHUNK = 64 * 1024;

interface TreeEvents {
  open(name: string, attributes: Record<string, string>): void;
  text(text: string): void;
  close(name: string): void;
}

/**
 * Balanced open/close events from htmlparser2's tokenizer, with our own element stack: top at the
 * end (push/pop, never shift/unshift), a count per name so a stray end tag is dismissed at once, and
 * at most MAX_HTML_DEPTH elements kept. Every step is constant time amortized, so parsing is linear
 * in the input whatever its nesting.
 */
class HtmlTree implements TokenizerCallbacks {
  private readonly stack: string[] = [];
  private readonly openCount = new Map<string, number>();
  private tagName = '';
  private attributes: Record<string, string> = {};
  private attributeName = '';
  private attributeValue = '';

  constructor(
    private readonly html: string,
    private readonly events: TreeEvents,
  ) {}

  ontext(start: number, end: number): void {
    this.events.text(this.html.slice(start, end));
  }
  ontextentity(codepoint: number): void {
    this.events.text(String.fromCodePoint(codepoint));
  }
  onopentagname(start: number, end: number): void {
    this.tagName = this.html.slice(start, end).toLowerCase();
    this.attributes = {};
  }
  onattribname(start: number, end: number): void {
    this.attributeName = this.html.slice(start, end).toLowerCase();
  }
  onattribdata(start: number, end: number): void {
    this.attributeValue += this.html.slice(start, end);
  }
  onattribentity(codepoint: number): void {
    this.attributeValue += String.fromCodePoint(codepoint);
  }
  onattribend(): void {
    if (!Object.hasOwn(this.attributes, this.attributeName)) this.attributes[this.attributeName] = this.attributeValue;
    this.attributeValue = '';
  }
  onopentagend(): void {
    this.endOpenTag(false);
  }
  onselfclosingtag(): void {
    this.endOpenTag(true);
  }
  onclosetag(start: number, end: number): void {
    const name = this.html.slice(start, end).toLowerCase();
    if (VOID.has(name)) {
      // `</br>` is a line break in every browser.
      if (name === 'br') this.emptyElement('br');
      return;
    }
    if (!this.openCount.get(name)) {
      // A stray `</p>` makes an empty paragraph, as browsers do; other stray end tags are ignored.
      if (name === 'p') this.emptyElement('p');
      return;
    }
    while (this.stack.length > 0 && this.pop() !== name);
  }
  onend(): void {
    while (this.stack.length > 0) this.pop();
  }
  oncdata(): void {}
  oncomment(): void {}
  ondeclaration(): void {}
  onprocessinginstruction(): void {}

  private endOpenTag(selfClosing: boolean): void {
    const name = this.tagName;
    const attributes = this.attributes;
    this.tagName = '';
    this.attributes = {};
    if (name === '') return;
    const closes = IMPLIES_CLOSE.get(name);
    if (closes) while (this.stack.length > 0 && closes.has(this.stack[this.stack.length - 1]!)) this.pop();
    if (VOID.has(name) || selfClosing) {
      this.events.open(name, attributes);
      this.events.close(name);
      return;
    }
    // Flattened past the cap: the element's text still reaches the reader, inside its kept ancestors.
    if (this.stack.length >= MAX_HTML_DEPTH) return;
    this.stack.push(name);
    this.openCount.set(name, (this.openCount.get(name) ?? 0) + 1);
    this.events.open(name, attributes);
  }

  private emptyElement(name: string): void {
    this.events.open(name, {});
    this.events.close(name);
  }

  private pop(): string {
    const name = this.stack.pop()!;
    this.openCount.set(name, this.openCount.get(name)! - 1);
    this.events.close(name);
    return name;
  }
}

/**
 * HTML to the text a reader sees. htmlparser2's tokenizer is tolerant (real policy pages are rarely
 * valid HTML) and decodes entities; the tree above it is ours (see HtmlTree). We keep only what
 * changes meaning: blocks, headings, list items, table cells, emphasis and links. `deadline`
 * (Date.now() milliseconds) is checked every 64 Ki characters.
 */
export function readHtml(html: string, limits: ReadLimits, deadline?: number): PolicyDocument {
  const out = new TextBuilder(limits.maxBlocks);
  let hidden = 0;
  let inTitle = false;
  let title = '';
  let row = -1;
  const stack: { name: string; emphasis: EmphasisKind[]; hides: boolean; link: boolean }[] = [];
  const tree = new HtmlTree(html, {
    open(name, attributes) {
      const hides = HIDDEN.has(name) || attributes.hidden !== undefined || /display\s*:\s*none/i.test(attributes.style ?? '');
      const emphasis = hides ? [] : emphasisOf(name, attributes);
      const link = !hides && name === 'a' && typeof attributes.href === 'string' && attributes.href.trim() !== '';
      stack.push({ name, emphasis, hides, link });
      if (name === 'title') inTitle = true;
      if (hides) hidden++;
      if (hidden > 0) return;
      if (name in HEADINGS) out.startBlock('heading', HEADINGS[name]!);
      else if (name === 'li') out.startBlock('list-item');
      else if (name === 'tr') {
        row++;
        out.endBlock();
      } else if (name === 'td' || name === 'th') out.startBlock('table-cell', null, Math.max(row, 0));
      else if (name === 'br') out.lineBreak();
      else if (BLOCKS.has(name)) out.startBlock('paragraph');
      for (const kind of emphasis) out.openEmphasis(kind);
      if (link) out.openLink(attributes.href!.trim());
    },
    text(text) {
      if (inTitle) title += text;
      else if (hidden === 0) out.text(text);
    },
    // The tree's events are balanced: the element closing is always the one on top.
    close() {
      const element = stack.pop()!;
      if (element.name === 'title') inTitle = false;
      if (element.hides) {
        hidden--;
        return;
      }
      if (hidden > 0) return;
      if (element.link) out.closeLink();
      for (const kind of element.emphasis) out.closeEmphasis(kind);
      if (element.name in HEADINGS || element.name === 'li' || element.name === 'td' || element.name === 'th' || BLOCKS.has(element.name))
        out.endBlock();
    },
  });
  const tokenizer = new Tokenizer({ decodeEntities: true, recognizeSelfClosing: true }, tree);
  for (let at = 0; at < html.length; at += DEADLINE_CHUNK) {
    if (deadline !== undefined && Date.now() > deadline) throw new PolicyInputError(`reading the HTML took longer than the time limit`);
    tokenizer.write(html.slice(at, at + DEADLINE_CHUNK));
  }
  tokenizer.end();
  const text = out.finish();
  const cleanTitle = title.replace(/\s+/g, ' ').trim();
  return { format: 'html', text, blocks: out.blocks, emphasis: out.emphasis, links: out.links, title: cleanTitle || null };
}
