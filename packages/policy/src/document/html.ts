import { Parser } from 'htmlparser2';
import { TextBuilder } from './builder.js';
import type { EmphasisKind, PolicyDocument, ReadLimits } from './types.js';

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

/**
 * HTML to the text a reader sees. htmlparser2 is a tolerant streaming parser (real policy pages are
 * rarely valid HTML) and decodes entities; we keep only what changes meaning: blocks, headings,
 * list items, table cells, emphasis and links.
 */
export function readHtml(html: string, limits: ReadLimits): PolicyDocument {
  const out = new TextBuilder(limits.maxBlocks);
  let hidden = 0;
  let inTitle = false;
  let title = '';
  let row = -1;
  const stack: { name: string; emphasis: EmphasisKind[]; hides: boolean; link: boolean }[] = [];
  // How many of each element are open: a stray end tag is dismissed without walking the stack.
  const openCount = new Map<string, number>();
  const parser = new Parser(
    {
      onopentag(name, attributes) {
        const hides = HIDDEN.has(name) || attributes.hidden !== undefined || /display\s*:\s*none/i.test(attributes.style ?? '');
        const emphasis = hides ? [] : emphasisOf(name, attributes);
        const link = !hides && name === 'a' && typeof attributes.href === 'string' && attributes.href.trim() !== '';
        stack.push({ name, emphasis, hides, link });
        openCount.set(name, (openCount.get(name) ?? 0) + 1);
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
      ontext(text) {
        if (inTitle) title += text;
        else if (hidden === 0) out.text(text);
      },
      onclosetag(name) {
        // Tolerate stray end tags: close up to the matching open element, if any.
        if (!openCount.get(name)) return;
        // Searched from the top: a well-formed close matches at once, so deep nesting stays linear.
        let at = stack.length - 1;
        while (at >= 0 && stack[at]!.name !== name) at--;
        if (at < 0) return;
        while (stack.length > at) {
          const element = stack.pop()!;
          openCount.set(element.name, openCount.get(element.name)! - 1);
          if (element.name === 'title') inTitle = false;
          if (element.hides) {
            hidden--;
            continue;
          }
          if (hidden > 0) continue;
          if (element.link) out.closeLink();
          for (const kind of element.emphasis) out.closeEmphasis(kind);
          if (
            element.name in HEADINGS ||
            element.name === 'li' ||
            element.name === 'td' ||
            element.name === 'th' ||
            BLOCKS.has(element.name)
          )
            out.endBlock();
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true, recognizeSelfClosing: true },
  );
  parser.write(html);
  parser.end();
  const text = out.finish();
  const cleanTitle = title.replace(/\s+/g, ' ').trim();
  return { format: 'html', text, blocks: out.blocks, emphasis: out.emphasis, links: out.links, title: cleanTitle || null };
}
